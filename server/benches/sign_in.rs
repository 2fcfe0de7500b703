//! Server CPU cost per sign-in. The client's work (Argon2 in the browser) is
//! done outside the timed region; only the server's two steps are timed:
//! `opaque_server_only` is the OPAQUE arithmetic alone, `domain_sqlite` is
//! the whole server side (lookups, pending-login row, session, audit record)
//! on the embedded SQLite database.

use std::time::{Duration, Instant};

use coffer_core::{ClientInfo, Coffer, Config};
use coffer_crypto::{self as crypto, MemberKeys, ServerSecret};
use coffer_shared::accounts::KeyEnvelope;
use coffer_shared::types::Bytes;
use criterion::{criterion_group, criterion_main, Criterion};

const EMAIL: &str = "bench@coffer.test";
const PASSWORD: &str = "benchmark password";

fn opaque_server_only(c: &mut Criterion) {
    let server = ServerSecret::generate();
    let (state, req) = crypto::client_registration_start(PASSWORD).unwrap();
    let resp = server
        .registration_response(&req, EMAIL.as_bytes())
        .unwrap();
    let (upload, _) = crypto::client_registration_finish(state, PASSWORD, &resp).unwrap();
    let record = crypto::server_registration_finish(&upload).unwrap();
    c.bench_function("sign_in/opaque_server_only", |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                let (client, request) = crypto::client_login_start(PASSWORD).unwrap();
                let t = Instant::now();
                let (server_state, response) = server
                    .login_start(Some(&record), &request, EMAIL.as_bytes())
                    .unwrap();
                spent += t.elapsed();
                let (fin, _) = crypto::client_login_finish(client, PASSWORD, &response).unwrap();
                let t = Instant::now();
                crypto::server_login_finish(&server_state, &fin).unwrap();
                spent += t.elapsed();
            }
            spent
        })
    });
}

fn domain_sqlite(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let coffer: Coffer = rt.block_on(async {
        let config = Config {
            data_dir: dir.path().to_path_buf(),
            ..Config::default()
        };
        let coffer = Coffer::open(config).await.unwrap();
        let (state, req) = crypto::client_registration_start(PASSWORD).unwrap();
        let code = coffer.setup_code().unwrap().to_string();
        let resp = coffer.setup_start(EMAIL, &code, &req).await.unwrap();
        let (upload, export) =
            crypto::client_registration_finish(state, PASSWORD, &resp.0).unwrap();
        let keys = MemberKeys::generate();
        let envelope = KeyEnvelope {
            public_key: keys.public_key(),
            wrapped_private_key: Bytes(keys.wrap(&export)),
        };
        coffer
            .setup_finish(EMAIL, &code, &upload, &envelope)
            .await
            .unwrap();
        coffer
    });
    let client_info = ClientInfo {
        user_agent: "bench".into(),
        ip: "127.0.0.1".into(),
    };
    c.bench_function("sign_in/domain_sqlite", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut spent = Duration::ZERO;
                for _ in 0..iters {
                    let (client, request) = crypto::client_login_start(PASSWORD).unwrap();
                    let t = Instant::now();
                    let challenge = coffer.sign_in_start(EMAIL, &request).await.unwrap();
                    spent += t.elapsed();
                    let (fin, _) = crypto::client_login_finish(
                        client,
                        PASSWORD,
                        &challenge.credential_response.0,
                    )
                    .unwrap();
                    let t = Instant::now();
                    coffer
                        .sign_in_finish(&challenge.login_id, &fin, &client_info)
                        .await
                        .map_err(|e| e.to_string())
                        .unwrap();
                    spent += t.elapsed();
                }
                spent
            })
        })
    });
}

criterion_group! {
    name = benches;
    // Each iteration also runs the client's Argon2 untimed, so keep samples few.
    config = Criterion::default().sample_size(20).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(10));
    targets = opaque_server_only, domain_sqlite
}
criterion_main!(benches);
