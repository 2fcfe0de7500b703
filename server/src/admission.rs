//! Admission control for requests that reach the database: at most
//! `max_requests_in_flight` are worked on at once, up to
//! `max_requests_queued` more wait their turn in arrival order (each at most
//! `QUEUE_WAIT`), and anything beyond is answered 503 with `Retry-After` at
//! once. Under overload the server answers quickly, and its connection pool
//! is never asked for much more than it has, so nobody waits seconds for it.
//! A request's body is received before it queues: a turn is for work, so a
//! client sending slowly cannot hold one.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use coffer_api::ApiError;
use coffer_shared::errors::RateLimitError;
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

/// The route's own body limit (`RequestBodyLimitLayer`) wraps this.
pub async fn admit(State(admission): State<Arc<Admission>>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(e) => return unreadable_body(&e),
    };
    let req = Request::from_parts(parts, axum::body::Body::from(body));
    match admission.admit().await {
        Some(_turn) => next.run(req).await,
        None => {
            tracing::debug!(path = %req.uri().path(), "busy: request refused");
            crate::web::api_error_response(ApiError::from(RateLimitError::Busy))
        }
    }
}

/// Over the route's limit: 413, as the limit layer answers; otherwise the
/// client went away or sent something that is not HTTP.
fn unreadable_body(e: &axum::Error) -> Response {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<http_body_util::LengthLimitError>() {
            return StatusCode::PAYLOAD_TOO_LARGE.into_response();
        }
        source = err.source();
    }
    StatusCode::BAD_REQUEST.into_response()
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
