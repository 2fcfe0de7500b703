//! A page's writes. Each form or button that changes something sends
//! through a `Write`: only the answer to the latest request is shown (an
//! earlier, slower one is dropped), a refusal lands in the page's error
//! box, and `pending` says a request is out. Pages do not spawn their own
//! tasks for writes.
//!
//! This is an action of our own rather than `leptos::Action`: what is
//! generic (the request and what is done with its answer) stays a thin
//! shell around one shared runner, because every `Action<I, O>` brings its
//! own copy of the reactive machinery and the pages before sign-in must stay
//! small (PLT-4).

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use leptos::prelude::*;

use crate::ui::Problem;

/// What the runner hands back once an answer is in: what to do with it,
/// or the refusal.
type Outcome = Result<Box<dyn FnOnce()>, Problem>;

/// What a refusal must also undo.
type Refused = Rc<dyn Fn(&Problem)>;

/// A request made from its input, its answer already bound to what is done
/// with it.
type Request<I> = Rc<dyn Fn(I) -> Pin<Box<dyn Future<Output = Outcome>>>>;

/// Decides whether a refusal is handled elsewhere (the re-authentication
/// prompt), given a way to send the same input again.
type Detour = Rc<dyn Fn(&Problem, Callback<()>) -> bool>;

/// The part every write shares, whatever it sends and answers.
#[derive(Clone, Copy)]
struct Runner {
    error: RwSignal<Option<Problem>>,
    in_flight: RwSignal<u32>,
    // The number of the latest request; disposed with the page, so an
    // answer arriving after the page is gone is dropped too.
    latest: StoredValue<u64>,
    refused: StoredValue<Option<Refused>, LocalStorage>,
    detour: StoredValue<Option<Detour>, LocalStorage>,
    // Sends the last input again, for the detour.
    again: StoredValue<Option<Callback<()>>, LocalStorage>,
}

impl Runner {
    fn run(self, answer: Pin<Box<dyn Future<Output = Outcome>>>) {
        self.error.set(None);
        self.in_flight.update(|n| *n += 1);
        let ticket = self.latest.get_value() + 1;
        self.latest.set_value(ticket);
        leptos::task::spawn_local(async move {
            let outcome = answer.await;
            self.in_flight.try_update(|n| *n = n.saturating_sub(1));
            if self.latest.try_get_value() != Some(ticket) {
                return;
            }
            untrack(|| match outcome {
                Ok(deliver) => {
                    self.error.set(None);
                    deliver();
                }
                Err(problem) => {
                    let detoured = match (self.detour.get_value(), self.again.get_value()) {
                        (Some(detour), Some(again)) => detour(&problem, again),
                        _ => false,
                    };
                    if detoured {
                        return;
                    }
                    if let Some(refused) = self.refused.get_value() {
                        refused(&problem);
                    }
                    self.error.set(Some(problem));
                }
            })
        });
    }
}

pub struct Write<I: 'static> {
    runner: Runner,
    pending: Memo<bool>,
    request: StoredValue<Request<I>, LocalStorage>,
    // What was sent last, kept only for a detour that sends it again (an
    // input may hold a password).
    last: Option<StoredValue<Option<I>, LocalStorage>>,
}

impl<I: 'static> Clone for Write<I> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<I: 'static> Copy for Write<I> {}

impl<I: Clone + 'static> Write<I> {
    /// `send` makes the request from the input; `done` takes the latest
    /// accepted answer (untracked, so what it reads does not run it again);
    /// a refusal goes to `error`.
    pub fn new<T, E, Fut>(
        error: RwSignal<Option<Problem>>,
        send: impl Fn(I) -> Fut + 'static,
        done: impl Fn(T) + 'static,
    ) -> Self
    where
        T: 'static,
        E: Into<Problem> + 'static,
        Fut: Future<Output = Result<T, E>> + 'static,
    {
        let done = Rc::new(done);
        let request = move |input: I| {
            let answer = send(input);
            let done = done.clone();
            Box::pin(async move {
                match answer.await {
                    Ok(t) => Ok(Box::new(move || done(t)) as Box<dyn FnOnce()>),
                    Err(e) => Err(e.into()),
                }
            }) as Pin<Box<dyn Future<Output = Outcome>>>
        };
        let in_flight = RwSignal::new(0);
        Write {
            runner: Runner {
                error,
                in_flight,
                latest: StoredValue::new(0),
                refused: StoredValue::new_local(None),
                detour: StoredValue::new_local(None),
                again: StoredValue::new_local(None),
            },
            pending: Memo::new(move |_| in_flight.get() > 0),
            request: StoredValue::new_local(Rc::new(request)),
            last: None,
        }
    }

    /// As `new`, and a refusal `detour` takes is not shown: it sends the
    /// last input again when it calls back.
    pub fn with_detour<T, E, Fut>(
        error: RwSignal<Option<Problem>>,
        send: impl Fn(I) -> Fut + 'static,
        done: impl Fn(T) + 'static,
        detour: impl Fn(&Problem, Callback<()>) -> bool + 'static,
    ) -> Self
    where
        T: 'static,
        E: Into<Problem> + 'static,
        Fut: Future<Output = Result<T, E>> + 'static,
    {
        let mut write = Self::new(error, send, done);
        write.runner.detour.set_value(Some(Rc::new(detour)));
        let last = StoredValue::new_local(None::<I>);
        write.last = Some(last);
        write.runner.again.set_value(Some(Callback::new(move |()| {
            if let Some(input) = last.get_value() {
                write.send_again(input);
            }
        })));
        write
    }

    /// As `new`, and `refused` runs after a refusal is shown (to close a
    /// confirmation, say).
    pub fn or_else<T, E, Fut>(
        error: RwSignal<Option<Problem>>,
        send: impl Fn(I) -> Fut + 'static,
        done: impl Fn(T) + 'static,
        refused: impl Fn(&Problem) + 'static,
    ) -> Self
    where
        T: 'static,
        E: Into<Problem> + 'static,
        Fut: Future<Output = Result<T, E>> + 'static,
    {
        let write = Self::new(error, send, done);
        write.runner.refused.set_value(Some(Rc::new(refused)));
        write
    }

    /// Sends `input`; the error box empties until the answer is in.
    pub fn send(&self, input: I) {
        if let Some(last) = self.last {
            last.set_value(Some(input.clone()));
        }
        self.send_again(input);
    }

    fn send_again(&self, input: I) {
        let request = self.request.get_value();
        self.runner.run(request(input));
    }

    /// True while a request is out.
    pub fn pending(&self) -> Memo<bool> {
        self.pending
    }
}
