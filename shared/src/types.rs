//! The vocabulary several domains share (binary messages, roles and tiers,
//! account types, a person's reference). Each domain's own wire types are
//! in its module (`crate::accounts`, `crate::members`, …).

use base64::{engine::general_purpose::STANDARD_NO_PAD, Engine as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Opaque binary protocol messages travel as base64 text in JSON.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Bytes(pub Vec<u8>);

impl std::fmt::Debug for Bytes {
    // Protocol messages are not secrets, but they are noise in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bytes({} bytes)", self.0.len())
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Self {
        Bytes(v)
    }
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD_NO_PAD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD_NO_PAD
            .decode(text.trim_end_matches('='))
            .map(Bytes)
            .map_err(serde::de::Error::custom)
    }
}

/// Member role; only ever upgraded (SPEC "Actors").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Role {
    AdHoc,
    Collaborator,
    Originator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::AdHoc => "Ad hoc",
            Role::Collaborator => "Collaborator",
            Role::Originator => "Originator",
        }
    }
}

/// Administrative tier inside an organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AdminTier {
    None,
    Admin,
    Liaison,
}

impl AdminTier {
    pub fn as_str(self) -> &'static str {
        match self {
            AdminTier::None => "None",
            AdminTier::Admin => "Admin",
            AdminTier::Liaison => "Liaison",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountType {
    Local,
    External,
    Ldap,
}

impl AccountType {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountType::Local => "Local",
            AccountType::External => "External",
            AccountType::Ldap => "LDAP",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRef {
    pub account_id: crate::ids::AccountId,
    pub email: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip_as_base64() {
        let b = Bytes(vec![0, 1, 2, 250, 255]);
        let json = serde_json::to_string(&b).unwrap();
        assert_eq!(json, "\"AAEC+v8\"");
        assert_eq!(serde_json::from_str::<Bytes>(&json).unwrap(), b);
        // Padded input from other encoders is accepted too.
        assert_eq!(serde_json::from_str::<Bytes>("\"AAEC+v8=\"").unwrap(), b);
        assert!(serde_json::from_str::<Bytes>("\"***\"").is_err());
    }
}
