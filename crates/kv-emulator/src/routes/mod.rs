//! Request routing for `/keys/...` and `/deletedkeys/...`.
//!
//! Key Vault paths do not fit a static route table well: `{key-version}` may be empty
//! (`/keys/k/` and `/keys/k//encrypt` mean the latest version), and literal segments
//! (`create`, `backup`, `rotate`, `rotationpolicy`, `versions`, `restore`) must win over a
//! version. [`classify`] maps a method and path to an [`Operation`] once, in one place,
//! with a unit test per shape.

pub mod admin;
pub mod crypto;
pub mod deleted;
pub mod external;
pub(crate) mod key_request;
pub mod keys;
pub mod release;
pub mod rotation;
pub mod secure_wrap;
pub mod view;

use axum::body::Body;
use axum::extract::Request;
use axum::http::Method;
use axum::response::Response;

use crate::error::ApiError;
use crate::request::{RequestCtx, read_body};
use crate::service::crypto::CryptoOp;
use crate::state::AppState;
use key_request::KeyRequest;

/// One operation of the keys API, with its path parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operation {
    /// `GET /keys`.
    ListKeys,
    /// `POST /keys/{name}/create`.
    Create(String),
    /// `PUT /keys/{name}`.
    Import(String),
    /// `DELETE /keys/{name}`.
    Delete(String),
    /// `GET /keys/{name}[/{version}]`.
    Get(String, Option<String>),
    /// `PATCH /keys/{name}[/{version}]`.
    Update(String, Option<String>),
    /// `GET /keys/{name}/versions`.
    ListVersions(String),
    /// `POST /keys/{name}/backup`.
    Backup(String),
    /// `POST /keys/restore`.
    Restore,
    /// `POST /keys/{name}/rotate`.
    Rotate(String),
    /// `GET /keys/{name}/rotationpolicy`.
    GetRotationPolicy(String),
    /// `PUT /keys/{name}/rotationpolicy`.
    PutRotationPolicy(String),
    /// `POST /keys/{name}[/{version}]/{op}`.
    Crypto(CryptoOp, String, Option<String>),
    /// `GET /keys/{name}/{version}/attestation`.
    Attestation(String, Option<String>),
    /// `POST /keys/{name}[/{version}]/securewrapkey`.
    SecureWrap(String, Option<String>),
    /// `POST /keys/{name}[/{version}]/secureunwrapkey`.
    SecureUnwrap(String, Option<String>),
    /// `GET /deletedkeys`.
    ListDeleted,
    /// `GET /deletedkeys/{name}`.
    GetDeleted(String),
    /// `DELETE /deletedkeys/{name}`.
    Purge(String),
    /// `POST /deletedkeys/{name}/recover`.
    Recover(String),
}

fn version(segment: &str) -> Option<String> {
    (!segment.is_empty()).then(|| segment.to_owned())
}

/// Maps a method and path to an operation, or the 404/405 the service would answer.
pub fn classify(method: &Method, path: &str) -> Result<Operation, ApiError> {
    let not_found = || ApiError::NotFound(format!("The path {} was not found.", printable(path)));
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let m = method.clone();
    let op = match segments.as_slice() {
        ["keys"] | ["keys", ""] => match m {
            Method::GET => Operation::ListKeys,
            _ => return Err(ApiError::MethodNotAllowed),
        },
        ["keys", "restore"] if m == Method::POST => Operation::Restore,
        ["keys", name] => {
            let name = (*name).to_owned();
            match m {
                Method::GET => Operation::Get(name, None),
                Method::PUT => Operation::Import(name),
                Method::DELETE => Operation::Delete(name),
                Method::PATCH => Operation::Update(name, None),
                _ => return Err(ApiError::MethodNotAllowed),
            }
        }
        ["keys", name, second] => {
            let name = (*name).to_owned();
            match (m, *second) {
                (Method::POST, "create") => Operation::Create(name),
                (Method::POST, "backup") => Operation::Backup(name),
                (Method::POST, "rotate") => Operation::Rotate(name),
                (Method::GET, "rotationpolicy") => Operation::GetRotationPolicy(name),
                (Method::PUT, "rotationpolicy") => Operation::PutRotationPolicy(name),
                (_, "rotationpolicy") => return Err(ApiError::MethodNotAllowed),
                (Method::GET, "versions") => Operation::ListVersions(name),
                (Method::POST, op) => match secure_op(op, &name, None) {
                    Some(secure) => secure,
                    None => match CryptoOp::from_path_segment(op) {
                        Some(op) => Operation::Crypto(op, name, None),
                        None => return Err(not_found()),
                    },
                },
                (Method::GET, v) => Operation::Get(name, version(v)),
                (Method::PATCH, v) => Operation::Update(name, version(v)),
                _ => return Err(ApiError::MethodNotAllowed),
            }
        }
        ["keys", name, "versions", ""] if m == Method::GET => {
            Operation::ListVersions((*name).to_owned())
        }
        ["keys", name, v, third] => {
            let (name, v) = ((*name).to_owned(), version(v));
            match (m, *third) {
                (Method::GET, "attestation") => Operation::Attestation(name, v),
                (Method::POST, op) => match secure_op(op, &name, v.clone()) {
                    Some(secure) => secure,
                    None => match CryptoOp::from_path_segment(op) {
                        Some(op) => Operation::Crypto(op, name, v),
                        None => return Err(not_found()),
                    },
                },
                _ => return Err(not_found()),
            }
        }
        ["deletedkeys"] | ["deletedkeys", ""] => match m {
            Method::GET => Operation::ListDeleted,
            _ => return Err(ApiError::MethodNotAllowed),
        },
        ["deletedkeys", name] => {
            let name = (*name).to_owned();
            match m {
                Method::GET => Operation::GetDeleted(name),
                Method::DELETE => Operation::Purge(name),
                _ => return Err(ApiError::MethodNotAllowed),
            }
        }
        ["deletedkeys", name, "recover"] => match m {
            Method::POST => Operation::Recover((*name).to_owned()),
            _ => return Err(ApiError::MethodNotAllowed),
        },
        _ => return Err(not_found()),
    };
    Ok(op)
}

/// The secure wrap operation a path segment names (case-insensitive, as the service).
fn secure_op(segment: &str, name: &str, v: Option<String>) -> Option<Operation> {
    match segment.to_ascii_lowercase().as_str() {
        "securewrapkey" => Some(Operation::SecureWrap(name.to_owned(), v)),
        "secureunwrapkey" => Some(Operation::SecureUnwrap(name.to_owned(), v)),
        _ => None,
    }
}

fn printable(path: &str) -> String {
    path.chars().filter(|c| !c.is_control()).take(200).collect()
}

/// Handler for every `/keys` and `/deletedkeys` path.
pub async fn dispatch(
    state: AppState,
    ctx: RequestCtx,
    request: Request<Body>,
) -> Result<Response, ApiError> {
    // Role routes under the /keys scope and selective key restore share the /keys
    // prefix with the keys API.
    if let Some(admin_op) = admin::classify(request.method(), request.uri().path()) {
        let admin_op = admin_op?;
        let body = read_body(request.into_body()).await?;
        return admin::run(state, ctx, admin_op, &body).await;
    }
    let op = classify(request.method(), request.uri().path())?;
    let body = read_body(request.into_body()).await?;
    let body = body.as_ref();
    let key = |name, version| KeyRequest {
        state: state.clone(),
        ctx: ctx.clone(),
        name,
        version,
        body,
    };
    match op {
        Operation::ListKeys => keys::list_keys(state, ctx).await,
        Operation::Create(name) => keys::create_key(key(name, None)).await,
        Operation::Import(name) => keys::import_key(key(name, None)).await,
        Operation::Delete(name) => deleted::delete_key(key(name, None)).await,
        Operation::Get(name, v) => keys::get_key(key(name, v)).await,
        Operation::Update(name, v) => keys::update_key(key(name, v)).await,
        Operation::ListVersions(name) => keys::list_versions(key(name, None)).await,
        Operation::Backup(name) => keys::backup_key(key(name, None)).await,
        Operation::Restore => keys::restore_key(state, ctx, body).await,
        Operation::Rotate(name) => rotation::rotate_key(key(name, None)).await,
        Operation::GetRotationPolicy(name) => rotation::get_rotation_policy(key(name, None)).await,
        Operation::PutRotationPolicy(name) => rotation::put_rotation_policy(key(name, None)).await,
        Operation::Crypto(CryptoOp::Release, name, v) => release::release_key(key(name, v)).await,
        Operation::Crypto(op, name, v) => crypto::operate(op, key(name, v)).await,
        Operation::Attestation(name, v) => crypto::key_attestation(key(name, v)).await,
        Operation::SecureWrap(name, v) => secure_wrap::secure_wrap_key(key(name, v)).await,
        Operation::SecureUnwrap(name, v) => secure_wrap::secure_unwrap_key(key(name, v)).await,
        Operation::ListDeleted => deleted::list_deleted_keys(state, ctx).await,
        Operation::GetDeleted(name) => deleted::get_deleted_key(key(name, None)).await,
        Operation::Purge(name) => deleted::purge_deleted_key(key(name, None)).await,
        Operation::Recover(name) => deleted::recover_deleted_key(key(name, None)).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(method: Method, path: &str) -> Operation {
        classify(&method, path).unwrap()
    }

    #[test]
    fn shapes() {
        let n = || "k1".to_owned();
        let v = || Some("0123456789abcdef0123456789abcdef".to_owned());
        assert_eq!(op(Method::GET, "/keys"), Operation::ListKeys);
        assert_eq!(op(Method::GET, "/keys/"), Operation::ListKeys);
        assert_eq!(op(Method::POST, "/keys/k1/create"), Operation::Create(n()));
        assert_eq!(op(Method::PUT, "/keys/k1"), Operation::Import(n()));
        assert_eq!(op(Method::DELETE, "/keys/k1"), Operation::Delete(n()));
        assert_eq!(op(Method::GET, "/keys/k1"), Operation::Get(n(), None));
        assert_eq!(op(Method::GET, "/keys/k1/"), Operation::Get(n(), None));
        assert_eq!(
            op(Method::GET, "/keys/k1/0123456789abcdef0123456789abcdef"),
            Operation::Get(n(), v())
        );
        assert_eq!(op(Method::PATCH, "/keys/k1/"), Operation::Update(n(), None));
        assert_eq!(
            op(Method::GET, "/keys/k1/versions"),
            Operation::ListVersions(n())
        );
        assert_eq!(op(Method::POST, "/keys/k1/backup"), Operation::Backup(n()));
        assert_eq!(op(Method::POST, "/keys/restore"), Operation::Restore);
        assert_eq!(
            op(Method::GET, "/keys/restore"),
            Operation::Get("restore".into(), None)
        );
        assert_eq!(op(Method::POST, "/keys/k1/rotate"), Operation::Rotate(n()));
        assert_eq!(
            op(Method::GET, "/keys/k1/rotationpolicy"),
            Operation::GetRotationPolicy(n())
        );
        assert_eq!(
            op(Method::PUT, "/keys/k1/rotationpolicy"),
            Operation::PutRotationPolicy(n())
        );
        assert_eq!(
            op(Method::POST, "/keys/k1/encrypt"),
            Operation::Crypto(CryptoOp::Encrypt, n(), None)
        );
        assert_eq!(
            op(Method::POST, "/keys/k1//sign"),
            Operation::Crypto(CryptoOp::Sign, n(), None)
        );
        assert_eq!(
            op(
                Method::POST,
                "/keys/k1/0123456789abcdef0123456789abcdef/unwrapkey"
            ),
            Operation::Crypto(CryptoOp::UnwrapKey, n(), v())
        );
        assert_eq!(
            op(
                Method::GET,
                "/keys/k1/0123456789abcdef0123456789abcdef/attestation"
            ),
            Operation::Attestation(n(), v())
        );
        assert_eq!(
            op(Method::POST, "/keys/k1/securewrapkey"),
            Operation::SecureWrap(n(), None)
        );
        assert_eq!(
            op(
                Method::POST,
                "/keys/k1/0123456789abcdef0123456789abcdef/secureunwrapkey"
            ),
            Operation::SecureUnwrap(n(), v())
        );
        assert_eq!(op(Method::GET, "/deletedkeys"), Operation::ListDeleted);
        assert_eq!(
            op(Method::GET, "/deletedkeys/k1"),
            Operation::GetDeleted(n())
        );
        assert_eq!(op(Method::DELETE, "/deletedkeys/k1"), Operation::Purge(n()));
        assert_eq!(
            op(Method::POST, "/deletedkeys/k1/recover"),
            Operation::Recover(n())
        );
    }

    #[test]
    fn refusals() {
        assert!(matches!(
            classify(&Method::POST, "/keys"),
            Err(ApiError::MethodNotAllowed)
        ));
        assert!(matches!(
            classify(&Method::POST, "/keys/k1/bogus"),
            Err(ApiError::NotFound(_))
        ));
        assert!(matches!(
            classify(&Method::GET, "/keys/a/b/c/d"),
            Err(ApiError::NotFound(_))
        ));
        assert!(matches!(
            classify(&Method::POST, "/deletedkeys/k1"),
            Err(ApiError::MethodNotAllowed)
        ));
    }
}

#[cfg(test)]
mod handler_tests;
