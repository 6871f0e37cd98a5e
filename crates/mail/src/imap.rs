//! Polling an IMAP mailbox: TLS (port 993 by default), or plain only on loopback (for tests
//! and a local relay). Fetches the messages after a cursor — the mailbox's UIDVALIDITY and
//! the last UID taken in — so each poll asks only for what is new; if the server renumbers
//! the mailbox (a new UIDVALIDITY) everything is fetched again and the Message-ID check
//! keeps it from being stored twice.

use futures_util::TryStreamExt;
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// One mailbox to poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Tact's name for it, such as "enquiries"; also the name of its cursor.
    pub name: String,
    pub host: String,
    pub port: u16,
    /// TLS from the start (IMAPS). Without it the host must be a loopback address.
    pub tls: bool,
    pub username: String,
    pub password: String,
    /// The folder to read, usually INBOX.
    pub folder: String,
    /// A PEM file of certificate authorities to trust besides the public ones, for a
    /// mail server with the office's own certificate.
    pub ca_file: Option<String>,
    /// How long to wait for the server at each step before giving up on this poll.
    pub timeout: std::time::Duration,
}

/// Where the last poll stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub uid_validity: u32,
    pub last_uid: u32,
}

impl Cursor {
    pub fn encode(self) -> String {
        format!("{}:{}", self.uid_validity, self.last_uid)
    }
    pub fn decode(s: &str) -> Option<Self> {
        let (v, u) = s.split_once(':')?;
        Some(Self {
            uid_validity: v.parse().ok()?,
            last_uid: u.parse().ok()?,
        })
    }
}

/// What a poll found: each new message with its UID, oldest first, and the mailbox's
/// UIDVALIDITY.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub uid_validity: u32,
    pub messages: Vec<(u32, Vec<u8>)>,
}

/// An IMAP failure, said plainly.
#[derive(Debug)]
pub struct ImapError(pub String);

impl std::fmt::Display for ImapError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ImapError {}

fn err(account: &Account, what: &str, e: impl std::fmt::Display) -> ImapError {
    ImapError(format!(
        "mailbox {} ({}:{}): {what}: {e}",
        account.name, account.host, account.port
    ))
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Fetches up to `max` messages newer than `after`. A server that stops answering for
/// longer than the account's timeout ends the poll with an error (the next poll tries
/// again), so one stuck server never holds up the rest.
///
/// # Errors
/// Plain IMAP to a host that is not loopback; a connection, TLS, login or protocol failure;
/// no answer in time.
pub async fn fetch_new(
    account: &Account,
    after: Option<Cursor>,
    max: usize,
) -> Result<Fetched, ImapError> {
    // Each step waits at most `timeout`; the whole poll at most a few times that, since a
    // large batch takes longer than one step.
    let whole = account.timeout * 10;
    tokio::time::timeout(whole, fetch_inner(account, after, max))
        .await
        .map_err(|_| {
            err(
                account,
                "no answer",
                format!("the poll took over {whole:?}"),
            )
        })?
}

async fn fetch_inner(
    account: &Account,
    after: Option<Cursor>,
    max: usize,
) -> Result<Fetched, ImapError> {
    let step = |what: &'static str| {
        move |_| {
            err(
                account,
                "no answer",
                format!("{what} took over {:?}", account.timeout),
            )
        }
    };
    if !account.tls && !is_loopback(&account.host) {
        return Err(err(
            account,
            "refused",
            "plain IMAP is allowed only on loopback; use TLS",
        ));
    }
    let tcp = tokio::time::timeout(
        account.timeout,
        TcpStream::connect((account.host.as_str(), account.port)),
    )
    .await
    .map_err(step("connecting"))?
    .map_err(|e| err(account, "cannot connect", e))?;
    if account.tls {
        let mut roots = tokio_rustls::rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if let Some(file) = &account.ca_file {
            use tokio_rustls::rustls::pki_types::{pem::PemObject, CertificateDer};
            let certs = CertificateDer::pem_file_iter(file)
                .map_err(|e| err(account, &format!("reading the CA file {file}"), e))?;
            for c in certs {
                let c = c.map_err(|e| err(account, &format!("the CA file {file}"), e))?;
                roots
                    .add(c)
                    .map_err(|e| err(account, &format!("the CA file {file}"), e))?;
            }
        }
        let config = tokio_rustls::rustls::ClientConfig::builder_with_provider(Arc::new(
            tokio_rustls::rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| err(account, "TLS", e))?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let name = tokio_rustls::rustls::pki_types::ServerName::try_from(account.host.clone())
            .map_err(|e| err(account, "TLS server name", e))?;
        let stream = tokio::time::timeout(
            account.timeout,
            tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp),
        )
        .await
        .map_err(step("the TLS handshake"))?
        .map_err(|e| err(account, "TLS handshake", e))?;
        session(account, stream, after, max).await
    } else {
        session(account, tcp, after, max).await
    }
}

async fn session<S>(
    account: &Account,
    stream: S,
    after: Option<Cursor>,
    max: usize,
) -> Result<Fetched, ImapError>
where
    S: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let mut client = async_imap::Client::new(stream);
    // The server speaks first.
    let greeting = tokio::time::timeout(account.timeout, client.read_response())
        .await
        .map_err(|_| {
            err(
                account,
                "no answer",
                format!("no greeting within {:?}", account.timeout),
            )
        })?;
    match greeting {
        Some(Ok(_)) => {}
        Some(Err(e)) => return Err(err(account, "no greeting", e)),
        None => return Err(err(account, "no greeting", "the connection closed")),
    }
    let mut s = client
        .login(&account.username, &account.password)
        .await
        .map_err(|(e, _)| err(account, "login refused", e))?;
    let mailbox = s
        .select(&account.folder)
        .await
        .map_err(|e| err(account, "cannot open the folder", e))?;
    let uid_validity = mailbox.uid_validity.unwrap_or(0);
    let from = match after {
        Some(c) if c.uid_validity == uid_validity => c.last_uid + 1,
        _ => 1,
    };
    let mut uids: Vec<u32> = s
        .uid_search(format!("UID {from}:*"))
        .await
        .map_err(|e| err(account, "search", e))?
        .into_iter()
        // "n:*" always matches the last message, even when it is older than n.
        .filter(|u| *u >= from)
        .collect();
    uids.sort_unstable();
    uids.truncate(max);
    let mut messages = Vec::with_capacity(uids.len());
    if !uids.is_empty() {
        let set = uids
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let fetched: Vec<_> = s
            .uid_fetch(&set, "(UID BODY.PEEK[])")
            .await
            .map_err(|e| err(account, "fetch", e))?
            .try_collect()
            .await
            .map_err(|e| err(account, "fetch", e))?;
        for f in &fetched {
            if let (Some(uid), Some(body)) = (f.uid, f.body()) {
                messages.push((uid, body.to_vec()));
            }
        }
        messages.sort_by_key(|(u, _)| *u);
    }
    let _ = s.logout().await;
    Ok(Fetched {
        uid_validity,
        messages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_round_trips_and_plain_imap_is_only_for_loopback() {
        let c = Cursor {
            uid_validity: 17,
            last_uid: 42,
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(Cursor::decode("nonsense"), None);
        assert!(is_loopback("127.0.0.1") && is_loopback("::1") && is_loopback("localhost"));
        assert!(!is_loopback("imap.example.org"));
    }

    #[tokio::test]
    async fn plain_imap_to_another_host_is_refused_before_any_password_is_sent() {
        let account = Account {
            name: "enquiries".into(),
            host: "192.0.2.1".into(),
            port: 143,
            tls: false,
            username: "u".into(),
            password: "p".into(),
            folder: "INBOX".into(),
            ca_file: None,
            timeout: std::time::Duration::from_secs(30),
        };
        // Refused before connecting at all, so no password goes over the wire in clear.
        let msg = fetch_new(&account, None, 10).await.expect_err("refused").0;
        assert!(
            msg.contains("plain IMAP is allowed only on loopback"),
            "{msg}"
        );
    }
}
