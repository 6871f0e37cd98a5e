//! Sending email through SMTP: STARTTLS (or TLS from the start) to a relay, or plain only
//! on loopback (tests, a local relay). Each message goes as HTML with a plain-text part.

use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// Where outbound email goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relay {
    pub host: String,
    pub port: u16,
    /// "starttls", "tls" (from the start) or "none" (loopback only).
    pub security: String,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The From address, such as "Cleveland OPCC <enquiries@opcc.example>".
    pub from: String,
}

/// One email to send.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    /// Our own Message-ID for it, so a reply threads back onto the record.
    pub message_id: &'a str,
    /// Files sent with it (the policy with a notice, NOR-5.2).
    pub attachments: &'a [Attachment],
}

/// A file sent with an email.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Sends one email.
///
/// # Errors
/// A bad address, a relay that cannot be reached or refuses it, or plain SMTP to a host
/// that is not loopback — said in words, for the letter's failed state.
pub async fn send(relay: &Relay, m: &Outgoing<'_>) -> Result<(), String> {
    let from: Mailbox = relay
        .from
        .parse()
        .map_err(|e| format!("the From address {:?}: {e}", relay.from))?;
    let to: Mailbox =
        m.to.parse()
            .map_err(|e| format!("the address {:?}: {e}", m.to))?;
    let body = MultiPart::alternative()
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(m.text.to_string()),
        )
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .body(m.html.to_string()),
        );
    let body = if m.attachments.is_empty() {
        body
    } else {
        let mut mixed = MultiPart::mixed().multipart(body);
        for a in m.attachments {
            let ct = ContentType::parse(&a.content_type)
                .map_err(|e| format!("the attachment {:?}: {e}", a.name))?;
            mixed = mixed.singlepart(
                lettre::message::Attachment::new(a.name.clone()).body(a.bytes.clone(), ct),
            );
        }
        mixed
    };
    let email = Message::builder()
        .from(from)
        .to(to)
        .subject(m.subject)
        .message_id(Some(format!("<{}>", m.message_id)))
        .multipart(body)
        .map_err(|e| format!("the message could not be built: {e}"))?;
    let mut builder = match relay.security.as_str() {
        "none" if is_loopback(&relay.host) => {
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(relay.host.clone())
        }
        "none" => {
            return Err(format!(
                "plain SMTP to {} is refused: only loopback may go without TLS",
                relay.host
            ))
        }
        "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(&relay.host)
            .map_err(|e| format!("TLS to {}: {e}", relay.host))?,
        _ => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&relay.host)
            .map_err(|e| format!("STARTTLS to {}: {e}", relay.host))?,
    }
    .port(relay.port)
    .timeout(Some(Duration::from_secs(30)));
    if let (Some(u), Some(p)) = (&relay.username, &relay.password) {
        builder = builder.credentials(Credentials::new(u.clone(), p.clone()));
    }
    builder
        .build()
        .send(email)
        .await
        .map(|_| ())
        .map_err(|e| format!("{}:{}: {e}", relay.host, relay.port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn plain_smtp_is_only_for_loopback_and_bad_addresses_are_said_plainly() {
        let relay = Relay {
            host: "smtp.example.org".into(),
            port: 25,
            security: "none".into(),
            username: None,
            password: None,
            from: "Tact <tact@opcc.example>".into(),
        };
        let m = Outgoing {
            to: "jo@example.org",
            subject: "s",
            text: "t",
            html: "<p>t</p>",
            message_id: "letter-1@tact",
            attachments: &[],
        };
        let e = send(&relay, &m).await.unwrap_err();
        assert!(e.contains("only loopback"), "{e}");
        let bad = Outgoing {
            to: "not an address",
            ..m
        };
        let e = send(&relay, &bad).await.unwrap_err();
        assert!(e.contains("not an address"), "{e}");
    }
}
