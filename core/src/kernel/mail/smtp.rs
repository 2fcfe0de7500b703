//! SMTP delivery with connections Coffer opens itself, so that each socket
//! has `TCP_NODELAY`: lettre 0.11.23 (the newest release) writes a message's
//! final `.` separately from its body and leaves Nagle's algorithm on, so
//! every message waits for the server's delayed ACK (40 ms on Linux; about
//! 22 messages a second per connection). lettre speaks the protocol (EHLO,
//! STARTTLS, AUTH, MAIL/RCPT/DATA); only the socket is ours. `smtps://`
//! (TLS from the first byte) keeps lettre's own pooled transport, which
//! lettre cannot yet be given a socket for.

use std::time::Duration;

use anyhow::Context as _;
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::{PoolConfig, SMTP_PORT, SUBMISSION_PORT};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use tokio::sync::{Mutex, Semaphore};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// A connection idle this long is asked (NOOP) whether it still works
/// before it carries a mail; servers drop idle clients.
const CHECK_AFTER_IDLE: Duration = Duration::from_secs(10);

/// How `smtp_url` asks to reach the server (lettre's URL rules).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Starttls {
    No,
    Opportunistic,
    Required,
}

#[derive(Clone)]
struct Plain {
    host: String,
    port: u16,
    starttls: Starttls,
    credentials: Option<Credentials>,
    hello: ClientId,
}

pub struct Smtp {
    route: Route,
}

enum Route {
    /// Our own sockets, with an idle-connection list and a bound.
    Own {
        server: Plain,
        idle: Mutex<Vec<(AsyncSmtpConnection, std::time::Instant)>>,
        slots: Semaphore,
    },
    /// `smtps://`: lettre's pool.
    Lettre(AsyncSmtpTransport<Tokio1Executor>),
}

fn percent_decoded(s: &str) -> anyhow::Result<String> {
    Ok(percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .context("smtp_url holds text that is not UTF-8")?
        .into_owned())
}

impl Smtp {
    pub fn new(url: &str, connections: u32) -> anyhow::Result<Smtp> {
        let parsed = url::Url::parse(url).context("smtp_url is not a URL")?;
        if parsed.scheme() == "smtps" {
            let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .context("smtp_url is not usable")?
                .pool_config(PoolConfig::new().max_size(connections))
                .build();
            return Ok(Smtp {
                route: Route::Lettre(transport),
            });
        }
        if parsed.scheme() != "smtp" {
            anyhow::bail!("smtp_url must start with smtp:// or smtps://");
        }
        let starttls = match parsed
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned())
            .as_deref()
        {
            None => Starttls::No,
            Some("opportunistic") => Starttls::Opportunistic,
            Some("required") => Starttls::Required,
            Some(other) => anyhow::bail!("smtp_url: tls={other} is not opportunistic or required"),
        };
        let host = parsed
            .host_str()
            .context("smtp_url names no host")?
            .to_string();
        let default_port = if starttls == Starttls::No {
            SMTP_PORT
        } else {
            SUBMISSION_PORT
        };
        let credentials = match parsed.password() {
            Some(p) => Some(Credentials::new(
                percent_decoded(parsed.username())?,
                percent_decoded(p)?,
            )),
            None => None,
        };
        let hello = match parsed.path().trim_matches('/') {
            "" => ClientId::default(),
            name => ClientId::Domain(name.to_string()),
        };
        Ok(Smtp {
            route: Route::Own {
                server: Plain {
                    host,
                    port: parsed.port().unwrap_or(default_port),
                    starttls,
                    credentials,
                    hello,
                },
                idle: Mutex::new(Vec::new()),
                slots: Semaphore::new(connections.max(1) as usize),
            },
        })
    }

    pub async fn send(&self, envelope: &Envelope, message: &[u8]) -> anyhow::Result<()> {
        let (server, idle, slots) = match &self.route {
            Route::Lettre(t) => {
                t.send_raw(envelope, message).await?;
                return Ok(());
            }
            Route::Own {
                server,
                idle,
                slots,
            } => (server, idle, slots),
        };
        let _slot = slots.acquire().await?;
        let reused = idle.lock().await.pop();
        let mut conn = match reused {
            Some((c, since)) if since.elapsed() < CHECK_AFTER_IDLE => c,
            Some((mut c, _)) => {
                if c.test_connected().await {
                    c
                } else {
                    connect(server).await?
                }
            }
            None => connect(server).await?,
        };
        let sent = conn.send(envelope, message).await;
        if sent.is_ok() && !conn.has_broken() {
            idle.lock().await.push((conn, std::time::Instant::now()));
        } else {
            conn.abort().await;
        }
        sent?;
        Ok(())
    }
}

async fn connect(s: &Plain) -> anyhow::Result<AsyncSmtpConnection> {
    let tcp = tokio::time::timeout(
        CONNECT_TIMEOUT,
        tokio::net::TcpStream::connect((s.host.as_str(), s.port)),
    )
    .await
    .context("connecting to the SMTP server timed out")?
    .with_context(|| format!("cannot connect to the SMTP server {}:{}", s.host, s.port))?;
    // The reason for this module: no 40 ms stall per message.
    tcp.set_nodelay(true)?;
    let mut conn = AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &s.hello).await?;
    if s.starttls != Starttls::No {
        if conn.can_starttls() {
            conn.starttls(TlsParameters::new(s.host.clone())?, &s.hello)
                .await?;
        } else if s.starttls == Starttls::Required {
            anyhow::bail!("the SMTP server offers no STARTTLS, which smtp_url requires");
        }
    }
    if let Some(credentials) = &s.credentials {
        conn.auth(DEFAULT_MECHANISMS, credentials).await?;
    }
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own(url: &str) -> Plain {
        match Smtp::new(url, 2).unwrap().route {
            Route::Own { server, .. } => server,
            Route::Lettre(_) => panic!("{url} should use our own sockets"),
        }
    }

    // lettre's pool (the smtps:// route) needs a runtime to start in.
    #[tokio::test]
    async fn urls_read_as_lettre_reads_them() {
        let p = own("smtp://mail.example.test");
        assert_eq!((p.port, p.starttls.clone()), (25, Starttls::No));
        let p = own("smtp://u%40x:p%2Fw@mail.example.test?tls=required");
        assert_eq!((p.port, p.starttls.clone()), (587, Starttls::Required));
        let c = p.credentials.unwrap();
        assert_eq!(c, Credentials::new("u@x".into(), "p/w".into()));
        let p = own("smtp://mail.example.test:2525/coffer.example.test?tls=opportunistic");
        assert_eq!((p.port, p.starttls), (2525, Starttls::Opportunistic));
        assert_eq!(p.hello, ClientId::Domain("coffer.example.test".into()));
        assert!(matches!(
            Smtp::new("smtps://mail.example.test", 2).unwrap().route,
            Route::Lettre(_)
        ));
        assert!(Smtp::new("smtp://mail.example.test?tls=maybe", 2).is_err());
    }
}
