//! What every example shares: a vault to talk to, and errors printed for a person.
//!
//! With `AZURE_KEYVAULT_URL` set, the examples use that vault and sign in with
//! `azure_identity::DeveloperToolsCredential` (`az login` or `azd auth login`). Otherwise
//! they start the built-in emulator in this process, on a free port of 127.0.0.1, with a
//! temporary data directory: nothing to install, no account needed. Which credential and
//! options go with which is `keyvault::VaultConnection`, the library's helper.
#![allow(dead_code)] // each example uses a part

use std::error::Error;
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};

use keyvault::pipeline::ClientOptions;
use keyvault::{KeyClient, TokenCredential, VaultConnection};

pub type BoxError = Box<dyn Error + Send + Sync>;

/// The vault in use, for error messages.
static VAULT_URL: OnceLock<String> = OnceLock::new();

/// A vault: its URL, a credential and the client options that reach it.
pub struct Vault {
    pub url: String,
    pub credential: Arc<dyn TokenCredential>,
    pub options: ClientOptions,
    connection: VaultConnection,
    /// Only for the emulator: it must live as long as the vault is used.
    _emulator: Option<(kv_emulator::EmulatorHandle, tempfile::TempDir)>,
}

impl Vault {
    /// The vault named by the environment variable `var` (`AZURE_KEYVAULT_URL`, or
    /// `AZURE_MANAGEDHSM_URL` for the administration example), else the built-in emulator.
    pub async fn connect(var: &str) -> Result<Self, BoxError> {
        // The choice of credential and options is the library's `VaultConnection`; what
        // stays here is starting the emulator when no vault is named.
        let real =
            VaultConnection::from_env(var, || azure_identity::DeveloperToolsCredential::new(None))?;
        if let Some(vault) = real {
            let _ = VAULT_URL.set(vault.url().to_owned());
            println!("vault: {}", vault.url());
            return Ok(Self::from_connection(&vault, None));
        }
        let dir = tempfile::tempdir()?;
        // The administration APIs are a Managed HSM's: a vault refuses them, as Azure does.
        let kind = if var == "AZURE_MANAGEDHSM_URL" {
            kv_emulator::vaults::VaultKind::ManagedHsm
        } else {
            kv_emulator::vaults::VaultKind::Vault
        };
        let emulator = kv_emulator::Emulator::builder()
            .listen("127.0.0.1:0".parse()?)
            .data_dir(dir.path())
            .kind(kind)
            .start()
            .await?;
        let vault = VaultConnection::emulator(emulator.url(), emulator.ca_pem());
        let _ = VAULT_URL.set(vault.url().to_owned());
        println!(
            "vault: the built-in emulator at {} ({var} is not set)",
            vault.url()
        );
        Ok(Self::from_connection(&vault, Some((emulator, dir))))
    }

    fn from_connection(
        vault: &VaultConnection,
        emulator: Option<(kv_emulator::EmulatorHandle, tempfile::TempDir)>,
    ) -> Self {
        Self {
            url: vault.url().to_owned(),
            credential: vault.credential(),
            options: vault.client_options().clone(),
            connection: vault.clone(),
            _emulator: emulator,
        }
    }

    /// A [`KeyClient`] for this vault.
    pub fn key_client(&self) -> Result<KeyClient, BoxError> {
        Ok(self.connection.key_client()?)
    }
}

/// A short random suffix, so that each run uses fresh key names.
pub fn unique(prefix: &str) -> String {
    let bytes = keyvault::local_crypto::random_bytes(3).unwrap_or_default();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}-{hex}")
}

/// The error as a person reads it: the message, each cause, and the vault it concerns.
pub fn describe(error: &(dyn Error + 'static)) -> String {
    let mut text = format!("error: {error}");
    let mut cause = error.source();
    while let Some(c) = cause {
        text.push_str(&format!("\n  caused by: {c}"));
        cause = c.source();
    }
    if let Some(url) = VAULT_URL.get() {
        text.push_str(&format!("\n  vault: {url}"));
    }
    text
}

/// The exit code for `result`, printing a failure with [`describe`].
pub fn finish(result: Result<(), BoxError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{}", describe(&*error));
            ExitCode::FAILURE
        }
    }
}
