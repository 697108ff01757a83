//! Blocking Managed HSM administration clients: each forwards to the async client of the
//! same name in [`crate::admin`], whose option and model types it uses.

/// The members every blocking administration client has, written once: `new` (the async
/// client of the same name `$client` in [`crate::admin`], built on a private runtime of its
/// own) and `vault_url`. Expanded inside each client's `impl` block; the client keeps the
/// async client in a field named `inner` and the [`Executor`](super::runtime::Executor)
/// in one named `executor`.
macro_rules! blocking_admin_members {
    ($client:ident, $options:ty) => {
        #[doc = concat!(
            "A client for the Managed HSM at `vault_url`, with its own runtime thread; see\n",
            "[`admin::", stringify!($client), "::new`](crate::admin::", stringify!($client), "::new)."
        )]
        ///
        /// # Errors
        /// As the async constructor; `Transport` when the runtime thread cannot start.
        pub fn new(
            vault_url: &str,
            credential: ::std::sync::Arc<dyn ::kv_core::TokenCredential>,
            options: ::std::option::Option<$options>,
        ) -> $crate::error::Result<Self> {
            let (inner, executor) = $crate::blocking::runtime::Executor::start(|| {
                $crate::admin::$client::new(vault_url, credential, options)
            })?;
            Ok(Self { inner, executor })
        }

        /// The Managed HSM URL.
        pub fn vault_url(&self) -> &::url::Url {
            self.inner.vault_url()
        }
    };
}
use blocking_admin_members;

mod access_control;
mod backup;
mod ekm;
mod settings;

pub use access_control::KeyVaultAccessControlClient;
pub use backup::KeyVaultBackupClient;
pub use ekm::KeyVaultEkmClient;
pub use settings::KeyVaultSettingsClient;

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::ErrorKind;

    /// What `blocking_admin_members!` gives each client: `new` checks the URL as the async
    /// constructor does (and builds a client on its own runtime), `vault_url` returns it.
    /// `connect` builds one client and returns its `vault_url`.
    fn check_members(connect: impl Fn(&str) -> crate::Result<url::Url>) {
        let url = connect("https://h.managedhsm.azure.net").unwrap();
        assert_eq!(url.as_str(), "https://h.managedhsm.azure.net/");
        for bad in ["http://h", "https://h/path"] {
            let e = connect(bad).unwrap_err();
            assert_eq!(e.kind(), &ErrorKind::InvalidArgument, "{bad}");
        }
    }

    #[test]
    fn every_client_has_the_blocking_admin_members() {
        let credential = || Arc::new(kv_core::StaticTokenCredential::new("t"));
        check_members(|url| {
            KeyVaultAccessControlClient::new(url, credential(), None).map(|c| c.vault_url().clone())
        });
        check_members(|url| {
            KeyVaultBackupClient::new(url, credential(), None).map(|c| c.vault_url().clone())
        });
        check_members(|url| {
            KeyVaultEkmClient::new(url, credential(), None).map(|c| c.vault_url().clone())
        });
        check_members(|url| {
            KeyVaultSettingsClient::new(url, credential(), None).map(|c| c.vault_url().clone())
        });
    }
}
