//! Rotation: the rotation policy (validated as the service does, stored per key) and
//! rotating a key now, which the `rotate` route and the scheduler both call.

use kv_protocol::{
    Iso8601Duration, KeyRotationPolicy, KeyRotationPolicyAction, KeyRotationPolicyAttributes,
    LifetimeActions, LifetimeActionsTrigger,
};

use crate::error::ApiError;
use crate::keymat::{self, KeySpec};
use crate::names::validate_key_name;
use crate::state::AppState;
use crate::store::{KeyMeta, VersionRow};

use super::keys::{NewVersion, find, insert, new_meta};

/// The shortest `expiryTime` the service accepts.
const MIN_EXPIRY_DAYS: u64 = 28;
/// The shortest `timeAfterCreate` / `timeBeforeExpiry` the service accepts.
const MIN_TRIGGER_DAYS: u64 = 7;
const DAY: u64 = 86_400;

/// The policy a key has before one is set: notify 30 days before expiry.
pub(crate) fn default_policy() -> KeyRotationPolicy {
    KeyRotationPolicy {
        id: None,
        lifetime_actions: Some(vec![LifetimeActions::new(
            KeyRotationPolicyAction::Notify,
            LifetimeActionsTrigger::before_expiry("P30D"),
        )]),
        attributes: Some(KeyRotationPolicyAttributes::default()),
    }
}

fn parse_duration(what: &str, value: &str) -> Result<Iso8601Duration, ApiError> {
    value.parse::<Iso8601Duration>().map_err(|_| {
        ApiError::bad(format!(
            "{what} `{value}` is not a valid ISO-8601 duration."
        ))
    })
}

/// Checks a policy the way the service does and returns it normalized (actions in their
/// canonical spelling).
pub(crate) fn validate_policy(
    mut policy: KeyRotationPolicy,
) -> Result<KeyRotationPolicy, ApiError> {
    let expiry = policy
        .attributes
        .as_ref()
        .and_then(|a| a.expiry_time.as_deref())
        .map(|e| parse_duration("expiryTime", e))
        .transpose()?;
    if let Some(expiry) = expiry
        && expiry.approx_seconds() < MIN_EXPIRY_DAYS * DAY
    {
        return Err(ApiError::bad(format!(
            "expiryTime must be at least {MIN_EXPIRY_DAYS} days."
        )));
    }
    let mut rotate = 0;
    let mut notify = 0;
    for action in policy.lifetime_actions.iter_mut().flatten() {
        let kind = action
            .action
            .as_mut()
            .and_then(|a| a.action_type.as_mut())
            .ok_or_else(|| ApiError::bad("Every lifetime action needs an action type."))?;
        *kind = kind.canonical();
        match kind {
            KeyRotationPolicyAction::Rotate => rotate += 1,
            KeyRotationPolicyAction::Notify => notify += 1,
            other => {
                return Err(ApiError::bad(format!(
                    "Unknown lifetime action type `{other}`."
                )));
            }
        }
        let is_notify = *kind == KeyRotationPolicyAction::Notify;
        let trigger = action
            .trigger
            .as_ref()
            .ok_or_else(|| ApiError::bad("Every lifetime action needs a trigger."))?;
        let (after, before) = (
            trigger.time_after_create.as_deref(),
            trigger.time_before_expiry.as_deref(),
        );
        let duration = match (after, before) {
            (Some(a), None) => {
                if is_notify {
                    return Err(ApiError::bad(
                        "A Notify action can only be triggered by timeBeforeExpiry.",
                    ));
                }
                parse_duration("timeAfterCreate", a)?
            }
            (None, Some(b)) => {
                let d = parse_duration("timeBeforeExpiry", b)?;
                if let Some(expiry) = expiry
                    && d.approx_seconds() >= expiry.approx_seconds()
                {
                    return Err(ApiError::bad(
                        "timeBeforeExpiry must be shorter than expiryTime.",
                    ));
                }
                d
            }
            _ => {
                return Err(ApiError::bad(
                    "A trigger needs exactly one of timeAfterCreate and timeBeforeExpiry.",
                ));
            }
        };
        if duration.approx_seconds() < MIN_TRIGGER_DAYS * DAY {
            return Err(ApiError::bad(format!(
                "Lifetime action triggers must be at least {MIN_TRIGGER_DAYS} days."
            )));
        }
    }
    if rotate > 1 || notify > 1 {
        return Err(ApiError::bad(
            "A policy has at most one Rotate and one Notify lifetime action.",
        ));
    }
    if notify == 0 {
        // The service always keeps a Notify action: a policy set without one (even an
        // empty one) comes back with the default "notify 30 days before expiry".
        let default_notify = default_policy().lifetime_actions.into_iter().flatten();
        policy
            .lifetime_actions
            .get_or_insert_with(Vec::new)
            .extend(default_notify);
    }
    policy.id = None;
    Ok(policy)
}

/// The policy set on key `name` (`None` when none is: the key follows [`default_policy`]),
/// with the key's canonical name.
pub(crate) async fn policy(
    state: &AppState,
    name: String,
) -> Result<(String, Option<KeyRotationPolicy>), ApiError> {
    validate_key_name(&name)?;
    let (canonical, policy) = state
        .store()
        .run(move |tx| {
            let latest = find(tx, &name, None)?;
            Ok((latest.name.clone(), tx.rotation_policy(&latest.name)?))
        })
        .await?;
    Ok((canonical, policy))
}

/// Validates and stores `given` as the policy of key `name`; answers the stored policy
/// with the key's canonical name.
pub(crate) async fn set_policy(
    state: &AppState,
    name: String,
    given: KeyRotationPolicy,
) -> Result<(String, KeyRotationPolicy), ApiError> {
    validate_key_name(&name)?;
    let had_notify = given.lifetime_actions.iter().flatten().any(|a| {
        a.action
            .as_ref()
            .and_then(|t| t.action_type.as_ref())
            .is_some_and(|t| t.canonical() == KeyRotationPolicyAction::Notify)
    });
    let policy = crate::personality::stored_rotation_policy(
        state.kind(),
        validate_policy(given)?,
        had_notify,
    );
    let now = state.clock().now();
    state
        .store()
        .run(move |tx| {
            let latest = find(tx, &name, None)?;
            let created = tx
                .rotation_policy(&latest.name)?
                .and_then(|p| p.attributes.and_then(|a| a.created))
                .unwrap_or(now);
            let mut policy = policy;
            let mut attributes = policy.attributes.take().unwrap_or_default();
            attributes.created = Some(created);
            attributes.updated = Some(now);
            policy.attributes = Some(attributes);
            tx.set_rotation_policy(&latest.name, &policy)?;
            Ok((latest.name, policy))
        })
        .await
}

/// External keys have no service-managed rotation (the operator creates a new version
/// with a new external key id), so rotate refuses them.
///
/// # Errors
/// 400 for an external key reference.
fn refuse_external(meta: &KeyMeta) -> Result<(), ApiError> {
    if meta.attributes.external_key.is_some() {
        return Err(ApiError::bad(
            "An external key is not rotated by the service: create a new version that refers \
             to the new external key instead.",
        ));
    }
    Ok(())
}

/// Makes a new version of `name` like its latest one (type, size or curve, key_ops, tags,
/// exportability and release policy), expiring after the policy's `expiryTime` if any.
pub(crate) async fn rotate(state: &AppState, name: String) -> Result<VersionRow, ApiError> {
    let lookup = name.clone();
    let (latest, policy) = state
        .store()
        .run(move |tx| {
            let latest = find(tx, &lookup, None).map_err(|e| match e {
                ApiError::KeyNotFound(name) => ApiError::RotateKeyNotFound(name),
                other => other,
            })?;
            refuse_external(&latest.meta)?;
            let policy = tx.rotation_policy(&latest.name)?;
            Ok((latest, policy))
        })
        .await?;
    let spec = KeySpec::from_existing(&latest.meta.public, latest.meta.key_size)?;
    let private = tokio::task::spawn_blocking(move || keymat::generate(&spec))
        .await
        .map_err(ApiError::internal)??;
    let now = state.clock().now();
    let expiry = policy
        .as_ref()
        .and_then(|p| p.attributes.as_ref())
        .and_then(|a| a.expiry_time.as_deref())
        .and_then(|e| e.parse::<Iso8601Duration>().ok());
    let exp = expiry.and_then(|d| d.checked_add_to(now));
    let meta = new_meta(
        &private,
        NewVersion {
            key_ops: latest.meta.public.key_ops.clone(),
            attributes: Some(kv_protocol::KeyAttributes {
                enabled: Some(true),
                exp,
                exportable: latest.meta.attributes.exportable,
                ..Default::default()
            }),
            tags: latest.meta.tags.clone(),
            release_policy: latest.meta.release_policy.clone(),
        },
        now,
    )?;
    let canonical = latest.name;
    state
        .store()
        .run(move |tx| insert(tx, &canonical, &meta, &private))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(json: &str) -> Result<KeyRotationPolicy, ApiError> {
        validate_policy(serde_json::from_str(json).unwrap())
    }

    #[test]
    fn validation() {
        let ok = policy(r#"{"lifetimeActions":[{"trigger":{"timeAfterCreate":"P90D"},"action":{"type":"rotate"}},{"trigger":{"timeBeforeExpiry":"P30D"},"action":{"type":"Notify"}}],"attributes":{"expiryTime":"P2Y"}}"#).unwrap();
        let actions = ok.lifetime_actions.unwrap();
        assert_eq!(
            actions[0].action.as_ref().unwrap().action_type,
            Some(KeyRotationPolicyAction::Rotate)
        );
        assert!(policy(r#"{"attributes":{"expiryTime":"P10D"}}"#).is_err());
        assert!(policy(r#"{"lifetimeActions":[{"trigger":{"timeAfterCreate":"P1D"},"action":{"type":"Rotate"}}]}"#).is_err());
        assert!(policy(r#"{"lifetimeActions":[{"trigger":{"timeAfterCreate":"P10D"},"action":{"type":"Notify"}}]}"#).is_err());
        assert!(
            policy(r#"{"lifetimeActions":[{"trigger":{},"action":{"type":"Rotate"}}]}"#).is_err()
        );
        assert!(policy(r#"{"lifetimeActions":[{"trigger":{"timeAfterCreate":"bogus"},"action":{"type":"Rotate"}}]}"#).is_err());
        // Without a Notify action the default one is added, as the service does.
        let empty = policy(r#"{"lifetimeActions":[]}"#).unwrap();
        let defaults = default_policy().lifetime_actions;
        assert_eq!(empty.lifetime_actions, defaults);
        let rotate_only = policy(r#"{"lifetimeActions":[{"trigger":{"timeAfterCreate":"P60D"},"action":{"type":"Rotate"}}]}"#).unwrap();
        let actions = rotate_only.lifetime_actions.unwrap();
        assert_eq!(actions.len(), 2);
        assert_eq!(Some(&actions[1]), defaults.as_ref().and_then(|d| d.first()));
        let with_notify = policy(r#"{"lifetimeActions":[{"trigger":{"timeBeforeExpiry":"P10D"},"action":{"type":"Notify"}}]}"#).unwrap();
        assert_eq!(with_notify.lifetime_actions.unwrap().len(), 1);
    }
}
