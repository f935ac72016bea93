//! Signing in to the relay: AUTH PLAIN or LOGIN with a password, XOAUTH2 with a token.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use super::Connection;
use crate::secret::Secret;
use crate::smtp::diagnosis::{Failure, FailureKind};
use crate::smtp::transcript::Transcript;

/// The SASL mechanisms an EHLO reply lists (`AUTH PLAIN LOGIN`, or the old `AUTH=`), in
/// upper case.
fn mechanisms(capabilities: &[String]) -> impl Iterator<Item = String> + '_ {
    capabilities
        .iter()
        .filter_map(|c| c.strip_prefix("AUTH ").or_else(|| c.strip_prefix("AUTH=")))
        .flat_map(|m| m.split_whitespace().map(str::to_ascii_uppercase))
}

impl Connection {
    /// `AUTH XOAUTH2` (Microsoft 365, Google): the first line carries the user and the
    /// bearer token. A refused token is answered `334` and a base64 JSON saying why; the
    /// client then sends an empty line and reads the final refusal (lettre reports that
    /// challenge as an error of its own, which hides the provider's reason).
    pub(super) async fn authenticate_xoauth2(
        &mut self,
        capabilities: &[String],
        user: &str,
        token: &Secret,
        transcript: &mut Transcript,
    ) -> Result<(), Failure> {
        if !mechanisms(capabilities).any(|m| m == "XOAUTH2") {
            return Err(Failure::new(
                FailureKind::AuthNotOffered,
                "EHLO listed no AUTH XOAUTH2",
            ));
        }
        let initial = B64.encode(format!(
            "user={user}\x01auth=Bearer {}\x01\x01",
            token.expose()
        ));
        self.secret_command(
            &format!("AUTH XOAUTH2 {initial}"),
            "AUTH XOAUTH2 ********",
            transcript,
        )
        .await?;
        let mut reply = self.reply(transcript).await?;
        if reply.code == 334 {
            self.command("", transcript).await?;
            reply = self.reply(transcript).await?;
        }
        if reply.code == 235 {
            Ok(())
        } else {
            Err(self.refusal(reply, FailureKind::TokenRefused))
        }
    }

    pub(super) async fn authenticate(
        &mut self,
        capabilities: &[String],
        user: &str,
        password: &Secret,
        transcript: &mut Transcript,
    ) -> Result<(), Failure> {
        let mechanisms: Vec<String> = mechanisms(capabilities).collect();
        let reply = if mechanisms.iter().any(|m| m == "PLAIN") {
            let token = B64.encode(format!("\0{user}\0{}", password.expose()));
            self.secret_command(
                &format!("AUTH PLAIN {token}"),
                "AUTH PLAIN ********",
                transcript,
            )
            .await?;
            self.reply(transcript).await?
        } else if mechanisms.iter().any(|m| m == "LOGIN") {
            self.command("AUTH LOGIN", transcript).await?;
            let ask = self.reply(transcript).await?;
            if ask.code != 334 {
                return Err(self.refusal(ask, FailureKind::AuthRefused));
            }
            self.secret_command(&B64.encode(user), "********", transcript)
                .await?;
            let ask = self.reply(transcript).await?;
            if ask.code != 334 {
                return Err(self.refusal(ask, FailureKind::AuthRefused));
            }
            self.secret_command(&B64.encode(password.expose()), "********", transcript)
                .await?;
            self.reply(transcript).await?
        } else {
            return Err(Failure::new(
                FailureKind::AuthNotOffered,
                "EHLO listed no AUTH PLAIN or LOGIN",
            ));
        };
        if reply.code == 235 {
            Ok(())
        } else {
            Err(self.refusal(reply, FailureKind::AuthRefused))
        }
    }
}
