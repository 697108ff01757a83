//! [`VaultConnection`]: which vault a program talks to and how it signs in: a real vault
//! with the user's credential when an environment variable names one, else the emulator
//! with its fixed token.

use std::{fmt, sync::Arc};

use kv_core::{ClientOptions, StaticTokenCredential, TokenCredential};

use crate::{KeyClient, KeyClientOptions, Result};

/// A vault URL, the credential for it and the pipeline options that reach it.
///
/// The usual choice of a program that runs both against Azure and against the emulator:
/// [`from_env`](Self::from_env) gives a real vault when `AZURE_KEYVAULT_URL` (or another
/// variable) is set, with a credential the caller makes (any `azure_identity` credential;
/// this crate does not depend on `azure_identity`); otherwise
/// [`emulator`](Self::emulator) reaches a local emulator: its CA trusted, the fixed
/// token it accepts, and the challenge-resource check off (at `127.0.0.1` its challenge
/// names `https://vault.azure.net`).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// # let emulator = kv_emulator::Emulator::builder()
/// #     .listen("127.0.0.1:0".parse()?)
/// #     .data_dir(dir.path())
/// #     .start()
/// #     .await?;
/// use std::sync::Arc;
/// use kv_client::{StaticTokenCredential, VaultConnection};
///
/// // With azure_identity: `|| azure_identity::DeveloperToolsCredential::new(None)`.
/// let sign_in = || Ok::<_, kv_client::Error>(Arc::new(StaticTokenCredential::new("t")));
/// let vault = match VaultConnection::from_env("MY_APP_KEYVAULT_URL", sign_in)? {
///     Some(real) => real,
///     None => VaultConnection::emulator(emulator.url(), emulator.ca_pem()),
/// };
/// let key = vault.key_client()?.create_ec_key("connection-doc", None).await?;
/// assert_eq!(key.name(), "connection-doc");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct VaultConnection {
    url: String,
    credential: Arc<dyn TokenCredential>,
    client_options: ClientOptions,
    emulator: bool,
}

impl fmt::Debug for VaultConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VaultConnection")
            .field("url", &self.url)
            .field("emulator", &self.emulator)
            .finish_non_exhaustive()
    }
}

impl VaultConnection {
    /// The token the emulator is sent: it accepts any.
    const EMULATOR_TOKEN: &'static str = "the emulator accepts any token";

    /// A real vault or Managed HSM at `url`, signed in with `credential`, with the default
    /// pipeline options (the challenge resource is checked).
    pub fn azure(url: impl Into<String>, credential: Arc<dyn TokenCredential>) -> Self {
        Self {
            url: url.into(),
            credential,
            client_options: ClientOptions::default(),
            emulator: false,
        }
    }

    /// The emulator at `url` whose CA certificate is `ca_pem` (its `cert.pem`, or
    /// `EmulatorHandle::ca_pem()` in process): the CA is trusted besides the platform's
    /// roots, a fixed token is sent, and the challenge-resource check is off.
    ///
    /// # Security
    /// Only for the emulator: a real vault must keep the challenge-resource check.
    pub fn emulator(url: impl Into<String>, ca_pem: impl AsRef<[u8]>) -> Self {
        Self {
            url: url.into(),
            credential: Arc::new(StaticTokenCredential::new(Self::EMULATOR_TOKEN)),
            client_options: ClientOptions {
                extra_ca_certificates_pem: vec![ca_pem.as_ref().to_vec()],
                verify_challenge_resource: false,
                ..Default::default()
            },
            emulator: true,
        }
    }

    /// The real vault named by the environment variable `var`, when it is set and not
    /// empty, signed in with the credential `sign_in` makes; `None` otherwise (reach an
    /// emulator then). `sign_in` runs only when the variable is set, so a program that
    /// falls back to the emulator needs no account.
    ///
    /// # Errors
    /// `sign_in`'s error.
    pub fn from_env<C, E>(
        var: &str,
        sign_in: impl FnOnce() -> std::result::Result<Arc<C>, E>,
    ) -> std::result::Result<Option<Self>, E>
    where
        C: TokenCredential + 'static,
    {
        match std::env::var(var) {
            Ok(url) if !url.trim().is_empty() => Ok(Some(Self::azure(url.trim(), sign_in()?))),
            _ => Ok(None),
        }
    }

    /// The vault's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The credential, to pass to any client's `new`.
    pub fn credential(&self) -> Arc<dyn TokenCredential> {
        self.credential.clone()
    }

    /// The pipeline options, for any client's options (`client_options`).
    pub fn client_options(&self) -> &ClientOptions {
        &self.client_options
    }

    /// Whether this is the emulator (made by [`emulator`](Self::emulator)).
    pub fn is_emulator(&self) -> bool {
        self.emulator
    }

    /// A [`KeyClient`] for this vault.
    ///
    /// # Errors
    /// As [`KeyClient::new`]: an invalid vault URL or CA certificate.
    pub fn key_client(&self) -> Result<KeyClient> {
        KeyClient::new(
            &self.url,
            self.credential(),
            Some(KeyClientOptions {
                client_options: self.client_options.clone(),
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_decides_and_sign_in_runs_only_for_a_real_vault() {
        let never = || -> std::result::Result<Arc<StaticTokenCredential>, &'static str> {
            Err("sign-in must not run")
        };
        let unset = VaultConnection::from_env("KV_CLIENT_TEST_SURELY_UNSET_VAULT_URL", never);
        assert_eq!(unset.map(|c| c.is_none()), Ok(true));
        // PATH is set in every test environment: a stand-in for AZURE_KEYVAULT_URL.
        let real = VaultConnection::from_env("PATH", || {
            Ok::<_, ()>(Arc::new(StaticTokenCredential::new("t")))
        })
        .unwrap()
        .expect("set");
        assert!(!real.is_emulator());
        assert!(real.client_options().verify_challenge_resource);
        assert!(real.client_options().extra_ca_certificates_pem.is_empty());
        assert_eq!(
            VaultConnection::from_env("PATH", never).unwrap_err(),
            "sign-in must not run"
        );
    }

    #[test]
    fn the_emulator_trusts_its_ca_and_skips_the_resource_check() {
        let c = VaultConnection::emulator("https://127.0.0.1:8443", b"PEM");
        assert!(c.is_emulator());
        assert_eq!(c.url(), "https://127.0.0.1:8443");
        assert!(!c.client_options().verify_challenge_resource);
        assert_eq!(
            c.client_options().extra_ca_certificates_pem,
            [b"PEM".to_vec()]
        );
        assert!(!format!("{c:?}").contains(VaultConnection::EMULATOR_TOKEN));
    }
}
