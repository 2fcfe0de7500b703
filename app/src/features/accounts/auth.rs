//! The browser's half of each credential ceremony: the page carries the
//! OPAQUE messages and key envelopes between the server and the crypto
//! worker (`crate::crypto_worker`), which does the cryptography. Passwords
//! go no further than the worker; export keys never leave it.

use coffer_api::ApiError;
use coffer_shared::accounts::SignInError;
use coffer_shared::accounts::{KeyEnvelope, SecondFactorPrompt, SignInStep, SignedIn};
use coffer_shared::errors::InputError;
use coffer_shared::mfa::PasskeyError;
use coffer_shared::mfa::PasskeyView;
use coffer_shared::types::Bytes;
use coffer_shared::worker::{Answer, Ceremony, Failure, Job, Rewrap, Unlocked};
use wasm_bindgen::JsCast;

use crate::crypto_worker;
use crate::features::mfa::webauthn;

/// An export key, kept in the crypto worker under this ceremony.
pub type ExportKey = Ceremony;

/// Lets the page paint ("Working…") before a long step occupies the thread.
pub async fn yield_to_browser() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w
                .set_timeout_with_callback_and_timeout_and_arguments_0(resolve.unchecked_ref(), 30);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

fn malformed() -> ApiError {
    InputError::InvalidProtocolMessage.into()
}

/// A worker failure other than a wrong password.
fn refusal(f: Failure) -> ApiError {
    match f {
        Failure::UnwrapFailed => InputError::InvalidKeyMaterial.into(),
        // The last five come only from file transfers.
        Failure::AuthenticationFailed
        | Failure::Malformed
        | Failure::UnknownCeremony
        | Failure::Tampered
        | Failure::Network
        | Failure::Unreadable
        | Failure::Cancelled
        | Failure::Unwritable => malformed(),
    }
}

/// The first OPAQUE message of a sign-in or password proof.
async fn login_start(password: String) -> Result<(Ceremony, Bytes), ApiError> {
    match crypto_worker::run(Job::LoginStart { password }).await? {
        Answer::Started { ceremony, message } => Ok((ceremony, message)),
        Answer::Failed(f) => Err(refusal(f)),
        _ => Err(malformed()),
    }
}

/// The finalization for the server, or `wrong` when the password is wrong
/// (or the account unknown: OPAQUE cannot tell). The export key stays in
/// the worker under the same ceremony.
async fn login_finish(
    ceremony: Ceremony,
    response: Bytes,
    wrong: impl FnOnce() -> ApiError,
) -> Result<Bytes, ApiError> {
    match crypto_worker::run(Job::LoginFinish { ceremony, response }).await? {
        Answer::LoggedIn { finalization } => Ok(finalization),
        Answer::Failed(Failure::AuthenticationFailed) => Err(wrong()),
        Answer::Failed(f) => Err(refusal(f)),
        _ => Err(malformed()),
    }
}

async fn registration_start(password: String) -> Result<(Ceremony, Bytes), ApiError> {
    match crypto_worker::run(Job::RegistrationStart { password }).await? {
        Answer::Started { ceremony, message } => Ok((ceremony, message)),
        Answer::Failed(f) => Err(refusal(f)),
        _ => Err(malformed()),
    }
}

/// The upload for the server and the key pair (fresh, or `keep` carried
/// over) wrapped under the new export key.
async fn registration_finish(
    ceremony: Ceremony,
    response: Bytes,
    keep: Option<Rewrap>,
) -> Result<(Bytes, KeyEnvelope), ApiError> {
    let job = Job::RegistrationFinish {
        ceremony,
        response,
        keep,
    };
    match crypto_worker::run(job).await? {
        Answer::Registered { upload, keys } => Ok((upload, keys)),
        Answer::Failed(f) => Err(refusal(f)),
        _ => Err(malformed()),
    }
}

/// Drops an export key the page no longer needs.
pub async fn forget(export: ExportKey) {
    let _ = crypto_worker::run(Job::Forget { ceremony: export }).await;
}

/// Registers a password with OPAQUE and makes a fresh key pair wrapped under
/// the export key. `start` sends the registration request and returns the
/// server's response.
async fn register<F, Fut>(password: &str, start: F) -> Result<(Bytes, KeyEnvelope), ApiError>
where
    F: FnOnce(Bytes) -> Fut,
    Fut: std::future::Future<Output = Result<Bytes, ApiError>>,
{
    let (ceremony, request) = registration_start(password.to_string()).await?;
    let response = start(request).await?;
    registration_finish(ceremony, response, None).await
}

pub async fn set_up(email: String, code: String, password: String) -> Result<(), ApiError> {
    let (e, c) = (email.clone(), code.clone());
    let (upload, keys) = register(&password, |req| coffer_api::setup_start(e, c, req)).await?;
    coffer_api::setup_finish(email, code, upload, keys).await
}

pub async fn accept_invitation(token: String, password: String) -> Result<(), ApiError> {
    let t = token.clone();
    let (upload, keys) =
        register(&password, |req| coffer_api::accept_invitation_start(t, req)).await?;
    coffer_api::accept_invitation_finish(token, upload, keys).await
}

/// Where the password step left a sign-in.
pub enum SignInOutcome {
    Done(SignedIn, Unlocked),
    /// MFA-2/MFA-3: a session that may only set up a second factor carries
    /// no keys; the export key waits in the worker until the factor is set up.
    SetUpFirst(SignedIn, ExportKey),
    /// The export key waits in the worker for the second factor: the
    /// wrapped keys come only with the session.
    SecondFactor(SecondFactorPrompt, ExportKey),
}

/// OPAQUE sign-in, then unwrap the private key with the export key.
pub async fn sign_in(identifier: String, password: String) -> Result<SignInOutcome, ApiError> {
    let (ceremony, request) = login_start(password).await?;
    let challenge = coffer_api::sign_in_start(identifier, request).await?;
    // Wrong password and unknown account fail here alike.
    let login_id = challenge.login_id.clone();
    let finalization = match login_finish(ceremony, challenge.credential_response, || {
        SignInError::Failed.into()
    })
    .await
    {
        Ok(f) => f,
        Err(e) => {
            // Reported so the failure counts towards the lockout at once.
            if e == ApiError::from(SignInError::Failed) {
                let _ = coffer_api::sign_in_failed(login_id).await;
            }
            return Err(e);
        }
    };
    match coffer_api::sign_in_finish(challenge.login_id, finalization).await? {
        SignInStep::SignedIn(signed_in) if signed_in.keys.is_none() => {
            Ok(SignInOutcome::SetUpFirst(signed_in, ceremony))
        }
        SignInStep::SignedIn(signed_in) => {
            let keys = unlock(&signed_in, ceremony).await?;
            forget(ceremony).await;
            Ok(SignInOutcome::Done(signed_in, keys))
        }
        SignInStep::SecondFactor(prompt) => Ok(SignInOutcome::SecondFactor(prompt, ceremony)),
    }
}

/// MFA-1: the code from the authenticator app (or a recovery code), then
/// the keys unlock with the export key kept from the password step.
pub async fn second_factor(
    ticket: String,
    code: String,
    export: ExportKey,
) -> Result<(SignedIn, Unlocked), ApiError> {
    let signed_in = coffer_api::sign_in_second_factor(ticket, code).await?;
    let keys = unlock(&signed_in, export).await?;
    forget(export).await;
    Ok((signed_in, keys))
}

/// The member's keys, opened in the worker with a kept export key.
pub async fn unlock(signed_in: &SignedIn, export: ExportKey) -> Result<Unlocked, ApiError> {
    let keys = signed_in
        .keys
        .clone()
        .ok_or(ApiError::from(InputError::InvalidKeyMaterial))?;
    if let Some(handover) = signed_in.handover.clone() {
        return take_handover(keys.public_key, handover, export).await;
    }
    match crypto_worker::run(Job::Unlock {
        ceremony: export,
        keys,
    })
    .await?
    {
        Answer::Unlocked(u) => Ok(u),
        _ => Err(InputError::InvalidKeyMaterial.into()),
    }
}

/// ACC-7 with recovery: the first sign-in after a reset that kept the
/// keys takes them from the handover a Liaison's browser made (opened with
/// the one-off key kept under the new password) and stores them wrapped
/// under the new password, as any other sign-in finds them.
async fn take_handover(
    member_public_key: String,
    handover: coffer_shared::recovery::Handover,
    export: ExportKey,
) -> Result<Unlocked, ApiError> {
    match crypto_worker::run(Job::TakeHandover {
        ceremony: export,
        member_public_key,
        handover,
    })
    .await?
    {
        Answer::Recovered {
            keys,
            wrapped_private_key,
        } => {
            coffer_api::restore_keys(wrapped_private_key).await?;
            Ok(keys)
        }
        Answer::Failed(f) => Err(refusal(f)),
        _ => Err(malformed()),
    }
}

/// Proves the current password and registers the new one; the same key
/// pair is re-wrapped under the new export key.
pub async fn change_password(
    current: String,
    new: String,
    remove_passkeys: bool,
) -> Result<(), ApiError> {
    let (login, credential_request) = login_start(current).await?;
    let (registration, registration_request) = registration_start(new).await?;
    let challenge =
        coffer_api::password_change_start(credential_request, registration_request).await?;
    let finalization = login_finish(login, challenge.credential_response, || {
        SignInError::WrongCurrentPassword.into()
    })
    .await?;
    let me = coffer_api::me().await?;
    let keep = Rewrap {
        with: login,
        keys: me
            .keys
            .ok_or(ApiError::from(InputError::InvalidKeyMaterial))?,
    };
    let outcome =
        registration_finish(registration, challenge.registration_response, Some(keep)).await;
    forget(login).await;
    let (upload, keys) = outcome?;
    coffer_api::password_change_finish(
        challenge.change_id,
        finalization,
        upload,
        keys.wrapped_private_key,
        Some(remove_passkeys),
    )
    .await
}

/// ACC-7: a new password from an emailed reset link. Without recovery the
/// fresh key pair becomes the member's; with `keep_keys` (CRY-6) it is the
/// one-off pair a Liaison's browser hands the member's own keys over to.
pub async fn reset_password(
    token: String,
    answer: String,
    password: String,
    keep_keys: bool,
) -> Result<(), ApiError> {
    let (t, a) = (token.clone(), answer.clone());
    let (upload, keys) =
        register(&password, |req| coffer_api::reset_password_start(t, a, req)).await?;
    coffer_api::reset_password_finish(token, answer, upload, keys, keep_keys).await
}

/// MFA-1: turns the authenticator app off by proving the password with
/// OPAQUE (the password still never leaves the browser).
pub async fn disable_two_step_with_password(password: String) -> Result<(), ApiError> {
    let (ceremony, request) = login_start(password).await?;
    let challenge = coffer_api::password_proof_start(request).await?;
    let finalization = login_finish(ceremony, challenge.credential_response, || {
        SignInError::WrongCurrentPassword.into()
    })
    .await;
    forget(ceremony).await;
    coffer_api::totp_disable_with_password(challenge.login_id, finalization?).await
}

/// MFA-5: a wrapping of the unlocked keys under a passkey's PRF output.
pub async fn wrap_for_passkey(keys: &Unlocked, prf: &[u8]) -> Result<Bytes, ApiError> {
    let job = Job::WrapForPasskey {
        secret: keys.secret.clone(),
        prf: Bytes(prf.to_vec()),
    };
    match crypto_worker::run(job).await? {
        Answer::Wrapped(wrapped) => Ok(wrapped),
        Answer::Failed(f) => Err(refusal(f)),
        _ => Err(malformed()),
    }
}

// ---------------------------------------------------------------- passkeys (MFA-4, MFA-5)

/// Creates a passkey and registers it under `name`. With the member's keys
/// unlocked in this tab and a PRF-capable authenticator, the private key is
/// also wrapped under the PRF output, so the passkey alone unlocks it.
pub async fn add_passkey(
    name: String,
    keys: Option<Unlocked>,
    setup_token: Option<String>,
) -> Result<AddedPasskey, ApiError> {
    let start = coffer_api::passkey_register_start(setup_token).await?;
    let created = webauthn::create(start.options).await?;
    let wrapped = match (&keys, &created.prf) {
        (Some(k), Some(prf)) => Some(wrap_for_passkey(k, prf).await?),
        _ => None,
    };
    let raw_id = created.credential.raw_id.clone();
    let view =
        coffer_api::passkey_register_finish(start.ceremony_id, name, created.credential, wrapped)
            .await?;
    let prf_supported = created.prf_enabled;
    // Keys locked (a session that may only set up a factor gets none): the
    // PRF output waits in memory to wrap them once they unlock.
    let prf_for_later = match (&keys, &created.prf) {
        (None, Some(prf)) => Some(zeroize::Zeroizing::new(prf.clone())),
        _ => None,
    };
    let view = match keys {
        // The authenticator evaluates PRF only on a request: one more touch.
        Some(k) if created.prf.is_none() && created.prf_enabled => {
            match webauthn::evaluate_prf(&raw_id).await {
                Ok(Some(prf)) => {
                    let wrapped = wrap_for_passkey(&k, &prf).await?;
                    coffer_api::passkey_set_key(view.id.clone(), wrapped).await?
                }
                // Registered all the same; it signs in, the password unlocks.
                _ => view,
            }
        }
        _ => view,
    };
    Ok(AddedPasskey {
        view,
        prf_supported,
        prf_for_later,
    })
}

pub struct AddedPasskey {
    pub view: PasskeyView,
    /// The PRF output, when the keys were locked while it was created.
    pub prf_for_later: Option<zeroize::Zeroizing<Vec<u8>>>,
    /// The authenticator supports PRF (whether or not the keys could be
    /// wrapped: they may have been locked in this tab).
    pub prf_supported: bool,
}

/// MFA-5 for a passkey added while the keys were locked: asks it for its
/// PRF output and stores the wrapping.
pub async fn let_passkey_unlock(
    passkey: &PasskeyView,
    keys: &Unlocked,
) -> Result<PasskeyView, ApiError> {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
    let raw_id = URL_SAFE_NO_PAD
        .decode(&passkey.credential_id)
        .map_err(|_| malformed())?;
    let prf = webauthn::evaluate_prf(&raw_id)
        .await?
        .ok_or(PasskeyError::NoPrf)?;
    let wrapped = wrap_for_passkey(keys, &prf).await?;
    coffer_api::passkey_set_key(passkey.id.clone(), wrapped).await
}

/// Where a passkey sign-in left the keys.
pub enum PasskeyOutcome {
    Unlocked(SignedIn, Unlocked),
    /// Signed in, but the passkey has no PRF wrapping (or its authenticator
    /// gave no PRF output): the password unlocks the keys.
    NeedsPassword(SignedIn),
}

/// MFA-4: "Sign in with a passkey", nothing typed; MFA-5: the keys unlock
/// with the PRF output when the passkey has a wrapping for it.
pub async fn sign_in_with_passkey() -> Result<PasskeyOutcome, ApiError> {
    let start = coffer_api::passkey_sign_in_start().await?;
    let asserted = webauthn::assert(start.options).await?;
    let answer = coffer_api::passkey_sign_in_finish(start.ceremony_id, asserted.credential).await?;
    let keys = match (&answer.prf_wrapped_key, &asserted.prf) {
        (Some(wrapped), Some(prf)) => {
            let job = Job::UnlockWithPasskey {
                prf: Bytes(prf.clone()),
                keys: KeyEnvelope {
                    public_key: answer.signed_in.account.public_key.clone(),
                    wrapped_private_key: wrapped.clone(),
                },
            };
            match crypto_worker::run(job).await? {
                Answer::Unlocked(u) => Some(u),
                _ => None,
            }
        }
        _ => None,
    };
    Ok(match keys {
        Some(keys) => PasskeyOutcome::Unlocked(answer.signed_in, keys),
        None => PasskeyOutcome::NeedsPassword(answer.signed_in),
    })
}

/// The second step with a passkey; the keys unlock with the export key
/// kept from the password step.
pub async fn second_factor_passkey(
    ticket: String,
    export: ExportKey,
) -> Result<(SignedIn, Unlocked), ApiError> {
    let start = coffer_api::passkey_second_factor_start(ticket.clone()).await?;
    let asserted = webauthn::assert(start.options).await?;
    let signed_in =
        coffer_api::passkey_second_factor_finish(ticket, start.ceremony_id, asserted.credential)
            .await?;
    let keys = unlock(&signed_in, export).await?;
    forget(export).await;
    Ok((signed_in, keys))
}

/// Proves the password with OPAQUE inside the session (it never leaves the
/// browser); the server then counts the session as freshly proved. Returns
/// the export key, kept in the worker; forget it when done.
pub async fn prove_password(password: String) -> Result<ExportKey, ApiError> {
    let (ceremony, request) = login_start(password).await?;
    let challenge = coffer_api::password_proof_start(request).await?;
    let finalization = login_finish(ceremony, challenge.credential_response, || {
        SignInError::WrongCurrentPassword.into()
    })
    .await?;
    coffer_api::password_proof_finish(challenge.login_id, finalization).await?;
    Ok(ceremony)
}

/// MFA-5 fallback: the password, proved with OPAQUE inside the session,
/// gives the export key that unwraps the private key.
pub async fn unlock_with_password(password: String) -> Result<(SignedIn, Unlocked), ApiError> {
    let export = prove_password(password).await?;
    let me = coffer_api::me().await;
    let keys = match &me {
        Ok(me) => unlock(me, export).await,
        Err(e) => Err(e.clone()),
    };
    forget(export).await;
    Ok((me?, keys?))
}
