//! The built-in Managed HSM roles, with the ids and data actions the service documents
//! ("Local RBAC built-in roles for Managed HSM" on Microsoft Learn).
//!
//! On the wire they look as the service sends them (per the SDKs' recorded sessions):
//! `assignableScopes: ["/"]`, an empty `description`, and all four permission lists
//! present. Some roles grant actions the spec's `DataAction` enum does not list (key
//! rotation, key derivation); those are in [`BuiltInRole::extra_data_actions`].

use kv_protocol::{
    DataAction, Permission, RoleDefinition, RoleDefinitionProperties, RoleDefinitionType,
    RoleScope, RoleType,
};

use DataAction as A;

/// One built-in role: its well-known id, name and granted data actions.
#[derive(Debug)]
pub struct BuiltInRole {
    /// The role definition name (a GUID the service fixes).
    pub id: &'static str,
    /// The role name.
    pub name: &'static str,
    /// The data actions granted.
    pub data_actions: &'static [DataAction],
    /// Granted data actions the spec's enum has no value for, as the service spells them.
    pub extra_data_actions: &'static [&'static str],
}

/// Managed HSM Administrator.
pub const ADMINISTRATOR: &str = "a290e904-7015-4bba-90c8-60543313cdb4";
/// Managed HSM EKM Administrator: the one built-in role with the External Key Manager
/// actions (JS `keyvault-admin` and Python `test_role_definitions[2026-01-01-preview]`
/// recordings, 2026).
pub const EKM_ADMINISTRATOR: &str = "abdd7ec4-a273-4265-bf38-e001014e2d8e";
/// Read the EKM connection and its private endpoints (the spec's `ekm/read`; the
/// `DataAction` enum has no EKM value, the recorded role definitions spell them).
pub const EKM_READ: &str = "Microsoft.KeyVault/managedHsm/ekm/read/action";
/// Create or update the EKM connection (see [`EKM_READ`]).
pub const EKM_WRITE: &str = "Microsoft.KeyVault/managedHsm/ekm/write/action";
/// Delete the EKM connection (see [`EKM_READ`]).
pub const EKM_DELETE: &str = "Microsoft.KeyVault/managedHsm/ekm/delete/action";
/// Read the Managed HSM's settings (granted by the Administrator as recorded; not in the
/// spec's `DataAction` enum).
pub const SETTINGS_READ: &str = "Microsoft.KeyVault/managedHsm/settings/read/action";
/// Update the Managed HSM's settings (see [`SETTINGS_READ`]).
pub const SETTINGS_WRITE: &str = "Microsoft.KeyVault/managedHsm/settings/write/action";
/// Managed HSM Crypto Officer.
pub const CRYPTO_OFFICER: &str = "515eb02d-2335-4d2d-92f2-b1cbdf9c3778";
/// Managed HSM Crypto User.
pub const CRYPTO_USER: &str = "21dbd100-6940-42c2-9190-5d6cb909625b";
/// Managed HSM Policy Administrator.
pub const POLICY_ADMINISTRATOR: &str = "4bd23610-cdcf-4971-bdee-bdc562cc28e4";
/// Managed HSM Crypto Auditor.
pub const CRYPTO_AUDITOR: &str = "2c18b078-7c48-4d3a-af88-5a3a1b3f82b3";
/// Managed HSM Crypto Service Encryption User.
pub const CRYPTO_SERVICE_ENCRYPTION_USER: &str = "33413926-3206-4cdd-b39a-83574fe37a17";
/// Managed HSM Backup User.
pub const BACKUP: &str = "7b127d3c-77bd-4e3e-bbe0-dbb8971fa7f8";
/// Managed HSM Crypto Service Release User.
pub const CRYPTO_SERVICE_RELEASE_USER: &str = "21dbd100-6940-42c2-9190-5d6cb909625c";
/// Managed HSM Restore User (Python `test_role_assignment[7.6]` lists it).
pub const RESTORE: &str = "6efe6056-5259-49d2-8b3d-d3d73544b20b";

/// The ten built-in roles, in the order the service lists them (the recordings of 2025 and
/// 2026 agree; the EKM Administrator came first when it appeared).
pub static BUILT_IN_ROLES: [BuiltInRole; 10] = [
    BuiltInRole {
        id: EKM_ADMINISTRATOR,
        name: "Managed HSM EKM Administrator",
        data_actions: &[],
        extra_data_actions: &[EKM_READ, EKM_WRITE, EKM_DELETE],
    },
    BuiltInRole {
        id: RESTORE,
        name: "Managed HSM Restore User",
        data_actions: &[
            A::StartHsmRestore,
            A::ReadHsmRestoreStatus,
            A::RestoreHsmKeys,
        ],
        extra_data_actions: &[],
    },
    BuiltInRole {
        id: BACKUP,
        name: "Managed HSM Backup User",
        data_actions: &[A::StartHsmBackup, A::ReadHsmBackupStatus, A::BackupHsmKeys],
        extra_data_actions: &[],
    },
    BuiltInRole {
        id: CRYPTO_SERVICE_ENCRYPTION_USER,
        name: "Managed HSM Crypto Service Encryption User",
        data_actions: &[A::ReadHsmKey, A::WrapHsmKey, A::UnwrapHsmKey],
        extra_data_actions: &[],
    },
    BuiltInRole {
        id: CRYPTO_SERVICE_RELEASE_USER,
        name: "Managed HSM Crypto Service Release User",
        data_actions: &[A::ReleaseKey],
        extra_data_actions: &[],
    },
    BuiltInRole {
        id: CRYPTO_AUDITOR,
        name: "Managed HSM Crypto Auditor",
        data_actions: &[
            A::ReadHsmKey,
            A::ReadDeletedHsmKey,
            A::GetRoleAssignment,
            A::ReadRoleDefinition,
        ],
        extra_data_actions: &[],
    },
    BuiltInRole {
        id: POLICY_ADMINISTRATOR,
        name: "Managed HSM Policy Administrator",
        data_actions: &[
            A::GetRoleAssignment,
            A::WriteRoleAssignment,
            A::DeleteRoleAssignment,
            A::ReadRoleDefinition,
            A::WriteRoleDefinition,
            A::DeleteRoleDefinition,
        ],
        extra_data_actions: &[],
    },
    BuiltInRole {
        id: CRYPTO_USER,
        name: "Managed HSM Crypto User",
        data_actions: &[
            A::ReadHsmKey,
            A::WriteHsmKey,
            A::CreateHsmKey,
            A::DeleteHsmKey,
            A::BackupHsmKeys,
            A::RestoreHsmKeys,
            A::ReleaseKey,
            A::ImportHsmKey,
            A::EncryptHsmKey,
            A::DecryptHsmKey,
            A::WrapHsmKey,
            A::UnwrapHsmKey,
            A::SignHsmKey,
            A::VerifyHsmKey,
            A::RandomNumbersGenerate,
            A::GetRoleAssignment,
            A::ReadRoleDefinition,
        ],
        extra_data_actions: &[
            "Microsoft.KeyVault/managedHsm/keys/rotate/action",
            "Microsoft.KeyVault/managedHsm/keys/derive/action",
        ],
    },
    BuiltInRole {
        id: CRYPTO_OFFICER,
        name: "Managed HSM Crypto Officer",
        data_actions: &[
            A::ReadDeletedHsmKey,
            A::RecoverDeletedHsmKey,
            A::PurgeDeletedHsmKey,
            A::ExportHsmKey,
            A::GetRoleAssignment,
            A::WriteRoleAssignment,
            A::DeleteRoleAssignment,
            A::ReadRoleDefinition,
            A::WriteRoleDefinition,
            A::DeleteRoleDefinition,
        ],
        extra_data_actions: &[],
    },
    BuiltInRole {
        id: ADMINISTRATOR,
        name: "Managed HSM Administrator",
        // In the recorded order (JS `keyvault-admin`, 2026).
        data_actions: &[
            A::DeleteRoleAssignment,
            A::GetRoleAssignment,
            A::WriteRoleAssignment,
            A::ReadRoleDefinition,
            A::WriteRoleDefinition,
            A::DeleteRoleDefinition,
            A::DownloadHsmSecurityDomain,
            A::DownloadHsmSecurityDomainStatus,
            A::UploadHsmSecurityDomain,
            A::ReadHsmSecurityDomainStatus,
            A::ReadHsmSecurityDomainTransferKey,
            A::StartHsmBackup,
            A::StartHsmRestore,
            A::ReadHsmBackupStatus,
            A::ReadHsmRestoreStatus,
        ],
        extra_data_actions: &[SETTINGS_READ, SETTINGS_WRITE],
    },
];

/// The `id` of a role definition named `name`: `Microsoft.KeyVault/providers/
/// Microsoft.Authorization/roleDefinitions/{name}`, as the service writes it.
pub fn definition_id(name: &str) -> String {
    format!("Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/{name}")
}

/// The built-in role named (or with id ending in) `name`, ignoring case.
pub fn find(name: &str) -> Option<&'static BuiltInRole> {
    BUILT_IN_ROLES
        .iter()
        .find(|r| r.id.eq_ignore_ascii_case(name))
}

impl BuiltInRole {
    /// The role as a wire [`RoleDefinition`].
    pub fn definition(&self) -> RoleDefinition {
        RoleDefinition {
            id: Some(definition_id(self.id)),
            name: Some(self.id.to_owned()),
            definition_type: Some(RoleDefinitionType::RoleDefinition),
            properties: Some(RoleDefinitionProperties {
                role_name: Some(self.name.to_owned()),
                description: Some(String::new()),
                role_type: Some(RoleType::BuiltInRole),
                permissions: Some(vec![Permission {
                    actions: Some(Vec::new()),
                    not_actions: Some(Vec::new()),
                    data_actions: Some(
                        self.data_actions
                            .iter()
                            .cloned()
                            .chain(self.extra_data_actions.iter().map(|a| DataAction::from(*a)))
                            .collect(),
                    ),
                    not_data_actions: Some(Vec::new()),
                }]),
                assignable_scopes: Some(vec![RoleScope::Global]),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_distinct_roles_with_known_actions() {
        let mut ids: Vec<&str> = BUILT_IN_ROLES.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 10);
        for role in &BUILT_IN_ROLES {
            assert!(role.data_actions.iter().all(DataAction::is_known));
            let def = role.definition();
            assert_eq!(def.name.as_deref(), Some(role.id));
            assert!(def.id.as_deref().is_some_and(|id| id.ends_with(role.id)));
        }
        let user = find(&CRYPTO_USER.to_uppercase()).unwrap();
        let wire = serde_json::to_value(user.definition()).unwrap();
        let props = &wire["properties"];
        assert_eq!(props["assignableScopes"], serde_json::json!(["/"]));
        assert_eq!(props["description"], "");
        assert_eq!(props["permissions"][0]["notActions"], serde_json::json!([]));
        let actions = props["permissions"][0]["dataActions"].as_array().unwrap();
        assert!(actions.contains(&"Microsoft.KeyVault/managedHsm/keys/rotate/action".into()));
        assert_eq!(find(BACKUP).unwrap().name, "Managed HSM Backup User");
        assert!(user.data_actions.contains(&DataAction::SignHsmKey));
        assert!(!user.data_actions.contains(&DataAction::PurgeDeletedHsmKey));
    }
}
