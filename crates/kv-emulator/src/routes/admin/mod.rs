//! Managed HSM administration routes: role definitions and assignments
//! (`/{scope}/providers/Microsoft.Authorization/...`), full backup and restore
//! (`/backup`, `/prebackup`, `/restore`, `/prerestore`, `PUT /keys/{name}/restore` and the
//! `/{backup,restore}/{jobId}/pending` status URLs) and settings (`/settings`).
//!
//! [`classify`] maps a method and path to an [`AdminOp`] once; [`AdminOp::access`] names
//! the data action and scope RBAC checks for it.

pub mod access;
pub mod backup;
pub mod ekm;
pub mod roles;
pub mod settings;

use axum::body::Body;
use axum::extract::Request;
use axum::http::Method;
use axum::response::Response;
use kv_protocol::{ApiVersion, DataAction};

use crate::error::ApiError;
use crate::rbac::builtin;
use crate::request::{RequestCtx, read_body};
use crate::routes::key_request::KeyRequest;
use crate::state::AppState;

/// Which collection a role route addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleCollection {
    /// `roleAssignments`.
    Assignments,
    /// `roleDefinitions`.
    Definitions,
}

/// One administration operation with its path parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AdminOp {
    /// `GET /{scope}/providers/Microsoft.Authorization/{collection}`.
    ListRoles(RoleCollection, String),
    /// `GET .../{collection}/{name}`.
    GetRole(RoleCollection, String, String),
    /// `PUT .../{collection}/{name}`.
    PutRole(RoleCollection, String, String),
    /// `DELETE .../{collection}/{name}`.
    DeleteRole(RoleCollection, String, String),
    /// `POST /backup`.
    FullBackup,
    /// `POST /prebackup`.
    PreBackup,
    /// `GET /backup/{jobId}/pending`.
    BackupStatus(String),
    /// `PUT /restore`.
    FullRestore,
    /// `PUT /prerestore`.
    PreRestore,
    /// `GET /restore/{jobId}/pending`.
    RestoreStatus(String),
    /// `PUT /keys/{name}/restore`.
    SelectiveRestore(String),
    /// `GET /settings`.
    ListSettings,
    /// `GET /settings/{name}`.
    GetSetting(String),
    /// `PATCH /settings/{name}`.
    UpdateSetting(String),
    /// `GET /ekm`.
    GetEkm,
    /// `POST /ekm/create`.
    CreateEkm,
    /// `PATCH /ekm`.
    UpdateEkm,
    /// `DELETE /ekm`.
    DeleteEkm,
    /// `POST /ekm/check`.
    CheckEkm,
    /// `GET /ekm/certificate`.
    EkmCertificate,
    /// `GET /ekm/privateendpoint` (2026-07-01-preview).
    ListEkmPrivateEndpoints,
    /// `GET /ekm/privateendpoint/{peName}`.
    GetEkmPrivateEndpoint(String),
    /// `POST /ekm/privateendpoint/{peName}`.
    CreateEkmPrivateEndpoint(String),
    /// `DELETE /ekm/privateendpoint/{peName}`.
    DeleteEkmPrivateEndpoint(String),
    /// `GET /ekm/privateendpoint/operations/{operationId}`.
    EkmPrivateEndpointOperation(String),
}

const PROVIDERS: &str = "/providers/microsoft.authorization/";

/// The administration operation of `method` and `path`: `None` when the path is not an
/// administration path, `Some(Err)` for a known path with a wrong method.
pub fn classify(method: &Method, path: &str) -> Option<Result<AdminOp, ApiError>> {
    let lower = path.to_ascii_lowercase();
    if let Some(at) = lower.find(PROVIDERS) {
        let scope = path.get(..at).unwrap_or_default();
        let rest = path.get(at + PROVIDERS.len()..).unwrap_or_default();
        return Some(classify_role(method, scope, rest));
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let m = method.clone();
    let op = match segments.as_slice() {
        ["backup"] => (m == Method::POST).then_some(AdminOp::FullBackup),
        ["prebackup"] => (m == Method::POST).then_some(AdminOp::PreBackup),
        ["backup", id, "pending"] => {
            (m == Method::GET).then(|| AdminOp::BackupStatus((*id).to_owned()))
        }
        ["restore"] => (m == Method::PUT).then_some(AdminOp::FullRestore),
        ["prerestore"] => (m == Method::PUT).then_some(AdminOp::PreRestore),
        ["restore", id, "pending"] => {
            (m == Method::GET).then(|| AdminOp::RestoreStatus((*id).to_owned()))
        }
        ["keys", name, "restore"] if m == Method::PUT => {
            Some(AdminOp::SelectiveRestore((*name).to_owned()))
        }
        ["settings"] | ["settings", ""] => (m == Method::GET).then_some(AdminOp::ListSettings),
        ["ekm"] | ["ekm", ""] => match m {
            Method::GET => Some(AdminOp::GetEkm),
            Method::PATCH => Some(AdminOp::UpdateEkm),
            Method::DELETE => Some(AdminOp::DeleteEkm),
            _ => None,
        },
        ["ekm", "create"] => (m == Method::POST).then_some(AdminOp::CreateEkm),
        ["ekm", "check"] => (m == Method::POST).then_some(AdminOp::CheckEkm),
        ["ekm", "certificate"] => (m == Method::GET).then_some(AdminOp::EkmCertificate),
        ["ekm", "privateendpoint"] | ["ekm", "privateendpoint", ""] => {
            (m == Method::GET).then_some(AdminOp::ListEkmPrivateEndpoints)
        }
        ["ekm", "privateendpoint", "operations", id] => {
            (m == Method::GET).then(|| AdminOp::EkmPrivateEndpointOperation((*id).to_owned()))
        }
        ["ekm", "privateendpoint", name] => {
            let name = (*name).to_owned();
            match m {
                Method::GET => Some(AdminOp::GetEkmPrivateEndpoint(name)),
                Method::POST => Some(AdminOp::CreateEkmPrivateEndpoint(name)),
                Method::DELETE => Some(AdminOp::DeleteEkmPrivateEndpoint(name)),
                _ => None,
            }
        }
        ["settings", name] => match m {
            Method::GET => Some(AdminOp::GetSetting((*name).to_owned())),
            Method::PATCH => Some(AdminOp::UpdateSetting((*name).to_owned())),
            _ => None,
        },
        _ => return None,
    };
    Some(op.ok_or(ApiError::MethodNotAllowed))
}

fn classify_role(method: &Method, scope: &str, rest: &str) -> Result<AdminOp, ApiError> {
    let mut parts = rest.trim_end_matches('/').splitn(2, '/');
    let collection = match parts.next().map(str::to_ascii_lowercase).as_deref() {
        Some("roleassignments") => RoleCollection::Assignments,
        Some("roledefinitions") => RoleCollection::Definitions,
        _ => {
            return Err(ApiError::NotFound(
                "The requested authorization resource was not found.".into(),
            ));
        }
    };
    let scope = scope.to_owned();
    match (parts.next().filter(|n| !n.is_empty()), method.clone()) {
        (None, Method::GET) => Ok(AdminOp::ListRoles(collection, scope)),
        (Some(name), Method::GET) => Ok(AdminOp::GetRole(collection, scope, name.to_owned())),
        (Some(name), Method::PUT) => Ok(AdminOp::PutRole(collection, scope, name.to_owned())),
        (Some(name), Method::DELETE) => Ok(AdminOp::DeleteRole(collection, scope, name.to_owned())),
        _ => Err(ApiError::MethodNotAllowed),
    }
}

impl AdminOp {
    /// The data action RBAC requires for this operation and the scope it is checked at.
    /// The settings and EKM operations need actions the spec's enum does not list, as the
    /// recorded built-in roles spell them (see [`crate::rbac::builtin::SETTINGS_READ`] and
    /// [`crate::rbac::builtin::EKM_READ`]).
    pub fn access(&self) -> Option<(DataAction, String)> {
        use RoleCollection::{Assignments, Definitions};
        let global = || "/".to_owned();
        let (action, scope) = match self {
            Self::ListRoles(Assignments, _) | Self::GetRole(Assignments, ..) => {
                (DataAction::GetRoleAssignment, global())
            }
            Self::PutRole(Assignments, ..) => (DataAction::WriteRoleAssignment, global()),
            Self::DeleteRole(Assignments, ..) => (DataAction::DeleteRoleAssignment, global()),
            Self::ListRoles(Definitions, _) | Self::GetRole(Definitions, ..) => {
                (DataAction::ReadRoleDefinition, global())
            }
            Self::PutRole(Definitions, ..) => (DataAction::WriteRoleDefinition, global()),
            Self::DeleteRole(Definitions, ..) => (DataAction::DeleteRoleDefinition, global()),
            Self::FullBackup | Self::PreBackup => (DataAction::StartHsmBackup, global()),
            Self::BackupStatus(_) => (DataAction::ReadHsmBackupStatus, global()),
            Self::FullRestore | Self::PreRestore | Self::SelectiveRestore(_) => {
                (DataAction::StartHsmRestore, global())
            }
            Self::RestoreStatus(_) => (DataAction::ReadHsmRestoreStatus, global()),
            Self::ListSettings | Self::GetSetting(_) => {
                (DataAction::from(builtin::SETTINGS_READ), global())
            }
            Self::UpdateSetting(_) => (DataAction::from(builtin::SETTINGS_WRITE), global()),
            Self::GetEkm
            | Self::CheckEkm
            | Self::EkmCertificate
            | Self::ListEkmPrivateEndpoints
            | Self::GetEkmPrivateEndpoint(_)
            | Self::EkmPrivateEndpointOperation(_) => {
                (DataAction::from(builtin::EKM_READ), global())
            }
            // The spec: deleting a private endpoint needs ekm/write, not ekm/delete.
            Self::CreateEkm
            | Self::UpdateEkm
            | Self::CreateEkmPrivateEndpoint(_)
            | Self::DeleteEkmPrivateEndpoint(_) => (DataAction::from(builtin::EKM_WRITE), global()),
            Self::DeleteEkm => (DataAction::from(builtin::EKM_DELETE), global()),
        };
        Some((action, scope))
    }
}

/// Handler for every administration path (and the router's fallback: anything else is
/// 404).
pub async fn dispatch(
    state: AppState,
    ctx: RequestCtx,
    request: Request<Body>,
) -> Result<Response, ApiError> {
    let path = request.uri().path().to_owned();
    let Some(op) = classify(request.method(), &path) else {
        let printable: String = path.chars().filter(|c| !c.is_control()).take(200).collect();
        return Err(ApiError::NotFound(format!(
            "The path {printable} was not found."
        )));
    };
    let op = op?;
    let body = read_body(request.into_body()).await?;
    run(state, ctx, op, &body).await
}

/// Runs one classified administration operation.
///
/// A vault has no administration APIs: it answers them 404, as the service does when an
/// administration client is pointed at a vault URL (Azure/azure-cli#22801).
pub async fn run(
    state: AppState,
    ctx: RequestCtx,
    op: AdminOp,
    body: &[u8],
) -> Result<Response, ApiError> {
    if !state.kind().is_hsm() {
        return Err(not_on_a_vault());
    }
    check_added(&op, &ctx)?;
    match op {
        AdminOp::ListRoles(c, scope) => roles::list(state, ctx, c, scope).await,
        AdminOp::GetRole(c, scope, name) => roles::get(state, c, scope, name).await,
        AdminOp::PutRole(c, scope, name) => roles::put(state, c, scope, name, body).await,
        AdminOp::DeleteRole(c, scope, name) => roles::delete(state, c, scope, name).await,
        AdminOp::FullBackup => backup::full_backup(state, ctx, body).await,
        AdminOp::PreBackup => backup::pre_backup(state, ctx, body).await,
        AdminOp::BackupStatus(id) => backup::status(state, id, true),
        AdminOp::FullRestore => backup::full_restore(state, ctx, body).await,
        AdminOp::PreRestore => backup::pre_restore(state, ctx, body).await,
        AdminOp::RestoreStatus(id) => backup::status(state, id, false),
        AdminOp::SelectiveRestore(name) => {
            let req = KeyRequest {
                state,
                ctx,
                name,
                version: None,
                body,
            };
            backup::selective_restore(req).await
        }
        AdminOp::ListSettings => settings::list(state).await,
        AdminOp::GetSetting(name) => settings::get(state, name).await,
        AdminOp::UpdateSetting(name) => settings::update(state, name, body).await,
        AdminOp::GetEkm => ekm::get(&state).await,
        AdminOp::CreateEkm => ekm::create(&state, body).await,
        AdminOp::UpdateEkm => ekm::update(&state, body).await,
        AdminOp::DeleteEkm => ekm::delete(&state).await,
        AdminOp::CheckEkm => ekm::check(&state).await,
        AdminOp::EkmCertificate => ekm::certificate(),
        AdminOp::ListEkmPrivateEndpoints => ekm::list_private_endpoints(&state).await,
        AdminOp::GetEkmPrivateEndpoint(name) => ekm::get_private_endpoint(&state, name).await,
        AdminOp::CreateEkmPrivateEndpoint(name) => {
            ekm::create_private_endpoint(&state, &ctx, name, body).await
        }
        AdminOp::DeleteEkmPrivateEndpoint(name) => {
            ekm::delete_private_endpoint(&state, &ctx, name).await
        }
        AdminOp::EkmPrivateEndpointOperation(id) => {
            ekm::private_endpoint_operation(&state, id).await
        }
    }
}

impl AdminOp {
    /// The api-version that added this operation, for those added after the rest of the
    /// administration API (the private endpoint routes: 2026-07-01-preview).
    fn added_in(&self) -> Option<ApiVersion> {
        match self {
            Self::ListEkmPrivateEndpoints
            | Self::GetEkmPrivateEndpoint(_)
            | Self::CreateEkmPrivateEndpoint(_)
            | Self::DeleteEkmPrivateEndpoint(_)
            | Self::EkmPrivateEndpointOperation(_) => Some(ApiVersion::V2026_07_01Preview),
            _ => None,
        }
    }
}

/// An operation requested at an api-version older than the one that added it: the
/// answer to a path that does not exist (as [`dispatch`] answers an unknown path).
fn check_added(op: &AdminOp, ctx: &RequestCtx) -> Result<(), ApiError> {
    let requested = ApiVersion::from(ctx.api_version());
    match op.added_in() {
        Some(added) if requested.is_known() && requested < added => {
            Err(ApiError::NotFound(format!(
                "The requested operation is not available at api-version {requested}; it \
                 needs {added} or later."
            )))
        }
        _ => Ok(()),
    }
}

/// The answer of a vault to an administration path.
pub fn not_on_a_vault() -> ApiError {
    ApiError::NotFound(
        "This is a key vault, not a Managed HSM: role-based access control, full backup \
         and restore, and settings are Managed HSM administration APIs."
            .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use RoleCollection::*;

    fn op(method: Method, path: &str) -> AdminOp {
        classify(&method, path).unwrap().unwrap()
    }

    #[test]
    fn shapes() {
        assert_eq!(
            op(
                Method::GET,
                "//providers/Microsoft.Authorization/roleAssignments"
            ),
            AdminOp::ListRoles(Assignments, "/".into())
        );
        assert_eq!(
            op(
                Method::PUT,
                "/keys/providers/Microsoft.Authorization/roleDefinitions/abc"
            ),
            AdminOp::PutRole(Definitions, "/keys".into(), "abc".into())
        );
        assert_eq!(
            op(
                Method::DELETE,
                "/providers/Microsoft.Authorization/roleAssignments/x"
            ),
            AdminOp::DeleteRole(Assignments, "".into(), "x".into())
        );
        assert_eq!(op(Method::POST, "/backup"), AdminOp::FullBackup);
        assert_eq!(
            op(Method::GET, "/backup/j1/pending"),
            AdminOp::BackupStatus("j1".into())
        );
        assert_eq!(op(Method::PUT, "/restore"), AdminOp::FullRestore);
        assert_eq!(op(Method::PUT, "/prerestore"), AdminOp::PreRestore);
        assert_eq!(op(Method::POST, "/prebackup"), AdminOp::PreBackup);
        assert_eq!(
            op(Method::GET, "/restore/j2/pending"),
            AdminOp::RestoreStatus("j2".into())
        );
        assert_eq!(
            op(Method::PUT, "/keys/k1/restore"),
            AdminOp::SelectiveRestore("k1".into())
        );
        assert_eq!(op(Method::GET, "/settings"), AdminOp::ListSettings);
        assert_eq!(
            op(Method::PATCH, "/settings/S"),
            AdminOp::UpdateSetting("S".into())
        );
        assert_eq!(op(Method::GET, "/ekm"), AdminOp::GetEkm);
        assert_eq!(op(Method::POST, "/ekm/create"), AdminOp::CreateEkm);
        assert_eq!(op(Method::PATCH, "/ekm"), AdminOp::UpdateEkm);
        assert_eq!(op(Method::DELETE, "/ekm"), AdminOp::DeleteEkm);
        assert_eq!(op(Method::POST, "/ekm/check"), AdminOp::CheckEkm);
        assert_eq!(op(Method::GET, "/ekm/certificate"), AdminOp::EkmCertificate);
        assert_eq!(
            op(Method::GET, "/ekm/privateendpoint"),
            AdminOp::ListEkmPrivateEndpoints
        );
        assert_eq!(
            op(Method::POST, "/ekm/privateendpoint/pe1"),
            AdminOp::CreateEkmPrivateEndpoint("pe1".into())
        );
        assert_eq!(
            op(Method::GET, "/ekm/privateendpoint/operations/j1"),
            AdminOp::EkmPrivateEndpointOperation("j1".into())
        );
        assert_eq!(
            op(Method::DELETE, "/ekm/privateendpoint/pe1").access(),
            Some((DataAction::from(builtin::EKM_WRITE), "/".into()))
        );
        assert!(matches!(
            classify(&Method::PUT, "/ekm/privateendpoint/pe1"),
            Some(Err(ApiError::MethodNotAllowed))
        ));
        assert!(matches!(
            classify(&Method::GET, "/ekm/check"),
            Some(Err(ApiError::MethodNotAllowed))
        ));
        assert!(classify(&Method::GET, "/keys/k1").is_none());
        assert!(classify(&Method::POST, "/keys/restore").is_none());
        assert!(matches!(
            classify(&Method::GET, "/backup"),
            Some(Err(ApiError::MethodNotAllowed))
        ));
        assert_eq!(
            op(Method::GET, "/settings").access(),
            Some((DataAction::from(builtin::SETTINGS_READ), "/".into()))
        );
        assert_eq!(
            op(
                Method::PATCH,
                "/settings/AllowKeyManagementOperationsThroughARM"
            )
            .access(),
            Some((DataAction::from(builtin::SETTINGS_WRITE), "/".into()))
        );
        assert_eq!(
            op(Method::POST, "/ekm/check").access(),
            Some((DataAction::from(builtin::EKM_READ), "/".into()))
        );
        assert_eq!(
            op(Method::DELETE, "/ekm").access(),
            Some((DataAction::from(builtin::EKM_DELETE), "/".into()))
        );
        assert_eq!(
            op(Method::POST, "/backup").access(),
            Some((DataAction::StartHsmBackup, "/".into()))
        );
    }
}
