//! BOX-2, CRY-3: what a granter signs when they share a node. The statement
//! binds the node (id and public key) to the grantee (account and member
//! key) with the permission and the access window, so a permit the server
//! made, moved to another node, or pointed at a key it substituted does
//! not verify in the recipient's browser.

use coffer_shared::sharing::{Permission, Window};

use crate::manifest::verify_bytes;
use crate::{CryptoError, SigningKeys};

const PERMIT_CONTEXT: &[u8] = b"coffer/v1/permit";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PermitStatement {
    pub node_id: String,
    pub node_public_key: String,
    pub grantee_account_id: String,
    pub grantee_public_key: String,
    pub permission: Permission,
    pub window: Window,
    pub granter_account_id: String,
}

impl PermitStatement {
    /// One unambiguous encoding: the context label, then every field with
    /// its length (an open window end is a zero flag).
    fn signed_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        out.extend_from_slice(PERMIT_CONTEXT);
        for text in [
            self.node_id.as_str(),
            &self.node_public_key,
            &self.grantee_account_id,
            &self.grantee_public_key,
            self.permission.code(),
            &self.granter_account_id,
        ] {
            out.extend_from_slice(&(text.len() as u32).to_be_bytes());
            out.extend_from_slice(text.as_bytes());
        }
        for end in [self.window.not_before_ms, self.window.not_after_ms] {
            match end {
                None => out.push(0),
                Some(ms) => {
                    out.push(1);
                    out.extend_from_slice(&ms.to_be_bytes());
                }
            }
        }
        out
    }

    pub fn sign(&self, granter: &SigningKeys) -> [u8; 64] {
        granter.sign_bytes(&self.signed_bytes())
    }
}

/// Checks a granter's signature (`signer`: their verifying key in hex).
pub fn verify_permit(
    signer: &str,
    statement: &PermitStatement,
    signature: &[u8],
) -> Result<(), CryptoError> {
    verify_bytes(signer, &statement.signed_bytes(), signature)
        .map_err(|_| CryptoError::UnwrapFailed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement() -> PermitStatement {
        PermitStatement {
            node_id: "n-1".into(),
            node_public_key: "age1node".into(),
            grantee_account_id: "a-2".into(),
            grantee_public_key: "age1grantee".into(),
            permission: Permission::View,
            window: Window {
                not_before_ms: None,
                not_after_ms: Some(1_800_000_000_000),
            },
            granter_account_id: "a-1".into(),
        }
    }

    #[test]
    fn a_permit_verifies_only_as_signed() {
        let granter = SigningKeys::generate();
        let s = statement();
        let sig = s.sign(&granter);
        let signer = granter.public_key_hex();
        assert_eq!(verify_permit(&signer, &s, &sig), Ok(()));
        let other = SigningKeys::generate();
        assert!(verify_permit(&other.public_key_hex(), &s, &sig).is_err());
        let changes: [fn(&mut PermitStatement); 6] = [
            |s| s.node_id = "n-2".into(),
            |s| s.node_public_key = "age1other".into(),
            |s| s.grantee_public_key = "age1server".into(),
            |s| s.permission = Permission::Manage,
            |s| s.window.not_after_ms = None,
            |s| s.window.not_before_ms = Some(0),
        ];
        for change in changes {
            let mut forged = s.clone();
            change(&mut forged);
            assert!(verify_permit(&signer, &forged, &sig).is_err(), "{forged:?}");
        }
    }
}
