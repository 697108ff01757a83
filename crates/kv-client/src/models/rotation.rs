//! [`KeyRotationPolicy`]: when a key rotates and when its owner is notified.

use kv_protocol::rotation as wire;
pub use kv_protocol::rotation::KeyRotationPolicyAction;
use time::OffsetDateTime;

use crate::error::{Error, Result, decode};
use crate::models::key::from_unix;

/// One lifetime action: rotate or notify, a set time after creation or before expiry.
///
/// Durations are ISO-8601 (`P90D`, `P1Y2M`). Exactly one of the two triggers is expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRotationLifetimeAction {
    /// What happens.
    pub action: KeyRotationPolicyAction,
    /// Fires this long after the key version was created (rotate only).
    pub time_after_create: Option<String>,
    /// Fires this long before the key version expires.
    pub time_before_expiry: Option<String>,
}

impl KeyRotationLifetimeAction {
    /// An action with no trigger yet.
    pub fn new(action: KeyRotationPolicyAction) -> Self {
        Self {
            action,
            time_after_create: None,
            time_before_expiry: None,
        }
    }
}

/// A key's rotation policy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyRotationPolicy {
    /// `{vault}/keys/{name}/rotationpolicy`; set by the service.
    pub id: Option<String>,
    /// The actions. An empty list resets the policy to the service's defaults.
    pub lifetime_actions: Vec<KeyRotationLifetimeAction>,
    /// ISO-8601 duration after which new key versions expire (`expiryTime`).
    pub expires_in: Option<String>,
    /// When the policy was created.
    pub created_on: Option<OffsetDateTime>,
    /// When the policy was last updated.
    pub updated_on: Option<OffsetDateTime>,
}

impl TryFrom<wire::KeyRotationPolicy> for KeyRotationPolicy {
    type Error = Error;

    fn try_from(p: wire::KeyRotationPolicy) -> Result<Self> {
        let attributes = p.attributes.unwrap_or_default();
        let mut lifetime_actions = Vec::new();
        for a in p.lifetime_actions.unwrap_or_default() {
            let Some(action) = a.action.and_then(|t| t.action_type) else {
                return Err(decode("rotation policy lifetime action without a type"));
            };
            let trigger = a.trigger.unwrap_or_default();
            lifetime_actions.push(KeyRotationLifetimeAction {
                action: action.canonical(),
                time_after_create: trigger.time_after_create,
                time_before_expiry: trigger.time_before_expiry,
            });
        }
        Ok(Self {
            id: p.id,
            lifetime_actions,
            expires_in: attributes.expiry_time,
            created_on: from_unix("created", attributes.created)?,
            updated_on: from_unix("updated", attributes.updated)?,
        })
    }
}

impl From<&KeyRotationPolicy> for wire::KeyRotationPolicy {
    fn from(p: &KeyRotationPolicy) -> Self {
        wire::KeyRotationPolicy {
            id: None,
            lifetime_actions: Some(
                p.lifetime_actions
                    .iter()
                    .map(|a| wire::LifetimeActions {
                        trigger: Some(wire::LifetimeActionsTrigger {
                            time_after_create: a.time_after_create.clone(),
                            time_before_expiry: a.time_before_expiry.clone(),
                        }),
                        action: Some(wire::LifetimeActionsType {
                            action_type: Some(a.action.clone()),
                        }),
                    })
                    .collect(),
            ),
            attributes: Some(wire::KeyRotationPolicyAttributes {
                expiry_time: p.expires_in.clone(),
                created: None,
                updated: None,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_wire_folds_action_case() {
        let json = r#"{"id":"https://v/keys/k/rotationpolicy","lifetimeActions":[
            {"trigger":{"timeAfterCreate":"P90D"},"action":{"type":"rotate"}},
            {"trigger":{"timeBeforeExpiry":"P30D"},"action":{"type":"Notify"}}],
            "attributes":{"expiryTime":"P2Y","created":1,"updated":2}}"#;
        let w: wire::KeyRotationPolicy = serde_json::from_str(json).unwrap();
        let p = KeyRotationPolicy::try_from(w).unwrap();
        assert_eq!(p.lifetime_actions.len(), 2);
        assert_eq!(
            p.lifetime_actions[0].action,
            KeyRotationPolicyAction::Rotate
        );
        assert_eq!(
            p.lifetime_actions[0].time_after_create.as_deref(),
            Some("P90D")
        );
        assert_eq!(
            p.lifetime_actions[1].time_before_expiry.as_deref(),
            Some("P30D")
        );
        assert_eq!(p.expires_in.as_deref(), Some("P2Y"));
        assert_eq!(p.updated_on.unwrap().unix_timestamp(), 2);
    }

    #[test]
    fn to_wire_sends_only_what_the_client_sets() {
        let p = KeyRotationPolicy {
            lifetime_actions: vec![KeyRotationLifetimeAction {
                time_after_create: Some("P90D".into()),
                ..KeyRotationLifetimeAction::new(KeyRotationPolicyAction::Rotate)
            }],
            expires_in: Some("P1Y".into()),
            created_on: OffsetDateTime::from_unix_timestamp(5).ok(),
            ..Default::default()
        };
        let w = wire::KeyRotationPolicy::from(&p);
        assert_eq!(
            serde_json::to_string(&w).unwrap(),
            r#"{"lifetimeActions":[{"trigger":{"timeAfterCreate":"P90D"},"action":{"type":"Rotate"}}],"attributes":{"expiryTime":"P1Y"}}"#
        );
    }

    #[test]
    fn action_without_type_is_rejected() {
        let w: wire::KeyRotationPolicy =
            serde_json::from_str(r#"{"lifetimeActions":[{"trigger":{"timeAfterCreate":"P1D"}}]}"#)
                .unwrap();
        assert!(KeyRotationPolicy::try_from(w).is_err());
    }
}
