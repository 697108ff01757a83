//! Serde wire types of the Azure Key Vault keys and Managed HSM administration REST API
//! (api-version 2026-07-01-preview and earlier), shared by the client and the emulator so both
//! sides speak one vocabulary. No I/O.
//!
//! Every request and response body of the keys, RBAC, backup/restore and settings
//! operations has a type here, named after the spec's model (`KeyBundle`,
//! `KeyOperationsParameters`, `FullBackupOperation`, ...). The conventions:
//!
//! - Member names are the wire names (`key_ops`, `recoveryLevel`, `Hsm`); members the spec
//!   leaves optional are `Option`, and `None` is not emitted (absent stays absent).
//! - Binary members are `Vec<u8>` (or [`kv_jwk::SecretBytes`] where they may hold
//!   plaintext or key material), base64url on the wire: emitted unpadded, accepted padded,
//!   unpadded or in the standard alphabet.
//! - Times are `i64` Unix seconds, as the service sends them.
//! - Vocabulary enums keep unknown values in an `Unknown(String)` variant that round-trips.
//! - Types carrying tokens, plaintext or backup blobs print them redacted in `Debug`.
//!
//! ```
//! use kv_protocol::{KeyBundle, KeyCreateParameters, DeletionRecoveryLevel};
//! use kv_jwk::KeyType;
//!
//! let mut create = KeyCreateParameters::new(KeyType::Rsa);
//! create.key_size = Some(2048);
//! assert_eq!(serde_json::to_string(&create)?, r#"{"kty":"RSA","key_size":2048}"#);
//!
//! let bundle: KeyBundle = serde_json::from_str(r#"{
//!     "key": {"kid": "https://v.vault.azure.net/keys/k/1", "kty": "RSA", "n": "AQAB", "e": "AQAB"},
//!     "attributes": {"enabled": true, "created": 1493942451, "recoveryLevel": "Recoverable+Purgeable"}
//! }"#)?;
//! assert_eq!(bundle.kid(), Some("https://v.vault.azure.net/keys/k/1"));
//! let attrs = bundle.attributes.as_ref().unwrap();
//! assert_eq!(attrs.recovery_level, Some(DeletionRecoveryLevel::RecoverablePurgeable));
//! # Ok::<(), serde_json::Error>(())
//! ```
#![warn(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]

pub mod api_version;
pub mod backup;
pub mod crypto;
pub mod deleted;
mod duration;
pub mod ekm;
pub mod ekm_private_endpoint;
pub mod error;
pub mod identifier;
pub mod keys;
pub mod paging;
pub mod rbac;
mod redact;
pub mod release;
pub mod rotation;
pub mod secure_wrap;
pub mod settings;

#[cfg(test)]
mod test_support;

pub(crate) use redact::{ByteLen, Redacted};

pub use api_version::ApiVersion;
pub use backup::{
    FullBackupOperation, OperationStatus, PreBackupOperationParameters,
    PreRestoreOperationParameters, RestoreOperation, RestoreOperationParameters, SasTokenParameter,
    SelectiveKeyRestoreOperation, SelectiveKeyRestoreOperationParameters,
};
pub use crypto::{
    CryptoOperation, KeyOperationResult, KeyOperationsParameters, KeySignParameters,
    KeyVerifyParameters, KeyVerifyResult, MlDsaParameters,
};
pub use deleted::{DeletedKeyBundle, DeletedKeyItem, DeletedKeyListResult};
pub use ekm::{EkmConnection, EkmProxyClientCertificateInfo, EkmProxyInfo};
pub use ekm_private_endpoint::{
    EkmConnectivityMode, EkmPrivateEndpoint, EkmPrivateEndpointConnectionState,
    EkmPrivateEndpointConnectionStatus, EkmPrivateEndpointCreateParameters,
    EkmPrivateEndpointListResult, EkmPrivateEndpointOperation, EkmPrivateEndpointOperationType,
    EkmPrivateEndpointProperties, EkmPrivateEndpointProvisioningState, OperationState,
    is_valid_private_endpoint_name,
};
pub use error::{Error, ErrorBody, KeyVaultError, Result};
pub use identifier::{
    KeyVaultKeyIdentifier, MAX_KEY_NAME_LEN, is_valid_key_name, is_valid_key_version,
    parse_vault_url, validate_vault_url,
};
pub use keys::{
    BackupKeyResult, DeletionRecoveryLevel, ExternalKey, ExternalKeyCreateParameters,
    GetRandomBytesRequest, KeyAttestation, KeyAttributes, KeyBundle, KeyCreateParameters,
    KeyImportParameters, KeyItem, KeyListResult, KeyProperties, KeyRestoreParameters,
    KeyUpdateParameters, RandomBytes, Tags,
};
pub use paging::Page;
pub use rbac::{
    DataAction, Permission, RoleAssignment, RoleAssignmentCreateParameters, RoleAssignmentFilter,
    RoleAssignmentListResult, RoleAssignmentProperties, RoleAssignmentPropertiesWithScope,
    RoleDefinition, RoleDefinitionCreateParameters, RoleDefinitionFilter, RoleDefinitionListResult,
    RoleDefinitionProperties, RoleDefinitionType, RoleScope, RoleType,
};
pub use release::{
    KeyEncryptionAlgorithm, KeyExportParameters, KeyReleaseParameters, KeyReleasePolicy,
    KeyReleaseResult,
};
pub use rotation::{
    Iso8601Duration, KeyRotationPolicy, KeyRotationPolicyAction, KeyRotationPolicyAttributes,
    LifetimeActions, LifetimeActionsTrigger, LifetimeActionsType,
};
pub use secure_wrap::{
    SECURE_KEY_WRAP_ALGORITHMS, SecureKeyOperationResult, SecureKeyUnwrapOperationParameters,
    SecureKeyWrapOperationParameters,
};
pub use settings::{Setting, SettingType, SettingsListResult, UpdateSettingRequest};
