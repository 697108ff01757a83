//! [`EmulatorConfig`]: everything the emulator can be told at start, and the binary's two
//! other sources of settings besides its command line.
//!
//! Each flag of the binary can also be given
//!
//! - in an environment variable named after it, `KV_EMULATOR_` + the flag in upper case with
//!   `_` for `-` (`--data-dir` reads `KV_EMULATOR_DATA_DIR`, `--config` reads
//!   `KV_EMULATOR_CONFIG`); `--help` lists each one ([`with_env_vars`]);
//! - in a TOML file named by `--config FILE`, one key per flag, spelled as the flag without
//!   its dashes (`data-dir = "/var/lib/kv"`, `rbac = true`, `rbac-admin = ["oid1"]` for a
//!   repeatable flag); an unknown key is an error ([`with_file_defaults`]).
//!
//! The command line wins over the environment, which wins over the file, which wins over
//! the built-in defaults.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::error::StartError;

// Defined beside the settings they are defaults of.
pub use crate::state::{DEFAULT_TENANT, MAX_RETENTION_DAYS, MIN_RETENTION_DAYS};

/// Settings of one emulator instance. Public fields with [`Default`]; checked by
/// [`Emulator::start`](crate::Emulator::start).
#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    /// Address to listen on (port 0 picks a free port).
    pub listen: SocketAddr,
    /// Where the database, master key and TLS material live. `None`: the platform's data
    /// directory (for example `~/.local/share/kv-emulator` on Linux).
    pub data_dir: Option<PathBuf>,
    /// A PEM certificate chain to serve instead of the generated one (needs `tls_key`).
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of `tls_cert`.
    pub tls_key: Option<PathBuf>,
    /// Extra DNS names and IP addresses for the generated certificate, besides
    /// [`crate::tls::SUBJECT_ALT_NAMES`] (`--tls-san`).
    pub tls_sans: Vec<String>,
    /// Soft-delete retention in days (7 to 90).
    pub retention_days: u32,
    /// The `resource` named in the authentication challenge. `None`: the parent domain of
    /// the request's host (with its port) when it has one, else `https://vault.azure.net`.
    pub challenge_resource: Option<String>,
    /// The tenant in the challenge's `authorization` URL.
    pub tenant_id: String,
    /// Start the emulator's clock this many seconds away from the system time.
    pub clock_offset_secs: i64,
    /// Public keys (JWKs) whose attestation tokens are trusted for key release.
    pub attestation_signers: Vec<kv_jwk::JsonWebKey>,
    /// A JWKS file (`{"keys": [...]}`) with more trusted attestation signers.
    pub attestation_jwks: Option<PathBuf>,
    /// How often the background scheduler checks for due purges and rotations (it also
    /// runs whenever the clock is moved).
    pub scheduler_interval: Duration,
    /// Enforce Managed HSM role-based access control (`--rbac`); off by default.
    pub rbac: bool,
    /// Principals (`oid` claims) holding the Administrator role at `/` from the start
    /// (`--rbac-admin`).
    pub rbac_admins: Vec<String>,
    /// Fault injection (`--faults`); `None` (the default) injects nothing. See
    /// [`crate::faults`].
    #[cfg(feature = "faults")]
    #[cfg_attr(docsrs, doc(cfg(feature = "faults")))]
    pub faults: Option<crate::faults::FaultSpec>,
    /// Throttling (`--throttle`); `None` (the default) never throttles. See
    /// [`crate::throttle`].
    pub throttle: Option<crate::throttle::ThrottleSpec>,
    /// How bearer tokens are checked (`--auth`): any token (the default) or only tokens the
    /// emulator issued. See [`crate::oauth`].
    pub auth: crate::oauth::AuthMode,
    /// What plain addresses answer as (`--kind`): a vault (default) or a Managed HSM.
    /// Named hosts choose for themselves; see [`crate::vaults`].
    pub kind: crate::vaults::VaultKind,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: None,
            tls_cert: None,
            tls_key: None,
            tls_sans: Vec::new(),
            retention_days: MAX_RETENTION_DAYS,
            challenge_resource: None,
            tenant_id: DEFAULT_TENANT.to_owned(),
            clock_offset_secs: 0,
            attestation_signers: Vec::new(),
            attestation_jwks: None,
            scheduler_interval: Duration::from_secs(10),
            rbac: false,
            rbac_admins: Vec::new(),
            #[cfg(feature = "faults")]
            faults: None,
            throttle: None,
            auth: crate::oauth::AuthMode::Any,
            kind: crate::vaults::VaultKind::Vault,
        }
    }
}

impl EmulatorConfig {
    /// Checks ranges and combinations.
    pub fn validate(&self) -> Result<(), StartError> {
        if !(MIN_RETENTION_DAYS..=MAX_RETENTION_DAYS).contains(&self.retention_days) {
            return Err(StartError::Config(format!(
                "retention days must be between {MIN_RETENTION_DAYS} and {MAX_RETENTION_DAYS}, got {}",
                self.retention_days
            )));
        }
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            return Err(StartError::Config(
                "--tls-cert and --tls-key must be given together".into(),
            ));
        }
        if self.tls_cert.is_some() && !self.tls_sans.is_empty() {
            return Err(StartError::Config(
                "--tls-san names the generated certificate; it cannot change --tls-cert".into(),
            ));
        }
        if let Some(resource) = &self.challenge_resource {
            let parsed = url::Url::parse(resource)
                .map_err(|e| StartError::Config(format!("challenge resource: {e}")))?;
            if parsed.host_str().is_none() {
                return Err(StartError::Config(
                    "challenge resource must be an absolute URL with a host".into(),
                ));
            }
        }
        #[cfg(feature = "faults")]
        if let Some(faults) = &self.faults {
            faults
                .validate()
                .map_err(|e| StartError::Config(e.to_string()))?;
        }
        if self.scheduler_interval.is_zero() {
            return Err(StartError::Config(
                "scheduler interval must not be zero".into(),
            ));
        }
        Ok(())
    }

    /// The trusted attestation signers: the configured keys plus those of the JWKS file.
    pub fn load_attestation_signers(&self) -> Result<Vec<kv_jwk::JsonWebKey>, StartError> {
        #[derive(serde::Deserialize)]
        struct Jwks {
            keys: Vec<kv_jwk::JsonWebKey>,
        }
        let mut signers: Vec<kv_jwk::JsonWebKey> = self
            .attestation_signers
            .iter()
            .map(kv_jwk::JsonWebKey::to_public)
            .collect();
        if let Some(path) = &self.attestation_jwks {
            let text = std::fs::read(path).map_err(|e| StartError::io(path, e))?;
            let jwks: Jwks = serde_json::from_slice(&text).map_err(|e| {
                StartError::Config(format!("{}: not a JWKS document: {e}", path.display()))
            })?;
            signers.extend(jwks.keys.iter().map(kv_jwk::JsonWebKey::to_public));
        }
        Ok(signers)
    }

    /// The data directory to use: the configured one or the platform's.
    pub fn resolved_data_dir(&self) -> Result<PathBuf, StartError> {
        match &self.data_dir {
            Some(dir) => Ok(dir.clone()),
            None => directories::ProjectDirs::from("", "", "kv-emulator")
                .map(|dirs| dirs.data_dir().to_owned())
                .ok_or_else(|| {
                    StartError::Config("no platform data directory; pass --data-dir".into())
                }),
        }
    }
}

/// The environment variable read for the flag `--long`: `KV_EMULATOR_LONG` (dashes become
/// underscores).
pub fn env_var_for(long: &str) -> String {
    format!(
        "KV_EMULATOR_{}",
        long.replace('-', "_").to_ascii_uppercase()
    )
}

/// Gives every long flag of `command` its environment variable ([`env_var_for`]), shown by
/// `--help`. Applied to the whole command so a flag added later gets one too.
pub fn with_env_vars(command: clap::Command) -> clap::Command {
    command.mut_args(|arg| match arg.get_long().map(env_var_for) {
        Some(var) => arg.env(var),
        None => arg,
    })
}

/// Makes the settings of a TOML configuration file the defaults of `command`'s flags, so
/// the environment and the command line still override them. `origin` names the file in
/// errors.
///
/// # Errors
/// [`StartError::Config`] when the text is not TOML, names a key that is no flag (or is
/// `config` itself), or gives a value that is not a string, number, boolean or an array of
/// them.
pub fn with_file_defaults(
    mut command: clap::Command,
    text: &str,
    origin: &std::path::Path,
) -> Result<clap::Command, StartError> {
    let fail = |what: String| StartError::Config(format!("{}: {what}", origin.display()));
    let table: toml::Table = text.parse().map_err(|e| fail(format!("not TOML: {e}")))?;
    for (key, value) in table {
        let long = key.replace('_', "-");
        let id = command
            .get_arguments()
            .find(|arg| arg.get_long() == Some(long.as_str()) && long != "config")
            .map(|arg| arg.get_id().as_str().to_owned())
            .ok_or_else(|| fail(format!("unknown setting `{key}`")))?;
        let scalar = |value: &toml::Value| match value {
            toml::Value::String(s) => Ok(s.clone()),
            toml::Value::Integer(i) => Ok(i.to_string()),
            toml::Value::Float(f) => Ok(f.to_string()),
            toml::Value::Boolean(b) => Ok(b.to_string()),
            _ => Err(fail(format!(
                "`{key}` must be a string, number, boolean or an array of them"
            ))),
        };
        let values = match &value {
            toml::Value::Array(items) => items.iter().map(scalar).collect::<Result<Vec<_>, _>>()?,
            other => vec![scalar(other)?],
        };
        command = command.mut_arg(id, |arg| arg.default_values(values));
    }
    Ok(command)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        assert!(EmulatorConfig::default().validate().is_ok());
        let bad = EmulatorConfig {
            retention_days: 6,
            ..Default::default()
        };
        assert!(bad.validate().is_err());
        let bad = EmulatorConfig {
            tls_cert: Some("c.pem".into()),
            ..Default::default()
        };
        assert!(bad.validate().is_err());
        let bad = EmulatorConfig {
            challenge_resource: Some("not a url".into()),
            ..Default::default()
        };
        assert!(bad.validate().is_err());
    }
}
