//! The browser's half of passkey ceremonies (MFA-4): the server's options
//! go to `navigator.credentials`, the authenticator's answer goes back.
//! MFA-5: every request also asks for the PRF extension evaluated on
//! Coffer's fixed input; its output stays here and is never part of what
//! is sent to the server.

use coffer_shared::mfa::PasskeyError;
use coffer_shared::webauthn_rs_proto::{
    AuthenticationExtensionsClientOutputs, AuthenticatorAssertionResponseRaw,
    AuthenticatorAttestationResponseRaw, CreationChallengeResponse, PublicKeyCredential,
    RegisterPublicKeyCredential, RegistrationExtensionsClientOutputs, RequestChallengeResponse,
};
use coffer_shared::worker::PASSKEY_PRF_INPUT;
use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// What creating a passkey gave.
pub struct Created {
    pub credential: RegisterPublicKeyCredential,
    /// The PRF output, when the authenticator evaluated it while creating.
    pub prf: Option<Vec<u8>>,
    /// The authenticator supports PRF (it may still need a sign-in-style
    /// request to evaluate it).
    pub prf_enabled: bool,
}

/// What a passkey sign-in gave.
pub struct Asserted {
    pub credential: PublicKeyCredential,
    pub prf: Option<Vec<u8>>,
}

pub fn supported() -> bool {
    web_sys::window()
        .and_then(|w| Reflect::get(&w, &"PublicKeyCredential".into()).ok())
        .is_some_and(|v| !v.is_undefined())
}

fn credentials() -> Result<web_sys::CredentialsContainer, PasskeyError> {
    if !supported() {
        return Err(PasskeyError::NotSupported);
    }
    web_sys::window()
        .map(|w| w.navigator().credentials())
        .ok_or(PasskeyError::NotSupported)
}

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn bytes(target: &JsValue, key: &str) -> Vec<u8> {
    let v = get(target, key);
    if v.is_undefined() || v.is_null() {
        Vec::new()
    } else {
        Uint8Array::new(&v).to_vec()
    }
}

/// `extensions.prf = { eval: { first: <Coffer's input> } }` on the
/// `publicKey` member of a credentials options object.
fn ask_for_prf(options: &JsValue) {
    let public_key = get(options, "publicKey");
    let mut extensions = get(&public_key, "extensions");
    if !extensions.is_object() {
        extensions = Object::new().into();
        let _ = Reflect::set(&public_key, &"extensions".into(), &extensions);
    }
    let first = Object::new();
    let input = PASSKEY_PRF_INPUT;
    let _ = Reflect::set(&first, &"first".into(), &Uint8Array::from(input.as_slice()));
    let eval = Object::new();
    let _ = Reflect::set(&eval, &"eval".into(), &first);
    let _ = Reflect::set(&extensions, &"prf".into(), &eval);
}

/// `{ enabled, first }` from `getClientExtensionResults().prf`.
fn prf_results(credential: &web_sys::PublicKeyCredential) -> (bool, Option<Vec<u8>>) {
    let results: JsValue = credential.get_client_extension_results().into();
    let prf = get(&results, "prf");
    if !prf.is_object() {
        return (false, None);
    }
    let first = get(&get(&prf, "results"), "first");
    let output =
        (!first.is_undefined() && !first.is_null()).then(|| Uint8Array::new(&first).to_vec());
    let enabled = get(&prf, "enabled").as_bool().unwrap_or(false) || output.is_some();
    (enabled, output)
}

fn failure(e: JsValue) -> PasskeyError {
    let name = e
        .dyn_ref::<web_sys::DomException>()
        .map(|d| d.name())
        .unwrap_or_default();
    match name.as_str() {
        // Cancelled, timed out, or no passkey for this site on the device.
        "NotAllowedError" | "AbortError" => PasskeyError::Cancelled,
        // A credential named in excludeCredentials lives here already.
        "InvalidStateError" => PasskeyError::AlreadyOnDevice,
        "NotSupportedError" | "SecurityError" => PasskeyError::NotSupported,
        _ => PasskeyError::NotVerified,
    }
}

async fn settle(
    promise: Result<js_sys::Promise, JsValue>,
) -> Result<web_sys::PublicKeyCredential, PasskeyError> {
    let value = JsFuture::from(promise.map_err(failure)?)
        .await
        .map_err(failure)?;
    value
        .dyn_into::<web_sys::PublicKeyCredential>()
        .map_err(|_| PasskeyError::NotVerified)
}

pub async fn create(options: CreationChallengeResponse) -> Result<Created, PasskeyError> {
    let container = credentials()?;
    let js_options = web_sys::CredentialCreationOptions::from(options);
    ask_for_prf(&js_options);
    let credential = settle(container.create_with_options(&js_options)).await?;
    let (prf_enabled, prf) = prf_results(&credential);
    let response = get(&credential, "response");
    let raw_id = bytes(&credential, "rawId");
    Ok(Created {
        credential: RegisterPublicKeyCredential {
            id: credential.id(),
            raw_id,
            response: AuthenticatorAttestationResponseRaw {
                attestation_object: bytes(&response, "attestationObject"),
                client_data_json: bytes(&response, "clientDataJSON"),
                transports: None,
            },
            type_: "public-key".into(),
            extensions: RegistrationExtensionsClientOutputs::default(),
        },
        prf,
        prf_enabled,
    })
}

pub async fn assert(options: RequestChallengeResponse) -> Result<Asserted, PasskeyError> {
    let container = credentials()?;
    let js_options = web_sys::CredentialRequestOptions::from(options);
    ask_for_prf(&js_options);
    let credential = settle(container.get_with_options(&js_options)).await?;
    let (_, prf) = prf_results(&credential);
    let response = get(&credential, "response");
    let user_handle = bytes(&response, "userHandle");
    Ok(Asserted {
        credential: PublicKeyCredential {
            id: credential.id(),
            raw_id: bytes(&credential, "rawId"),
            response: AuthenticatorAssertionResponseRaw {
                authenticator_data: bytes(&response, "authenticatorData"),
                client_data_json: bytes(&response, "clientDataJSON"),
                signature: bytes(&response, "signature"),
                user_handle: (!user_handle.is_empty()).then_some(user_handle),
            },
            extensions: AuthenticationExtensionsClientOutputs::default(),
            type_: "public-key".into(),
        },
        prf,
    })
}

/// MFA-5 after creating: authenticators that cannot evaluate the PRF while
/// creating do so on a request. The answer is only used here, so the
/// challenge is local and nothing goes to the server.
pub async fn evaluate_prf(raw_id: &[u8]) -> Result<Option<Vec<u8>>, PasskeyError> {
    let container = credentials()?;
    // The browser's random source; nothing checks this challenge.
    let mut challenge = [0u8; 32];
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .and_then(|c| c.get_random_values_with_u8_array(&mut challenge).ok())
        .ok_or(PasskeyError::NotSupported)?;
    let descriptor = Object::new();
    let _ = Reflect::set(&descriptor, &"type".into(), &"public-key".into());
    let _ = Reflect::set(&descriptor, &"id".into(), &Uint8Array::from(raw_id));
    let public_key = Object::new();
    let _ = Reflect::set(
        &public_key,
        &"challenge".into(),
        &Uint8Array::from(challenge.as_slice()),
    );
    let _ = Reflect::set(
        &public_key,
        &"allowCredentials".into(),
        &js_sys::Array::of1(&descriptor),
    );
    let _ = Reflect::set(&public_key, &"userVerification".into(), &"required".into());
    let options = Object::new();
    let _ = Reflect::set(&options, &"publicKey".into(), &public_key);
    ask_for_prf(&options);
    let options: web_sys::CredentialRequestOptions = options.unchecked_into();
    let credential = settle(container.get_with_options(&options)).await?;
    Ok(prf_results(&credential).1)
}
