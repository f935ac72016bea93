//! Checks on what people type, shared by every form. Each failure is an [`Invalid`] the UI
//! turns into one clear sentence; nothing here panics on any input.

use crate::Invalid;
use crate::secret::Secret;
use validator::ValidateEmail;

/// Longest display name kept (a school name or a person's full name fits easily).
pub const NAME_MAX_CHARS: usize = 120;
/// NIST 800-63B: at least 8; we ask for 10 since there is no second factor yet.
pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 256;

/// Trims and lower-cases an address, and checks its shape.
pub fn email(raw: &str) -> Result<String, Invalid> {
    let address = raw.trim().to_lowercase();
    if address.is_empty() || address.len() > 254 || !address.validate_email() {
        return Err(Invalid::EmailMalformed);
    }
    Ok(address)
}

/// A person's or school's name: trimmed, inner runs of spaces collapsed, no control
/// characters (a CR/LF in a display name would otherwise reach a mail header).
pub fn display_name(raw: &str) -> Result<String, Invalid> {
    if raw
        .chars()
        .any(|c| c.is_control() || is_invisible_format(c))
    {
        return Err(Invalid::NameControlCharacters);
    }
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    match name.chars().count() {
        0 => Err(Invalid::NameEmpty),
        n if n > NAME_MAX_CHARS => Err(Invalid::NameTooLong),
        _ => Ok(name),
    }
}

/// Invisible formatting characters (bidirectional overrides, zero-width characters, line
/// and paragraph separators) that could make a name display as something else.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// A new password, typed twice.
pub fn new_password(password: &Secret, confirmation: &Secret) -> Result<(), Invalid> {
    let length = password.expose().chars().count();
    if length < PASSWORD_MIN_CHARS {
        return Err(Invalid::PasswordTooShort);
    }
    if length > PASSWORD_MAX_CHARS {
        return Err(Invalid::PasswordTooLong);
    }
    if password.expose() != confirmation.expose() {
        return Err(Invalid::PasswordsDiffer);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_normalised_or_refused() {
        assert_eq!(
            email("  Anne.Martin@Ecole.FR ").unwrap(),
            "anne.martin@ecole.fr"
        );
        for bad in [
            "",
            "anne",
            "anne@",
            "@ecole.fr",
            "an ne@ecole.fr",
            "a@b@c.fr",
            "x\r\n@a.fr",
        ] {
            assert_eq!(email(bad), Err(Invalid::EmailMalformed), "{bad:?}");
        }
    }

    #[test]
    fn names_refuse_control_characters_and_collapse_spaces() {
        assert_eq!(display_name("  Jean   Moulin ").unwrap(), "Jean Moulin");
        assert_eq!(
            display_name("Evil\r\nBcc: x@y.fr"),
            Err(Invalid::NameControlCharacters)
        );
        assert_eq!(
            display_name("tab\there"),
            Err(Invalid::NameControlCharacters)
        );
        assert_eq!(
            display_name("Secr\u{202E}tariat"),
            Err(Invalid::NameControlCharacters),
            "bidi override"
        );
        assert_eq!(
            display_name("Anne\u{2028}Martin"),
            Err(Invalid::NameControlCharacters)
        );
        assert!(display_name("Élodie N'Guessan-Dupré").is_ok());
        assert_eq!(display_name("   "), Err(Invalid::NameEmpty));
        assert_eq!(display_name(&"é".repeat(121)), Err(Invalid::NameTooLong));
        assert!(display_name(&"é".repeat(120)).is_ok());
    }

    #[test]
    fn passwords_need_length_and_a_matching_confirmation() {
        let s = Secret::new;
        assert_eq!(
            new_password(&s("court"), &s("court")),
            Err(Invalid::PasswordTooShort)
        );
        assert_eq!(
            new_password(&s("assez longue phrase"), &s("autre phrase longue")),
            Err(Invalid::PasswordsDiffer)
        );
        assert!(new_password(&s("assez longue phrase"), &s("assez longue phrase")).is_ok());
    }
}
