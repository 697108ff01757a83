//! Role definitions and role assignments.
//!
//! Built-in definitions come from [`crate::rbac::builtin`] and cannot be changed or
//! deleted. Custom definitions may be created at `/` and `/keys`; assignments at `/`,
//! `/keys` and `/keys/NAME`. Deleting a missing assignment or definition answers 404
//! (`RoleAssignmentNotFound` / `RoleDefinitionNotFound`) as the service does; the
//! official SDKs treat that as success.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kv_protocol::rbac::ROLE_ASSIGNMENT_TYPE;
use kv_protocol::{
    Page, RoleAssignment, RoleAssignmentCreateParameters, RoleAssignmentPropertiesWithScope,
    RoleDefinition, RoleDefinitionCreateParameters, RoleDefinitionType, RoleScope, RoleType,
};

use super::RoleCollection;
use crate::error::ApiError;
use crate::rbac::builtin::{self, BUILT_IN_ROLES, definition_id};
use crate::rbac::decision::definition_name;
use crate::rbac::{normalize_scope, scope_covers};
use crate::request::{RequestCtx, parse_json};
use crate::state::AppState;

fn scope_of(raw: &str) -> Result<String, ApiError> {
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

fn guid(name: &str) -> Result<String, ApiError> {
    uuid::Uuid::parse_str(name)
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| ApiError::bad("The role assignment or definition name must be a GUID."))
}

fn definition_not_found(name: &str) -> ApiError {
    ApiError::NotFoundCode {
        code: "RoleDefinitionNotFound",
        message: format!("Requested role definition {name} was not found."),
    }
}

fn assignment_not_found(name: &str) -> ApiError {
    ApiError::NotFoundCode {
        code: "RoleAssignmentNotFound",
        message: format!("Requested role assignment {name} was not found."),
    }
}

/// A value of an OData `$filter` such as `principalId eq 'abc'`.
fn filter_value<'a>(filter: &'a str, field: &str) -> Option<&'a str> {
    let rest = filter.trim().strip_prefix(field)?.trim_start();
    let rest = rest.strip_prefix("eq")?.trim();
    rest.strip_prefix('\'')?.strip_suffix('\'')
}

/// `GET /{scope}/providers/Microsoft.Authorization/{collection}`.
pub async fn list(
    state: AppState,
    ctx: RequestCtx,
    collection: RoleCollection,
    scope: String,
) -> Result<Response, ApiError> {
    let scope = scope_of(&scope)?;
    let filter = ctx.query("$filter").map(str::to_owned);
    match collection {
        RoleCollection::Assignments => {
            let principal = filter
                .as_deref()
                .and_then(|f| filter_value(f, "principalId"))
                .map(str::to_owned);
            let all = state
                .store()
                .run(move |tx| tx.role_assignments(principal.as_deref()))
                .await?;
            // Assignments that apply at the scope (at or above it) and those below it.
            let items = all
                .into_iter()
                .filter(|a| {
                    assignment_scope(a)
                        .is_some_and(|s| scope_covers(&s, &scope) || scope_covers(&scope, &s))
                })
                .collect();
            Ok(Json(Page::new(items, None)).into_response())
        }
        RoleCollection::Definitions => {
            let role_name = filter
                .as_deref()
                .and_then(|f| filter_value(f, "roleName"))
                .map(str::to_owned);
            let custom = state.store().run(|tx| tx.role_definitions()).await?;
            let mut items: Vec<RoleDefinition> =
                BUILT_IN_ROLES.iter().map(|r| r.definition()).collect();
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
                        .is_some_and(|n| n.eq_ignore_ascii_case(&wanted))
                });
            }
            Ok(Json(Page::new(items, None)).into_response())
        }
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

/// `GET .../{collection}/{name}`.
pub async fn get(
    state: AppState,
    collection: RoleCollection,
    scope: String,
    name: String,
) -> Result<Response, ApiError> {
    scope_of(&scope)?;
    match collection {
        RoleCollection::Assignments => {
            let key = name.clone();
            let found = state
                .store()
                .run(move |tx| tx.role_assignment(&key))
                .await?;
            let found = found.ok_or_else(|| assignment_not_found(&name))?;
            Ok(Json(found).into_response())
        }
        RoleCollection::Definitions => {
            if let Some(role) = builtin::find(&name) {
                return Ok(Json(role.definition()).into_response());
            }
            let key = name.clone();
            let found = state
                .store()
                .run(move |tx| tx.role_definition(&key))
                .await?;
            let found = found.ok_or_else(|| definition_not_found(&name))?;
            Ok(Json(found).into_response())
        }
    }
}

/// `PUT .../{collection}/{name}`: create an assignment (201), or create or update a
/// custom definition by name (201).
pub async fn put(
    state: AppState,
    collection: RoleCollection,
    scope: String,
    name: String,
    body: &[u8],
) -> Result<Response, ApiError> {
    let scope = scope_of(&scope)?;
    let name = guid(&name)?;
    match collection {
        RoleCollection::Assignments => create_assignment(state, scope, name, body).await,
        RoleCollection::Definitions => put_definition(state, scope, name, body).await,
    }
}

fn role_scope(scope: &str) -> RoleScope {
    scope.parse().unwrap_or(RoleScope::Global)
}

fn scope_prefix(scope: &str) -> &str {
    if scope == "/" { "" } else { scope }
}

async fn create_assignment(
    state: AppState,
    scope: String,
    name: String,
    body: &[u8],
) -> Result<Response, ApiError> {
    let params: RoleAssignmentCreateParameters = parse_json(body)?;
    let props = params.properties;
    if props.principal_id.trim().is_empty() {
        return Err(ApiError::bad("principalId is required."));
    }
    let definition = definition_name(&props.role_definition_id).to_owned();
    let assignment = RoleAssignment {
        id: Some(format!(
            "{}/providers/Microsoft.Authorization/roleAssignments/{name}",
            scope_prefix(&scope)
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
                    message: "The role assignment already exists.".into(),
                });
            }
            Ok(())
        })
        .await?;
    Ok((StatusCode::CREATED, Json(assignment)).into_response())
}

async fn put_definition(
    state: AppState,
    scope: String,
    name: String,
    body: &[u8],
) -> Result<Response, ApiError> {
    if builtin::find(&name).is_some() {
        return Err(ApiError::bad(
            "Built-in role definitions cannot be changed.",
        ));
    }
    if scope != "/" && scope != "/keys" {
        return Err(ApiError::bad(
            "Custom role definitions can be created at scope / or /keys only.",
        ));
    }
    let params: RoleDefinitionCreateParameters = parse_json(body)?;
    let mut props = params.properties;
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
    Ok((StatusCode::CREATED, Json(definition)).into_response())
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

/// `DELETE .../{collection}/{name}`: answers the deleted item.
pub async fn delete(
    state: AppState,
    collection: RoleCollection,
    scope: String,
    name: String,
) -> Result<Response, ApiError> {
    scope_of(&scope)?;
    match collection {
        RoleCollection::Assignments => {
            let key = name.clone();
            let removed = state
                .store()
                .run(move |tx| {
                    let found = tx.role_assignment(&key)?;
                    if found.is_some() {
                        tx.delete_role_assignment(&key)?;
                    }
                    Ok(found)
                })
                .await?;
            let removed = removed.ok_or_else(|| assignment_not_found(&name))?;
            Ok(Json(removed).into_response())
        }
        RoleCollection::Definitions => {
            if builtin::find(&name).is_some() {
                return Err(ApiError::bad(
                    "Built-in role definitions cannot be deleted.",
                ));
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
            let removed = removed.ok_or_else(|| definition_not_found(&name))?;
            Ok(Json(removed).into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_and_names() {
        assert_eq!(
            filter_value("principalId eq 'abc'", "principalId"),
            Some("abc")
        );
        assert_eq!(
            filter_value("roleName eq 'My role'", "roleName"),
            Some("My role")
        );
        assert_eq!(filter_value("principalId eq abc", "principalId"), None);
        assert!(guid("not-a-guid").is_err());
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
            guid("6EFE6056-5259-49D2-8B3D-D3D73544B20B").unwrap(),
            "6efe6056-5259-49d2-8b3d-d3d73544b20b"
        );
    }
}
