//! Fuzz every kv-protocol body: the first byte picks a type, the rest is parsed as JSON.
//!
//! Properties: parsing never panics; whatever parses re-serializes, and that output parses
//! again to the same JSON (serialization is a fixed point after one round).
#![no_main]

use kv_protocol as p;
use libfuzzer_sys::fuzz_target;
use serde::{Serialize, de::DeserializeOwned};

fn round_trip<T: Serialize + DeserializeOwned>(bytes: &[u8]) {
    let Ok(value) = serde_json::from_slice::<T>(bytes) else {
        return;
    };
    let first = serde_json::to_vec(&value).expect("a parsed body must serialize");
    let again: T = serde_json::from_slice(&first).expect("our own output must parse");
    let second = serde_json::to_vec(&again).expect("a parsed body must serialize");
    assert_eq!(first, second, "serialization is not stable");
}

macro_rules! by_index {
    ($index:expr, $bytes:expr, [$($ty:ty),+ $(,)?]) => {{
        let table: &[fn(&[u8])] = &[$(round_trip::<$ty>),+];
        table[usize::from($index) % table.len()]($bytes)
    }};
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    by_index!(
        selector,
        body,
        [
            p::KeyVaultError,
            p::KeyBundle,
            p::KeyCreateParameters,
            p::KeyImportParameters,
            p::KeyUpdateParameters,
            p::KeyListResult,
            p::KeyRestoreParameters,
            p::BackupKeyResult,
            p::GetRandomBytesRequest,
            p::RandomBytes,
            p::KeyOperationsParameters,
            p::KeyOperationResult,
            p::KeySignParameters,
            p::KeyVerifyParameters,
            p::KeyVerifyResult,
            p::KeyRotationPolicy,
            p::KeyReleaseParameters,
            p::KeyReleaseResult,
            p::KeyReleasePolicy,
            p::DeletedKeyBundle,
            p::DeletedKeyListResult,
            p::RoleDefinition,
            p::RoleDefinitionCreateParameters,
            p::RoleDefinitionListResult,
            p::RoleAssignment,
            p::RoleAssignmentCreateParameters,
            p::RoleAssignmentListResult,
            p::SasTokenParameter,
            p::PreBackupOperationParameters,
            p::FullBackupOperation,
            p::RestoreOperationParameters,
            p::PreRestoreOperationParameters,
            p::RestoreOperation,
            p::SelectiveKeyRestoreOperationParameters,
            p::Setting,
            p::SettingsListResult,
            p::UpdateSettingRequest,
        ]
    );
});
