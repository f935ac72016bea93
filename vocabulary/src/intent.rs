//! Which button posted a form. A form's buttons share `name="intent"`; the value each one
//! posts is its variant's name here, and the server function takes the enum, so a value no
//! button posts is refused as a malformed request (400) before anything runs.

use serde::{Deserialize, Serialize};

use crate::state::stored_names;

/// The buttons of a sending-settings form: step 1 and an account's own server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SendingIntent {
    /// « Tester l'envoi d'e-mails »: also what Enter in the form does.
    Test,
    /// « Enregistrer »: step 1, or an active account's server.
    Save,
    /// « Valider le compte »: an account's last wizard step, after a passing test.
    Validate,
}

stored_names!(SendingIntent {
    Test => "test",
    Save => "save",
    Validate => "validate",
});

/// The buttons of the compose form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ComposeIntent {
    /// « Enregistrer le brouillon ».
    Enregistrer,
    /// « Vérifier et prévisualiser ».
    Verifier,
    /// « Envoyer ».
    Envoyer,
}

stored_names!(ComposeIntent {
    Enregistrer => "enregistrer",
    Verifier => "verifier",
    Envoyer => "envoyer",
});

/// The two recovery-file forms of an establishment account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecoveryIntent {
    /// « Vérifier le fichier »: is this the account's key?
    Check,
    /// « Choisir une nouvelle question » with the file in place of the answer.
    Reset,
}

stored_names!(RecoveryIntent {
    Check => "check",
    Reset => "reset",
});

#[cfg(test)]
mod tests {
    use super::*;

    /// The value a button posts is the name serde reads: each button's intent survives the
    /// trip through the form.
    #[test]
    fn each_button_value_reads_back_as_its_intent() {
        fn check<T>(all: &[T], name: fn(T) -> &'static str)
        where
            T: Copy + PartialEq + std::fmt::Debug + serde::de::DeserializeOwned,
        {
            for &intent in all {
                let read: T = serde_json::from_value(serde_json::json!(name(intent))).unwrap();
                assert_eq!(read, intent);
            }
        }
        check(SendingIntent::ALL, SendingIntent::as_str);
        check(ComposeIntent::ALL, ComposeIntent::as_str);
        check(RecoveryIntent::ALL, RecoveryIntent::as_str);
    }
}
