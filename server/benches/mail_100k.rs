//! Mail delivery after a 100,000-row import: 100,000 queued invitations
//! (bulk mail) delivered to the outbox folder and, over SMTP, to aiosmtpd
//! (Python, discarding what it gets), each against a reference measured in
//! the same run: the same messages written straight to files, or sent
//! straight over the same number of SMTP connections without the queue.
//! While the bulk mail drains, a password reset (interactive mail) is
//! queued and delivered as a request would; its latency is reported.
//!
//! Run: `cargo bench -p coffer-server --bench mail_100k` (needs python3 with
//! aiosmtpd; `COFFER_BENCH_MAILS` changes the count).

use std::time::{Duration, Instant};

use coffer_core::kernel::mail::Mail;
use coffer_core::{store, Coffer, Config};
use futures::StreamExt as _;
use lettre::AsyncTransport as _;

fn mails() -> usize {
    std::env::var("COFFER_BENCH_MAILS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

fn message(n: usize) -> Vec<u8> {
    format!(
        "From: Coffer <coffer@localhost>\r\nTo: person{n:06}@example.test\r\n\
         Subject: You are invited to Bench on Coffer\r\nContent-Type: text/plain\r\n\r\n\
         Hello,\r\n\r\nYou are invited. Choose your password: \
         http://localhost/invite#{n:043}\r\n"
    )
    .into_bytes()
}

/// Queues `count` bulk mails as an import does (multi-row statements).
async fn queue_bulk(coffer: &Coffer, count: usize) {
    let rows: Vec<store::BulkMail> = (0..count)
        .map(|n| store::BulkMail {
            id: format!("bulk-{n:06}"),
            recipient: format!("person{n:06}@example.test"),
            subject: "You are invited to Bench on Coffer".into(),
            message: message(n),
        })
        .collect();
    let sqlite = coffer.db().engine == coffer_core::kernel::db::Engine::Sqlite;
    let mut tx = coffer.db().write().await.unwrap();
    store::run_bulk(
        &mut tx,
        store::enqueue_mails(sqlite, &rows, coffer_core::kernel::db::now_ms()),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// The bulk mail drains while, a second in, a reset is queued and delivered
/// the way a request does it. Returns (drain time, reset latency).
async fn drain_with_a_reset(coffer: &Coffer) -> (Duration, Duration) {
    let started = Instant::now();
    let reset = {
        let coffer = coffer.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let t = Instant::now();
            let mut tx = coffer.db().write().await.unwrap();
            let mail = Mail {
                to: "ann@example.test".into(),
                subject: "Reset your Coffer password".into(),
                body: "http://localhost/reset#x".into(),
            };
            coffer.mailer().queue(&mut tx, mail).await.unwrap();
            tx.commit().await.unwrap();
            coffer.flush_mail().await;
            t.elapsed()
        })
    };
    coffer.drain_mail().await;
    let drained = started.elapsed();
    let latency = reset.await.unwrap();
    // The reset may have gone in the drain's last batch; nothing is left.
    let mut c = coffer.db().pool.acquire().await.unwrap();
    assert_eq!(store::queued_mail_count(&mut c).await.unwrap(), 0);
    (drained, latency)
}

async fn outbox(count: usize) {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    let coffer = Coffer::open(config).await.unwrap();
    queue_bulk(&coffer, count).await;
    let (drained, latency) = drain_with_a_reset(&coffer).await;
    let files = std::fs::read_dir(dir.path().join("outbox"))
        .unwrap()
        .count();
    assert_eq!(files, count + 1);

    // Reference: the same messages written straight to files, as many at
    // once, with the same write-then-rename.
    let raw = tempfile::tempdir().unwrap();
    let t = Instant::now();
    futures::stream::iter(0..count)
        .map(|n| {
            let dir = raw.path().to_path_buf();
            async move {
                let tmp = dir.join(format!(".{n}.tmp"));
                tokio::fs::write(&tmp, message(n)).await.unwrap();
                tokio::fs::rename(&tmp, dir.join(format!("{n}.eml")))
                    .await
                    .unwrap();
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<()>>()
        .await;
    let reference = t.elapsed();
    report("outbox", count, drained, reference, latency);
}

struct Aiosmtpd(std::process::Child);

impl Drop for Aiosmtpd {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn aiosmtpd() -> (Aiosmtpd, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
        .args(["-c", "aiosmtpd.handlers.Sink"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("python3 -m aiosmtpd (pip install aiosmtpd)");
    let server = Aiosmtpd(child);
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return (server, port);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("aiosmtpd did not start");
}

async fn smtp(count: usize, connections: u32) {
    let (_server, port) = aiosmtpd().await;
    let url = format!("smtp://127.0.0.1:{port}");
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        smtp_url: Some(url.clone()),
        smtp_connections: connections,
        ..Config::default()
    };
    let coffer = Coffer::open(config).await.unwrap();
    queue_bulk(&coffer, count).await;
    let (drained, latency) = drain_with_a_reset(&coffer).await;

    // Reference: what the transport allows. The same messages straight from
    // memory, no queue, over the same number of connections (lettre's
    // protocol code on sockets with TCP_NODELAY, one task each).
    let t = Instant::now();
    let per = count.div_ceil(connections as usize);
    let senders = (0..connections as usize).map(|k| async move {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        tcp.set_nodelay(true).unwrap();
        let hello = lettre::transport::smtp::extension::ClientId::default();
        let mut conn =
            lettre::transport::smtp::client::AsyncSmtpConnection::connect_with_transport(
                Box::new(tcp),
                &hello,
            )
            .await
            .unwrap();
        let from: lettre::Address = "coffer@localhost".parse().unwrap();
        for n in (k * per..((k + 1) * per).min(count)).collect::<Vec<_>>() {
            let to: lettre::Address = format!("person{n:06}@example.test").parse().unwrap();
            let envelope = lettre::address::Envelope::new(Some(from.clone()), vec![to]).unwrap();
            conn.send(&envelope, &message(n)).await.unwrap();
        }
    });
    futures::future::join_all(senders).await;
    let reference = t.elapsed();
    report(
        &format!("smtp ({connections} connections)"),
        count,
        drained,
        reference,
        latency,
    );

    // For the record: lettre's own pooled transport as released, whose
    // sockets keep Nagle's algorithm (see core/src/mail/smtp.rs).
    let sample = count.min(2_000);
    let transport = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(&url)
        .unwrap()
        .pool_config(lettre::transport::smtp::PoolConfig::new().max_size(connections))
        .build();
    let from: lettre::Address = "coffer@localhost".parse().unwrap();
    let t = Instant::now();
    futures::stream::iter(0..sample)
        .map(|n| {
            let (transport, from) = (&transport, from.clone());
            async move {
                let to: lettre::Address = format!("person{n:06}@example.test").parse().unwrap();
                let envelope = lettre::address::Envelope::new(Some(from), vec![to]).unwrap();
                transport.send_raw(&envelope, &message(n)).await.unwrap();
            }
        })
        .buffer_unordered(connections as usize)
        .collect::<Vec<()>>()
        .await;
    println!(
        "mail/smtp via lettre's pooled transport ({connections} connections, Nagle on): {sample} in {:.1} s ({:.0}/s)",
        t.elapsed().as_secs_f64(),
        sample as f64 / t.elapsed().as_secs_f64()
    );
}

fn report(what: &str, count: usize, drained: Duration, reference: Duration, latency: Duration) {
    println!(
        "mail/{what}: {count} bulk mails delivered in {:.1} s ({:.0}/s); reference {:.1} s; \
         ratio {:.2}; a reset queued during the drain was delivered in {} ms",
        drained.as_secs_f64(),
        count as f64 / drained.as_secs_f64(),
        reference.as_secs_f64(),
        drained.as_secs_f64() / reference.as_secs_f64(),
        latency.as_millis()
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let count = mails();
    rt.block_on(async {
        outbox(count).await;
        smtp(count, 4).await;
    });
}
