//! How a school's mail leaves, per its step-1 settings: the carrier (the host's relay or
//! the school's SMTP server, password opened) and the `From` each kind of message gets.

use sea_orm::{ConnectionTrait, EntityTrait};

use crate::crypto;
use crate::entity::sending_settings as row;
use crate::mail::route::{Carrier, Route, domain_of};
use crate::mail::{Relay, Sender};
use crate::sending_settings::{RelayKind, SendingEnvironment, password_context, stored_relay};
use crate::smtp::Endpoint;
use crate::{Result, schools};

/// The school's carrier and identity, as saved (the host's relay before the first save).
#[derive(Clone)]
pub struct SchoolCarrier {
    pub carrier: Carrier,
    pub kind: RelayKind,
    /// `From` of the school's own notifications.
    pub notification_sender: Sender,
    /// "Déléguer l'envoi de tous les e-mails au serveur": accounts may not use their own
    /// SMTP settings while this is on.
    pub deliver_all_through_server: bool,
    hosting_from: String,
}

impl SchoolCarrier {
    /// For the app's messages about the school (verification codes): the school's name as
    /// sender, no reply address.
    pub fn notification_route(&self) -> Route {
        Route {
            carrier: self.carrier.clone(),
            sender: self.notification_sender.clone(),
            reply_to: None,
        }
    }

    /// For a message written as `author` (an account's address and label). `From` is the
    /// author's address only when the relay sends for that domain (the school's relay,
    /// same domain as its own address); otherwise it is the relay's address with the
    /// author's name, and replies go to the author (DMARC).
    pub fn route_for_author(&self, address: &str, label: &str) -> Route {
        let own_domain = domain_of(&self.notification_sender.address);
        let aligned = self.kind == RelayKind::School && own_domain == domain_of(address);
        let from = match (self.kind, aligned) {
            (_, true) => address.to_owned(),
            (RelayKind::School, false) => self.notification_sender.address.clone(),
            (RelayKind::Hosting, _) => self.hosting_from.clone(),
        };
        Route {
            carrier: self.carrier.clone(),
            sender: Sender {
                address: from,
                name: label.to_owned(),
            },
            reply_to: (!aligned).then(|| address.to_owned()),
        }
    }
}

/// Whether the school delivers all mail through the server (true until step 1 is saved):
/// then no account may use its own SMTP server. Reads no secret.
pub async fn delivers_all_through_server(
    db: &impl ConnectionTrait,
    school_id: i64,
) -> Result<bool> {
    Ok(row::Entity::find_by_id(school_id)
        .one(db)
        .await?
        .filter(|s| s.saved_at.is_some())
        .is_none_or(|s| s.deliver_all_through_server))
}

/// The carrier of `school_id`'s mail, per its saved settings.
pub async fn school_carrier(
    db: &impl ConnectionTrait,
    env: &SendingEnvironment,
    school_id: i64,
) -> Result<SchoolCarrier> {
    let settings = row::Entity::find_by_id(school_id).one(db).await?;
    let hosting = |name: String, deliver_all: bool| SchoolCarrier {
        carrier: Carrier::Hosting(env.hosting.clone()),
        kind: RelayKind::Hosting,
        notification_sender: Sender {
            address: env.hosting_from.clone(),
            name,
        },
        deliver_all_through_server: deliver_all,
        hosting_from: env.hosting_from.clone(),
    };
    let Some(settings) = settings.filter(|s| s.saved_at.is_some()) else {
        return Ok(hosting(schools::get(db, school_id).await?.name, true));
    };
    let deliver_all = settings.deliver_all_through_server;
    let relay = match (settings.relay_kind.as_str(), stored_relay(&settings)) {
        ("school", Some(relay)) => relay,
        _ => return Ok(hosting(settings.sender_name, deliver_all)),
    };
    let password = match &settings.smtp_password_sealed {
        Some(sealed) => Some(crypto::open(
            &env.keys,
            sealed,
            &password_context(school_id, &relay),
        )?),
        None => None,
    };
    Ok(SchoolCarrier {
        carrier: Carrier::Smtp(Relay {
            endpoint: Endpoint {
                host: relay.host.clone(),
                port: relay.port,
                security: relay.security,
                username: relay.username.clone(),
                password,
                token: None,
            },
            policy: env.school_policy.clone(),
        }),
        kind: RelayKind::School,
        notification_sender: Sender {
            address: relay.from_address,
            name: settings.sender_name,
        },
        deliver_all_through_server: deliver_all,
        hosting_from: env.hosting_from.clone(),
    })
}
