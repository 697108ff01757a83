//! `DataAction`: the Managed HSM data-plane permissions of role definitions.

kv_jwk::string_enum! {
    /// A data-plane permission (`dataActions` / `notDataActions` of a role definition).
    pub enum DataAction {
        /// Read HSM key metadata.
        ReadHsmKey => "Microsoft.KeyVault/managedHsm/keys/read/action",
        /// Update an HSM key.
        WriteHsmKey => "Microsoft.KeyVault/managedHsm/keys/write/action",
        /// Read deleted HSM key.
        ReadDeletedHsmKey => "Microsoft.KeyVault/managedHsm/keys/deletedKeys/read/action",
        /// Recover deleted HSM key.
        RecoverDeletedHsmKey => "Microsoft.KeyVault/managedHsm/keys/deletedKeys/recover/action",
        /// Backup HSM keys.
        BackupHsmKeys => "Microsoft.KeyVault/managedHsm/keys/backup/action",
        /// Restore HSM keys.
        RestoreHsmKeys => "Microsoft.KeyVault/managedHsm/keys/restore/action",
        /// Delete role assignment.
        DeleteRoleAssignment => "Microsoft.KeyVault/managedHsm/roleAssignments/delete/action",
        /// Get role assignment.
        GetRoleAssignment => "Microsoft.KeyVault/managedHsm/roleAssignments/read/action",
        /// Create or update role assignment.
        WriteRoleAssignment => "Microsoft.KeyVault/managedHsm/roleAssignments/write/action",
        /// Get role definition.
        ReadRoleDefinition => "Microsoft.KeyVault/managedHsm/roleDefinitions/read/action",
        /// Create or update role definition.
        WriteRoleDefinition => "Microsoft.KeyVault/managedHsm/roleDefinitions/write/action",
        /// Delete role definition.
        DeleteRoleDefinition => "Microsoft.KeyVault/managedHsm/roleDefinitions/delete/action",
        /// Encrypt using an HSM key.
        EncryptHsmKey => "Microsoft.KeyVault/managedHsm/keys/encrypt/action",
        /// Decrypt using an HSM key.
        DecryptHsmKey => "Microsoft.KeyVault/managedHsm/keys/decrypt/action",
        /// Wrap using an HSM key.
        WrapHsmKey => "Microsoft.KeyVault/managedHsm/keys/wrap/action",
        /// Unwrap using an HSM key.
        UnwrapHsmKey => "Microsoft.KeyVault/managedHsm/keys/unwrap/action",
        /// Sign using an HSM key.
        SignHsmKey => "Microsoft.KeyVault/managedHsm/keys/sign/action",
        /// Verify using an HSM key.
        VerifyHsmKey => "Microsoft.KeyVault/managedHsm/keys/verify/action",
        /// Create an HSM key.
        CreateHsmKey => "Microsoft.KeyVault/managedHsm/keys/create",
        /// Delete an HSM key.
        DeleteHsmKey => "Microsoft.KeyVault/managedHsm/keys/delete",
        /// Export an HSM key.
        ExportHsmKey => "Microsoft.KeyVault/managedHsm/keys/export/action",
        /// Release an HSM key using Secure Key Release.
        ReleaseKey => "Microsoft.KeyVault/managedHsm/keys/release/action",
        /// Import an HSM key.
        ImportHsmKey => "Microsoft.KeyVault/managedHsm/keys/import/action",
        /// Purge a deleted HSM key.
        PurgeDeletedHsmKey => "Microsoft.KeyVault/managedHsm/keys/deletedKeys/delete",
        /// Download an HSM security domain.
        DownloadHsmSecurityDomain => "Microsoft.KeyVault/managedHsm/securitydomain/download/action",
        /// Check status of HSM security domain download.
        DownloadHsmSecurityDomainStatus => "Microsoft.KeyVault/managedHsm/securitydomain/download/read",
        /// Upload an HSM security domain.
        UploadHsmSecurityDomain => "Microsoft.KeyVault/managedHsm/securitydomain/upload/action",
        /// Check the status of the HSM security domain exchange file.
        ReadHsmSecurityDomainStatus => "Microsoft.KeyVault/managedHsm/securitydomain/upload/read",
        /// Download an HSM security domain transfer key.
        ReadHsmSecurityDomainTransferKey => "Microsoft.KeyVault/managedHsm/securitydomain/transferkey/read",
        /// Start an HSM backup.
        StartHsmBackup => "Microsoft.KeyVault/managedHsm/backup/start/action",
        /// Start an HSM restore.
        StartHsmRestore => "Microsoft.KeyVault/managedHsm/restore/start/action",
        /// Read an HSM backup status.
        ReadHsmBackupStatus => "Microsoft.KeyVault/managedHsm/backup/status/action",
        /// Read an HSM restore status.
        ReadHsmRestoreStatus => "Microsoft.KeyVault/managedHsm/restore/status/action",
        /// Generate random numbers.
        RandomNumbersGenerate => "Microsoft.KeyVault/managedHsm/rng/action",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_values_known_and_round_trip() {
        assert_eq!(DataAction::KNOWN_VALUES.len(), 34);
        for v in DataAction::KNOWN_VALUES {
            let a = DataAction::from(*v);
            assert!(a.is_known(), "{v}");
            assert_eq!(serde_json::to_string(&a).unwrap(), format!("\"{v}\""));
        }
        let unknown: DataAction =
            serde_json::from_str("\"Microsoft.KeyVault/managedHsm/new/action\"").unwrap();
        assert!(!unknown.is_known());
        assert_eq!(unknown.as_str(), "Microsoft.KeyVault/managedHsm/new/action");
    }
}
