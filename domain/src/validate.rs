//! Checks on what people type, shared by every form. Each failure is an [`Invalid`] the UI
//! turns into one clear sentence; nothing here panics on any input.

use crate::Invalid;
use crate::secret::Secret;

/// Longest display name kept (a school name or a person's full name fits easily).
pub const NAME_MAX_CHARS: usize = vocabulary::limits::NAME_MAX_CHARS;
/// NIST 800-63B: at least 8; we ask for 10 since there is no second factor yet.
pub const PASSWORD_MIN_CHARS: usize = vocabulary::limits::PASSWORD_MIN_CHARS;
pub const PASSWORD_MAX_CHARS: usize = vocabulary::limits::PASSWORD_MAX_CHARS;

/// Longest address kept (RFC 5321's path limit, less the angle brackets).
pub const EMAIL_MAX_BYTES: usize = vocabulary::limits::EMAIL_MAX_BYTES;

/// Trims and lower-cases an address, and checks that mail can really reach it: a plain
/// ASCII local part (`a..b` and quoted forms refused), and a public domain name with a dot —
/// no address literal (`[10.0.0.5]`), no `localhost`. An internationalised domain
/// (`exémple.fr`) is converted to its ASCII form (`xn--exmple-cva.fr`), since the SMTP client
/// does not speak SMTPUTF8; a non-ASCII local part cannot be converted and is refused.
/// Every form (staff, accounts, test address, compose, the API) goes through here.
pub fn email(raw: &str) -> Result<String, Invalid> {
    let address = raw.trim();
    if address.is_empty()
        || address
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || is_invisible_format(c))
    {
        return Err(Invalid::EmailMalformed);
    }
    let Some((local, domain)) = address.rsplit_once('@') else {
        return Err(Invalid::EmailMalformed);
    };
    if !local.is_ascii() {
        return Err(Invalid::EmailLocalPartNotAscii);
    }
    if !is_dot_atom(local) || local.len() > 64 {
        return Err(Invalid::EmailMalformed);
    }
    let domain = public_domain(domain)?;
    let address = format!("{}@{domain}", local.to_ascii_lowercase());
    if address.len() > EMAIL_MAX_BYTES {
        return Err(Invalid::EmailMalformed);
    }
    Ok(address)
}

/// `atext` runs separated by single dots (RFC 5322), which excludes `@`, quotes and `..`.
fn is_dot_atom(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~";
    !local.is_empty()
        && local.split('.').all(|atom| {
            !atom.is_empty()
                && atom
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || SPECIALS.contains(c))
        })
}

/// The ASCII (IDNA) form of a domain that public mail can reach, or why not.
fn public_domain(domain: &str) -> Result<String, Invalid> {
    if domain.starts_with('[') {
        return Err(Invalid::EmailDomainNotPublic);
    }
    let ascii = idna::domain_to_ascii(domain).map_err(|_| Invalid::EmailMalformed)?;
    let labels: Vec<&str> = ascii.split('.').collect();
    let well_formed = labels.iter().all(|l| {
        (1..=63).contains(&l.len())
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    });
    if ascii.is_empty() || !well_formed {
        return Err(Invalid::EmailMalformed);
    }
    let top = labels.last().copied().unwrap_or_default();
    let local_only = matches!(top, "localhost" | "local" | "internal" | "localdomain");
    // A numeric top label is an IPv4 address written without brackets.
    if labels.len() < 2 || local_only || top.chars().all(|c| c.is_ascii_digit()) {
        return Err(Invalid::EmailDomainNotPublic);
    }
    Ok(ascii)
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
/// and paragraph separators) that could make a name display as something else
/// (`Photo\u{202E}gpj.exe` shows as "Photoexe.jpg").
pub fn is_invisible_format(c: char) -> bool {
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
            "a..b@x.fr",
            ".a@x.fr",
            "a.@x.fr",
            "\"a b\"@x.fr",
            "a@x..fr",
            "a@-x.fr",
            "a@x_y.fr",
            "a\u{200B}b@x.fr",
            "a\u{202E}b@x.fr",
            "Hugo Parent <hugo@x.fr>",
            &format!("{}@x.fr", "a".repeat(65)),
            &format!("a@{}.fr", "b".repeat(250)),
        ] {
            assert_eq!(email(bad), Err(Invalid::EmailMalformed), "{bad:?}");
        }
    }

    #[test]
    fn only_public_domains_with_a_dot_are_accepted() {
        for bad in [
            "a@[10.0.0.5]",
            "a@[127.0.0.1]",
            "a@[IPv6:::1]",
            "jean@example",
            "root@localhost",
            "root@mail.localhost",
            "a@printer.local",
            "a@10.0.0.5",
            "a@127.0.0.1",
        ] {
            assert_eq!(email(bad), Err(Invalid::EmailDomainNotPublic), "{bad:?}");
        }
        assert_eq!(
            email("Jean.Dupont@ac-lyon.FR").unwrap(),
            "jean.dupont@ac-lyon.fr"
        );
        assert_eq!(
            email("o'brien+parents@x.fr").unwrap(),
            "o'brien+parents@x.fr"
        );
    }

    #[test]
    fn international_domains_go_ascii_and_unicode_local_parts_are_refused() {
        assert_eq!(email("a@exémple.fr").unwrap(), "a@xn--exmple-cva.fr");
        assert_eq!(email("A@ÉCOLE.fr").unwrap(), "a@xn--cole-9oa.fr");
        assert_eq!(
            email("hélène@ecole.fr"),
            Err(Invalid::EmailLocalPartNotAscii)
        );
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
