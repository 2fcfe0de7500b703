//! Coffer's server functions. The browser calls them as typed async
//! functions; on the server (`ssr` feature) each body is one call into
//! `coffer_core::Coffer`, with the session resolved by `ssr::door`.
//!
//! Every endpoint takes JSON, so the integration tests and any other client
//! can call `POST /api/<endpoint>` with a plain JSON object of the arguments.

pub mod error;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use error::ApiError;

use coffer_shared::types::*;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The session cookie's name: over https with the `__Host-` prefix, which
/// browsers accept only when Secure, for the whole site and no other host.
pub fn session_cookie(secure: bool) -> &'static str {
    if secure {
        "__Host-coffer_session"
    } else {
        "coffer_session"
    }
}

// ------------------------------------------------------------------ setup (ACC-1)

#[server(endpoint = "setup_status", input = Json)]
pub async fn get_setup_status() -> Result<SetupStatus, ApiError> {
    ssr::answer(ssr::door().await?.coffer.setup_status().await)
}

#[server(endpoint = "public_settings", input = Json)]
pub async fn get_public_settings() -> Result<PublicSettings, ApiError> {
    let d = ssr::door().await?;
    Ok(PublicSettings {
        password_min_length: d.coffer.config().password_min_length,
    })
}

/// `setup_code`: the one-time code the server prints at start-up.
#[server(endpoint = "setup_start", input = Json)]
pub async fn setup_start(
    email: String,
    setup_code: String,
    registration_request: Bytes,
) -> Result<Bytes, ApiError> {
    ssr::answer(
        ssr::door()
            .await?
            .coffer
            .setup_start(&email, &setup_code, &registration_request.0)
            .await,
    )
}

#[server(endpoint = "setup_finish", input = Json)]
pub async fn setup_finish(
    email: String,
    setup_code: String,
    registration_upload: Bytes,
    keys: KeyEnvelope,
) -> Result<(), ApiError> {
    ssr::answer(
        ssr::door()
            .await?
            .coffer
            .setup_finish(&email, &setup_code, &registration_upload.0, &keys)
            .await,
    )
}

// ------------------------------------------------------------------ invitations (ACC-3)

#[server(endpoint = "invitation", input = Json)]
pub async fn invitation(token: String) -> Result<InvitationView, ApiError> {
    ssr::answer(ssr::door().await?.coffer.invitation(&token).await)
}

#[server(endpoint = "accept_invitation_start", input = Json)]
pub async fn accept_invitation_start(
    token: String,
    registration_request: Bytes,
) -> Result<Bytes, ApiError> {
    ssr::answer(
        ssr::door()
            .await?
            .coffer
            .accept_invitation_start(&token, &registration_request.0)
            .await,
    )
}

#[server(endpoint = "accept_invitation_finish", input = Json)]
pub async fn accept_invitation_finish(
    token: String,
    registration_upload: Bytes,
    keys: KeyEnvelope,
) -> Result<(), ApiError> {
    ssr::answer(
        ssr::door()
            .await?
            .coffer
            .accept_invitation_finish(&token, &registration_upload.0, &keys)
            .await,
    )
}

// ------------------------------------------------------------------ sign-in (ACC-2) and sessions (ACC-8)

#[server(endpoint = "sign_in_start", input = Json)]
pub async fn sign_in_start(
    identifier: String,
    credential_request: Bytes,
) -> Result<LoginChallenge, ApiError> {
    ssr::answer(
        ssr::door()
            .await?
            .coffer
            .sign_in_start(&identifier, &credential_request.0)
            .await,
    )
}

/// The password step: a session, or a ticket for the second factor.
#[server(endpoint = "sign_in_finish", input = Json)]
pub async fn sign_in_finish(login_id: String, finalization: Bytes) -> Result<SignInStep, ApiError> {
    use coffer_core::accounts::SignInResult;
    let d = ssr::door().await?;
    let result = ssr::answer(
        d.coffer
            .sign_in_finish(&login_id, &finalization.0, &d.client)
            .await,
    )?;
    Ok(match result {
        SignInResult::Session(session) => {
            d.set_session_cookie(&session.token);
            SignInStep::SignedIn(session.signed_in)
        }
        SignInResult::SecondFactor(prompt) => SignInStep::SecondFactor(prompt),
    })
}

/// MFA-1: the second step, with a code from the authenticator app or a
/// recovery code.
#[server(endpoint = "sign_in_second_factor", input = Json)]
pub async fn sign_in_second_factor(ticket: String, code: String) -> Result<SignedIn, ApiError> {
    let d = ssr::door().await?;
    let session = ssr::answer(
        d.coffer
            .sign_in_second_factor(&ticket, &code, &d.client)
            .await,
    )?;
    d.set_session_cookie(&session.token);
    Ok(session.signed_in)
}

// ------------------------------------------------------------------ two-step sign-in (MFA-1)

#[server(endpoint = "two_step_status", input = Json)]
pub async fn get_two_step_status() -> Result<TwoStepStatus, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.two_step_status(d.actor.as_ref()).await)
}

/// `setup_token` is the mailed set-up link's token (MFA-2, MFA-3), needed
/// when the session may only set up a second factor.
#[server(endpoint = "totp_begin", input = Json)]
pub async fn totp_begin(setup_token: Option<String>) -> Result<TotpSetup, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .totp_begin(d.actor.as_ref(), setup_token.as_deref())
            .await,
    )
}

/// Returns the recovery codes, shown once.
#[server(endpoint = "totp_confirm", input = Json)]
pub async fn totp_confirm(code: String) -> Result<Vec<String>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.totp_confirm(d.actor.as_ref(), &code).await)
}

#[server(endpoint = "totp_disable", input = Json)]
pub async fn totp_disable(code: String) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.totp_disable(d.actor.as_ref(), &code).await)
}

/// First OPAQUE round of proving the password inside a session.
#[server(endpoint = "password_proof_start", input = Json)]
pub async fn password_proof_start(credential_request: Bytes) -> Result<LoginChallenge, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .password_proof_start(d.actor.as_ref(), &credential_request.0)
            .await,
    )
}

/// MFA-1: turn the authenticator app off against the password.
#[server(endpoint = "totp_disable_with_password", input = Json)]
pub async fn totp_disable_with_password(
    login_id: String,
    finalization: Bytes,
) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .totp_disable_with_password(d.actor.as_ref(), &login_id, &finalization.0)
            .await,
    )
}

/// MFA-3: an administrator re-seeds a member's authenticator.
#[server(endpoint = "reseed_second_factor", input = Json)]
pub async fn reseed_second_factor(
    organisation_id: String,
    account_id: String,
) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .reseed_second_factor(d.actor.as_ref(), &organisation_id, &account_id)
            .await,
    )
}

#[server(endpoint = "recovery_codes_renew", input = Json)]
pub async fn recovery_codes_renew(code: String) -> Result<Vec<String>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.recovery_codes_renew(d.actor.as_ref(), &code).await)
}

// ------------------------------------------------------------------ passkeys (MFA-4, MFA-5)

use coffer_shared::webauthn_rs_proto::{PublicKeyCredential, RegisterPublicKeyCredential};

#[server(endpoint = "passkeys", input = Json)]
pub async fn list_passkeys() -> Result<Vec<PasskeyView>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.passkeys(d.actor.as_ref()).await)
}

/// `setup_token`: the mailed set-up link's token (MFA-2, MFA-3), needed
/// when the session may only set up a second factor.
#[server(endpoint = "passkey_register_start", input = Json)]
pub async fn passkey_register_start(
    setup_token: Option<String>,
) -> Result<PasskeyCreation, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .passkey_register_start(d.actor.as_ref(), setup_token.as_deref())
            .await,
    )
}

/// `prf_wrapped_key`: the private key wrapped under the passkey's PRF
/// output, when the authenticator gave one while creating it.
#[server(endpoint = "passkey_register_finish", input = Json)]
pub async fn passkey_register_finish(
    ceremony_id: String,
    name: String,
    credential: RegisterPublicKeyCredential,
    prf_wrapped_key: Option<Bytes>,
) -> Result<PasskeyView, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .passkey_register_finish(
                d.actor.as_ref(),
                &ceremony_id,
                &name,
                &credential,
                prf_wrapped_key.as_ref().map(|b| b.0.as_slice()),
            )
            .await,
    )
}

#[server(endpoint = "passkey_set_key", input = Json)]
pub async fn passkey_set_key(
    passkey_id: String,
    prf_wrapped_key: Bytes,
) -> Result<PasskeyView, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .passkey_set_key(d.actor.as_ref(), &passkey_id, &prf_wrapped_key.0)
            .await,
    )
}

#[server(endpoint = "passkey_rename", input = Json)]
pub async fn passkey_rename(passkey_id: String, name: String) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .passkey_rename(d.actor.as_ref(), &passkey_id, &name)
            .await,
    )
}

#[server(endpoint = "passkey_remove", input = Json)]
pub async fn passkey_remove(passkey_id: String) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.passkey_remove(d.actor.as_ref(), &passkey_id).await)
}

/// "Sign in with a passkey", nothing typed.
#[server(endpoint = "passkey_sign_in_start", input = Json)]
pub async fn passkey_sign_in_start() -> Result<PasskeyRequest, ApiError> {
    ssr::answer(ssr::door().await?.coffer.passkey_sign_in_start().await)
}

#[server(endpoint = "passkey_sign_in_finish", input = Json)]
pub async fn passkey_sign_in_finish(
    ceremony_id: String,
    credential: PublicKeyCredential,
) -> Result<PasskeySignIn, ApiError> {
    let d = ssr::door().await?;
    let (session, answer) = ssr::answer(
        d.coffer
            .passkey_sign_in_finish(&ceremony_id, &credential, &d.client)
            .await,
    )?;
    d.set_session_cookie(&session.token);
    Ok(answer)
}

/// The second step of a password sign-in with a passkey.
#[server(endpoint = "passkey_second_factor_start", input = Json)]
pub async fn passkey_second_factor_start(ticket: String) -> Result<PasskeyRequest, ApiError> {
    ssr::answer(
        ssr::door()
            .await?
            .coffer
            .passkey_second_factor_start(&ticket)
            .await,
    )
}

#[server(endpoint = "passkey_second_factor_finish", input = Json)]
pub async fn passkey_second_factor_finish(
    ticket: String,
    ceremony_id: String,
    credential: PublicKeyCredential,
) -> Result<SignedIn, ApiError> {
    let d = ssr::door().await?;
    let session = ssr::answer(
        d.coffer
            .passkey_second_factor_finish(&ticket, &ceremony_id, &credential, &d.client)
            .await,
    )?;
    d.set_session_cookie(&session.token);
    Ok(session.signed_in)
}

/// MFA-5 fallback: after a passkey that cannot unlock the keys, the
/// password proves itself (the browser derives the unwrapping key on its
/// own); this second OPAQUE round clears the attempt's count.
#[server(endpoint = "password_proof_finish", input = Json)]
pub async fn password_proof_finish(login_id: String, finalization: Bytes) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .password_proof_finish(d.actor.as_ref(), &login_id, &finalization.0)
            .await,
    )
}

#[server(endpoint = "me", input = Json)]
pub async fn me() -> Result<SignedIn, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.me(d.actor.as_ref()).await)
}

#[server(endpoint = "sign_out", input = Json)]
pub async fn sign_out() -> Result<(), ApiError> {
    let d = ssr::door().await?;
    d.clear_session_cookie();
    match &d.token {
        Some(token) => ssr::answer(d.coffer.sign_out(token).await),
        None => Ok(()),
    }
}

#[server(endpoint = "sessions", input = Json)]
pub async fn sessions() -> Result<Vec<SessionView>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.sessions(d.actor.as_ref()).await)
}

/// `remove_passkeys`: also remove every passkey (a lost device).
#[server(endpoint = "terminate_all_sessions", input = Json)]
pub async fn terminate_all_sessions(remove_passkeys: Option<bool>) -> Result<u64, ApiError> {
    let d = ssr::door().await?;
    let n = ssr::answer(
        d.coffer
            .terminate_all_sessions(d.actor.as_ref(), remove_passkeys.unwrap_or(false))
            .await,
    )?;
    d.clear_session_cookie();
    Ok(n)
}

// ------------------------------------------------------------------ password change (ACC-5)

#[server(endpoint = "password_change_start", input = Json)]
pub async fn password_change_start(
    credential_request: Bytes,
    registration_request: Bytes,
) -> Result<PasswordChangeChallenge, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .password_change_start(
                d.actor.as_ref(),
                &credential_request.0,
                &registration_request.0,
            )
            .await,
    )
}

#[server(endpoint = "password_change_finish", input = Json)]
pub async fn password_change_finish(
    change_id: String,
    finalization: Bytes,
    registration_upload: Bytes,
    wrapped_private_key: Bytes,
    remove_passkeys: Option<bool>,
) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    let actor = d.actor.as_ref();
    ssr::answer(
        d.coffer
            .password_change_finish(
                actor,
                &change_id,
                &finalization.0,
                &registration_upload.0,
                &wrapped_private_key.0,
                remove_passkeys.unwrap_or(false),
            )
            .await,
    )
}

// ------------------------------------------------------------------ organisations and outbox

#[server(endpoint = "create_organisation", input = Json)]
pub async fn create_organisation(
    organisation: NewOrganisation,
) -> Result<OrganisationView, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .create_organisation(d.actor.as_ref(), &organisation)
            .await,
    )
}

#[server(endpoint = "organisations", input = Json)]
pub async fn organisations() -> Result<Vec<OrganisationView>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.organisations(d.actor.as_ref()).await)
}

#[server(endpoint = "outbox", input = Json)]
pub async fn outbox() -> Result<Vec<OutboxSummary>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.outbox(d.actor.as_ref()).await)
}

#[server(endpoint = "outbox_mail", input = Json)]
pub async fn read_outbox_mail(id: String) -> Result<OutboxMail, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.outbox_mail(d.actor.as_ref(), &id).await)
}

// ------------------------------------------------------------------ members (ORG-1, ORG-3, ORG-7)

#[server(endpoint = "members", input = Json)]
pub async fn list_members(
    organisation_id: String,
    query: MemberQuery,
) -> Result<MemberPage, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .members(d.actor.as_ref(), &organisation_id, &query)
            .await,
    )
}

#[server(endpoint = "add_member", input = Json)]
pub async fn add_member(organisation_id: String, member: NewMember) -> Result<MemberRow, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .add_member(d.actor.as_ref(), &organisation_id, &member)
            .await,
    )
}

#[server(endpoint = "member_columns", input = Json)]
pub async fn get_member_columns() -> Result<Vec<MemberColumn>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.member_columns(d.actor.as_ref()).await)
}

#[server(endpoint = "set_member_columns", input = Json)]
pub async fn set_member_columns(columns: Vec<MemberColumn>) -> Result<Vec<MemberColumn>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .set_member_columns(d.actor.as_ref(), &columns)
            .await,
    )
}

// ------------------------------------------------------------------ audit log (AUD-1)

#[server(endpoint = "audit_log", input = Json)]
pub async fn audit_log(
    organisation_id: String,
    query: AuditQuery,
) -> Result<AuditLogPage, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .audit_log(d.actor.as_ref(), &organisation_id, &query)
            .await,
    )
}

#[server(endpoint = "verify_audit_log", input = Json)]
pub async fn verify_audit_log(organisation_id: String) -> Result<ChainReport, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .verify_audit_log(d.actor.as_ref(), &organisation_id)
            .await,
    )
}

// ------------------------------------------------------------------ groups (ORG-6)

#[server(endpoint = "groups", input = Json)]
pub async fn list_groups(organisation_id: String) -> Result<Vec<GroupView>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.groups(d.actor.as_ref(), &organisation_id).await)
}

#[server(endpoint = "add_group", input = Json)]
pub async fn add_group(organisation_id: String, name: String) -> Result<GroupView, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .add_group(d.actor.as_ref(), &organisation_id, &name)
            .await,
    )
}

#[server(endpoint = "remove_group", input = Json)]
pub async fn remove_group(organisation_id: String, group_id: String) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .remove_group(d.actor.as_ref(), &organisation_id, &group_id)
            .await,
    )
}

#[server(endpoint = "update_member", input = Json)]
pub async fn update_member(
    organisation_id: String,
    account_id: String,
    change: MemberChange,
) -> Result<MemberRow, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .update_member(d.actor.as_ref(), &organisation_id, &account_id, &change)
            .await,
    )
}

// ------------------------------------------------------------------ own profile (ACC-9)

#[server(endpoint = "profile", input = Json)]
pub async fn get_profile() -> Result<Profile, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.profile(d.actor.as_ref()).await)
}

#[server(endpoint = "update_profile", input = Json)]
pub async fn update_profile(profile: Profile) -> Result<Profile, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.update_profile(d.actor.as_ref(), &profile).await)
}

// ------------------------------------------------------------------ contact login administrator (ACC-10)

/// Answers the same whether or not the address has an account.
#[server(endpoint = "contact_login_administrator", input = Json)]
pub async fn contact_login_administrator(email: String, message: String) -> Result<(), ApiError> {
    ssr::answer(
        ssr::door()
            .await?
            .coffer
            .contact_login_administrator(&email, &message)
            .await,
    )
}

// ------------------------------------------------------------------ lockout (ACC-6), reset (ACC-7), security question (ACC-5)

/// The browser found the password wrong by itself; answers the same for
/// every account.
#[server(endpoint = "sign_in_failed", input = Json)]
pub async fn sign_in_failed(login_id: String) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.sign_in_failed(&login_id, &d.client).await)
}

#[server(endpoint = "unlock_member", input = Json)]
pub async fn unlock_member(organisation_id: String, account_id: String) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .unlock_member(d.actor.as_ref(), &organisation_id, &account_id)
            .await,
    )
}

/// The emailed self-unlock link; returns the account's email.
#[server(endpoint = "unlock_with_link", input = Json)]
pub async fn unlock_with_link(token: String) -> Result<String, ApiError> {
    ssr::answer(ssr::door().await?.coffer.unlock_with_link(&token).await)
}

#[server(endpoint = "reset_member_password", input = Json)]
pub async fn reset_member_password(
    organisation_id: String,
    account_id: String,
) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .reset_member_password(d.actor.as_ref(), &organisation_id, &account_id)
            .await,
    )
}

#[server(endpoint = "reset_view", input = Json)]
pub async fn get_reset_view(token: String) -> Result<ResetView, ApiError> {
    ssr::answer(ssr::door().await?.coffer.reset_view(&token).await)
}

#[server(endpoint = "reset_password_start", input = Json)]
pub async fn reset_password_start(
    token: String,
    answer: String,
    registration_request: Bytes,
) -> Result<Bytes, ApiError> {
    ssr::answer(
        ssr::door()
            .await?
            .coffer
            .reset_password_start(&token, &answer, &registration_request.0)
            .await,
    )
}

#[server(endpoint = "reset_password_finish", input = Json)]
pub async fn reset_password_finish(
    token: String,
    answer: String,
    registration_upload: Bytes,
    keys: KeyEnvelope,
) -> Result<(), ApiError> {
    ssr::answer(
        ssr::door()
            .await?
            .coffer
            .reset_password_finish(&token, &answer, &registration_upload.0, &keys)
            .await,
    )
}

#[server(endpoint = "security_question", input = Json)]
pub async fn get_security_question() -> Result<String, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.security_question(d.actor.as_ref()).await)
}

#[server(endpoint = "set_security_question", input = Json)]
pub async fn set_security_question(question: String, answer: String) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .set_security_question(d.actor.as_ref(), &question, &answer)
            .await,
    )
}

// ------------------------------------------------------------------ removal (ORG-5), detail and history (ORG-11)

#[server(endpoint = "member_detail", input = Json)]
pub async fn get_member_detail(
    organisation_id: String,
    account_id: String,
) -> Result<MemberDetail, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .member_detail(d.actor.as_ref(), &organisation_id, &account_id)
            .await,
    )
}

#[server(endpoint = "member_history", input = Json)]
pub async fn member_history(
    organisation_id: String,
    account_id: String,
) -> Result<Vec<HistoryEntry>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .member_history(d.actor.as_ref(), &organisation_id, &account_id)
            .await,
    )
}

#[server(endpoint = "remove_member", input = Json)]
pub async fn remove_member(
    organisation_id: String,
    account_id: String,
    removal: MemberRemoval,
) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .remove_member(d.actor.as_ref(), &organisation_id, &account_id, &removal)
            .await,
    )
}

// ------------------------------------------------------------------ configuration (ORG-12), plans (ORG-8), logo (ORG-10)

#[server(endpoint = "organisation_settings", input = Json)]
pub async fn organisation_settings(
    organisation_id: String,
) -> Result<coffer_shared::settings::OrgSettings, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .organisation_settings(d.actor.as_ref(), &organisation_id)
            .await,
    )
}

#[server(endpoint = "update_organisation_settings", input = Json)]
pub async fn update_organisation_settings(
    organisation_id: String,
    settings: coffer_shared::settings::OrgSettings,
) -> Result<coffer_shared::settings::OrgSettings, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .update_organisation_settings(d.actor.as_ref(), &organisation_id, &settings)
            .await,
    )
}

#[server(endpoint = "plans", input = Json)]
pub async fn list_plans(organisation_id: String) -> Result<Vec<PlanView>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(d.coffer.plans(d.actor.as_ref(), &organisation_id).await)
}

/// Creates a plan, or changes the one named by `plan_id`.
#[server(endpoint = "save_plan", input = Json)]
pub async fn save_plan(
    organisation_id: String,
    plan_id: Option<String>,
    name: String,
    quota_gb: i64,
) -> Result<Vec<PlanView>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .save_plan(
                d.actor.as_ref(),
                &organisation_id,
                plan_id.as_deref(),
                &name,
                quota_gb,
            )
            .await,
    )
}

#[server(endpoint = "set_default_plan", input = Json)]
pub async fn set_default_plan(
    organisation_id: String,
    plan_id: String,
) -> Result<Vec<PlanView>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .set_default_plan(d.actor.as_ref(), &organisation_id, &plan_id)
            .await,
    )
}

#[server(endpoint = "remove_plan", input = Json)]
pub async fn remove_plan(
    organisation_id: String,
    plan_id: String,
) -> Result<Vec<PlanView>, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .remove_plan(d.actor.as_ref(), &organisation_id, &plan_id)
            .await,
    )
}

#[server(endpoint = "remove_logo", input = Json)]
pub async fn remove_logo(organisation_id: String) -> Result<(), ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .remove_logo(d.actor.as_ref(), &organisation_id)
            .await,
    )
}

// ------------------------------------------------------------------ CSV import (IMP-4)
// The file itself goes to `POST /upload/import` (a raw body, like the logo).

#[server(endpoint = "import_start", input = Json)]
pub async fn import_start(
    organisation_id: String,
    import_id: String,
) -> Result<coffer_shared::import::ImportStatus, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .import_start(d.actor.as_ref(), &organisation_id, &import_id)
            .await,
    )
}

#[server(endpoint = "import_status", input = Json)]
pub async fn import_status(
    organisation_id: String,
    import_id: String,
) -> Result<coffer_shared::import::ImportStatus, ApiError> {
    let d = ssr::door().await?;
    ssr::answer(
        d.coffer
            .import_status(d.actor.as_ref(), &organisation_id, &import_id)
            .await,
    )
}
