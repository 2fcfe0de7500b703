//! A page's writes. Each form or button that changes something sends
//! through a `Write`: an `Action` whose answers arrive as its value (the
//! last one to resolve is what the page shows), a refusal in the page's
//! error box, and `pending` for a busy button. Pages do not spawn their own
//! tasks for writes.

use std::future::Future;

use leptos::prelude::*;
use leptos::reactive::traits::Write as _;

use crate::ui::Problem;

pub struct Write<I: 'static, T: 'static> {
    action: Action<I, Result<T, Problem>>,
    error: RwSignal<Option<Problem>>,
    // What was sent last, kept only for a detour that sends it again (an
    // input may hold a password).
    last: Option<StoredValue<Option<I>, LocalStorage>>,
}

impl<I: 'static, T: 'static> Clone for Write<I, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<I: 'static, T: 'static> Copy for Write<I, T> {}

impl<I, T> Write<I, T>
where
    I: Clone + 'static,
    T: 'static,
{
    /// `send` makes the request from the input; `done` takes each accepted
    /// answer (untracked, so what it reads does not run it again); a
    /// refusal goes to `error`. The answer is moved out of the action, so
    /// nothing it carries (keys, PRF output) stays behind in it.
    pub fn new<E, Fut>(
        error: RwSignal<Option<Problem>>,
        send: impl Fn(I) -> Fut + 'static,
        done: impl Fn(T) + 'static,
    ) -> Self
    where
        E: Into<Problem> + 'static,
        Fut: Future<Output = Result<T, E>> + 'static,
    {
        Self::build(error, send, done, None, |_| {})
    }

    /// As `new`, and a refusal `detour` takes is not shown: it sends the
    /// last input again when it calls back.
    pub fn with_detour<E, Fut>(
        error: RwSignal<Option<Problem>>,
        send: impl Fn(I) -> Fut + 'static,
        done: impl Fn(T) + 'static,
        detour: impl Fn(&Problem, Callback<()>) -> bool + 'static,
    ) -> Self
    where
        E: Into<Problem> + 'static,
        Fut: Future<Output = Result<T, E>> + 'static,
    {
        Self::build(error, send, done, Some(Box::new(detour)), |_| {})
    }

    /// As `new`, and `refused` runs after a refusal is shown (to close a
    /// confirmation, say).
    pub fn or_else<E, Fut>(
        error: RwSignal<Option<Problem>>,
        send: impl Fn(I) -> Fut + 'static,
        done: impl Fn(T) + 'static,
        refused: impl Fn(&Problem) + 'static,
    ) -> Self
    where
        E: Into<Problem> + 'static,
        Fut: Future<Output = Result<T, E>> + 'static,
    {
        Self::build(error, send, done, None, refused)
    }

    #[allow(clippy::type_complexity)]
    fn build<E, Fut>(
        error: RwSignal<Option<Problem>>,
        send: impl Fn(I) -> Fut + 'static,
        done: impl Fn(T) + 'static,
        detour: Option<Box<dyn Fn(&Problem, Callback<()>) -> bool>>,
        refused: impl Fn(&Problem) + 'static,
    ) -> Self
    where
        E: Into<Problem> + 'static,
        Fut: Future<Output = Result<T, E>> + 'static,
    {
        let action = Action::new_local(move |input: &I| {
            let answer = send(input.clone());
            async move { answer.await.map_err(Into::into) }
        });
        let last = detour.is_some().then(|| StoredValue::new_local(None::<I>));
        let again = Callback::new(move |()| {
            if let Some(input) = last.and_then(|l| l.get_value()) {
                action.dispatch_local(input);
            }
        });
        Effect::new(move |_| {
            let value = action.value();
            value.track();
            let Some(answer) = value.try_write_untracked().and_then(|mut v| v.take()) else {
                return;
            };
            untrack(|| match answer {
                Ok(answer) => {
                    error.set(None);
                    done(answer);
                }
                Err(problem) => {
                    if detour.as_ref().is_some_and(|d| d(&problem, again)) {
                        return;
                    }
                    refused(&problem);
                    error.set(Some(problem));
                }
            })
        });
        Write {
            action,
            error,
            last,
        }
    }

    /// Sends `input`; the error box empties until the answer is in.
    pub fn send(&self, input: I) {
        self.error.set(None);
        if let Some(last) = self.last {
            last.set_value(Some(input.clone()));
        }
        self.action.dispatch_local(input);
    }

    /// True while a request is out.
    pub fn pending(&self) -> Memo<bool> {
        self.action.pending()
    }
}
