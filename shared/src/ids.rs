//! Typed ids: each kind of record has its own type, so an organisation's id
//! cannot be passed where a group's is expected. On the wire and in the
//! database they are the same strings as before (`#[serde(transparent)]`).

use serde::{Deserialize, Serialize};

macro_rules! typed_id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                $name(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        /// Read as text where text is wanted (SQL parameters, URLs).
        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                $name(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                $name(id.to_string())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                self == &other.0
            }
        }

        impl From<&$name> for String {
            fn from(id: &$name) -> String {
                id.0.clone()
            }
        }
    )*};
}

typed_id!(
    /// An account (a member, or the instance administrator).
    AccountId,
    OrganisationId,
    /// A group of an organisation's members (ORG-6).
    GroupId,
    /// A CSV or spreadsheet import (IMP-*).
    ImportId,
    /// A storage plan (ORG-8).
    PlanId,
    PasskeyId,
    /// A box, folder or file (BOX-1).
    NodeId,
    /// A label items carry and members are cleared for (BOX-4).
    LabelId,
);

/// What a change sets a reference to: one of the records, or nothing (a
/// member taken out of their group, left without a plan). On the wire it
/// is the id, or an empty string for nothing, as before ids were typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Assignment<T> {
    Nothing,
    To(T),
}

impl<T> Assignment<T> {
    /// From a form's select: an empty value chooses nothing.
    pub fn from_choice(value: String) -> Self
    where
        T: From<String>,
    {
        if value.is_empty() {
            Assignment::Nothing
        } else {
            Assignment::To(T::from(value))
        }
    }

    pub fn as_ref(&self) -> Option<&T> {
        match self {
            Assignment::Nothing => None,
            Assignment::To(id) => Some(id),
        }
    }
}

impl<T: Serialize> Serialize for Assignment<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Assignment::Nothing => s.serialize_str(""),
            Assignment::To(id) => id.serialize(s),
        }
    }
}

impl<'de, T: From<String>> Deserialize<'de> for Assignment<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Assignment::from_choice(String::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_their_strings_on_the_wire() {
        let id = GroupId::new("01a2");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"01a2\"");
        assert_eq!(serde_json::from_str::<GroupId>("\"01a2\"").unwrap(), id);
        assert_eq!(id, "01a2");
        assert_eq!(id.to_string(), "01a2");
        let text: &str = &id;
        assert_eq!(text, "01a2");
    }

    #[test]
    fn an_assignment_of_nothing_is_an_empty_string_on_the_wire() {
        let to = Assignment::To(GroupId::new("01a2"));
        assert_eq!(serde_json::to_string(&to).unwrap(), "\"01a2\"");
        assert_eq!(
            serde_json::to_string(&Assignment::<GroupId>::Nothing).unwrap(),
            "\"\""
        );
        assert_eq!(
            serde_json::from_str::<Assignment<GroupId>>("\"\"").unwrap(),
            Assignment::Nothing
        );
        assert_eq!(
            serde_json::from_str::<Assignment<GroupId>>("\"01a2\"").unwrap(),
            to
        );
    }
}
