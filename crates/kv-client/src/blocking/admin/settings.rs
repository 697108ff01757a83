//! The blocking [`KeyVaultSettingsClient`]: each method forwards to
//! [`crate::admin::KeyVaultSettingsClient`].

use crate::admin::{KeyVaultSetting, KeyVaultSettingsClientOptions};
use crate::blocking::runtime::Executor;
use crate::error::Result;

/// Blocking Managed HSM account settings: the methods of
/// [`admin::KeyVaultSettingsClient`](crate::admin::KeyVaultSettingsClient), with the same
/// names, options and errors, returning instead of awaiting.
///
/// Cheap to clone; clones share the pipeline and the runtime thread.
///
/// # Errors
/// As the async method of the same name; every method also returns `NotSupported` when
/// called from inside an async runtime (see [`blocking`](crate::blocking)).
#[derive(Clone, Debug)]
pub struct KeyVaultSettingsClient {
    inner: crate::admin::KeyVaultSettingsClient,
    executor: Executor,
}

impl KeyVaultSettingsClient {
    super::blocking_admin_members!(KeyVaultSettingsClient, KeyVaultSettingsClientOptions);

    /// See [`admin::KeyVaultSettingsClient::get_setting`](crate::admin::KeyVaultSettingsClient::get_setting).
    ///
    /// # Errors
    /// See [`KeyVaultSettingsClient`].
    pub fn get_setting(&self, name: &str) -> Result<KeyVaultSetting> {
        self.executor.block_on(self.inner.get_setting(name))
    }

    /// See [`admin::KeyVaultSettingsClient::list_settings`](crate::admin::KeyVaultSettingsClient::list_settings).
    ///
    /// # Errors
    /// See [`KeyVaultSettingsClient`].
    pub fn list_settings(&self) -> Result<Vec<KeyVaultSetting>> {
        self.executor.block_on(self.inner.list_settings())
    }

    /// See [`admin::KeyVaultSettingsClient::update_setting`](crate::admin::KeyVaultSettingsClient::update_setting).
    ///
    /// # Errors
    /// See [`KeyVaultSettingsClient`].
    pub fn update_setting(&self, setting: &KeyVaultSetting) -> Result<KeyVaultSetting> {
        self.executor.block_on(self.inner.update_setting(setting))
    }
}
