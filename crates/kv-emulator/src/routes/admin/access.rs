//! RBAC enforcement: the middleware that checks each request's data action against the
//! caller's role assignments when `--rbac` is on (see [`crate::rbac`]).

use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kv_protocol::DataAction;

use crate::error::ApiError;
use crate::rbac::{Decision, principal_of};
use crate::routes::{Operation, classify as classify_keys};
use crate::service::crypto::CryptoOp;
use crate::service::roles;
use crate::state::AppState;

/// The data action of a keys-API operation and the scope it is checked at (`/keys/NAME`
/// for operations on one key, `/keys` for lists and restore).
pub fn key_access(op: &Operation) -> (DataAction, String) {
    let key = |name: &str| format!("/keys/{}", name.to_ascii_lowercase());
    let keys = || "/keys".to_owned();
    match op {
        Operation::ListKeys => (DataAction::ReadHsmKey, keys()),
        Operation::Create(n) => (DataAction::CreateHsmKey, key(n)),
        Operation::Import(n) => (DataAction::ImportHsmKey, key(n)),
        Operation::Delete(n) => (DataAction::DeleteHsmKey, key(n)),
        Operation::Get(n, _)
        | Operation::ListVersions(n)
        | Operation::GetRotationPolicy(n)
        | Operation::Attestation(n, _) => (DataAction::ReadHsmKey, key(n)),
        // The spec's DataAction list has no rotate action; rotation writes the key.
        Operation::Update(n, _) | Operation::PutRotationPolicy(n) | Operation::Rotate(n) => {
            (DataAction::WriteHsmKey, key(n))
        }
        Operation::Backup(n) => (DataAction::BackupHsmKeys, key(n)),
        Operation::Restore => (DataAction::RestoreHsmKeys, keys()),
        Operation::Crypto(op, n, _) => {
            let action = match op {
                CryptoOp::Encrypt => DataAction::EncryptHsmKey,
                CryptoOp::Decrypt => DataAction::DecryptHsmKey,
                CryptoOp::Sign => DataAction::SignHsmKey,
                CryptoOp::Verify => DataAction::VerifyHsmKey,
                CryptoOp::WrapKey => DataAction::WrapHsmKey,
                CryptoOp::UnwrapKey => DataAction::UnwrapHsmKey,
                CryptoOp::Release => DataAction::ReleaseKey,
            };
            (action, key(n))
        }
        // The spec: secure wrap needs the wrapKey permission, secure unwrap unwrapKey.
        Operation::SecureWrap(n, _) => (DataAction::WrapHsmKey, key(n)),
        Operation::SecureUnwrap(n, _) => (DataAction::UnwrapHsmKey, key(n)),
        Operation::ListDeleted => (DataAction::ReadDeletedHsmKey, keys()),
        Operation::GetDeleted(n) => (DataAction::ReadDeletedHsmKey, key(n)),
        Operation::Purge(n) => (DataAction::PurgeDeletedHsmKey, key(n)),
        Operation::Recover(n) => (DataAction::RecoverDeletedHsmKey, key(n)),
    }
}

/// The data action and scope a request needs, or `None` when nothing is checked (the
/// settings API, and paths that will be answered 404/405 anyway).
pub fn required(method: &Method, path: &str) -> Option<(DataAction, String)> {
    if let Some(op) = super::classify(method, path) {
        return op.ok()?.access();
    }
    if path == "/rng" || path == "/rng/" {
        return Some((DataAction::RandomNumbersGenerate, "/".to_owned()));
    }
    classify_keys(method, path).ok().map(|op| key_access(&op))
}

/// Middleware: with RBAC on, refuses requests whose principal holds no role granting
/// the request's data action at its scope (or holds one denying it).
pub async fn enforce_rbac(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let state = request
        .extensions()
        .get::<AppState>()
        .cloned()
        .unwrap_or(state);
    // Local role assignments exist only on a Managed HSM; a vault's access is Azure RBAC
    // or access policies, managed outside the data plane.
    if !state.settings().rbac || !state.kind().is_hsm() {
        return next.run(request).await;
    }
    let Some((action, scope)) = required(request.method(), request.uri().path()) else {
        return next.run(request).await;
    };
    let principal = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(principal_of);
    let Some(principal) = principal else {
        return ApiError::ForbiddenByRbac(
            "Caller is not authorized: the bearer token has no oid claim.".into(),
        )
        .into_response();
    };
    let decision = match roles::decide(&state, &principal, &action, &scope).await {
        Ok(decision) => decision,
        Err(e) => return e.into_response(),
    };
    match decision {
        Decision::Allowed => next.run(request).await,
        Decision::NotGranted | Decision::Denied => ApiError::ForbiddenByRbac(format!(
            "Caller is not authorized to perform action on resource. Caller: oid={}; \
             Action: {}; Resource scope: {scope}",
            printable(&principal),
            action.as_str()
        ))
        .into_response(),
    }
}

fn printable(value: &str) -> String {
    value.chars().filter(|c| !c.is_control()).take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_has_an_action() {
        let r = |m: Method, p: &str| required(&m, p);
        assert_eq!(
            r(Method::POST, "/keys/K1/sign"),
            Some((DataAction::SignHsmKey, "/keys/k1".into()))
        );
        assert_eq!(
            r(Method::DELETE, "/keys/k1"),
            Some((DataAction::DeleteHsmKey, "/keys/k1".into()))
        );
        assert_eq!(
            r(Method::GET, "/keys"),
            Some((DataAction::ReadHsmKey, "/keys".into()))
        );
        assert_eq!(
            r(Method::DELETE, "/deletedkeys/k1"),
            Some((DataAction::PurgeDeletedHsmKey, "/keys/k1".into()))
        );
        assert_eq!(
            r(Method::PUT, "/keys/k1/restore"),
            Some((DataAction::StartHsmRestore, "/".into()))
        );
        assert_eq!(
            r(Method::POST, "/rng"),
            Some((DataAction::RandomNumbersGenerate, "/".into()))
        );
        assert_eq!(
            r(Method::GET, "/settings"),
            Some((
                DataAction::from(crate::rbac::builtin::SETTINGS_READ),
                "/".into()
            ))
        );
        assert_eq!(r(Method::GET, "/nowhere/at/all/x/y"), None);
    }
}
