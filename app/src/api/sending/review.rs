//! The compose page's check before sending: how many recipients were recognised, every
//! refused piece of the list with its line and why, and the message as the first
//! recipient will read it. Mirrored from `domain::outbox::review::Review` (the domain is
//! not compiled into the wasm) with the limits carried in the values, and worded here.

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

/// Why a piece of the recipient list, or a recipient, cannot be sent to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecipientProblem {
    NotAnAddress,
    AddressMalformed,
    AddressNotPublic,
    AddressLocalPartNotAscii,
    NameRefused,
    NameTooLong {
        max: usize,
    },
    TooManyColumns {
        max: usize,
    },
    ValueRefused {
        column: String,
    },
    ValueTooLong {
        column: String,
        max: usize,
    },
    MissingValue {
        placeholder: String,
    },
    FilledTooLong {
        subject_max: usize,
        body_max_kb: usize,
    },
}

/// A refused piece: its line (or position), the piece as given, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedLine {
    pub line: usize,
    pub text: String,
    pub problem: RecipientProblem,
}

/// The message one recipient receives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewView {
    /// `Name <address>` or the bare address.
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// The check of a saved draft.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewView {
    pub recognised: usize,
    pub duplicates: usize,
    /// The first [`SHOWN_REFUSALS`] problems; `refused_total` counts them all.
    pub refused: Vec<RefusedLine>,
    pub refused_total: usize,
    /// Placeholders of the text that the list's columns must fill.
    pub needed_columns: Vec<String>,
    pub preview: Option<PreviewView>,
}

/// How many refused pieces a page lists (the rest are counted).
pub const SHOWN_REFUSALS: usize = 200;

impl RecipientProblem {
    /// Why, as the end of a sentence that starts with the line.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (RecipientProblem::NotAnAddress, Lang::Fr) => "aucune adresse e-mail n'y est reconnue".into(),
            (RecipientProblem::NotAnAddress, Lang::En) => "no e-mail address found in it".into(),
            (RecipientProblem::AddressMalformed, Lang::Fr) => {
                "l'adresse est mal formée (exemple : prenom.nom@exemple.fr)".into()
            }
            (RecipientProblem::AddressMalformed, Lang::En) => {
                "the address is malformed (example: first.last@example.org)".into()
            }
            (RecipientProblem::AddressNotPublic, Lang::Fr) => {
                "après le @ il faut un vrai nom de domaine avec un point (exemple.fr), ni adresse IP ni localhost".into()
            }
            (RecipientProblem::AddressNotPublic, Lang::En) => {
                "after the @ there must be a real domain name with a dot (example.org), not an IP address or localhost".into()
            }
            (RecipientProblem::AddressLocalPartNotAscii, Lang::Fr) => {
                "les accents et caractères spéciaux ne passent pas avant le @ : demandez l'adresse exacte à la famille".into()
            }
            (RecipientProblem::AddressLocalPartNotAscii, Lang::En) => {
                "accents and special characters cannot be sent before the @: ask the family for the exact address".into()
            }
            (RecipientProblem::NameRefused, Lang::Fr) => {
                "le nom contient des caractères de contrôle ou invisibles".into()
            }
            (RecipientProblem::NameRefused, Lang::En) => {
                "the name contains control or invisible characters".into()
            }
            (RecipientProblem::NameTooLong { max }, Lang::Fr) => {
                format!("le nom dépasse {max} caractères")
            }
            (RecipientProblem::NameTooLong { max }, Lang::En) => {
                format!("the name is over {max} characters")
            }
            (RecipientProblem::TooManyColumns { max }, Lang::Fr) => format!(
                "plus de colonnes que la ligne d'en-tête n'en nomme ({max} au plus) : vérifiez les séparateurs"
            ),
            (RecipientProblem::TooManyColumns { max }, Lang::En) => format!(
                "more columns than the header line names ({max} at most): check the separators"
            ),
            (RecipientProblem::ValueRefused { column }, Lang::Fr) => format!(
                "la valeur de la colonne « {column} » contient des caractères de contrôle ou invisibles"
            ),
            (RecipientProblem::ValueRefused { column }, Lang::En) => format!(
                "the value of the “{column}” column contains control or invisible characters"
            ),
            (RecipientProblem::ValueTooLong { column, max }, Lang::Fr) => {
                format!("la valeur de la colonne « {column} » dépasse {max} caractères")
            }
            (RecipientProblem::ValueTooLong { column, max }, Lang::En) => {
                format!("the value of the “{column}” column is over {max} characters")
            }
            (RecipientProblem::MissingValue { placeholder }, Lang::Fr) => format!(
                "pas de valeur pour {{{placeholder}}} : remplissez la colonne « {placeholder} » sur cette ligne (ligne d'en-tête, par exemple email;nom;{placeholder}) ou retirez {{{placeholder}}} du message"
            ),
            (RecipientProblem::MissingValue { placeholder }, Lang::En) => format!(
                "no value for {{{placeholder}}}: fill the “{placeholder}” column on this line (header line, e.g. email;nom;{placeholder}) or remove {{{placeholder}}} from the message"
            ),
            (RecipientProblem::FilledTooLong { subject_max, body_max_kb }, Lang::Fr) => format!(
                "une fois rempli pour ce destinataire, l'objet dépasserait {subject_max} caractères ou le texte {body_max_kb} Ko"
            ),
            (RecipientProblem::FilledTooLong { subject_max, body_max_kb }, Lang::En) => format!(
                "filled for this recipient, the subject would exceed {subject_max} characters or the text {body_max_kb} KB"
            ),
        }
    }
}

impl RefusedLine {
    /// "Ligne 3 « a..b@x.fr » : l'adresse est mal formée…"
    pub fn message(&self, lang: Lang) -> String {
        let shown: String = self.text.chars().take(60).collect();
        let ellipsis = if shown.len() < self.text.len() {
            "…"
        } else {
            ""
        };
        let why = self.problem.message(lang);
        match lang {
            Lang::Fr => format!("Ligne {} « {shown}{ellipsis} » : {why}.", self.line),
            Lang::En => format!("Line {} “{shown}{ellipsis}”: {why}.", self.line),
        }
    }
}

#[cfg(feature = "ssr")]
mod from_domain {
    use domain::outbox::compose::{self, MAX_FILLED_BODY_BYTES, MAX_SUBJECT_CHARS, Review};
    use domain::outbox::recipients::{self, BadLine, LineProblem};

    use super::*;

    impl From<LineProblem> for RecipientProblem {
        fn from(problem: LineProblem) -> Self {
            use LineProblem as L;
            match problem {
                L::NotAnAddress => RecipientProblem::NotAnAddress,
                L::AddressMalformed => RecipientProblem::AddressMalformed,
                L::AddressNotPublic => RecipientProblem::AddressNotPublic,
                L::AddressLocalPartNotAscii => RecipientProblem::AddressLocalPartNotAscii,
                L::NameRefused => RecipientProblem::NameRefused,
                L::NameTooLong => RecipientProblem::NameTooLong {
                    max: domain::validate::NAME_MAX_CHARS,
                },
                L::TooManyColumns => RecipientProblem::TooManyColumns {
                    max: recipients::MAX_COLUMNS,
                },
                L::ValueRefused { column } => RecipientProblem::ValueRefused { column },
                L::ValueTooLong { column } => RecipientProblem::ValueTooLong {
                    column,
                    max: recipients::MAX_VALUE_CHARS,
                },
                L::MissingValue { placeholder } => RecipientProblem::MissingValue { placeholder },
                L::FilledTooLong => RecipientProblem::FilledTooLong {
                    subject_max: MAX_SUBJECT_CHARS,
                    body_max_kb: MAX_FILLED_BODY_BYTES / 1024,
                },
            }
        }
    }

    impl From<BadLine> for RefusedLine {
        fn from(bad: BadLine) -> Self {
            RefusedLine {
                line: bad.line,
                text: bad.text,
                problem: bad.problem.into(),
            }
        }
    }

    impl From<Review> for ReviewView {
        fn from(review: Review) -> Self {
            let refused_total = review.refused.len();
            ReviewView {
                recognised: review.recognised,
                duplicates: review.duplicates,
                refused: review
                    .refused
                    .into_iter()
                    .take(SHOWN_REFUSALS)
                    .map(RefusedLine::from)
                    .collect(),
                refused_total,
                needed_columns: review.needed_columns,
                preview: review.preview.map(|p: compose::Preview| PreviewView {
                    to: super::super::types::recipient_label(&p.to_name, &p.to_address),
                    subject: p.subject,
                    body: p.body,
                }),
            }
        }
    }
}
