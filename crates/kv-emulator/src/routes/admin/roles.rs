//! Role definition and role assignment routes
//! (`/{scope}/providers/Microsoft.Authorization/{roleAssignments,roleDefinitions}`), over
//! [`crate::service::roles`].

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kv_protocol::{Page, RoleAssignmentCreateParameters, RoleDefinitionCreateParameters};

use super::RoleCollection;
use crate::error::ApiError;
use crate::request::{RequestCtx, parse_json};
use crate::service::roles;
use crate::state::AppState;

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
    let filter = ctx.query("$filter");
    match collection {
        RoleCollection::Assignments => {
            let principal = filter
                .and_then(|f| filter_value(f, "principalId"))
                .map(str::to_owned);
            let items = roles::list_assignments(&state, &scope, principal).await?;
            Ok(Json(Page::new(items, None)).into_response())
        }
        RoleCollection::Definitions => {
            let role_name = filter.and_then(|f| filter_value(f, "roleName"));
            let items = roles::list_definitions(&state, &scope, role_name).await?;
            Ok(Json(Page::new(items, None)).into_response())
        }
    }
}

/// `GET .../{collection}/{name}`.
pub async fn get(
    state: AppState,
    collection: RoleCollection,
    scope: String,
    name: String,
) -> Result<Response, ApiError> {
    let scope = roles::scope_of(&scope)?;
    match collection {
        RoleCollection::Assignments => {
            Ok(Json(roles::get_assignment(&state, scope, name).await?).into_response())
        }
        RoleCollection::Definitions => {
            Ok(Json(roles::get_definition(&state, name).await?).into_response())
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
    let scope = roles::scope_of(&scope)?;
    let name = roles::guid(
        &name,
        match collection {
            RoleCollection::Assignments => "Role assignment",
            RoleCollection::Definitions => "Role definition",
        },
    )?;
    match collection {
        RoleCollection::Assignments => {
            let params: RoleAssignmentCreateParameters = parse_json(body)?;
            let created = roles::create_assignment(&state, scope, name, params.properties).await?;
            Ok((StatusCode::CREATED, Json(created)).into_response())
        }
        RoleCollection::Definitions => {
            roles::check_definition_target(&scope, &name)?;
            let params: RoleDefinitionCreateParameters = parse_json(body)?;
            let stored = roles::put_definition(&state, scope, name, params.properties).await?;
            Ok((StatusCode::CREATED, Json(stored)).into_response())
        }
    }
}

/// `DELETE .../{collection}/{name}`: answers the deleted item.
pub async fn delete(
    state: AppState,
    collection: RoleCollection,
    scope: String,
    name: String,
) -> Result<Response, ApiError> {
    let scope = roles::scope_of(&scope)?;
    match collection {
        RoleCollection::Assignments => {
            Ok(Json(roles::delete_assignment(&state, scope, name).await?).into_response())
        }
        RoleCollection::Definitions => {
            Ok(Json(roles::delete_definition(&state, name).await?).into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters() {
        assert_eq!(
            filter_value("principalId eq 'abc'", "principalId"),
            Some("abc")
        );
        assert_eq!(
            filter_value("roleName eq 'My role'", "roleName"),
            Some("My role")
        );
        assert_eq!(filter_value("principalId eq abc", "principalId"), None);
    }
}
