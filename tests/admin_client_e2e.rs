//! The Managed HSM administration clients of kv-client against the in-process emulator, with
//! full backup and restore going through a real Azure Storage emulator (Azurite, installed
//! and started by the test itself: needs Node 20 and npm on first run).

#[path = "common/emulator.rs"]
mod emulator;

use std::{path::Path, time::Duration};

use emulator::Hsm;
use futures::TryStreamExt;
use keyvault::admin::{BlobStorageAccess, KeyVaultRoleScope, KeyVaultSetting, RestoreOptions};
use keyvault::jwk::SignatureAlgorithm;
use keyvault::pipeline::{ApiVersion, Secret};
use keyvault::{
    GetKeyOptions, KeyClient, KeyVaultAccessControlClient, KeyVaultBackupClient,
    KeyVaultSettingsClient, PollerOptions,
};
use kv_emulator::azurite::{Azurite, ContainerAccess};

const CRYPTO_USER: &str = "21dbd100-6940-42c2-9190-5d6cb909625b";

impl Hsm {
    /// The HSM keeping deleted keys for 7 days (the test deletes and purges before restoring).
    async fn start() -> Self {
        Self::start_with(|b| b.retention_days(7)).await
    }
}

fn fast() -> PollerOptions {
    PollerOptions {
        frequency: Duration::from_millis(50),
    }
}

async fn azurite() -> Azurite {
    let prefix = Path::new(env!("CARGO_TARGET_TMPDIR")).join("azurite");
    tokio::task::spawn_blocking(move || Azurite::start(&prefix))
        .await
        .expect("installer thread")
        .expect("Azurite installs and starts (needs node and npm)")
}

async fn sign_and_verify(keys: &KeyClient, name: &str, version: Option<&str>) {
    let options = || {
        Some(GetKeyOptions {
            version: version.map(str::to_owned),
        })
    };
    let key = keys.get_key(name, options()).await.expect("key is back");
    if let Some(v) = version {
        assert_eq!(key.properties.version(), Some(v), "the asked version");
    }
    let alg = if name.contains("rsa") {
        SignatureAlgorithm::Rs256
    } else {
        SignatureAlgorithm::Es256
    };
    let crypto = keys
        .get_cryptography_client(name, options())
        .expect("crypto client");
    let signed = crypto
        .sign_data(alg.clone(), b"restored")
        .await
        .expect("restored key signs");
    let verified = crypto
        .verify_data(alg, b"restored", &signed.signature)
        .await
        .expect("verify runs");
    assert!(verified.is_valid, "{name} verifies after restore");
}

#[tokio::test(flavor = "multi_thread")]
async fn backup_client_full_and_selective_restore_through_azurite() {
    let storage = azurite().await;
    let ContainerAccess { url, sas } = storage
        .create_container("client-backups")
        .await
        .expect("container");
    let hsm = Hsm::start().await;
    let keys = hsm.keys(ApiVersion::LATEST);
    let backup = KeyVaultBackupClient::new(
        hsm.emulator.url(),
        hsm.credential(),
        Some(keyvault::admin::KeyVaultBackupClientOptions {
            client_options: hsm.options(ApiVersion::LATEST),
        }),
    )
    .expect("backup client");

    keys.create_ec_key("cb-ec", None).await.expect("ec key");
    keys.create_rsa_key("cb-rsa", None).await.expect("rsa key");
    let first = keys
        .get_key("cb-ec", None)
        .await
        .expect("ec")
        .properties
        .version()
        .map(str::to_owned);
    keys.rotate_key("cb-ec").await.expect("rotate");

    let access = BlobStorageAccess::SasToken(Secret::new(sas.clone()));
    let pre = backup
        .begin_pre_backup(&url, &access, Some(fast()))
        .await
        .expect("pre-backup starts")
        .await;
    assert!(pre.is_ok(), "pre-backup passes: {pre:?}");
    let result = backup
        .begin_backup(&url, &access, Some(fast()))
        .await
        .expect("backup starts")
        .await
        .expect("backup succeeds");
    assert!(
        result.folder_url.as_str().starts_with(&url),
        "{} is inside {url}",
        result.folder_url
    );

    for name in ["cb-ec", "cb-rsa"] {
        keys.delete_key(name, Some(fast()))
            .await
            .expect("delete starts")
            .await
            .expect("deleted");
        keys.purge_deleted_key(name).await.expect("purged");
        assert!(keys.get_key(name, None).await.is_err());
    }

    let restore = |key_name: Option<&str>| RestoreOptions {
        key_name: key_name.map(str::to_owned),
        poller_options: fast(),
    };
    backup
        .begin_restore(result.folder_url.as_str(), &access, Some(restore(None)))
        .await
        .expect("restore starts")
        .await
        .expect("full restore succeeds");
    sign_and_verify(&keys, "cb-ec", None).await;
    sign_and_verify(&keys, "cb-ec", first.as_deref()).await;
    sign_and_verify(&keys, "cb-rsa", None).await;
    let versions: Vec<_> = keys
        .list_key_properties_versions("cb-ec", None)
        .expect("valid name")
        .try_collect()
        .await
        .expect("versions list");
    assert_eq!(versions.len(), 2, "both versions of cb-ec are back");

    // Selective restore brings back one key only.
    for name in ["cb-ec", "cb-rsa"] {
        keys.delete_key(name, Some(fast()))
            .await
            .expect("delete starts")
            .await
            .expect("deleted");
        keys.purge_deleted_key(name).await.expect("purged");
    }
    backup
        .begin_restore(
            result.folder_url.as_str(),
            &access,
            Some(restore(Some("cb-rsa"))),
        )
        .await
        .expect("selective restore starts")
        .await
        .expect("selective restore succeeds");
    sign_and_verify(&keys, "cb-rsa", None).await;
    assert!(
        keys.get_key("cb-ec", None).await.is_err(),
        "only cb-rsa came back"
    );

    // A folder that does not exist fails with the service's code, not a hang.
    let missing = format!("{url}/mhsm-missing-folder");
    let err = backup
        .begin_restore(&missing, &access, Some(restore(None)))
        .await
        .expect("restore starts")
        .await
        .expect_err("restoring a missing folder fails");
    assert!(err.error_code().is_some(), "{err}");
    hsm.emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn access_control_and_settings_clients() {
    let hsm = Hsm::start().await;
    let rbac = KeyVaultAccessControlClient::new(
        hsm.emulator.url(),
        hsm.credential(),
        Some(keyvault::admin::KeyVaultAccessControlClientOptions {
            client_options: hsm.options(ApiVersion::LATEST),
        }),
    )
    .expect("access control client");

    let definitions: Vec<_> = rbac
        .list_role_definitions(&KeyVaultRoleScope::GLOBAL)
        .try_collect()
        .await
        .expect("definitions");
    let crypto_user = definitions
        .iter()
        .find(|d| d.role_name == "Managed HSM Crypto User")
        .expect("the built-in Crypto User role is listed");
    assert_eq!(crypto_user.name, CRYPTO_USER);

    let assignment = rbac
        .create_role_assignment(
            &KeyVaultRoleScope::KEYS,
            &crypto_user.id,
            "00000000-0000-0000-0000-0000000000aa",
            None,
        )
        .await
        .expect("assignment created");
    let fetched = rbac
        .get_role_assignment(&KeyVaultRoleScope::KEYS, &assignment.name)
        .await
        .expect("assignment fetched");
    assert_eq!(fetched.name, assignment.name);
    let listed: Vec<_> = rbac
        .list_role_assignments(&KeyVaultRoleScope::KEYS)
        .try_collect()
        .await
        .expect("assignments");
    assert!(listed.iter().any(|a| a.name == assignment.name));
    rbac.delete_role_assignment(&KeyVaultRoleScope::KEYS, &assignment.name)
        .await
        .expect("deleted");
    // Deleting again is not an error, like the official SDKs.
    rbac.delete_role_assignment(&KeyVaultRoleScope::KEYS, &assignment.name)
        .await
        .expect("deleting a missing assignment is fine");
    assert!(
        rbac.get_role_assignment(&KeyVaultRoleScope::KEYS, &assignment.name)
            .await
            .is_err()
    );

    let settings = KeyVaultSettingsClient::new(
        hsm.emulator.url(),
        hsm.credential(),
        Some(keyvault::admin::KeyVaultSettingsClientOptions {
            client_options: hsm.options(ApiVersion::LATEST),
        }),
    )
    .expect("settings client");
    let name = "AllowKeyManagementOperationsThroughARM";
    let updated = settings
        .update_setting(&KeyVaultSetting::boolean(name, true))
        .await
        .expect("setting updated");
    assert_eq!(updated.as_bool(), Some(true));
    let fetched = settings.get_setting(name).await.expect("setting fetched");
    assert_eq!(fetched.as_bool(), Some(true));
    let all = settings.list_settings().await.expect("settings listed");
    assert!(all.iter().any(|s| s.name == name));
    hsm.emulator.shutdown().await;
}
