//! The browser's half of each credential ceremony: OPAQUE messages, key
//! generation, wrapping and unwrapping. Passwords go no further than here.

use coffer_api::ApiError;
use coffer_shared::crypto::{self, ExportKey, MemberKeys};
use coffer_shared::errors::{InputError, PasskeyError, SignInError};
use coffer_shared::types::{
    Bytes, KeyEnvelope, PasskeyView, SecondFactorPrompt, SignInStep, SignedIn,
};
use wasm_bindgen::JsCast;

use crate::webauthn;

/// Lets the page paint ("Working…") before Argon2 occupies the thread.
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

/// Registers a password with OPAQUE and makes a fresh key pair wrapped under
/// the export key. `start` sends the registration request and returns the
/// server's response.
async fn register<F, Fut>(password: &str, start: F) -> Result<(Vec<u8>, KeyEnvelope), ApiError>
where
    F: FnOnce(Bytes) -> Fut,
    Fut: std::future::Future<Output = Result<Bytes, ApiError>>,
{
    yield_to_browser().await;
    let (state, request) = crypto::client_registration_start(password).map_err(|_| malformed())?;
    let response = start(Bytes(request)).await?;
    yield_to_browser().await;
    let (upload, export) = crypto::client_registration_finish(state, password, &response.0)
        .map_err(|_| malformed())?;
    let keys = MemberKeys::generate();
    let envelope = KeyEnvelope {
        public_key: keys.public_key(),
        wrapped_private_key: Bytes(keys.wrap(&export)),
    };
    Ok((upload, envelope))
}

pub async fn set_up(email: String, code: String, password: String) -> Result<(), ApiError> {
    let (e, c) = (email.clone(), code.clone());
    let (upload, keys) = register(&password, |req| coffer_api::setup_start(e, c, req)).await?;
    coffer_api::setup_finish(email, code, Bytes(upload), keys).await
}

pub async fn accept_invitation(token: String, password: String) -> Result<(), ApiError> {
    let t = token.clone();
    let (upload, keys) =
        register(&password, |req| coffer_api::accept_invitation_start(t, req)).await?;
    coffer_api::accept_invitation_finish(token, Bytes(upload), keys).await
}

/// Where the password step left a sign-in.
pub enum SignInOutcome {
    Done(SignedIn, MemberKeys),
    /// MFA-2/MFA-3: a session that may only set up a second factor carries
    /// no keys; the export key waits in memory until the factor is set up.
    SetUpFirst(SignedIn, ExportKey),
    /// The export key waits in memory for the second factor: the wrapped
    /// keys come only with the session.
    SecondFactor(SecondFactorPrompt, ExportKey),
}

/// OPAQUE sign-in, then unwrap the private key with the export key.
pub async fn sign_in(identifier: String, password: String) -> Result<SignInOutcome, ApiError> {
    yield_to_browser().await;
    let (state, request) = crypto::client_login_start(&password).map_err(|_| malformed())?;
    let challenge = coffer_api::sign_in_start(identifier, Bytes(request)).await?;
    yield_to_browser().await;
    // Wrong password and unknown account fail here alike.
    let Ok((finalization, export)) =
        crypto::client_login_finish(state, &password, &challenge.credential_response.0)
    else {
        // Reported so the failure counts towards the lockout at once.
        let _ = coffer_api::sign_in_failed(challenge.login_id).await;
        return Err(SignInError::Failed.into());
    };
    match coffer_api::sign_in_finish(challenge.login_id, Bytes(finalization)).await? {
        SignInStep::SignedIn(signed_in) if signed_in.keys.is_none() => {
            Ok(SignInOutcome::SetUpFirst(signed_in, export))
        }
        SignInStep::SignedIn(signed_in) => {
            let keys = unlock(&signed_in, &export)?;
            Ok(SignInOutcome::Done(signed_in, keys))
        }
        SignInStep::SecondFactor(prompt) => Ok(SignInOutcome::SecondFactor(prompt, export)),
    }
}

/// MFA-1: the code from the authenticator app (or a recovery code), then
/// the keys unlock with the export key kept from the password step.
pub async fn second_factor(
    ticket: String,
    code: String,
    export: &ExportKey,
) -> Result<(SignedIn, MemberKeys), ApiError> {
    let signed_in = coffer_api::sign_in_second_factor(ticket, code).await?;
    let keys = unlock(&signed_in, export)?;
    Ok((signed_in, keys))
}

pub fn unlock(signed_in: &SignedIn, export: &ExportKey) -> Result<MemberKeys, ApiError> {
    let keys = signed_in
        .keys
        .as_ref()
        .ok_or(ApiError::from(InputError::InvalidKeyMaterial))?;
    MemberKeys::unwrap(&keys.wrapped_private_key.0, export, &keys.public_key)
        .map_err(|_| ApiError::from(InputError::InvalidKeyMaterial))
}

/// Proves the current password and registers the new one; the same key
/// pair is re-wrapped under the new export key.
pub async fn change_password(
    current: String,
    new: String,
    remove_passkeys: bool,
) -> Result<(), ApiError> {
    yield_to_browser().await;
    let (login, credential_request) =
        crypto::client_login_start(&current).map_err(|_| malformed())?;
    let (registration, registration_request) =
        crypto::client_registration_start(&new).map_err(|_| malformed())?;
    let challenge =
        coffer_api::password_change_start(Bytes(credential_request), Bytes(registration_request))
            .await?;
    yield_to_browser().await;
    let (finalization, old_export) =
        crypto::client_login_finish(login, &current, &challenge.credential_response.0)
            .map_err(|_| ApiError::from(SignInError::WrongCurrentPassword))?;
    let me = coffer_api::me().await?;
    let keys = unlock(&me, &old_export)?;
    yield_to_browser().await;
    let (upload, new_export) =
        crypto::client_registration_finish(registration, &new, &challenge.registration_response.0)
            .map_err(|_| malformed())?;
    coffer_api::password_change_finish(
        challenge.change_id,
        Bytes(finalization),
        Bytes(upload),
        Bytes(keys.wrap(&new_export)),
        Some(remove_passkeys),
    )
    .await
}

/// ACC-7: a new password from an emailed reset link, with a fresh key pair
/// (there is no key escrow to recover the old one from).
pub async fn reset_password(
    token: String,
    answer: String,
    password: String,
) -> Result<(), ApiError> {
    let (t, a) = (token.clone(), answer.clone());
    let (upload, keys) =
        register(&password, |req| coffer_api::reset_password_start(t, a, req)).await?;
    coffer_api::reset_password_finish(token, answer, Bytes(upload), keys).await
}

/// MFA-1: turns the authenticator app off by proving the password with
/// OPAQUE (the password still never leaves the browser).
pub async fn disable_two_step_with_password(password: String) -> Result<(), ApiError> {
    yield_to_browser().await;
    let (state, request) = crypto::client_login_start(&password).map_err(|_| malformed())?;
    let challenge = coffer_api::password_proof_start(Bytes(request)).await?;
    yield_to_browser().await;
    let (finalization, _) =
        crypto::client_login_finish(state, &password, &challenge.credential_response.0)
            .map_err(|_| ApiError::from(SignInError::WrongCurrentPassword))?;
    coffer_api::totp_disable_with_password(challenge.login_id, Bytes(finalization)).await
}

// ---------------------------------------------------------------- passkeys (MFA-4, MFA-5)

/// Creates a passkey and registers it under `name`. With the member's keys
/// unlocked in this tab and a PRF-capable authenticator, the private key is
/// also wrapped under the PRF output, so the passkey alone unlocks it.
pub async fn add_passkey(
    name: String,
    keys: Option<MemberKeys>,
    setup_token: Option<String>,
) -> Result<AddedPasskey, ApiError> {
    let start = coffer_api::passkey_register_start(setup_token).await?;
    let created = webauthn::create(start.options).await?;
    let wrapped = match (&keys, &created.prf) {
        (Some(k), Some(prf)) => Some(Bytes(k.wrap_for_passkey(prf))),
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
                    coffer_api::passkey_set_key(view.id.clone(), Bytes(k.wrap_for_passkey(&prf)))
                        .await?
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
    keys: &MemberKeys,
) -> Result<PasskeyView, ApiError> {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
    let raw_id = URL_SAFE_NO_PAD
        .decode(&passkey.credential_id)
        .map_err(|_| malformed())?;
    let prf = webauthn::evaluate_prf(&raw_id)
        .await?
        .ok_or(PasskeyError::NoPrf)?;
    coffer_api::passkey_set_key(passkey.id.clone(), Bytes(keys.wrap_for_passkey(&prf))).await
}

/// Where a passkey sign-in left the keys.
pub enum PasskeyOutcome {
    Unlocked(SignedIn, MemberKeys),
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
            MemberKeys::unwrap_with_passkey(&wrapped.0, prf, &answer.signed_in.account.public_key)
                .ok()
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
    export: &ExportKey,
) -> Result<(SignedIn, MemberKeys), ApiError> {
    let start = coffer_api::passkey_second_factor_start(ticket.clone()).await?;
    let asserted = webauthn::assert(start.options).await?;
    let signed_in =
        coffer_api::passkey_second_factor_finish(ticket, start.ceremony_id, asserted.credential)
            .await?;
    let keys = unlock(&signed_in, export)?;
    Ok((signed_in, keys))
}

/// Proves the password with OPAQUE inside the session (it never leaves the
/// browser); the server then counts the session as freshly proved. Returns
/// the export key.
pub async fn prove_password(password: String) -> Result<ExportKey, ApiError> {
    yield_to_browser().await;
    let (state, request) = crypto::client_login_start(&password).map_err(|_| malformed())?;
    let challenge = coffer_api::password_proof_start(Bytes(request)).await?;
    yield_to_browser().await;
    let (finalization, export) =
        crypto::client_login_finish(state, &password, &challenge.credential_response.0)
            .map_err(|_| ApiError::from(SignInError::WrongCurrentPassword))?;
    coffer_api::password_proof_finish(challenge.login_id, Bytes(finalization)).await?;
    Ok(export)
}

/// MFA-5 fallback: the password, proved with OPAQUE inside the session,
/// gives the export key that unwraps the private key.
pub async fn unlock_with_password(password: String) -> Result<(SignedIn, MemberKeys), ApiError> {
    let export = prove_password(password).await?;
    let me = coffer_api::me().await?;
    let keys = unlock(&me, &export)?;
    Ok((me, keys))
}
