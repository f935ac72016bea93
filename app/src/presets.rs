//! Ready-made settings for the relays schools really have (`shared/RELAYS.md`): choosing one
//! fills the server, port, security and pace of a form, all still editable. A preset travels
//! in the page's query (`?modele=microsoft365`, `?modele=academie&academie=lyon`) of a
//! plain link or GET form that loads the page again, with or without the wasm, and the
//! server renders the filled form.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// What to type as the SMTP user on this relay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Login {
    /// The mailbox's full address (Microsoft 365, Google).
    Address,
    /// The academic identifier (`jdupont`), not the address.
    AcademicIdentifier,
}

/// A relay's settings, as its provider documents them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preset {
    /// Its key in the query (`modele`, or `academie` for an académie).
    pub key: &'static str,
    /// Its name on the page.
    pub name: &'static str,
    pub host: &'static str,
    pub port: u16,
    /// `starttls` or `tls`, as the security field posts it.
    pub security: &'static str,
    pub per_minute: u32,
    pub per_day: u32,
    pub login: Login,
}

/// Microsoft 365 (Exchange Online): 30 messages a minute and 10,000 recipients a day per
/// mailbox.
pub const MICROSOFT_365: Preset = Preset {
    key: "microsoft365",
    name: "Microsoft 365",
    host: "smtp.office365.com",
    port: 587,
    security: "starttls",
    per_minute: 30,
    per_day: 10_000,
    login: Login::Address,
};

/// Google Workspace and Gmail: about 2,000 messages a day per Workspace user.
pub const GOOGLE: Preset = Preset {
    key: "google",
    name: "Google Workspace / Gmail",
    host: "smtp.gmail.com",
    port: 587,
    security: "starttls",
    per_minute: 30,
    per_day: 2_000,
    login: Login::Address,
};

/// Academic servers ask for no mass mailing: a gentle pace, which the school may raise.
const ACADEMIC_PER_MINUTE: u32 = 10;
const ACADEMIC_PER_DAY: u32 = 500;

/// The académies whose server is documented in public configurations (key, name, host,
/// port; 465 is implicit TLS, 587 STARTTLS).
pub const ACADEMIES: [(&str, &str, &str, u16); 7] = [
    ("amiens", "Amiens", "smtp.ac-amiens.fr", 465),
    ("creteil", "Créteil", "smtp.ac-creteil.fr", 465),
    ("lyon", "Lyon", "smtps.ac-lyon.fr", 587),
    ("nancy-metz", "Nancy-Metz", "smtps.ac-nancy-metz.fr", 465),
    ("nantes", "Nantes", "smtp.ac-nantes.fr", 465),
    (
        "orleans-tours",
        "Orléans-Tours",
        "smtps.ac-orleans-tours.fr",
        465,
    ),
    ("poitiers", "Poitiers", "smtp.ac-poitiers.fr", 587),
];

/// The preset `modele` (and `academie`) name, if any.
pub fn find(model: &str, academy: Option<&str>) -> Option<Preset> {
    match model {
        "microsoft365" => Some(MICROSOFT_365),
        "google" => Some(GOOGLE),
        "academie" => {
            let (key, name, host, port) =
                ACADEMIES.iter().find(|(key, ..)| Some(*key) == academy)?;
            Some(Preset {
                key,
                name,
                host,
                port: *port,
                security: if *port == 465 { "tls" } else { "starttls" },
                per_minute: ACADEMIC_PER_MINUTE,
                per_day: ACADEMIC_PER_DAY,
                login: Login::AcademicIdentifier,
            })
        }
        _ => None,
    }
}

/// The preset the page's query names, read once: choosing another loads the page again.
pub fn from_query() -> Option<Preset> {
    let query = use_query_map().get_untracked();
    find(&query.get("modele")?, query.get("academie").as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_academy_port_has_its_security() {
        for (key, ..) in ACADEMIES {
            let preset = find("academie", Some(key)).unwrap();
            let expected = if preset.port == 465 {
                "tls"
            } else {
                "starttls"
            };
            assert_eq!(preset.security, expected, "{key}");
            assert!(
                preset.host.ends_with(".fr") && preset.host.contains("ac-"),
                "{key}"
            );
            assert_eq!(preset.login, Login::AcademicIdentifier);
        }
        assert_eq!(find("academie", Some("atlantide")), None);
        assert_eq!(find("academie", None), None);
        assert_eq!(find("inconnu", None), None);
        assert_eq!(find("microsoft365", None).unwrap().per_minute, 30);
    }
}
