//! AUD-2: with no SMTP server configured, mail lands in the outbox, which
//! the instance administrator reads here.

use crate::i18n::{tf, tr};
use coffer_api::{outbox, read_outbox_mail};
use coffer_shared::audit::{OutboxMail, OutboxSummary};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::ui::require_sign_in;
use crate::ui::{local_time, show_latest, ErrorBox, Problem};

#[component]
pub fn OutboxPage() -> impl IntoView {
    let allowed = require_sign_in();
    let list = RwSignal::new(None::<Vec<OutboxSummary>>);
    let error = RwSignal::new(None::<Problem>);
    let answers = LocalResource::new(move || {
        let asked = allowed.get();
        async move {
            match asked {
                true => Some(outbox().await),
                false => None,
            }
        }
    });
    show_latest(answers, list, error);
    view! {
        <Show when=move || allowed.get()>
            <section class="card">
                <h1>{tr("Outbox")}</h1>
                <p class="hint">{tr("Mail Coffer would have sent. Configure SMTP to deliver it instead.")}</p>
                <ErrorBox message=error />
                <ul class="mail-list">
                    <For each=move || list.get().unwrap_or_default() key=|m| m.id.clone() let:m>
                        <li>
                            <A href=format!("/outbox/{}", m.id)>{m.subject.clone()}</A>
                            <span class="meta">{tf("To {0} · {1}", &[("0", &(m.to).to_string()), ("1", &(local_time(m.sent_at_ms)).to_string())])}</span>
                        </li>
                    </For>
                </ul>
                <Show when=move || list.with(|l| l.as_ref().is_some_and(|l| l.is_empty()))>
                    <p>{tr("The outbox is empty.")}</p>
                </Show>
            </section>
        </Show>
    }
}

/// Splits plain text into text and http(s) links so links can be followed.
fn linkify(text: &str) -> Vec<(String, bool)> {
    let mut parts = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            parts.push(("\n".to_string(), false));
        }
        for (j, word) in line.split(' ').enumerate() {
            if j > 0 {
                parts.push((" ".to_string(), false));
            }
            let is_link = word.starts_with("https://") || word.starts_with("http://");
            parts.push((word.to_string(), is_link));
        }
    }
    parts
}

#[component]
pub fn OutboxMailPage() -> impl IntoView {
    let allowed = require_sign_in();
    let params = use_params_map();
    let mail = RwSignal::new(None::<OutboxMail>);
    let error = RwSignal::new(None::<Problem>);
    let answers = LocalResource::new(move || {
        let id = params.with(|p| p.get("id").unwrap_or_default());
        let asked = allowed.get();
        async move {
            match asked {
                true => Some(read_outbox_mail(id).await),
                false => None,
            }
        }
    });
    show_latest(answers, mail, error);
    view! {
        <Show when=move || allowed.get()>
            <section class="card">
                <A href="/outbox">{tr("Back to the outbox")}</A>
                <ErrorBox message=error />
                {move || mail.get().map(|m| view! {
                    <article class="mail">
                        <h1>{m.subject.clone()}</h1>
                        <p class="meta">{tf("To {0} · {1}", &[("0", &(m.to).to_string()), ("1", &(local_time(m.sent_at_ms)).to_string())])}</p>
                        <pre class="mail-body">
                            {linkify(&m.body).into_iter().map(|(text, link)| if link {
                                view! { <a href=text.clone() rel="noreferrer">{text.clone()}</a> }.into_any()
                            } else {
                                text.into_any()
                            }).collect_view()}
                        </pre>
                    </article>
                })}
            </section>
        </Show>
    }
}
