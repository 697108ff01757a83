//! The README's main command, `cargo run --release --example quickstart`, run in-process in
//! both of its modes:
//!
//! 1. without `AZURE_KEYVAULT_URL`: it starts the built-in emulator itself;
//! 2. with `AZURE_KEYVAULT_URL`: the real-vault path, with the Azure identity credential
//!    chain and the system's trust store. A vault is stood in for by an emulator that
//!    behaves as a real one does for that path: its challenge names the vault's own domain
//!    (so the client's resource check stays on), its CA is trusted via `SSL_CERT_FILE` (the
//!    trust store override rustls honours, as on any machine), and the token comes from the
//!    chain's Azure CLI link, answered by a stand-in `az` script on `PATH`.
//!
//! Both modes share one test function because they change process-wide environment
//! variables; nothing else runs in this test binary.

#[path = "../examples/quickstart.rs"]
#[allow(dead_code)]
mod quickstart;

use std::path::Path;
use std::sync::Arc;

use futures::TryStreamExt;
use kv_client::{KeyClient, KeyClientOptions, StaticTokenCredential};
use kv_core::ClientOptions;

const TOKEN: &str = "token-from-the-stand-in-azure-cli";

/// Writes an `az` that answers `az account get-access-token -o json --scope S` as Azure CLI
/// 2.54+ does, and records each call (with its arguments) in `calls.log` beside it.
fn stand_in_azure_cli(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let log = dir.join("calls.log");
    let script = format!(
        r#"#!/bin/sh
echo "$@" >> '{log}'
case "$1 $2" in
  "account get-access-token")
    cat <<'JSON'
{{"accessToken":"{TOKEN}","expiresOn":"2099-01-01 00:00:00.000000","expires_on":4070908800,"subscription":"00000000-0000-0000-0000-000000000000","tenant":"00000000-0000-0000-0000-000000000000","tokenType":"Bearer"}}
JSON
    ;;
  *) echo "unexpected az call: $*" >&2; exit 2 ;;
esac
"#,
        log = log.display()
    );
    let path = dir.join("az");
    std::fs::write(&path, script)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
}

#[test]
fn quickstart_runs_on_the_emulator_and_on_a_vault_through_the_credential_chain() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");

    // SAFETY (both blocks): this test binary has one test, and no other thread reads the
    // environment while it is changed.
    unsafe { std::env::remove_var("AZURE_KEYVAULT_URL") };
    runtime
        .block_on(quickstart::run())
        .expect("quickstart against its built-in emulator");

    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("vault");
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).expect("bin dir");
    stand_in_azure_cli(&bin).expect("stand-in az");
    runtime.block_on(async {
        let emulator = kv_emulator::Emulator::builder()
            .listen("127.0.0.1:0".parse().expect("address"))
            .data_dir(&data)
            .challenge_resource("https://localhost")
            .start()
            .await
            .expect("emulator starts");
        let url = format!("https://localhost:{}", emulator.addr().port());
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, emulator.ca_pem()).expect("CA file");
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        unsafe {
            std::env::set_var("AZURE_KEYVAULT_URL", &url);
            std::env::set_var("SSL_CERT_FILE", &ca);
            std::env::set_var("PATH", path);
            for var in [
                "AZURE_CLIENT_SECRET",
                "AZURE_FEDERATED_TOKEN_FILE",
                "IDENTITY_ENDPOINT",
                "MSI_ENDPOINT",
            ] {
                std::env::remove_var(var);
            }
        }
        let outcome = quickstart::run().await;
        unsafe { std::env::remove_var("AZURE_KEYVAULT_URL") };
        outcome.expect("quickstart against a vault URL, signed in through the chain");

        // The chain asked the Azure CLI for a token for the resource the challenge named.
        let calls = std::fs::read_to_string(bin.join("calls.log")).expect("az was called");
        assert!(
            calls.contains("account get-access-token") && calls.contains("https://localhost"),
            "{calls}"
        );
        // The real-vault path cleans up after itself: both keys are soft-deleted.
        let keys = KeyClient::new(
            &url,
            Arc::new(StaticTokenCredential::new("check")),
            Some(KeyClientOptions {
                client_options: ClientOptions {
                    extra_ca_certificates_pem: vec![emulator.ca_pem().as_bytes().to_vec()],
                    ..Default::default()
                },
            }),
        )
        .expect("key client");
        let deleted: Vec<String> = keys
            .list_deleted_key_properties(None)
            .try_collect::<Vec<_>>()
            .await
            .expect("list deleted keys")
            .into_iter()
            .map(|k| k.name().to_owned())
            .collect();
        assert_eq!(deleted.len(), 2, "{deleted:?}");
        assert!(deleted.iter().any(|n| n.starts_with("quickstart-rsa-")));
        assert!(deleted.iter().any(|n| n.starts_with("quickstart-ec-")));
        emulator.shutdown().await;
    });
}
