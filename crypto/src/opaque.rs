//! OPAQUE (RFC 9807, via `opaque-ke`): the browser's half registers and
//! proves a password without sending it; the server's half keeps only the
//! registration record and its own secret.

use opaque_ke::{
    ClientLogin, ClientLoginFinishParameters, ClientRegistration,
    ClientRegistrationFinishParameters, CredentialFinalization, CredentialRequest,
    CredentialResponse, RegistrationRequest, RegistrationResponse, RegistrationUpload, ServerLogin,
    ServerLoginStartParameters, ServerRegistration, ServerSetup,
};
use rand::rngs::OsRng;
use zeroize::Zeroizing;

use crate::{CryptoError, ExportKey};

/// Ristretto255 OPRF and 3DH key exchange; Argon2id (m=19 MiB, t=2, p=1, the
/// OWASP baseline) stretches the password on the client.
pub struct Suite;

impl opaque_ke::CipherSuite for Suite {
    type OprfCs = opaque_ke::Ristretto255;
    type KeGroup = opaque_ke::Ristretto255;
    type KeyExchange = opaque_ke::key_exchange::tripledh::TripleDh;
    type Ksf = argon2::Argon2<'static>;
}

/// RFC 9807's application context, bound into every key exchange, so a
/// transcript of Coffer's OPAQUE can be mistaken for no other protocol's.
const OPAQUE_CONTEXT: &[u8] = b"coffer/v1";
/// The server identity bound into every envelope and key exchange (RFC 9807
/// recommends one). A fixed application name rather than a host name, so
/// moving the instance to another address does not invalidate passwords;
/// the server's own public key is bound in any case.
const OPAQUE_SERVER_ID: &[u8] = b"coffer";

fn identifiers() -> opaque_ke::Identifiers<'static> {
    opaque_ke::Identifiers {
        client: None,
        server: Some(OPAQUE_SERVER_ID),
    }
}

// ---------------------------------------------------------------- client side

pub struct ClientRegistrationState(ClientRegistration<Suite>);

pub fn client_registration_start(
    password: &str,
) -> Result<(ClientRegistrationState, Vec<u8>), CryptoError> {
    let r = ClientRegistration::<Suite>::start(&mut OsRng, password.as_bytes())
        .map_err(|_| CryptoError::Malformed)?;
    Ok((
        ClientRegistrationState(r.state),
        r.message.serialize().to_vec(),
    ))
}

/// Returns the upload for the server and the export key.
pub fn client_registration_finish(
    state: ClientRegistrationState,
    password: &str,
    response: &[u8],
) -> Result<(Vec<u8>, ExportKey), CryptoError> {
    let response =
        RegistrationResponse::<Suite>::deserialize(response).map_err(|_| CryptoError::Malformed)?;
    let r = state
        .0
        .finish(
            &mut OsRng,
            password.as_bytes(),
            response,
            ClientRegistrationFinishParameters {
                identifiers: identifiers(),
                ksf: None,
            },
        )
        .map_err(|_| CryptoError::Malformed)?;
    Ok((
        r.message.serialize().to_vec(),
        Zeroizing::new(r.export_key.to_vec()),
    ))
}

pub struct ClientLoginState(ClientLogin<Suite>);

pub fn client_login_start(password: &str) -> Result<(ClientLoginState, Vec<u8>), CryptoError> {
    let r = ClientLogin::<Suite>::start(&mut OsRng, password.as_bytes())
        .map_err(|_| CryptoError::Malformed)?;
    Ok((ClientLoginState(r.state), r.message.serialize().to_vec()))
}

/// Returns the finalization for the server and the export key, or
/// `AuthenticationFailed` when the password is wrong or the account unknown.
pub fn client_login_finish(
    state: ClientLoginState,
    password: &str,
    response: &[u8],
) -> Result<(Vec<u8>, ExportKey), CryptoError> {
    let response =
        CredentialResponse::<Suite>::deserialize(response).map_err(|_| CryptoError::Malformed)?;
    let r = state
        .0
        .finish(
            password.as_bytes(),
            response,
            ClientLoginFinishParameters {
                context: Some(OPAQUE_CONTEXT),
                identifiers: identifiers(),
                ksf: None,
            },
        )
        .map_err(|_| CryptoError::AuthenticationFailed)?;
    Ok((
        r.message.serialize().to_vec(),
        Zeroizing::new(r.export_key.to_vec()),
    ))
}

// ---------------------------------------------------------------- server side

/// The server's long-term OPAQUE secret (OPRF seed and key-exchange key pair).
pub struct ServerSecret(pub(crate) ServerSetup<Suite>);

impl ServerSecret {
    pub fn generate() -> Self {
        ServerSecret(ServerSetup::<Suite>::new(&mut OsRng))
    }
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.0.serialize().to_vec())
    }
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        ServerSetup::<Suite>::deserialize(bytes)
            .map(ServerSecret)
            .map_err(|_| CryptoError::InvalidKey)
    }

    pub fn registration_response(
        &self,
        request: &[u8],
        credential_id: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let request = RegistrationRequest::<Suite>::deserialize(request)
            .map_err(|_| CryptoError::Malformed)?;
        let r = ServerRegistration::<Suite>::start(&self.0, request, credential_id)
            .map_err(|_| CryptoError::Malformed)?;
        Ok(r.message.serialize().to_vec())
    }

    /// Starts a login. With no password file (unknown account) OPAQUE answers
    /// with a response indistinguishable from a real one.
    /// Returns (server state to keep, response for the client).
    pub fn login_start(
        &self,
        password_file: Option<&[u8]>,
        request: &[u8],
        credential_id: &[u8],
    ) -> Result<(Vec<u8>, Vec<u8>), CryptoError> {
        let file = match password_file {
            Some(b) => Some(
                ServerRegistration::<Suite>::deserialize(b).map_err(|_| CryptoError::InvalidKey)?,
            ),
            None => None,
        };
        let request =
            CredentialRequest::<Suite>::deserialize(request).map_err(|_| CryptoError::Malformed)?;
        let r = ServerLogin::start(
            &mut OsRng,
            &self.0,
            file,
            request,
            credential_id,
            ServerLoginStartParameters {
                context: Some(OPAQUE_CONTEXT),
                identifiers: identifiers(),
            },
        )
        .map_err(|_| CryptoError::Malformed)?;
        Ok((r.state.serialize().to_vec(), r.message.serialize().to_vec()))
    }
}

/// Turns the client's registration upload into the password file to store.
pub fn server_registration_finish(upload: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let upload =
        RegistrationUpload::<Suite>::deserialize(upload).map_err(|_| CryptoError::Malformed)?;
    Ok(ServerRegistration::finish(upload).serialize().to_vec())
}

/// Succeeds only if the client proved knowledge of the password.
pub fn server_login_finish(state: &[u8], finalization: &[u8]) -> Result<(), CryptoError> {
    let state = ServerLogin::<Suite>::deserialize(state).map_err(|_| CryptoError::Malformed)?;
    let fin = CredentialFinalization::<Suite>::deserialize(finalization)
        .map_err(|_| CryptoError::Malformed)?;
    state
        .finish(fin)
        .map(|_| ())
        .map_err(|_| CryptoError::AuthenticationFailed)
}
