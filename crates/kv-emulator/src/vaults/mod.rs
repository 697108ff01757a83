//! Personalities and names: which vault or Managed HSM a request addresses, and the
//! registry of their stores.
//!
//! A vault and a Managed HSM are different services. The emulator picks the personality
//! from the host name the client used:
//!
//! - `NAME.vault.localhost[:port]` or `NAME.vault.azure.net` — the vault `NAME`;
//! - `NAME.managedhsm.localhost[:port]` or `NAME.managedhsm.azure.net` — the Managed HSM
//!   `NAME`;
//! - anything else (`127.0.0.1`, `localhost`, `[::1]`, other names) — the emulator's
//!   default instance, whose kind is `--kind vault|managedhsm` (default: vault).
//!
//! Each named instance has its own SQLite file, `DIR/vaults/{vault|managedhsm}/NAME.db`,
//! so keys, deleted keys, rotation policies, roles and settings never leak between them.
//! The default instance keeps `DIR/keyvault.db`, the file every earlier version of the
//! emulator wrote, so existing data stays where clients on plain addresses find it.

use std::str::FromStr;

mod registry;

pub use registry::{MAX_NAMED_VAULTS, Vaults};

tokio::task_local! {
    /// The instance the current request addresses: its kind and base URL. Set by the
    /// `bind_vault` middleware around the handler, so error bodies can be worded as that
    /// instance words them.
    static CURRENT: (VaultKind, String);
}

/// Runs `f` with `kind` and `base_url` as the current request's instance.
pub(crate) async fn scope<F: std::future::Future>(
    kind: VaultKind,
    base_url: String,
    f: F,
) -> F::Output {
    CURRENT.scope((kind, base_url), f).await
}

/// Runs `f` with `current` (what [`current`] answered on the request's task) as the
/// current instance: blocking threads do not inherit task-locals, and the store's
/// transactions word errors too.
pub(crate) fn sync_scope<R>(current: Option<(VaultKind, String)>, f: impl FnOnce() -> R) -> R {
    match current {
        Some(instance) => CURRENT.sync_scope(instance, f),
        None => f(),
    }
}

/// Whether the current request addresses a Managed HSM (`false` outside a request), for
/// answers a Managed HSM words or shapes differently.
pub(crate) fn current_is_hsm() -> bool {
    CURRENT.try_with(|(kind, _)| kind.is_hsm()).unwrap_or(false)
}

/// The kind and base URL of the current request's instance (`None` outside a request).
pub(crate) fn current() -> Option<(VaultKind, String)> {
    CURRENT.try_with(Clone::clone).ok()
}

/// The two services the emulator can answer as.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum VaultKind {
    /// Azure Key Vault (`*.vault.azure.net`): no administration APIs, no AES keys.
    #[default]
    Vault,
    /// Azure Key Vault Managed HSM (`*.managedhsm.azure.net`).
    ManagedHsm,
}

impl VaultKind {
    /// `vault` or `managedhsm`: the host label and the `--kind` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Vault => "vault",
            Self::ManagedHsm => "managedhsm",
        }
    }

    /// The challenge resource Azure names for this kind.
    pub fn azure_resource(self) -> &'static str {
        match self {
            Self::Vault => "https://vault.azure.net",
            Self::ManagedHsm => "https://managedhsm.azure.net",
        }
    }

    /// Whether this is a Managed HSM.
    pub fn is_hsm(self) -> bool {
        self == Self::ManagedHsm
    }
}

impl std::fmt::Display for VaultKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for VaultKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "vault" => Ok(Self::Vault),
            "managedhsm" | "hsm" | "managed-hsm" => Ok(Self::ManagedHsm),
            other => Err(format!(
                "unknown kind {other:?}: expected vault or managedhsm"
            )),
        }
    }
}

/// One vault or Managed HSM on the emulator.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VaultId {
    /// Vault or Managed HSM.
    pub kind: VaultKind,
    /// The name from the host (`NAME.vault.localhost`), lower case; `None` for the
    /// default instance on plain addresses.
    pub name: Option<String>,
}

impl VaultId {
    /// The instance a request for `host` (with or without port) addresses.
    pub fn of_host(host: Option<&str>, default_kind: VaultKind) -> Self {
        let default = Self {
            kind: default_kind,
            name: None,
        };
        let Some(host) = host else { return default };
        let name = host_without_port(host).to_ascii_lowercase();
        let mut labels = name.split('.');
        let (Some(first), Some(second)) = (labels.next(), labels.next()) else {
            return default;
        };
        let rest: Vec<&str> = labels.collect();
        let parent_ok = matches!(rest.as_slice(), ["localhost"] | ["azure", "net"]);
        let kind = match second {
            "vault" => VaultKind::Vault,
            "managedhsm" => VaultKind::ManagedHsm,
            _ => return default,
        };
        if !parent_ok || !valid_name(first) {
            return default;
        }
        Self {
            kind,
            name: Some(first.to_owned()),
        }
    }
}

/// Vault and Managed HSM names: 3 to 24 letters, digits and hyphens (as Azure), which
/// also keeps them safe as file names.
pub(crate) fn valid_name(name: &str) -> bool {
    (3..=24).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

fn host_without_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.split(']').next().unwrap_or(host);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(host: &str) -> VaultId {
        VaultId::of_host(Some(host), VaultKind::Vault)
    }

    #[test]
    fn personalities_from_host_names() {
        let named = |kind, name: &str| VaultId {
            kind,
            name: Some(name.to_owned()),
        };
        assert_eq!(
            id("myvault.vault.localhost:8443"),
            named(VaultKind::Vault, "myvault")
        );
        assert_eq!(
            id("MyHsm.ManagedHSM.localhost"),
            named(VaultKind::ManagedHsm, "myhsm")
        );
        assert_eq!(
            id("prod-1.vault.azure.net"),
            named(VaultKind::Vault, "prod-1")
        );
        assert_eq!(
            id("h1x.managedhsm.azure.net:443"),
            named(VaultKind::ManagedHsm, "h1x")
        );
        for plain in [
            "127.0.0.1:8443",
            "localhost:1",
            "[::1]:8443",
            "a.localhost",
            "x.vault.example.com",
            "ab.vault.localhost",
            "../x.vault.localhost",
        ] {
            assert_eq!(id(plain).name, None, "{plain}");
        }
        assert_eq!(
            VaultId::of_host(Some("127.0.0.1"), VaultKind::ManagedHsm).kind,
            VaultKind::ManagedHsm
        );
        assert_eq!("managedhsm".parse(), Ok(VaultKind::ManagedHsm));
        assert!("hsmx".parse::<VaultKind>().is_err());
    }
}
