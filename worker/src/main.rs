//! The crypto worker. The page posts jobs (`coffer_shared::worker`) as JSON
//! text; each is answered in order, on this thread, so Argon2id and the
//! curve arithmetic never freeze the page. OPAQUE states, passwords and
//! export keys live only here, named by a ceremony number, until the job
//! that needs them (or `Forget`) takes them.

#[cfg(target_arch = "wasm32")]
fn main() {
    use coffer_shared::worker::{Answer, Envelope, Job};
    use wasm_bindgen::{closure::Closure, JsCast, JsValue};
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply = scope.clone();
    let post = move |answer: &Envelope<Answer>| {
        if let Ok(text) = serde_json::to_string(answer) {
            let _ = reply.post_message(&JsValue::from_str(&text));
        }
    };
    let mut worker = coffer_worker::jobs::Worker::default();
    let post_answer = post.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let Some(text) = event.data().as_string() else {
            return;
        };
        let Ok(job) = serde_json::from_str::<Envelope<Job>>(&text) else {
            return;
        };
        let answer = worker.run(job.body);
        post_answer(&Envelope {
            id: job.id,
            body: answer,
        });
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&Envelope {
        id: 0,
        body: Answer::Ready,
    });
}

/// Natively this crate only holds the job logic, tested in `jobs`.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}
