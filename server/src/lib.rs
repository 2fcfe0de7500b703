//! The HTTP side of Coffer: the axum router hosting the server functions and
//! the built browser app, with the security baseline around them.

pub mod admin;
mod admission;
pub mod metrics;
mod routes;
pub mod web;

use std::net::SocketAddr;
use std::time::Duration;

use coffer_core::{Coffer, Config, OpenError};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Open(#[from] OpenError),
    #[error("cannot listen on {addr}: {reason} (is another program using that port?)")]
    Listen {
        addr: SocketAddr,
        reason: std::io::Error,
    },
}

/// A running server; dropping `shutdown` (or sending on it) stops it.
pub struct Running {
    pub addr: SocketAddr,
    pub url: String,
    pub coffer: Coffer,
    pub shutdown: oneshot::Sender<()>,
    pub task: JoinHandle<std::io::Result<()>>,
}

/// On a loopback address the name `localhost`: browsers allow passkeys
/// (MFA-4) only on a domain name, and treat `http://localhost` as secure.
fn default_public_url(addr: SocketAddr) -> String {
    if addr.ip().is_loopback() {
        format!("http://localhost:{}", addr.port())
    } else {
        format!("http://{addr}")
    }
}

/// Opens storage, binds the listener and serves until shut down. When the
/// configuration has no public URL, the bound address becomes it (so a
/// test server on port 0 knows its own origin), named `localhost` when it
/// is a loopback address.
pub async fn start(mut config: Config) -> Result<Running, StartError> {
    let listener = TcpListener::bind(config.bind)
        .await
        .map_err(|reason| StartError::Listen {
            addr: config.bind,
            reason,
        })?;
    let addr = listener.local_addr().map_err(|reason| StartError::Listen {
        addr: config.bind,
        reason,
    })?;
    if config.public_url.is_none() {
        config.public_url = Some(default_public_url(addr));
    }
    crate::metrics::handle();
    let coffer = Coffer::open(config).await?;
    // An import running when the last process stopped never committed.
    match coffer.fail_interrupted_imports().await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(
            imports = n,
            "imports interrupted by the last stop were marked failed"
        ),
        Err(e) => tracing::warn!(error = ?e, "could not check for interrupted imports"),
    }
    let url = coffer.public_url();
    if let Some(code) = coffer.setup_code() {
        tracing::info!(
            setup_code = code,
            "not set up yet: open {url} and enter the setup code to create the instance administrator"
        );
    }
    let app = web::router(coffer.clone());
    let (shutdown, stop) = oneshot::channel::<()>();
    let housekeeping = coffer.clone();
    let sweeper = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(30));
        loop {
            tick.tick().await;
            if let Err(e) = housekeeping.housekeeping().await {
                tracing::warn!(error = %format!("{e:#}"), "housekeeping failed");
            }
        }
    });
    let task = tokio::spawn(async move {
        let served = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = stop.await;
        })
        .await;
        sweeper.abort();
        served
    });
    Ok(Running {
        addr,
        url,
        coffer,
        shutdown,
        task,
    })
}
