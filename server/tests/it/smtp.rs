//! AUD-2 over real SMTP: with `smtp_url` set, mail goes to an SMTP server
//! (Python's aiosmtpd, an implementation we did not write, on loopback)
//! instead of the outbox, and an outage only delays delivery.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::common::*;

struct SmtpServer {
    child: Child,
    maildir: tempfile::TempDir,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_smtp(port: u16) -> SmtpServer {
    let maildir = tempfile::tempdir().unwrap();
    let child = Command::new("python3")
        .args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Mailbox",
        ])
        .arg(maildir.path().join("Maildir"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 -m aiosmtpd (pip install aiosmtpd; scripts/test.sh does)");
    // Owned at once, so Drop kills and reaps it on every path.
    let server = SmtpServer { child, maildir };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("aiosmtpd did not start on port {port}");
}

fn delivered(smtp: &SmtpServer) -> Vec<String> {
    let new = smtp.maildir.path().join("Maildir").join("new");
    std::fs::read_dir(new)
        .map(|d| {
            d.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                .collect()
        })
        .unwrap_or_default()
}

async fn mail_goes_over_smtp_and_survives_an_outage(backend: Backend) {
    let port = free_port();
    let server = TestServer::start_with(backend, |c| {
        c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"))
    })
    .await;
    let admin = server.browser();
    admin.setup(ADMIN, ADMIN_PASSWORD).await.unwrap();
    admin.sign_in(ADMIN, ADMIN_PASSWORD).await.unwrap();

    // The SMTP server is down: the organisation is still created and the
    // invitation waits in the queue.
    admin
        .create_organisation("Acme", "ann@acme.test")
        .await
        .unwrap();
    let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM mail_queue")
        .fetch_one(&server.db().await)
        .await
        .unwrap();
    assert_eq!(queued, 1);

    // It comes up; the next delivery pass sends the invitation.
    let smtp = start_smtp(port).await;
    sqlx::query("UPDATE mail_queue SET next_attempt_at = 0")
        .execute(&server.db().await)
        .await
        .unwrap();
    server.running.coffer.flush_mail().await;
    let mails = delivered(&smtp);
    assert_eq!(mails.len(), 1, "one invitation delivered over SMTP");
    assert!(mails[0].contains("To: ann@acme.test"), "{}", mails[0]);
    assert!(
        mails[0].contains("Subject: You are invited to Acme on Coffer"),
        "{}",
        mails[0]
    );
    assert!(mails[0].contains("/invite#"));
    let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM mail_queue")
        .fetch_one(&server.db().await)
        .await
        .unwrap();
    assert_eq!(queued, 0, "delivered mail leaves the queue");

    // With SMTP up, the next mail goes straight away; the outbox stays empty.
    admin
        .create_organisation("Bravo", "bo@bravo.test")
        .await
        .unwrap();
    assert_eq!(delivered(&smtp).len(), 2);
    assert!(delivered(&smtp)
        .iter()
        .any(|m| m.contains("To: bo@bravo.test")));
    let outbox: Vec<coffer_shared::audit::OutboxSummary> =
        admin.run(coffer_api::Outbox {}).await.unwrap();
    assert!(outbox.is_empty());
    assert!(
        !server.data.path().join("outbox").exists()
            || std::fs::read_dir(server.data.path().join("outbox"))
                .unwrap()
                .count()
                == 0
    );
}

/// Interactive mail goes ahead of bulk mail: with 2,000 of an import's
/// invitations queued, a password reset is delivered at once, over SMTP
/// with several connections; then the bulk mail drains, every message once.
async fn interactive_mail_goes_ahead_of_bulk_mail(backend: Backend) {
    let port = free_port();
    let smtp = start_smtp(port).await;
    let server = TestServer::start_with(backend, |c| {
        c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        c.smtp_connections = 4;
    })
    .await;
    let admin = server.browser();
    admin.setup(ADMIN, ADMIN_PASSWORD).await.unwrap();
    admin.sign_in(ADMIN, ADMIN_PASSWORD).await.unwrap();
    // Ann leads Acme; her invitation arrives over SMTP.
    let org = admin
        .create_organisation("Acme", "ann@acme.test")
        .await
        .unwrap()
        .id;
    let invitation = delivered(&smtp)
        .into_iter()
        .find(|m| m.contains("To: ann@acme.test"))
        .expect("the invitation was delivered");
    let text = invitation.replace("=\r\n", "").replace("=\n", "");
    let start = text.find("/invite#").unwrap() + "/invite#".len();
    let token: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    server
        .browser()
        .accept_invitation(&token, "ann's password")
        .await
        .unwrap();
    let ann = member_row(&admin, &org, "ann@acme.test").await.unwrap();
    let before = delivered(&smtp).len();
    // An import's worth of bulk mail, already due.
    let db = server.db().await;
    let message = b"From: coffer@localhost\r\nTo: bulk@acme.test\r\nSubject: Bulk\r\n\r\nHello\r\n";
    let now = coffer_core::kernel::db::now_ms();
    for i in 0..1200 {
        sqlx::query(
            "INSERT INTO mail_queue (id, recipient, subject, message, created_at, next_attempt_at, priority) \
             VALUES ($1, 'bulk@acme.test', 'Bulk', $2, $3, $3, 1)",
        )
        .bind(format!("bulk-{i:05}"))
        .bind(&message[..])
        .bind(now - 1)
        .execute(&db)
        .await
        .unwrap();
    }
    let started = std::time::Instant::now();
    admin
        .run(coffer_api::ResetMemberPassword {
            organisation_id: org.clone(),
            account_id: ann.account_id.clone(),
        })
        .await
        .unwrap();
    let reset_at = started.elapsed();
    let mails = delivered(&smtp);
    assert!(
        mails
            .iter()
            .any(|m| m.contains("To: ann@acme.test") && m.contains("/reset#")),
        "the reset was delivered with the request"
    );
    assert!(reset_at < Duration::from_secs(5), "{reset_at:?}");
    assert!(
        server
            .count("SELECT COUNT(*) FROM mail_queue WHERE priority = 1")
            .await
            > 600,
        "the bulk mail was not sent first"
    );
    server.running.coffer.drain_mail().await;
    assert_eq!(server.count("SELECT COUNT(*) FROM mail_queue").await, 0);
    let bulk = delivered(&smtp)
        .iter()
        .filter(|m| m.contains("To: bulk@acme.test"))
        .count();
    assert_eq!(bulk, 1200, "each bulk mail once");
    assert_eq!(delivered(&smtp).len(), before + 1201);
}

on_both!(
    mail_goes_over_smtp_and_survives_an_outage,
    interactive_mail_goes_ahead_of_bulk_mail
);
