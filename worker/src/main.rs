//! The crypto worker. The page posts jobs (`coffer_shared::worker`) as JSON
//! text — with a `File` beside it for an upload, as a two-item array — and
//! each is answered with the same id. Short jobs run at once, on this
//! thread, so Argon2id and the curve arithmetic never freeze the page;
//! transfers (`SendFile`, `Download`, `Export`) run as tasks that post progress and
//! then their answer, while other jobs go on. OPAQUE states, passwords and
//! export keys live only here, named by a ceremony number, until the job
//! that needs them (or `Forget`) takes them.

#[cfg(target_arch = "wasm32")]
fn main() {
    use std::rc::Rc;

    use coffer_shared::worker::{Answer, Envelope, Job};
    use coffer_worker::transfer::{self, Post};
    use wasm_bindgen::{closure::Closure, JsCast, JsValue};
    use wasm_bindgen_futures::spawn_local;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply = scope.clone();
    let post: Post = Rc::new(move |id, body, attachment: Option<JsValue>| {
        let Ok(text) = serde_json::to_string(&Envelope { id, body }) else {
            return;
        };
        let text = JsValue::from_str(&text);
        let _ = match attachment {
            None => reply.post_message(&text),
            Some(a) => reply.post_message(&js_sys::Array::of2(&text, &a)),
        };
    });
    let mut worker = coffer_worker::jobs::Worker::default();
    let post_answer = post.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let data = event.data();
        let (text, attachment) = match data.dyn_ref::<js_sys::Array>() {
            Some(pair) => (pair.get(0).as_string(), Some(pair.get(1))),
            None => (data.as_string(), None),
        };
        let Some(job) = text.and_then(|t| serde_json::from_str::<Envelope<Job>>(&t).ok()) else {
            return;
        };
        let id = job.id;
        match job.body {
            Job::SendFile {
                ceremony,
                upload_id,
                secret,
                signing,
            } => {
                let out = worker.take_outgoing(ceremony);
                let file = attachment.and_then(|a| a.dyn_into::<web_sys::File>().ok());
                spawn_local(transfer::send(
                    id,
                    out,
                    file,
                    upload_id,
                    secret,
                    signing,
                    post_answer.clone(),
                ));
            }
            Job::Download { secret, content } => {
                spawn_local(transfer::download(
                    id,
                    secret,
                    content,
                    attachment,
                    post_answer.clone(),
                ));
            }
            Job::Steer { upload_id, to } => {
                transfer::steer(upload_id, to);
                post_answer(id, Answer::Done, None);
            }
            Job::Export {
                secret,
                export,
                passphrase,
            } => {
                spawn_local(transfer::export(
                    id,
                    secret,
                    export,
                    passphrase,
                    attachment,
                    post_answer.clone(),
                ));
            }
            other => post_answer(id, worker.run(other), None),
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(0, Answer::Ready, None);
}

/// Natively this crate only holds the job logic, tested in `jobs`.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}
