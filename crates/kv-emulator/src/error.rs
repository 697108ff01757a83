//! Errors: [`ApiError`], answered as the service's error body, and [`StartError`] for
//! starting the server.

use std::path::{Path, PathBuf};

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kv_protocol::KeyVaultError;

/// An error answered to the client with the service's status, code and message.
///
/// Messages may name the operation and the key, never key material or tokens. Internal
/// failures are logged and answered with a generic 500 message.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 `BadParameter`: malformed or invalid input.
    #[error("{0}")]
    BadParameter(String),
    /// 401 `Unauthorized`.
    #[error("{0}")]
    Unauthorized(String),
    /// 403 `Forbidden`: the key may not be used this way now (disabled, outside its
    /// validity window, not exportable...).
    #[error("{0}")]
    Forbidden(String),
    /// 403 `KeyOperationForbidden`: the operation is not in the key's `key_ops` (as the
    /// service answers, recorded for a secure wrap without `secureWrapKey`). RBAC refusals
    /// are [`ApiError::ForbiddenByRbac`].
    #[error("{0}")]
    KeyOperationForbidden(String),
    /// 404 `KeyNotFound`: no such key (or version). The wording is the vault's; a Managed
    /// HSM answers `Key not found: {kid} (Activity ID: ...)` (.NET `ManagedHsmLiveTests`
    /// `GetKeyNonExisting`, `BackupKeyNonExisting`, 2026-03-01-preview).
    #[error(
        "A key with (name/id) {0} was not found in this key vault. If you recently deleted \
         this key you may be able to recover it using the correct recovery command. For help \
         resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182"
    )]
    KeyNotFound(String),
    /// 404 `KeyNotFound` for a rotation of a missing key: worded as [`ApiError::KeyNotFound`]
    /// on a vault; a Managed HSM doubles its prefix here, `Key not found: Key not found:
    /// {kid} (Activity ID: ...)` (Go `TestRotateKey/MHSM.json`).
    #[error("{}", ApiError::KeyNotFound(.0.clone()))]
    RotateKeyNotFound(String),
    /// 404 `KeyNotFound`: no such deleted key. A Managed HSM answers `Key not found:
    /// {base}/deletedkeys/{name} (Activity ID: ...)` (.NET `GetDeletedKeyNonExisting`).
    #[error("Deleted Key not found: {0}")]
    DeletedKeyNotFound(String),
    /// 404 `KeyNotFound`: a recovery of a key that is not deleted. A vault words it as for
    /// a live key (.NET `RecoverDeletedKeyNonExisting`, vault); a Managed HSM as
    /// [`ApiError::DeletedKeyNotFound`] (the same test on a Managed HSM).
    #[error("{}", ApiError::KeyNotFound(.0.clone()))]
    NothingToRecover(String),
    /// 404 `NotFound`: no such route.
    #[error("{0}")]
    NotFound(String),
    /// 405 `MethodNotAllowed`.
    #[error("The requested method is not allowed on this resource.")]
    MethodNotAllowed,
    /// 403 `ForbiddenByRbac`: RBAC is enforced and no role assignment of the caller
    /// grants the operation (or one denies it).
    #[error("{0}")]
    ForbiddenByRbac(String),
    /// 404 with a specific code (`RoleDefinitionNotFound`, `RoleAssignmentNotFound`,
    /// `SettingNotFound`, `JobNotFound`).
    #[error("{message}")]
    NotFoundCode {
        /// The service's error code.
        code: &'static str,
        /// The message.
        message: String,
    },
    /// 400 with a specific code (`RoleAssignmentExists`).
    #[error("{message}")]
    BadRequestCode {
        /// The service's error code.
        code: &'static str,
        /// The message.
        message: String,
    },
    /// 400 `BadRequest` for a backup or restore request storage would refuse (a malformed
    /// SAS token), answered with `"innererror": null` as the service's are (JS
    /// `keyvaultbackupclient` recordings).
    #[error("{0}")]
    StorageRequest(String),
    /// 409 `Conflict`: the request conflicts with current state.
    #[error("{0}")]
    Conflict(String),
    /// 500: an internal failure. The detail is logged, never sent.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    /// Shorthand for [`ApiError::BadParameter`].
    pub fn bad(message: impl Into<String>) -> Self {
        Self::BadParameter(message.into())
    }

    /// [`ApiError::KeyOperationForbidden`] for `op`, worded as the service's recorded answer.
    pub fn key_operation_forbidden(op: impl std::fmt::Display) -> Self {
        Self::KeyOperationForbidden(format!("Operation {op} is not permitted on the given key"))
    }

    /// Shorthand for [`ApiError::Internal`]; `detail` goes to the log only.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        Self::Internal(detail.to_string())
    }

    /// The HTTP status of this error.
    pub fn status_code(&self) -> StatusCode {
        match self {
            Self::BadParameter(_) | Self::BadRequestCode { .. } | Self::StorageRequest(_) => {
                StatusCode::BAD_REQUEST
            }
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) | Self::KeyOperationForbidden(_) | Self::ForbiddenByRbac(_) => {
                StatusCode::FORBIDDEN
            }
            Self::NotFoundCode { .. } => StatusCode::NOT_FOUND,
            Self::KeyNotFound(_)
            | Self::RotateKeyNotFound(_)
            | Self::DeletedKeyNotFound(_)
            | Self::NothingToRecover(_)
            | Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The service's error code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadParameter(_) => "BadParameter",
            Self::StorageRequest(_) => "BadRequest",
            Self::Unauthorized(_) => "Unauthorized",
            Self::Forbidden(_) => "Forbidden",
            Self::KeyOperationForbidden(_) => "KeyOperationForbidden",
            Self::ForbiddenByRbac(_) => "ForbiddenByRbac",
            Self::NotFoundCode { code, .. } | Self::BadRequestCode { code, .. } => code,
            Self::KeyNotFound(_)
            | Self::RotateKeyNotFound(_)
            | Self::DeletedKeyNotFound(_)
            | Self::NothingToRecover(_) => "KeyNotFound",
            Self::NotFound(_) => "NotFound",
            Self::MethodNotAllowed => "MethodNotAllowed",
            Self::Conflict(_) => "Conflict",
            Self::Internal(_) => "InternalServerError",
        }
    }

    /// The service's error body for this error.
    pub fn body(&self) -> KeyVaultError {
        let message = match self {
            Self::Internal(_) => Some("The server encountered an internal error.".to_owned()),
            Self::KeyNotFound(name) => {
                hsm_not_found(&format!("Key not found: {{base}}/keys/{name}"))
            }
            Self::RotateKeyNotFound(name) => hsm_not_found(&format!(
                "Key not found: Key not found: {{base}}/keys/{name}"
            )),
            Self::DeletedKeyNotFound(name) | Self::NothingToRecover(name) => {
                hsm_not_found(&format!("Key not found: {{base}}/deletedkeys/{name}"))
            }
            // A Managed HSM ends this refusal with an activity id too (Go
            // `TestSecureWrapUnwrapKey`, 2026-03-01-preview).
            Self::KeyOperationForbidden(message) => Some(hsm_activity_id(message)),
            _ => None,
        };
        let message = message.unwrap_or_else(|| self.to_string());
        KeyVaultError::new(self.code(), message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        if let Self::StorageRequest(message) = &self {
            let body = serde_json::json!({"error": {
                "code": self.code(), "message": message, "innererror": null,
            }});
            return (self.status_code(), Json(body)).into_response();
        }
        (self.status_code(), Json(self.body())).into_response()
    }
}

/// Errors starting the emulator.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// A file or directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path at fault.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// TLS material is missing or invalid.
    #[error("TLS: {0}")]
    Tls(String),
    /// The database could not be opened or migrated.
    #[error("storage: {0}")]
    Storage(String),
    /// A setting is out of range or inconsistent.
    #[error("invalid configuration: {0}")]
    Config(String),
}

impl StartError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// `message` followed by a fresh ` (Activity ID: {uuid})`, as a Managed HSM ends most of
/// its error messages.
pub(crate) fn with_activity_id(message: &str) -> String {
    format!("{message} (Activity ID: {})", uuid::Uuid::new_v4())
}

/// `message` with a fresh activity id on a Managed HSM (as it ends most of its error
/// messages), as is on a vault or outside a request.
pub(crate) fn hsm_activity_id(message: &str) -> String {
    if crate::vaults::current_is_hsm() {
        with_activity_id(message)
    } else {
        message.to_owned()
    }
}

/// A Managed HSM's message for a missing key: `template` with `{base}` replaced by the
/// instance's base URL, and an activity id. `None` on a vault (or outside a request).
fn hsm_not_found(template: &str) -> Option<String> {
    let (kind, base) = crate::vaults::current()?;
    kind.is_hsm()
        .then(|| with_activity_id(&template.replace("{base}", &base)))
}

/// Maps a local crypto failure to the service's answer. Decrypt, unwrap and verify
/// failures stay opaque.
pub(crate) fn crypto_error(e: kv_crypto_local::Error) -> ApiError {
    use kv_crypto_local::Error as E;
    match e {
        E::UnsupportedAlgorithm { algorithm, reason } => ApiError::bad(format!(
            "The algorithm {algorithm} is not supported for this key: {reason}."
        )),
        E::OperationNotPermitted(op) => ApiError::key_operation_forbidden(op),
        E::InvalidInput(what) => ApiError::bad(format!("Invalid input: {what}.")),
        E::CryptoFailure => ApiError::bad("The cryptographic operation failed."),
        other => ApiError::internal(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_detail_is_not_sent() {
        let err = ApiError::internal("sqlite disk I/O error at /secret/path");
        assert_eq!(err.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_string(&err.body()).unwrap();
        assert!(!body.contains("secret"), "{body}");
    }

    #[test]
    fn not_found_wording() {
        let err = ApiError::KeyNotFound("k1".into());
        assert_eq!(err.code(), "KeyNotFound");
        assert_eq!(err.status_code(), StatusCode::NOT_FOUND);
        assert_eq!(
            err.body().message(),
            Some(
                "A key with (name/id) k1 was not found in this key vault. If you recently \
                 deleted this key you may be able to recover it using the correct recovery \
                 command. For help resolving this issue, please see \
                 https://go.microsoft.com/fwlink/?linkid=2125182"
            )
        );
    }
}
