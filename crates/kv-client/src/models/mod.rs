//! The client's models, built from the `kv-protocol` wire types.

pub mod crypto;
pub mod key;
pub mod key_id;
pub mod rotation;

pub use crypto::{
    DecryptResult, EncryptResult, SignResult, UnwrapResult, VerifyResult, WrapResult,
};
pub use key::{DeletedKey, DeletedKeyProperties, KeyProperties, KeyVaultKey, ReleaseKeyResult};
pub use key_id::KeyId;
pub use kv_protocol::{KeyAttestation, KeyReleasePolicy};
pub use rotation::{KeyRotationLifetimeAction, KeyRotationPolicy, KeyRotationPolicyAction};
