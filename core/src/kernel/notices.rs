//! The words of the mail Coffer sends.

use coffer_shared::types::AdminTier;

use crate::kernel::mail::Mail;

fn when(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms / 1000)
        .map(|t| {
            t.format(&time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute] UTC"
            ))
            .unwrap_or_default()
        })
        .unwrap_or_default()
}

/// `for_share`: BOX-5, an outside recipient invited by a share, whose share
/// completes once their browser has made their keys.
pub fn invitation(
    to: &str,
    organisation: &str,
    link: &str,
    expires_at_ms: i64,
    for_share: bool,
) -> Mail {
    let why = if for_share {
        format!(
            "Someone in {organisation} shared an item with you on Coffer, where files are kept \
             end-to-end encrypted, and an account was made for you to receive it."
        )
    } else {
        format!(
            "An account was created for you in {organisation} on Coffer, where files are kept \
             end-to-end encrypted."
        )
    };
    let then = if for_share {
        " Your browser makes your encryption keys when you do; the share is completed the next \
         time the person who shared it opens Coffer, and you find it under \"Shared with me\"."
    } else {
        ""
    };
    Mail {
        to: to.into(),
        subject: format!("You are invited to {organisation} on Coffer"),
        body: format!(
            "Hello,\n\n{why}\n\nOpen this link to choose your password:{then}\n\n{link}\n\n\
             The link works once and expires at {}. If it has expired, ask your administrator \
             for a new one.\n\nIf you did not expect this message you can ignore it.\n",
            when(expires_at_ms)
        ),
    }
}

pub fn account_updated(to: &str, organisation: &str, sign_in: &str, tier: AdminTier) -> Mail {
    let what = match tier {
        AdminTier::None => "as a member".to_string(),
        t => format!("with the {} tier", t.as_str()),
    };
    Mail {
        to: to.into(),
        subject: format!("Your Coffer account was updated: {organisation}"),
        body: format!(
            "Hello,\n\nYour existing Coffer account now belongs to {organisation} {what}. \
             Sign in with your current password:\n\n{sign_in}\n"
        ),
    }
}

pub fn account_locked(to: &str, link: &str, expires_at_ms: i64) -> Mail {
    Mail {
        to: to.into(),
        subject: "Your Coffer account is locked".into(),
        body: format!(
            "Hello,\n\nYour Coffer account was locked after too many wrong passwords in a row. \
             If that was you, open this link to unlock it:\n\n{link}\n\nThe link works once and \
             expires at {}. Your administrator can also unlock the account.\n\nIf it was not \
             you, someone may be guessing your password: unlock the account and consider \
             changing your password.\n",
            when(expires_at_ms)
        ),
    }
}

pub fn password_reset(
    to: &str,
    organisation: &str,
    link: &str,
    expires_at_ms: i64,
    keeps_keys: bool,
) -> Mail {
    let keys = if keeps_keys {
        "Your organisation keeps a recovery copy of your encryption keys: after the reset, \
         one of its Liaisons restores them and everything you could open stays yours."
    } else {
        "Resetting makes new encryption keys: items that were encrypted to your old keys can \
         no longer be opened by you."
    };
    Mail {
        to: to.into(),
        subject: "Reset your Coffer password".into(),
        body: format!(
            "Hello,\n\nAn administrator of {organisation} allowed you to reset your Coffer \
             password. Open this link to choose a new one:\n\n{link}\n\nThe link works once and \
             expires at {}. {keys}\n\nIf you did not ask for this you can ignore this message; \
             your current password keeps working.\n",
            when(expires_at_ms)
        ),
    }
}

/// ACC-7 with recovery: a member reset their password and their kept keys
/// wait for a Liaison's browser.
pub fn keys_await_liaison(to: &str, member: &str, organisation: &str, link: &str) -> Mail {
    Mail {
        to: to.into(),
        subject: format!("{member} waits for their keys"),
        body: format!(
            "Hello,\n\n{member} chose a new password after a reset in {organisation}. Their \
             encryption keys wait for a Liaison to restore them from the recovery copy: open \
             Configuration in Coffer and your browser does it.\n\n{link}\n"
        ),
    }
}

/// ACC-7 with recovery: the member's keys are back.
pub fn keys_restored(to: &str, organisation: &str, link: &str) -> Mail {
    Mail {
        to: to.into(),
        subject: "Your Coffer keys are restored".into(),
        body: format!(
            "Hello,\n\nA Liaison of {organisation} restored your encryption keys after your \
             password reset. Sign in with your new password and everything you could open is \
             there again:\n\n{link}\n"
        ),
    }
}

/// IMP-4: the importing administrator's copy of the result.
pub fn import_report(
    to: &str,
    organisation: &str,
    imported: u64,
    rows: u64,
    problems: &[(u64, String, String)],
    problem_count: usize,
) -> Mail {
    let mut body = format!(
        "Hello,\n\nYour import of members into {organisation} has finished: {imported} of {rows} imported.\n"
    );
    if problems.is_empty() {
        body.push_str("\nEvery row was imported.\n");
    } else {
        body.push_str("\nRows not imported (line, email, reason):\n\n");
        for (line, email, reason) in problems {
            body.push_str(&format!("Line {line}: {email}: {reason}\n"));
        }
        if problem_count > problems.len() {
            body.push_str(&format!(
                "\n…and {} more. The full report can be downloaded from the Users page.\n",
                problem_count - problems.len()
            ));
        }
    }
    body.push_str("\nEach new member was sent an invitation to choose their password.\n");
    Mail {
        to: to.into(),
        subject: format!("Import finished: {imported} of {rows} imported into {organisation}"),
        body,
    }
}

/// MFA-2/MFA-3: why and how to set up two-step sign-in.
pub fn two_step_setup(to: &str, why: &str, link: &str, expires_at_ms: i64) -> Mail {
    Mail {
        to: to.into(),
        subject: "Set up two-step sign-in for Coffer".into(),
        body: format!(
            "Hello,\n\n{why} From now on, signing in to Coffer takes your password and a code \
             from an authenticator app on your phone.\n\n\
             1. Install an authenticator app on your phone (Google Authenticator, Microsoft \
             Authenticator or any app for time-based codes).\n\
             2. Open this link, sign in with your password, scan the QR code Coffer shows with \
             the app, and enter the code the app displays:\n\n{link}\n\n\
             The link expires at {}. Until it is done you can sign in, but do nothing else. \
             If the link has expired, sign in again and Coffer mails you a new one.\n",
            when(expires_at_ms)
        ),
    }
}

/// AUD-3: something was shared with the member. The server knows no name:
/// the mail says who, where and what they may do, and links to Coffer.
pub fn shared_with_you(
    to: &str,
    by: &str,
    organisation: &str,
    permission: &str,
    until_ms: Option<i64>,
    link: &str,
) -> Mail {
    let until = until_ms
        .map(|ms| format!(" until {}", when(ms)))
        .unwrap_or_default();
    Mail {
        to: to.into(),
        subject: format!("{by} shared an item with you in {organisation}"),
        body: format!(
            "Hello,\n\n{by} shared an item with you in {organisation} on Coffer, with the \
             {permission} permission{until}. Its name is encrypted, so it is not in this \
             mail: find it under \"Shared with me\":\n\n{link}\n\nYou can choose which \
             notices you receive on My account.\n"
        ),
    }
}

/// AUD-3: someone else uploaded into one of the member's boxes.
pub fn uploaded_into_your_box(to: &str, by: &str, organisation: &str, link: &str) -> Mail {
    Mail {
        to: to.into(),
        subject: format!("{by} uploaded a file into one of your boxes"),
        body: format!(
            "Hello,\n\n{by} uploaded a file into one of your boxes in {organisation} on \
             Coffer. Its name is encrypted, so it is not in this mail:\n\n{link}\n\nYou can \
             choose which notices you receive on My account.\n"
        ),
    }
}

/// AUD-3: the member's access to something shared with them ends soon.
pub fn access_ends_soon(to: &str, organisation: &str, until_ms: i64, link: &str) -> Mail {
    Mail {
        to: to.into(),
        subject: format!("Your access to a shared item in {organisation} ends soon"),
        body: format!(
            "Hello,\n\nYour access to an item shared with you in {organisation} on Coffer \
             ends at {}. After that it is no longer listed under \"Shared with me\":\n\n\
             {link}\n\nYou can choose which notices you receive on My account.\n",
            when(until_ms)
        ),
    }
}
