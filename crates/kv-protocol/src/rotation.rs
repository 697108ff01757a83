//! Key rotation policy (`GET`/`PUT /keys/{name}/rotationpolicy`).
//!
//! Durations stay `String` on the wire types so that any value the service or an SDK sends
//! round-trips verbatim; parse them with [`Iso8601Duration`] where their meaning matters.

use serde::{Deserialize, Serialize};

pub use crate::duration::Iso8601Duration;

kv_jwk::string_enum! {
    /// What a lifetime action does (`lifetimeActions[].action.type`).
    ///
    /// The spec says to compare these case-insensitively, and SDKs send `rotate` and
    /// `notify` in lower case. Parsing keeps the spelling it was given (so the value
    /// round-trips); [`KeyRotationPolicyAction::canonical`] folds the case.
    pub enum KeyRotationPolicyAction {
        /// Rotate the key (create a new version).
        Rotate => "Rotate",
        /// Send an Event Grid notification before expiry.
        Notify => "Notify",
    }
}

impl KeyRotationPolicyAction {
    /// The known action this value names regardless of letter case (`rotate` gives
    /// [`Rotate`](Self::Rotate)); other unknown values are returned unchanged.
    #[must_use]
    pub fn canonical(&self) -> Self {
        match self {
            Self::Unknown(s) => Self::KNOWN_VALUES
                .iter()
                .find(|known| known.eq_ignore_ascii_case(s))
                .map_or_else(|| self.clone(), |known| Self::from(*known)),
            known => known.clone(),
        }
    }

    /// Parses case-insensitively into the canonical value (`"ROTATE"` gives
    /// [`Rotate`](Self::Rotate)).
    pub fn parse_ignore_case(s: &str) -> Self {
        Self::from(s).canonical()
    }

    /// Whether this is `Rotate` in any letter case.
    pub fn is_rotate(&self) -> bool {
        self.canonical() == Self::Rotate
    }

    /// Whether this is `Notify` in any letter case.
    pub fn is_notify(&self) -> bool {
        self.canonical() == Self::Notify
    }
}

/// A key rotation policy (`KeyRotationPolicy`): the body of GetKeyRotationPolicy and both
/// the body and the answer of UpdateKeyRotationPolicy.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyRotationPolicy {
    /// `{vault}/keys/{name}/rotationpolicy`; set by the service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The actions; an empty list resets the policy to its defaults. At most one
    /// rotate and one notify action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifetime_actions: Option<Vec<LifetimeActions>>,
    /// Policy attributes (expiry of new versions, timestamps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<KeyRotationPolicyAttributes>,
}

/// One lifetime action: when (`trigger`) and what (`action`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifetimeActions {
    /// When the action fires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<LifetimeActionsTrigger>,
    /// What happens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<LifetimeActionsType>,
}

impl LifetimeActions {
    /// An action of `action` type with `trigger`.
    pub fn new(action: KeyRotationPolicyAction, trigger: LifetimeActionsTrigger) -> Self {
        Self {
            trigger: Some(trigger),
            action: Some(LifetimeActionsType {
                action_type: Some(action),
            }),
        }
    }
}

/// When a lifetime action fires: exactly one of the two durations is expected.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LifetimeActionsTrigger {
    /// ISO-8601 duration after the key version was created (rotate only), e.g. `P90D`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_after_create: Option<String>,
    /// ISO-8601 duration before the key version expires, e.g. `P30D`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_before_expiry: Option<String>,
}

impl LifetimeActionsTrigger {
    /// Fires `duration` after creation.
    pub fn after_create(duration: impl Into<String>) -> Self {
        Self {
            time_after_create: Some(duration.into()),
            time_before_expiry: None,
        }
    }

    /// Fires `duration` before expiry.
    pub fn before_expiry(duration: impl Into<String>) -> Self {
        Self {
            time_after_create: None,
            time_before_expiry: Some(duration.into()),
        }
    }
}

/// The action of a lifetime action (`{"type": "Rotate"}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifetimeActionsType {
    /// The action (`type` on the wire).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub action_type: Option<KeyRotationPolicyAction>,
}

/// Attributes of a rotation policy.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyRotationPolicyAttributes {
    /// ISO-8601 duration after which new key versions expire, e.g. `P2Y` (the service
    /// wants at least 28 days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry_time: Option<String>,
    /// Creation time (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<i64>,
    /// Last update time (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn policy_round_trips(v in arb_rotation_policy()) {
            prop_assert_eq!(round_trip(&v), v);
        }

        #[test]
        fn any_action_spelling_round_trips(s in "[A-Za-z]{1,10}") {
            let a = KeyRotationPolicyAction::from(s.as_str());
            prop_assert_eq!(a.as_str(), s.as_str());
            let json = serde_json::to_string(&a).unwrap();
            let back: KeyRotationPolicyAction = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back.as_str(), s.as_str());
            prop_assert_eq!(a.is_rotate(), s.eq_ignore_ascii_case("rotate"));
        }
    }

    #[test]
    fn case_insensitive_actions() {
        let lower: LifetimeActionsType = serde_json::from_str(r#"{"type":"rotate"}"#).unwrap();
        let action = lower.action_type.clone().unwrap();
        assert_eq!(action, KeyRotationPolicyAction::Unknown("rotate".into()));
        assert!(action.is_rotate());
        assert_eq!(action.canonical(), KeyRotationPolicyAction::Rotate);
        // The spelling the SDK sent survives a round trip.
        assert_eq!(
            serde_json::to_string(&lower).unwrap(),
            r#"{"type":"rotate"}"#
        );
        assert_eq!(
            KeyRotationPolicyAction::parse_ignore_case("NOTIFY"),
            KeyRotationPolicyAction::Notify
        );
        assert!(KeyRotationPolicyAction::Notify.is_notify());
        let other = KeyRotationPolicyAction::parse_ignore_case("Archive");
        assert_eq!(other, KeyRotationPolicyAction::Unknown("Archive".into()));
        assert!(!other.is_rotate() && !other.is_notify());
    }

    #[test]
    fn builds_the_documented_shape() {
        let policy = KeyRotationPolicy {
            id: None,
            lifetime_actions: Some(vec![
                LifetimeActions::new(
                    KeyRotationPolicyAction::Rotate,
                    LifetimeActionsTrigger::after_create("P90D"),
                ),
                LifetimeActions::new(
                    KeyRotationPolicyAction::Notify,
                    LifetimeActionsTrigger::before_expiry("P30D"),
                ),
            ]),
            attributes: Some(KeyRotationPolicyAttributes {
                expiry_time: Some("P2Y".into()),
                ..Default::default()
            }),
        };
        assert_eq!(
            serde_json::to_string(&policy).unwrap(),
            r#"{"lifetimeActions":[{"trigger":{"timeAfterCreate":"P90D"},"action":{"type":"Rotate"}},{"trigger":{"timeBeforeExpiry":"P30D"},"action":{"type":"Notify"}}],"attributes":{"expiryTime":"P2Y"}}"#
        );
    }
}
