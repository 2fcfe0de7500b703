//! Admission control for requests that reach the database: at most
//! `max_requests_in_flight` are worked on at once, up to
//! `max_requests_queued` more wait their turn in arrival order (each at most
//! `QUEUE_WAIT`), and anything beyond is answered 503 with `Retry-After` at
//! once. Under overload the server answers quickly, and its connection pool
//! is never asked for much more than it has, so nobody waits seconds for it.
//! A request's body is received before it queues, up to its route's limit:
//! a turn is for work, so a client sending slowly cannot hold one.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use coffer_api::ApiError;
use coffer_shared::errors::{InputError, RateLimitError};
use tokio::sync::{Semaphore, SemaphorePermit};

/// Longer than this in the queue and the answer is "busy": a person would
/// rather be told than watch a spinner.
const QUEUE_WAIT: Duration = Duration::from_secs(2);

pub struct Admission {
    slots: Semaphore,
    waiting: AtomicUsize,
    max_waiting: usize,
    wait: Duration,
}

impl Admission {
    pub fn new(in_flight: usize, queued: usize) -> Admission {
        Admission::with_wait(in_flight, queued, QUEUE_WAIT)
    }

    fn with_wait(in_flight: usize, queued: usize, wait: Duration) -> Admission {
        Admission {
            slots: Semaphore::new(in_flight.max(1)),
            waiting: AtomicUsize::new(0),
            max_waiting: queued,
            wait,
        }
    }

    /// A turn to work, or `None` when the queue is full or the wait too long.
    pub async fn admit(&self) -> Option<SemaphorePermit<'_>> {
        if let Ok(turn) = self.slots.try_acquire() {
            return Some(turn);
        }
        let waiting = self.waiting.fetch_add(1, Ordering::SeqCst);
        if waiting >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            metrics::counter!("coffer_busy_total", "why" => "queue full").increment(1);
            return None;
        }
        metrics::gauge!("coffer_requests_waiting").set((waiting + 1) as f64);
        // Tokio's semaphore is fair: waiters are served first come first.
        let turn = tokio::time::timeout(self.wait, self.slots.acquire()).await;
        let left = self.waiting.fetch_sub(1, Ordering::SeqCst) - 1;
        metrics::gauge!("coffer_requests_waiting").set(left as f64);
        let turn = turn.ok().and_then(Result::ok);
        if turn.is_none() {
            metrics::counter!("coffer_busy_total", "why" => "waited too long").increment(1);
        }
        turn
    }
}

/// What the admission middleware of one group of routes needs: the shared
/// queue, and the most a request body of these routes may carry.
#[derive(Clone)]
pub struct Gate {
    pub admission: Arc<Admission>,
    pub body_limit: usize,
    /// A body silent this long is refused (408).
    pub body_idle: Duration,
}

/// Receives the body (at most the route's limit: beyond it, or a
/// `Content-Length` that says so, the answer is 413 with the refusal's
/// JSON), then waits for a turn.
pub async fn admit(State(gate): State<Gate>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let declared = parts
        .headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let body = match receive(body, gate.body_limit, declared, gate.body_idle).await {
        Received::Whole(bytes) => bytes,
        Received::TooLarge => return too_large(),
        Received::Incomplete => return incomplete(StatusCode::BAD_REQUEST),
        Received::Stalled => return incomplete(StatusCode::REQUEST_TIMEOUT),
    };
    let req = Request::from_parts(parts, axum::body::Body::from(body));
    match gate.admission.admit().await {
        Some(_turn) => next.run(req).await,
        None => {
            tracing::debug!("busy: request refused");
            crate::web::api_error_response(ApiError::from(RateLimitError::Busy))
        }
    }
}

/// A refused body is still read to its end when it is at most this long
/// and arrives within `DRAIN_WAIT`, so that the client, which is usually
/// still sending, reads the 413 instead of a reset connection. Beyond
/// that the connection is closed after the answer.
const DRAIN_CAP: u64 = 32 * 1024 * 1024;
const DRAIN_WAIT: Duration = Duration::from_secs(10);

enum Received {
    Whole(axum::body::Bytes),
    TooLarge,
    /// Ended (or, over HTTP/2, finished) at another length than declared.
    Incomplete,
    /// Sent nothing for the idle time.
    Stalled,
}

/// The whole body, exactly as long as its `Content-Length` says and at most
/// `limit`.
async fn receive(
    body: axum::body::Body,
    limit: usize,
    declared: Option<u64>,
    idle: Duration,
) -> Received {
    use http_body_util::BodyExt as _;
    let mut body = body;
    let too_large = declared.is_some_and(|n| n > limit as u64);
    if !too_large {
        // Sized once from what the client declared (at most the limit), so
        // a large part is not copied again each time the buffer grows.
        let expected = declared.unwrap_or(0).min(limit as u64 + 1) as usize;
        let mut out = Vec::with_capacity(expected);
        loop {
            let Ok(frame) = tokio::time::timeout(idle, body.frame()).await else {
                return Received::Stalled;
            };
            match frame {
                None if declared.is_some_and(|n| n != out.len() as u64) => {
                    return Received::Incomplete
                }
                None => return Received::Whole(out.into()),
                Some(Err(_)) => return Received::Incomplete,
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        out.extend_from_slice(&data);
                        if out.len() > limit {
                            break;
                        }
                    }
                }
            }
        }
    }
    if declared.is_none_or(|n| n <= DRAIN_CAP) {
        let _ = tokio::time::timeout(DRAIN_WAIT, drain(body, DRAIN_CAP)).await;
    }
    Received::TooLarge
}

async fn drain(mut body: axum::body::Body, cap: u64) {
    use http_body_util::BodyExt as _;
    let mut seen = 0u64;
    while seen <= cap {
        match body.frame().await {
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    seen += data.len() as u64;
                }
            }
            _ => return,
        }
    }
}

fn too_large() -> Response {
    crate::web::api_error_response(ApiError::from(InputError::RequestTooLarge))
}

/// The client is gone or stuck: say why, and do not wait for more of this
/// connection.
fn incomplete(status: StatusCode) -> Response {
    let mut res = crate::web::api_error_response(ApiError::from(InputError::RequestIncomplete));
    *res.status_mut() = status;
    res.headers_mut().insert(
        axum::http::header::CONNECTION,
        axum::http::HeaderValue::from_static("close"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn beyond_the_slots_and_the_queue_the_answer_is_busy_at_once() {
        let a = Arc::new(Admission::with_wait(2, 1, Duration::from_millis(300)));
        let one = a.admit().await.expect("a free slot");
        let _two = a.admit().await.expect("a free slot");
        // The third waits in the queue; the fourth finds it full.
        let waiter = {
            let a = a.clone();
            tokio::spawn(async move { a.admit().await.is_some() })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let t = std::time::Instant::now();
        assert!(a.admit().await.is_none(), "the queue is full");
        assert!(t.elapsed() < Duration::from_millis(50), "refused at once");
        // A slot frees up: the waiter gets it.
        drop(one);
        assert!(waiter.await.unwrap(), "the waiter was admitted");
    }

    #[tokio::test]
    async fn a_waiter_gives_up_after_the_wait() {
        let a = Admission::with_wait(1, 5, Duration::from_millis(100));
        let _busy = a.admit().await.unwrap();
        let t = std::time::Instant::now();
        assert!(a.admit().await.is_none());
        let waited = t.elapsed();
        assert!(waited >= Duration::from_millis(100) && waited < Duration::from_secs(1));
        assert_eq!(a.waiting.load(Ordering::SeqCst), 0, "the queue is left");
    }
}
