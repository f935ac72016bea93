//! A form value that must never be printed: `#[server]` derives `Debug` on every argument
//! struct, so a password passed as a plain `String` would show in any `{:?}`. This wrapper
//! travels like a string (serde transparent) and debugs as `[redacted]`.

use serde::{Deserialize, Serialize};

#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sensitive(String);

impl Sensitive {
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl std::fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::Sensitive;
    use crate::api::invitation::AcceptInvitation;
    use crate::api::session::SignIn;

    #[test]
    fn server_function_arguments_never_print_secrets() {
        let sign_in = SignIn {
            email: "anne@ecole.fr".into(),
            password: Sensitive("mot de passe secret".into()),
        };
        let printed = format!("{sign_in:?}");
        assert!(
            printed.contains("[redacted]") && !printed.contains("secret"),
            "{printed}"
        );
        let accept = AcceptInvitation {
            token: Sensitive("jeton-secret".into()),
            password: Sensitive("a".into()),
            confirmation: Sensitive("b".into()),
        };
        assert!(!format!("{accept:?}").contains("jeton-secret"));
    }
}
