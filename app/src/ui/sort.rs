//! A sortable table's column heading: a button that sorts by its column,
//! or reverses the order when it already does; `aria-sort` says which.

use leptos::prelude::*;

use crate::i18n::tr;

/// `order` and `descending` are the table's; `then` runs after each change
/// (a paged table goes back to its first page).
pub fn sort_header<C>(
    col: C,
    label: &'static str,
    order: RwSignal<C>,
    descending: RwSignal<bool>,
    then: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView
where
    C: Copy + PartialEq + Send + Sync + 'static,
{
    let aria = move || match (order.get() == col, descending.get()) {
        (false, _) => "none",
        (true, false) => "ascending",
        (true, true) => "descending",
    };
    let sort_by = move |_| {
        if order.get_untracked() == col {
            descending.update(|d| *d = !*d);
        } else {
            order.set(col);
            descending.set(false);
        }
        then();
    };
    view! {
        <th scope="col" aria-sort=aria>
            <button type="button" class="sort" on:click=sort_by>
                {tr(label)}
                <span aria-hidden="true">{move || match aria() { "ascending" => " ▲", "descending" => " ▼", _ => "" }}</span>
            </button>
        </th>
    }
}
