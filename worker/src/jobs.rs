//! What each job does, in plain Rust (tested natively).

use std::collections::HashMap;

use coffer_crypto::{
    client_login_finish, client_login_start, client_registration_finish, client_registration_start,
    fingerprint, ClientLoginState, ClientRegistrationState, CryptoError, ExportKey, MemberKeys,
};
use coffer_shared::accounts::KeyEnvelope;
use coffer_shared::types::Bytes;
use coffer_shared::worker::{Answer, Ceremony, Failure, Job, Rewrap, Unlocked};
use zeroize::Zeroizing;

use crate::files::{self, Outgoing};
use crate::{nodes, permits, recovery, removal_transfers, rotation};

enum Kept {
    // Boxed: a login state is large, and most ceremonies end as an export key.
    Login(Box<ClientLoginState>, Zeroizing<String>),
    Registration(ClientRegistrationState, Zeroizing<String>),
    Export(ExportKey),
    // Boxed: an encryptor holds its buffers.
    Outgoing(Box<Outgoing>),
}

#[derive(Default)]
pub struct Worker {
    kept: HashMap<Ceremony, Kept>,
    next: u32,
}

fn failure(e: CryptoError) -> Failure {
    match e {
        CryptoError::AuthenticationFailed => Failure::AuthenticationFailed,
        CryptoError::Malformed => Failure::Malformed,
        CryptoError::ContentBroken => Failure::Tampered,
        CryptoError::UnwrapFailed | CryptoError::InvalidKey | CryptoError::SealBroken => {
            Failure::UnwrapFailed
        }
    }
}

fn unlocked(keys: &MemberKeys) -> Unlocked {
    let public_key = keys.public_key();
    Unlocked {
        fingerprint: fingerprint(&public_key),
        secret: keys.secret_text().to_string(),
        public_key,
    }
}

impl Worker {
    pub fn run(&mut self, job: Job) -> Answer {
        self.try_run(job).unwrap_or_else(Answer::Failed)
    }

    fn keep(&mut self, kept: Kept) -> Ceremony {
        self.next += 1;
        let ceremony = Ceremony(self.next);
        self.kept.insert(ceremony, kept);
        ceremony
    }

    fn export(&self, ceremony: Ceremony) -> Result<&ExportKey, Failure> {
        match self.kept.get(&ceremony) {
            Some(Kept::Export(key)) => Ok(key),
            _ => Err(Failure::UnknownCeremony),
        }
    }

    fn try_run(&mut self, job: Job) -> Result<Answer, Failure> {
        Ok(match job {
            Job::LoginStart { password } => {
                let (state, message) = client_login_start(&password).map_err(failure)?;
                let ceremony = self.keep(Kept::Login(Box::new(state), Zeroizing::new(password)));
                Answer::Started {
                    ceremony,
                    message: Bytes(message),
                }
            }
            Job::LoginFinish { ceremony, response } => {
                let Some(Kept::Login(state, password)) = self.kept.remove(&ceremony) else {
                    return Err(Failure::UnknownCeremony);
                };
                let (finalization, export) =
                    client_login_finish(*state, &password, &response.0).map_err(failure)?;
                self.kept.insert(ceremony, Kept::Export(export));
                Answer::LoggedIn {
                    finalization: Bytes(finalization),
                }
            }
            Job::RegistrationStart { password } => {
                let (state, message) = client_registration_start(&password).map_err(failure)?;
                let ceremony = self.keep(Kept::Registration(state, Zeroizing::new(password)));
                Answer::Started {
                    ceremony,
                    message: Bytes(message),
                }
            }
            Job::RegistrationFinish {
                ceremony,
                response,
                keep,
            } => {
                let keys = match &keep {
                    Some(Rewrap { with, keys }) => self.open(*with, keys)?,
                    None => MemberKeys::generate(),
                };
                let Some(Kept::Registration(state, password)) = self.kept.remove(&ceremony) else {
                    return Err(Failure::UnknownCeremony);
                };
                let (upload, export) =
                    client_registration_finish(state, &password, &response.0).map_err(failure)?;
                Answer::Registered {
                    upload: Bytes(upload),
                    keys: KeyEnvelope {
                        public_key: keys.public_key(),
                        wrapped_private_key: Bytes(keys.wrap(&export)),
                    },
                }
            }
            Job::Unlock { ceremony, keys } => {
                Answer::Unlocked(unlocked(&self.open(ceremony, &keys)?))
            }
            Job::UnlockWithPasskey { prf, keys } => {
                let opened = MemberKeys::unwrap_with_passkey(
                    &keys.wrapped_private_key.0,
                    &prf.0,
                    &keys.public_key,
                )
                .map_err(failure)?;
                Answer::Unlocked(unlocked(&opened))
            }
            Job::WrapForPasskey { secret, prf } => {
                let keys = MemberKeys::from_secret_text(&secret).map_err(failure)?;
                Answer::Wrapped(Bytes(keys.wrap_for_passkey(&prf.0)))
            }
            Job::Forget { ceremony } => {
                self.kept.remove(&ceremony);
                Answer::Done
            }
            Job::MakeNode {
                secret,
                path,
                record,
            } => Answer::Node(nodes::make(&secret, &path, &record).map_err(failure)?),
            Job::ReadNames {
                secret,
                path,
                nodes: sealed,
            } => Answer::Records(nodes::read(&secret, &path, &sealed).map_err(failure)?),
            Job::ReadPath { secret, path } => {
                Answer::Records(nodes::read_path(&secret, &path).map_err(failure)?)
            }
            Job::Reseal {
                secret,
                path,
                id,
                public_key,
                record,
            } => Answer::Sealed(Bytes(
                nodes::reseal(&secret, &path, &id, &public_key, &record).map_err(failure)?,
            )),
            Job::Rewrap {
                secret,
                from,
                node,
                to,
            } => Answer::Rewrapped(nodes::rewrap(&secret, &from, &node, &to).map_err(failure)?),
            Job::MakePermit {
                secret,
                signing,
                path,
                terms,
            } => permits::make(&secret, &signing, &path, &terms).map_err(failure)?,
            Job::Rotate {
                secret,
                signing,
                me,
                plan,
            } => rotation::renew_identity(&secret, &signing, &me, &plan).map_err(failure)?,
            Job::CheckPermits {
                secret,
                me,
                permits: held,
            } => Answer::Checks(permits::check(&secret, &me, &held).map_err(failure)?),
            Job::TransferBoxes {
                secret,
                recovery,
                boxes,
                recipient_public_key,
                recipient_id,
                recipient_pin,
                folder_name,
                now_ms,
            } => removal_transfers::carry_out(
                &secret,
                recovery.as_ref(),
                &boxes,
                &removal_transfers::Recipient {
                    id: &recipient_id,
                    public_key: &recipient_public_key,
                    pin: recipient_pin.as_ref().map(|b| &b.0[..]),
                },
                &folder_name,
                now_ms,
            )
            .map_err(failure)?,
            Job::MakeRecoveryKey { holders } => {
                let (public_key, wraps) = recovery::make(&holders).map_err(failure)?;
                Answer::RecoveryKey { public_key, wraps }
            }
            Job::ShareRecoveryKey {
                secret,
                wrapped,
                recovery_public_key,
                holders,
            } => Answer::RecoveryKey {
                wraps: recovery::share(&secret, &wrapped.0, &recovery_public_key, &holders)
                    .map_err(failure)?,
                public_key: recovery_public_key,
            },
            Job::Escrow {
                secret,
                recovery_public_key,
            } => Answer::Wrapped(Bytes(
                recovery::escrow(&secret, &recovery_public_key).map_err(failure)?,
            )),
            Job::HandOver {
                secret,
                wrapped,
                recovery_public_key,
                reset,
            } => Answer::Wrapped(Bytes(
                recovery::hand_over(&secret, &wrapped.0, &recovery_public_key, &reset)
                    .map_err(failure)?,
            )),
            Job::TakeHandover {
                ceremony,
                member_public_key,
                handover,
            } => {
                let one_off = self.open(
                    ceremony,
                    &KeyEnvelope {
                        public_key: handover.public_key.clone(),
                        wrapped_private_key: handover.wrapped_secret.clone(),
                    },
                )?;
                let keys = recovery::take(&one_off, &handover.handed_over.0, &member_public_key)
                    .map_err(failure)?;
                Answer::Recovered {
                    wrapped_private_key: Bytes(keys.wrap(self.export(ceremony)?)),
                    keys: unlocked(&keys),
                }
            }
            Job::MakeSigningKey { secret } => {
                Answer::SigningKey(files::make_signing_key(&secret).map_err(failure)?)
            }
            Job::PrepareFile {
                secret,
                path,
                record,
            } => {
                let (out, upload) = files::prepare(&secret, &path, &record).map_err(failure)?;
                let ceremony = self.keep(Kept::Outgoing(Box::new(out)));
                Answer::FilePrepared { ceremony, upload }
            }
            // These need the browser (a `File`, `fetch`): `transfer` runs them.
            Job::SendFile { .. }
            | Job::Download { .. }
            | Job::Export { .. }
            | Job::Steer { .. } => return Err(Failure::Malformed),
        })
    }

    /// A prepared file, for `SendFile` (which runs in `transfer`).
    pub fn take_outgoing(&mut self, ceremony: Ceremony) -> Option<Outgoing> {
        match self.kept.remove(&ceremony) {
            Some(Kept::Outgoing(out)) => Some(*out),
            Some(other) => {
                self.kept.insert(ceremony, other);
                None
            }
            None => None,
        }
    }

    fn open(&self, ceremony: Ceremony, keys: &KeyEnvelope) -> Result<MemberKeys, Failure> {
        MemberKeys::unwrap(
            &keys.wrapped_private_key.0,
            self.export(ceremony)?,
            &keys.public_key,
        )
        .map_err(failure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use coffer_crypto::{server_login_finish, server_registration_finish, ServerSecret};

    fn started(a: Answer) -> (Ceremony, Vec<u8>) {
        match a {
            Answer::Started { ceremony, message } => (ceremony, message.0),
            other => panic!("{other:?}"),
        }
    }

    /// Registration, sign-in, unlock and a password change, as the page
    /// drives them, against the server's half.
    #[test]
    fn the_page_s_ceremonies_run_through_the_worker() {
        let server = ServerSecret::generate();
        let mut w = Worker::default();
        let (c, request) = started(w.run(Job::RegistrationStart {
            password: "correct horse".into(),
        }));
        let response = server.registration_response(&request, b"ann").unwrap();
        let Answer::Registered { upload, keys } = w.run(Job::RegistrationFinish {
            ceremony: c,
            response: Bytes(response),
            keep: None,
        }) else {
            panic!()
        };
        let file = server_registration_finish(&upload.0).unwrap();

        let sign_in = |w: &mut Worker, password: &str, file: &[u8]| {
            let (c, request) = started(w.run(Job::LoginStart {
                password: password.into(),
            }));
            let (state, response) = server.login_start(Some(file), &request, b"ann").unwrap();
            match w.run(Job::LoginFinish {
                ceremony: c,
                response: Bytes(response),
            }) {
                Answer::LoggedIn { finalization } => {
                    server_login_finish(&state, &finalization.0).unwrap();
                    Ok(c)
                }
                Answer::Failed(f) => Err(f),
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(
            sign_in(&mut w, "wrong horse", &file),
            Err(Failure::AuthenticationFailed)
        );
        let c = sign_in(&mut w, "correct horse", &file).unwrap();
        let Answer::Unlocked(first) = w.run(Job::Unlock {
            ceremony: c,
            keys: keys.clone(),
        }) else {
            panic!()
        };
        assert_eq!(first.public_key, keys.public_key);
        assert_eq!(first.fingerprint, fingerprint(&keys.public_key));

        // A new password keeps the key pair.
        let (r, request) = started(w.run(Job::RegistrationStart {
            password: "battery staple".into(),
        }));
        let response = server.registration_response(&request, b"ann").unwrap();
        let Answer::Registered {
            upload,
            keys: rewrapped,
        } = w.run(Job::RegistrationFinish {
            ceremony: r,
            response: Bytes(response),
            keep: Some(Rewrap {
                with: c,
                keys: keys.clone(),
            }),
        })
        else {
            panic!()
        };
        assert_eq!(rewrapped.public_key, keys.public_key);
        let file = server_registration_finish(&upload.0).unwrap();
        let c2 = sign_in(&mut w, "battery staple", &file).unwrap();
        let Answer::Unlocked(again) = w.run(Job::Unlock {
            ceremony: c2,
            keys: rewrapped,
        }) else {
            panic!()
        };
        assert_eq!(again.secret, first.secret);

        // Forgotten ceremonies open nothing.
        assert_eq!(w.run(Job::Forget { ceremony: c }), Answer::Done);
        assert_eq!(
            w.run(Job::Unlock { ceremony: c, keys }),
            Answer::Failed(Failure::UnknownCeremony)
        );
    }

    #[test]
    fn passkey_wrapping_round_trips_through_the_worker() {
        let keys = MemberKeys::generate();
        let mut w = Worker::default();
        let prf = Bytes(vec![7; 32]);
        let Answer::Wrapped(wrapped) = w.run(Job::WrapForPasskey {
            secret: keys.secret_text().to_string(),
            prf: prf.clone(),
        }) else {
            panic!()
        };
        let envelope = KeyEnvelope {
            public_key: keys.public_key(),
            wrapped_private_key: wrapped,
        };
        let Answer::Unlocked(u) = w.run(Job::UnlockWithPasskey {
            prf,
            keys: envelope.clone(),
        }) else {
            panic!()
        };
        assert_eq!(u.public_key, keys.public_key());
        assert_eq!(
            w.run(Job::UnlockWithPasskey {
                prf: Bytes(vec![8; 32]),
                keys: envelope
            }),
            Answer::Failed(Failure::UnwrapFailed)
        );
    }
}
