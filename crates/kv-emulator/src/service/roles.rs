//! Role definitions and role assignments of a Managed HSM.
//!
//! Built-in definitions come from [`crate::rbac::builtin`] and cannot be changed or
//! deleted. Custom definitions may be created at `/` and `/keys`; assignments at `/`,
//! `/keys` and `/keys/NAME`. Deleting a missing assignment or definition answers 404
//! (`RoleAssignmentNotFound` / `RoleDefinitionNotFound`) as the service does; the
//! official SDKs treat that as success.

use kv_protocol::rbac::ROLE_ASSIGNMENT_TYPE;
use kv_protocol::{
    DataAction, RoleAssignment, RoleAssignmentProperties, RoleAssignmentPropertiesWithScope,
    RoleDefinition, RoleDefinitionProperties, RoleDefinitionType, RoleScope, RoleType,
};

use crate::error::{ApiError, with_activity_id};
use crate::rbac::builtin::{self, BUILT_IN_ROLES, definition_id};
use crate::rbac::decision::definition_name;
use crate::rbac::{Decision, normalize_scope, scope_covers};
use crate::state::AppState;
use crate::store::Tx;

/// `raw` as a normalized scope (`/`, `/keys`, `/keys/NAME`); 400 otherwise.
pub(crate) fn scope_of(raw: &str) -> Result<String, ApiError> {
    normalize_scope(raw).ok_or_else(|| {
        ApiError::bad(format!(
            "The scope {} is not valid; use /, /keys or /keys/<key name>.",
            raw.chars()
                .filter(|c| !c.is_control())
                .take(100)
                .collect::<String>()
        ))
    })
}

/// `name` as a lower-case hyphenated GUID; 400 otherwise, worded as the service words it
/// for a definition (`Role definition name must be a GUID (Activity ID: ...)`, JS
/// `errors when name is not a valid guid`) and likewise for an assignment.
pub(crate) fn guid(name: &str, what: &str) -> Result<String, ApiError> {
    uuid::Uuid::parse_str(name)
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| ApiError::bad(with_activity_id(&format!("{what} name must be a GUID"))))
}

/// A PUT or DELETE of a built-in definition (JS `errors when deleting a builtin role
/// definition` and `errors when updating a builtin role definition`, 2026).
fn built_in_refused() -> ApiError {
    ApiError::bad(with_activity_id(
        "Cannot re-use the name/GUID matching that of a built-in role. Please use a unique \
         role ID.",
    ))
}

/// The service's answer for a missing definition, which does not name it (Go azadmin
/// `TestDeleteRoleDefinition_FailureInvalidRole` recording).
fn definition_not_found(_name: &str) -> ApiError {
    ApiError::NotFoundCode {
        code: "RoleDefinitionNotFound",
        message: with_activity_id("Requested role definition not found"),
    }
}

/// The service's answer for a missing assignment (Go azadmin
/// `TestDeleteRoleAssignment_FailureInvalidRole` recording).
fn assignment_not_found(_name: &str) -> ApiError {
    ApiError::NotFoundCode {
        code: "RoleAssignmentNotFound",
        message: with_activity_id("Requested role assignment not found"),
    }
}

fn assignment_scope(a: &RoleAssignment) -> Option<String> {
    a.properties
        .as_ref()
        .and_then(|p| p.scope.as_ref())
        .and_then(|s| normalize_scope(s.as_str()))
}

fn assignable_scopes(d: &RoleDefinition) -> Vec<String> {
    d.properties
        .iter()
        .flat_map(|p| p.assignable_scopes.iter().flatten())
        .filter_map(|s| normalize_scope(s.as_str()))
        .collect()
}

/// The assignments that apply at `scope` (at or above it) and those below it, only
/// `principal`'s if given.
pub(crate) async fn list_assignments(
    state: &AppState,
    scope: &str,
    principal: Option<String>,
) -> Result<Vec<RoleAssignment>, ApiError> {
    let scope = scope_of(scope)?;
    let all = state
        .store()
        .run(move |tx| tx.role_assignments(principal.as_deref()))
        .await?;
    Ok(all
        .into_iter()
        .filter(|a| {
            assignment_scope(a)
                .is_some_and(|s| scope_covers(&s, &scope) || scope_covers(&scope, &s))
        })
        .collect())
}

/// The built-in definitions and the custom ones assignable at `scope`, only those named
/// `role_name` (any case) if given.
pub(crate) async fn list_definitions(
    state: &AppState,
    scope: &str,
    role_name: Option<&str>,
) -> Result<Vec<RoleDefinition>, ApiError> {
    let scope = scope_of(scope)?;
    let custom = state.store().run(|tx| tx.role_definitions()).await?;
    let mut items: Vec<RoleDefinition> = BUILT_IN_ROLES.iter().map(|r| r.definition()).collect();
    items.extend(
        custom
            .into_iter()
            .filter(|d| assignable_scopes(d).iter().any(|s| scope_covers(s, &scope))),
    );
    if let Some(wanted) = role_name {
        items.retain(|d| {
            d.properties
                .as_ref()
                .and_then(|p| p.role_name.as_deref())
                .is_some_and(|n| n.eq_ignore_ascii_case(wanted))
        });
    }
    Ok(items)
}

/// Whether `principal` may perform `action` at `scope`, given every role assignment and
/// custom definition of the instance and the bootstrap administrators (`--rbac-admin`).
pub(crate) async fn decide(
    state: &AppState,
    principal: &str,
    action: &DataAction,
    scope: &str,
) -> Result<Decision, ApiError> {
    let (assignments, definitions) = state
        .store()
        .run(|tx| Ok((tx.role_assignments(None)?, tx.role_definitions()?)))
        .await?;
    let admins = &state.settings().rbac_admins;
    Ok(crate::rbac::decide(
        principal,
        action,
        scope,
        &assignments,
        &definitions,
        admins,
    ))
}

/// The scope of assignment `name` asked for at normalized `scope`: that scope when it holds
/// one (names are unique per scope), else the one scope that does, for clients that name
/// an assignment at `/` wherever it was made (the service's rule for a name held at several
/// other scopes is not recorded; none is chosen then).
fn assignment_scope_for(tx: &Tx<'_>, name: &str, scope: &str) -> Result<Option<String>, ApiError> {
    let scopes = tx.role_assignment_scopes(name)?;
    if scopes.iter().any(|s| s.eq_ignore_ascii_case(scope)) {
        return Ok(Some(scope.to_owned()));
    }
    Ok(match scopes.as_slice() {
        [only] => Some(only.clone()),
        _ => None,
    })
}

/// Role assignment `name` at normalized `scope` (see [`assignment_scope_for`]).
pub(crate) async fn get_assignment(
    state: &AppState,
    scope: String,
    name: String,
) -> Result<RoleAssignment, ApiError> {
    let key = name.clone();
    let found = state
        .store()
        .run(move |tx| match assignment_scope_for(tx, &key, &scope)? {
            Some(scope) => tx.role_assignment(&key, &scope),
            None => Ok(None),
        })
        .await?;
    found.ok_or_else(|| assignment_not_found(&name))
}

/// Role definition `name` (built-in or custom).
pub(crate) async fn get_definition(
    state: &AppState,
    name: String,
) -> Result<RoleDefinition, ApiError> {
    if let Some(role) = builtin::find(&name) {
        return Ok(role.definition());
    }
    let key = name.clone();
    let found = state
        .store()
        .run(move |tx| tx.role_definition(&key))
        .await?;
    found.ok_or_else(|| definition_not_found(&name))
}

fn role_scope(scope: &str) -> RoleScope {
    scope.parse().unwrap_or(RoleScope::Global)
}

/// Creates assignment `name` (a GUID, see [`guid`]) at normalized `scope`.
pub(crate) async fn create_assignment(
    state: &AppState,
    scope: String,
    name: String,
    props: RoleAssignmentProperties,
) -> Result<RoleAssignment, ApiError> {
    if props.principal_id.trim().is_empty() {
        return Err(ApiError::bad("principalId is required."));
    }
    let definition = definition_name(&props.role_definition_id).to_owned();
    let assignment = RoleAssignment {
        // The id never names the scope (.NET `CreateKeysRoleAssignment`,
        // `CreateKeyRoleAssignment`, 2025-07-01); `properties.scope` does.
        id: Some(format!(
            "/providers/Microsoft.Authorization/roleAssignments/{name}"
        )),
        name: Some(name.clone()),
        assignment_type: Some(ROLE_ASSIGNMENT_TYPE.to_owned()),
        properties: Some(RoleAssignmentPropertiesWithScope {
            scope: Some(role_scope(&scope)),
            role_definition_id: Some(definition_id(&definition)),
            principal_id: Some(props.principal_id.clone()),
        }),
    };
    let stored = assignment.clone();
    state
        .store()
        .run(move |tx| {
            if builtin::find(&definition).is_none() && tx.role_definition(&definition)?.is_none() {
                return Err(ApiError::bad(format!(
                    "The role definition {definition} does not exist."
                )));
            }
            if !tx.insert_role_assignment(&name, &scope, &props.principal_id, &stored)? {
                // The service answers 400, not 409 (the official SDKs' recordings).
                return Err(ApiError::BadRequestCode {
                    code: "RoleAssignmentExists",
                    message: with_activity_id("The role assignment already exists."),
                });
            }
            Ok(())
        })
        .await?;
    Ok(assignment)
}

/// Refuses a definition PUT of a built-in role or at a scope other than `/` and `/keys`
/// (checked before the body is read, as the service does).
pub(crate) fn check_definition_target(scope: &str, name: &str) -> Result<(), ApiError> {
    if builtin::find(name).is_some() {
        return Err(built_in_refused());
    }
    if scope != "/" && scope != "/keys" {
        return Err(ApiError::bad(
            "Custom role definitions can be created at scope / or /keys only.",
        ));
    }
    Ok(())
}

/// Creates or replaces custom definition `name` (a GUID) at normalized `scope`.
pub(crate) async fn put_definition(
    state: &AppState,
    scope: String,
    name: String,
    mut props: RoleDefinitionProperties,
) -> Result<RoleDefinition, ApiError> {
    check_definition_target(&scope, &name)?;
    match &props.role_type {
        None | Some(RoleType::CustomRole) => props.role_type = Some(RoleType::CustomRole),
        Some(_) => return Err(ApiError::bad("Only CustomRole definitions can be created.")),
    }
    // Like the service: a definition PUT at `/keys` without assignable scopes is
    // assignable at `/` (spec example PutRoleDefinition).
    let scopes = match props.assignable_scopes.take() {
        Some(list) if !list.is_empty() => list,
        _ => vec![RoleScope::Global],
    };
    for s in &scopes {
        if !matches!(normalize_scope(s.as_str()).as_deref(), Some("/" | "/keys")) {
            return Err(ApiError::bad(format!(
                "The assignable scope {} is not valid; use / or /keys.",
                s.as_str().chars().take(100).collect::<String>()
            )));
        }
    }
    props.assignable_scopes = Some(scopes);
    fill_defaults(&mut props);
    let definition = RoleDefinition {
        id: Some(definition_id(&name)),
        name: Some(name.clone()),
        definition_type: Some(RoleDefinitionType::RoleDefinition),
        properties: Some(props),
    };
    let stored = definition.clone();
    state
        .store()
        .run(move |tx| tx.put_role_definition(&name, &stored))
        .await?;
    Ok(definition)
}

/// What the service stores for a PUT: the body replaces the definition, and what it
/// leaves out comes back as `""` (names) or `[]` (permission lists), never absent.
fn fill_defaults(props: &mut kv_protocol::RoleDefinitionProperties) {
    props.role_name.get_or_insert_with(String::new);
    props.description.get_or_insert_with(String::new);
    for permission in props.permissions.get_or_insert_with(Vec::new) {
        permission.actions.get_or_insert_with(Vec::new);
        permission.not_actions.get_or_insert_with(Vec::new);
        permission.data_actions.get_or_insert_with(Vec::new);
        permission.not_data_actions.get_or_insert_with(Vec::new);
    }
}

/// Deletes assignment `name` at normalized `scope` (see [`assignment_scope_for`]); answers
/// it.
pub(crate) async fn delete_assignment(
    state: &AppState,
    scope: String,
    name: String,
) -> Result<RoleAssignment, ApiError> {
    let key = name.clone();
    let removed = state
        .store()
        .run(move |tx| {
            let Some(scope) = assignment_scope_for(tx, &key, &scope)? else {
                return Ok(None);
            };
            let found = tx.role_assignment(&key, &scope)?;
            if found.is_some() {
                tx.delete_role_assignment(&key, &scope)?;
            }
            Ok(found)
        })
        .await?;
    removed.ok_or_else(|| assignment_not_found(&name))
}

/// Deletes custom definition `name`; answers it. Built-in definitions cannot be deleted.
pub(crate) async fn delete_definition(
    state: &AppState,
    name: String,
) -> Result<RoleDefinition, ApiError> {
    if builtin::find(&name).is_some() {
        return Err(built_in_refused());
    }
    let key = name.clone();
    let removed = state
        .store()
        .run(move |tx| {
            let found = tx.role_definition(&key)?;
            if found.is_some() {
                tx.delete_role_definition(&key)?;
            }
            Ok(found)
        })
        .await?;
    removed.ok_or_else(|| definition_not_found(&name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_stored_defaults() {
        assert!(guid("not-a-guid", "Role definition").is_err());
        let mut props: kv_protocol::RoleDefinitionProperties = serde_json::from_str(
            r#"{"permissions":[{"dataActions":["Microsoft.KeyVault/managedHsm/keys/read/action"]}]}"#,
        )
        .unwrap();
        fill_defaults(&mut props);
        let wire = serde_json::to_value(&props).unwrap();
        assert_eq!(wire["roleName"], "");
        assert_eq!(wire["description"], "");
        assert_eq!(
            wire["permissions"][0]["notDataActions"],
            serde_json::json!([])
        );
        assert_eq!(wire["permissions"][0]["actions"], serde_json::json!([]));
        assert_eq!(
            guid("6EFE6056-5259-49D2-8B3D-D3D73544B20B", "Role definition").unwrap(),
            "6efe6056-5259-49d2-8b3d-d3d73544b20b"
        );
    }
}
