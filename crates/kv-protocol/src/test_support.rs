//! Test helpers: serde round trips and proptest strategies for the wire types.

use std::fmt::Debug;

use kv_jwk::{
    EncryptionAlgorithm, JsonWebKey, KeyCurveName, KeyOperation, KeyType, SecretBytes,
    SignatureAlgorithm,
};
use proptest::collection::{btree_map, vec};
use proptest::option::of;
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::*;

/// Serializes `v` to JSON, checks no member is `null` (absent optionals are not emitted),
/// and deserializes it back.
pub fn round_trip<T: Serialize + DeserializeOwned>(v: &T) -> T {
    let json = serde_json::to_value(v).expect("serializes");
    assert_no_nulls(&json);
    let text = serde_json::to_string(&json).expect("prints");
    serde_json::from_str(&text).expect("parses back")
}

/// Panics if any value inside `json` is `null`.
pub fn assert_no_nulls(json: &serde_json::Value) {
    match json {
        serde_json::Value::Null => panic!("null emitted"),
        serde_json::Value::Array(items) => items.iter().for_each(assert_no_nulls),
        serde_json::Value::Object(map) => map.values().for_each(assert_no_nulls),
        _ => {}
    }
}

/// A vocabulary enum made by `string_enum!`.
pub trait Vocab: From<String> + Clone + Debug + 'static {
    /// Its known values.
    const KNOWN: &'static [&'static str];
}

macro_rules! vocab {
    ($($t:ty),+) => { $(impl Vocab for $t { const KNOWN: &'static [&'static str] = <$t>::KNOWN_VALUES; })+ };
}

vocab!(
    KeyType,
    KeyCurveName,
    KeyOperation,
    EncryptionAlgorithm,
    SignatureAlgorithm,
    DeletionRecoveryLevel,
    KeyEncryptionAlgorithm,
    KeyRotationPolicyAction,
    OperationStatus,
    RoleScope,
    RoleType,
    RoleDefinitionType,
    DataAction,
    SettingType
);

/// A known value or an arbitrary (mostly unknown) one.
pub fn arb_enum<T: Vocab>() -> impl Strategy<Value = T> {
    prop_oneof![
        3 => proptest::sample::select(T::KNOWN).prop_map(|s| T::from(s.to_owned())),
        1 => "[A-Za-z0-9+/._-]{1,16}".prop_map(T::from),
    ]
}

/// Short byte strings.
pub fn arb_bytes() -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..48)
}

/// Key operations.
pub fn arb_key_operation() -> impl Strategy<Value = KeyOperation> {
    arb_enum()
}

/// Encryption algorithms.
pub fn arb_encryption_algorithm() -> impl Strategy<Value = EncryptionAlgorithm> {
    arb_enum()
}

/// Signature algorithms.
pub fn arb_signature_algorithm() -> impl Strategy<Value = SignatureAlgorithm> {
    arb_enum()
}

/// Tags with arbitrary text.
pub fn arb_tags() -> impl Strategy<Value = Tags> {
    btree_map("\\PC{0,8}", "\\PC{0,8}", 0..3)
}

fn arb_secret() -> impl Strategy<Value = Option<SecretBytes>> {
    of(arb_bytes().prop_map(SecretBytes::new))
}

/// JSON Web Keys with public and private members.
pub fn arb_jwk() -> impl Strategy<Value = JsonWebKey> {
    (
        (
            of("https://[a-z]{1,8}\\.vault\\.azure\\.net/keys/[a-z]{1,8}/[0-9a-f]{32}"),
            of(arb_enum::<KeyType>()),
            of(vec(arb_key_operation(), 0..4)),
            of(arb_enum::<KeyCurveName>()),
        ),
        (
            of(arb_bytes()),
            of(arb_bytes()),
            of(arb_bytes()),
            of(arb_bytes()),
            of(arb_bytes()),
        ),
        (arb_secret(), arb_secret(), arb_secret()),
    )
        .prop_map(
            |((kid, kty, key_ops, crv), (n, e, x, y, t), (d, p, k))| JsonWebKey {
                kid,
                kty,
                key_ops,
                crv,
                n,
                e,
                x,
                y,
                t,
                d,
                p,
                k,
                ..JsonWebKey::default()
            },
        )
}

/// Key attributes with every member possibly present.
pub fn arb_key_attributes() -> impl Strategy<Value = KeyAttributes> {
    let attestation = (
        of(arb_bytes()),
        of(arb_bytes()),
        of(arb_bytes()),
        of("[0-9.]{1,5}"),
    )
        .prop_map(|(c, private, public, version)| KeyAttestation {
            certificate_pem_file: c,
            private_key_attestation: private,
            public_key_attestation: public,
            version,
        });
    (
        of(any::<bool>()),
        of(any::<i64>()),
        of(any::<i64>()),
        of(any::<i64>()),
        of(any::<i64>()),
        of(any::<u32>()),
        of(arb_enum::<DeletionRecoveryLevel>()),
        of(any::<bool>()),
        of("[0-9]{1,2}"),
        of(attestation),
        of("[a-zA-Z0-9-]{1,64}"),
        of(any::<u32>()),
    )
        .prop_map(
            |(
                enabled,
                nbf,
                exp,
                created,
                updated,
                days,
                level,
                exportable,
                hsm,
                att,
                ext,
                size,
            )| {
                KeyAttributes {
                    enabled,
                    nbf,
                    exp,
                    created,
                    updated,
                    recoverable_days: days,
                    recovery_level: level,
                    exportable,
                    hsm_platform: hsm,
                    attestation: att,
                    external_key: ext.map(|id| crate::ExternalKey { id }),
                    key_size: size,
                }
            },
        )
}

/// Release policies.
pub fn arb_release_policy() -> impl Strategy<Value = KeyReleasePolicy> {
    (of("\\PC{0,20}"), of(any::<bool>()), of(arb_bytes())).prop_map(|(c, i, d)| KeyReleasePolicy {
        content_type: c,
        immutable: i,
        encoded_policy: d,
    })
}

/// Key bundles.
pub fn arb_key_bundle() -> impl Strategy<Value = KeyBundle> {
    (
        of(arb_jwk()),
        of(arb_key_attributes()),
        of(arb_tags()),
        of(any::<bool>()),
        of(arb_release_policy()),
    )
        .prop_map(
            |(key, attributes, tags, managed, release_policy)| KeyBundle {
                key,
                attributes,
                tags,
                managed,
                release_policy,
            },
        )
}

/// CreateKey bodies.
pub fn arb_create_parameters() -> impl Strategy<Value = KeyCreateParameters> {
    (
        arb_enum::<KeyType>(),
        of(any::<u32>()),
        of(any::<u32>()),
        of(vec(arb_key_operation(), 0..4)),
        of(arb_key_attributes()),
        of(arb_tags()),
        of(arb_enum::<KeyCurveName>()),
        (of(arb_release_policy()), of(arb_signature_algorithm())),
    )
        .prop_map(
            |(
                kty,
                key_size,
                public_exponent,
                key_ops,
                attributes,
                tags,
                crv,
                (release_policy, alg),
            )| {
                KeyCreateParameters {
                    kty,
                    key_size,
                    public_exponent,
                    key_ops,
                    attributes,
                    tags,
                    crv,
                    release_policy,
                    alg,
                }
            },
        )
}

/// ImportKey bodies.
pub fn arb_import_parameters() -> impl Strategy<Value = KeyImportParameters> {
    (
        of(any::<bool>()),
        arb_jwk(),
        of(arb_key_attributes()),
        of(arb_tags()),
        of(arb_release_policy()),
    )
        .prop_map(
            |(hsm, key, attributes, tags, release_policy)| KeyImportParameters {
                hsm,
                key,
                attributes,
                tags,
                release_policy,
            },
        )
}

/// Key list items.
pub fn arb_key_item() -> impl Strategy<Value = KeyItem> {
    (
        of("https://v/keys/[a-z]{1,8}(/[0-9a-f]{32})?"),
        of(arb_key_attributes()),
        of(arb_tags()),
        of(any::<bool>()),
    )
        .prop_map(|(kid, attributes, tags, managed)| KeyItem {
            kid,
            attributes,
            tags,
            managed,
        })
}

/// Key list pages.
pub fn arb_key_list() -> impl Strategy<Value = KeyListResult> {
    (
        vec(arb_key_item(), 0..4),
        of("https://v/keys\\?\\$skiptoken=[A-Za-z0-9]{1,12}"),
    )
        .prop_map(|(value, next_link)| Page { value, next_link })
}

/// Rotation policies.
pub fn arb_rotation_policy() -> impl Strategy<Value = KeyRotationPolicy> {
    let duration = "P[0-9]{1,3}[DMYW]";
    let action = (
        of(
            (of(duration), of(duration)).prop_map(|(a, b)| LifetimeActionsTrigger {
                time_after_create: a,
                time_before_expiry: b,
            }),
        ),
        of(of(arb_enum::<KeyRotationPolicyAction>())
            .prop_map(|action_type| LifetimeActionsType { action_type })),
    )
        .prop_map(|(trigger, action)| LifetimeActions { trigger, action });
    let attributes = (of(duration), of(any::<i64>()), of(any::<i64>())).prop_map(
        |(expiry_time, created, updated)| KeyRotationPolicyAttributes {
            expiry_time,
            created,
            updated,
        },
    );
    (
        of("https://v/keys/[a-z]{1,8}/rotationpolicy"),
        of(vec(action, 0..3)),
        of(attributes),
    )
        .prop_map(|(id, lifetime_actions, attributes)| KeyRotationPolicy {
            id,
            lifetime_actions,
            attributes,
        })
}

/// Role definitions.
pub fn arb_role_definition() -> impl Strategy<Value = RoleDefinition> {
    let permission = (
        of(vec("[a-z/]{1,10}", 0..2)),
        of(vec("[a-z/]{1,10}", 0..2)),
        of(vec(arb_enum::<DataAction>(), 0..4)),
        of(vec(arb_enum::<DataAction>(), 0..2)),
    )
        .prop_map(
            |(actions, not_actions, data_actions, not_data_actions)| Permission {
                actions,
                not_actions,
                data_actions,
                not_data_actions,
            },
        );
    let properties = (
        of("\\PC{0,12}"),
        of("\\PC{0,12}"),
        of(arb_enum::<RoleType>()),
        of(vec(permission, 0..2)),
        of(vec(arb_enum::<RoleScope>(), 0..2)),
    )
        .prop_map(
            |(role_name, description, role_type, permissions, assignable_scopes)| {
                RoleDefinitionProperties {
                    role_name,
                    description,
                    role_type,
                    permissions,
                    assignable_scopes,
                }
            },
        );
    (
        of("[a-zA-Z/.]{1,30}"),
        of("[0-9a-f-]{36}"),
        of(arb_enum::<RoleDefinitionType>()),
        of(properties),
    )
        .prop_map(|(id, name, definition_type, properties)| RoleDefinition {
            id,
            name,
            definition_type,
            properties,
        })
}

/// Role assignments.
pub fn arb_role_assignment() -> impl Strategy<Value = RoleAssignment> {
    let properties = (
        of(arb_enum::<RoleScope>()),
        of("[a-zA-Z/]{1,30}"),
        of("[0-9a-f-]{1,36}"),
    )
        .prop_map(|(scope, role_definition_id, principal_id)| {
            RoleAssignmentPropertiesWithScope {
                scope,
                role_definition_id,
                principal_id,
            }
        });
    (
        of("[a-zA-Z/]{1,30}"),
        of("[a-zA-Z0-9]{1,30}"),
        of(Just(crate::rbac::ROLE_ASSIGNMENT_TYPE.to_owned())),
        of(properties),
    )
        .prop_map(|(id, name, assignment_type, properties)| RoleAssignment {
            id,
            name,
            assignment_type,
            properties,
        })
}

fn arb_error_body() -> impl Strategy<Value = ErrorBody> {
    (
        of("[A-Za-z]{1,10}"),
        of("\\PC{0,20}"),
        of(("[A-Za-z]{1,10}", "\\PC{0,20}")),
    )
        .prop_map(|(code, message, inner)| ErrorBody {
            code,
            message,
            innererror: inner.map(|(c, m)| Box::new(ErrorBody::new(c, m))),
        })
}

/// Full backup status bodies.
pub fn arb_full_backup_operation() -> impl Strategy<Value = FullBackupOperation> {
    (
        of(arb_enum::<OperationStatus>()),
        of("\\PC{0,20}"),
        of(arb_error_body()),
        of(any::<i64>()),
        of(any::<i64>()),
        of("[0-9a-f]{32}"),
        of("https://[a-z]{1,8}\\.blob\\.core\\.windows\\.net/[a-z0-9-]{1,20}"),
    )
        .prop_map(
            |(status, details, error, start, end, job, uri)| FullBackupOperation {
                status,
                status_details: details,
                error,
                start_time: start,
                end_time: end,
                job_id: job,
                azure_storage_blob_container_uri: uri,
            },
        )
}

/// Restore status bodies.
pub fn arb_restore_operation() -> impl Strategy<Value = RestoreOperation> {
    (
        of(arb_enum::<OperationStatus>()),
        of("\\PC{0,20}"),
        of(arb_error_body()),
        of("[0-9a-f]{32}"),
        of(any::<i64>()),
        of(any::<i64>()),
    )
        .prop_map(
            |(status, details, error, job, start, end)| RestoreOperation {
                status,
                status_details: details,
                error,
                job_id: job,
                start_time: start,
                end_time: end,
            },
        )
}

/// Storage locations with or without a SAS token.
pub fn arb_sas() -> impl Strategy<Value = SasTokenParameter> {
    (
        "https://[a-z]{1,8}\\.blob\\.core\\.windows\\.net/[a-z]{1,8}",
        of("[a-z0-9=&%]{1,30}"),
        of(any::<bool>()),
    )
        .prop_map(|(uri, token, mi)| SasTokenParameter {
            storage_resource_uri: uri,
            token,
            use_managed_identity: mi,
        })
}
