//! The access decision: may `principal` perform `action` at `scope`?

use kv_protocol::{DataAction, Permission, RoleAssignment, RoleDefinition};

use super::builtin::{self, ADMINISTRATOR};
use super::{normalize_scope, scope_covers};

/// The outcome of [`decide`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// An applicable role grants the action and none denies it.
    Allowed,
    /// No applicable role grants the action.
    NotGranted,
    /// An applicable role's `notDataActions` excludes the action.
    Denied,
}

/// The last path segment of a role definition id: the definition's name.
pub fn definition_name(id: &str) -> &str {
    id.trim_end_matches('/').rsplit('/').next().unwrap_or(id)
}

fn matches(pattern: &DataAction, action: &DataAction) -> bool {
    let (p, a) = (pattern.as_str(), action.as_str());
    match p.strip_suffix('*') {
        Some(prefix) => a
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix)),
        None => p.eq_ignore_ascii_case(a),
    }
}

fn permissions_of(name: &str, custom: &[RoleDefinition]) -> Vec<Permission> {
    if let Some(role) = builtin::find(name) {
        return role
            .definition()
            .properties
            .and_then(|p| p.permissions)
            .unwrap_or_default();
    }
    custom
        .iter()
        .find(|d| {
            d.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
        .and_then(|d| d.properties.as_ref())
        .and_then(|p| p.permissions.clone())
        .unwrap_or_default()
}

/// Decides whether `principal` may perform `action` at `scope` (normalized, see
/// [`normalize_scope`]) given every role assignment, the custom role definitions and the
/// bootstrap administrators. Deny wins: a `notDataActions` match in any applicable role
/// refuses the action even when another role grants it.
pub fn decide(
    principal: &str,
    action: &DataAction,
    scope: &str,
    assignments: &[RoleAssignment],
    custom: &[RoleDefinition],
    admins: &[String],
) -> Decision {
    let mut roles: Vec<String> = Vec::new();
    if admins.iter().any(|a| a.eq_ignore_ascii_case(principal)) {
        roles.push(ADMINISTRATOR.to_owned());
    }
    for assignment in assignments {
        let Some(props) = &assignment.properties else {
            continue;
        };
        let mine = props
            .principal_id
            .as_deref()
            .is_some_and(|p| p.eq_ignore_ascii_case(principal));
        let applies = props
            .scope
            .as_ref()
            .and_then(|s| normalize_scope(s.as_str()))
            .is_some_and(|s| scope_covers(&s, scope));
        if let (true, true, Some(id)) = (mine, applies, props.role_definition_id.as_deref()) {
            roles.push(definition_name(id).to_owned());
        }
    }
    let mut granted = false;
    for role in &roles {
        for permission in permissions_of(role, custom) {
            let denies = permission
                .not_data_actions
                .iter()
                .flatten()
                .any(|p| matches(p, action));
            if denies {
                return Decision::Denied;
            }
            granted |= permission
                .data_actions
                .iter()
                .flatten()
                .any(|p| matches(p, action));
        }
    }
    if granted {
        Decision::Allowed
    } else {
        Decision::NotGranted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rbac::builtin::{CRYPTO_USER, definition_id};
    use kv_protocol::{RoleAssignmentPropertiesWithScope, RoleDefinitionProperties, RoleScope};

    fn assign(principal: &str, role: &str, scope: &str) -> RoleAssignment {
        RoleAssignment {
            properties: Some(RoleAssignmentPropertiesWithScope {
                scope: Some(scope.parse().unwrap()),
                role_definition_id: Some(definition_id(role)),
                principal_id: Some(principal.into()),
            }),
            ..Default::default()
        }
    }

    fn custom(name: &str, allow: &[DataAction], deny: &[DataAction]) -> RoleDefinition {
        RoleDefinition {
            name: Some(name.into()),
            properties: Some(RoleDefinitionProperties {
                permissions: Some(vec![Permission {
                    data_actions: Some(allow.to_vec()),
                    not_data_actions: Some(deny.to_vec()),
                    ..Default::default()
                }]),
                assignable_scopes: Some(vec![RoleScope::Global]),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn crypto_user_signs_but_does_not_purge() {
        let a = [assign("u", CRYPTO_USER, "/keys")];
        let d = |action| decide("u", &action, "/keys/k", &a, &[], &[]);
        assert_eq!(d(DataAction::SignHsmKey), Decision::Allowed);
        assert_eq!(d(DataAction::PurgeDeletedHsmKey), Decision::NotGranted);
        assert_eq!(
            decide("other", &DataAction::SignHsmKey, "/keys/k", &a, &[], &[]),
            Decision::NotGranted
        );
        // An assignment at a key scope does not reach other keys or the vault.
        let narrow = [assign("u", CRYPTO_USER, "/keys/k")];
        assert_eq!(
            decide("u", &DataAction::SignHsmKey, "/keys/k2", &narrow, &[], &[]),
            Decision::NotGranted
        );
    }

    #[test]
    fn deny_wins_and_wildcards_match() {
        let roles = [custom(
            "11111111-1111-1111-1111-111111111111",
            &[],
            &[DataAction::SignHsmKey],
        )];
        let a = [
            assign("u", CRYPTO_USER, "/"),
            assign("u", "11111111-1111-1111-1111-111111111111", "/keys"),
        ];
        assert_eq!(
            decide("u", &DataAction::SignHsmKey, "/keys/k", &a, &roles, &[]),
            Decision::Denied
        );
        assert_eq!(
            decide("u", &DataAction::VerifyHsmKey, "/keys/k", &a, &roles, &[]),
            Decision::Allowed
        );
        let wild = [custom(
            "22222222-2222-2222-2222-222222222222",
            &["Microsoft.KeyVault/managedHsm/keys/*".parse().unwrap()],
            &[],
        )];
        let b = [assign("w", "22222222-2222-2222-2222-222222222222", "/")];
        assert_eq!(
            decide("w", &DataAction::DeleteHsmKey, "/keys/k", &b, &wild, &[]),
            Decision::Allowed
        );
        assert_eq!(
            decide("w", &DataAction::StartHsmBackup, "/", &b, &wild, &[]),
            Decision::NotGranted
        );
    }

    #[test]
    fn bootstrap_admin_manages_roles_only() {
        let admins = ["boss".to_owned()];
        assert_eq!(
            decide(
                "boss",
                &DataAction::WriteRoleAssignment,
                "/",
                &[],
                &[],
                &admins
            ),
            Decision::Allowed
        );
        assert_eq!(
            decide(
                "boss",
                &DataAction::SignHsmKey,
                "/keys/k",
                &[],
                &[],
                &admins
            ),
            Decision::NotGranted
        );
    }
}
