//! TLS towards the relay: the public web roots plus the operator's, never a fallback to
//! plaintext, and certificate failures told apart from other handshake failures.

use std::sync::Arc;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

use super::{Duplex, Policy, within};
use crate::smtp::diagnosis::{Failure, FailureKind};
use crate::smtp::transcript::Transcript;

fn tls_config(policy: &Policy) -> Result<Arc<ClientConfig>, Failure> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for cert in &policy.extra_roots {
        roots
            .add(cert.clone())
            .map_err(|e| Failure::new(FailureKind::TlsCertificate, format!("extra root: {e}")))?;
    }
    let config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| Failure::new(FailureKind::TlsHandshake, e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
    Ok(Arc::new(config))
}

fn tls_failure(error: std::io::Error) -> Failure {
    let inner = error
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>());
    match inner {
        Some(rustls::Error::InvalidCertificate(reason)) => {
            Failure::new(FailureKind::TlsCertificate, format!("{reason:?}"))
        }
        Some(other) => Failure::new(FailureKind::TlsHandshake, other.to_string()),
        None => Failure::new(FailureKind::TlsHandshake, error.to_string()),
    }
}

pub(super) async fn start_tls(
    io: Box<dyn Duplex>,
    host: &str,
    policy: &Policy,
    transcript: &mut Transcript,
) -> Result<Box<dyn Duplex>, Failure> {
    let name = ServerName::try_from(host.to_owned()).map_err(|_| {
        Failure::new(
            FailureKind::TlsCertificate,
            format!("{host} is not a valid TLS name"),
        )
    })?;
    let connector = TlsConnector::from(tls_config(policy)?);
    let tls = within(policy.step_timeout, "TLS", connector.connect(name, io))
        .await?
        .map_err(tls_failure)?;
    let version = tls
        .get_ref()
        .1
        .protocol_version()
        .map(|v| format!("{v:?}"))
        .unwrap_or_default();
    transcript.note(format!(
        "TLS established ({version}), certificate valid for {host}"
    ));
    Ok(Box::new(tls))
}
