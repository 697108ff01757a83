//! [`KeyVaultSettingsClient`]: the account settings of a Managed HSM, and
//! [`KeyVaultSetting`].

use kv_core::{Endpoint, Method};
use kv_protocol::{Setting, SettingsListResult, UpdateSettingRequest};

use super::endpoint::{check_segment, endpoint_members};
use super::options::KeyVaultSettingsClientOptions;
use crate::error::Result;

/// The type of a setting's value (`boolean` is the only one the service names).
pub use kv_protocol::SettingType as KeyVaultSettingType;

/// One account setting, such as `AllowKeyManagementOperationsThroughARM`. The service
/// sends every value as a string, booleans included; [`as_bool`](Self::as_bool) reads one.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyVaultSetting {
    /// The setting's name.
    pub name: String,
    /// The value, as the service writes it (`"true"`, `"false"`).
    pub value: String,
    /// The value's type, when the service says.
    pub setting_type: Option<KeyVaultSettingType>,
}

impl KeyVaultSetting {
    /// A setting with a string value.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
            setting_type: None,
        }
    }

    /// A boolean setting.
    pub fn boolean(name: impl Into<String>, value: bool) -> Self {
        Self {
            name: name.into(),
            value: value.to_string(),
            setting_type: Some(KeyVaultSettingType::Boolean),
        }
    }

    /// The value as a boolean: `Some` when the type is `boolean` (or not given) and the
    /// value is `true` or `false` in any letter case.
    #[doc(alias = "getboolean")]
    pub fn as_bool(&self) -> Option<bool> {
        Setting::from(self).as_bool()
    }
}

impl From<Setting> for KeyVaultSetting {
    fn from(s: Setting) -> Self {
        Self {
            name: s.name,
            value: s.value,
            setting_type: s.setting_type,
        }
    }
}

impl From<&KeyVaultSetting> for Setting {
    fn from(s: &KeyVaultSetting) -> Self {
        Self {
            name: s.name.clone(),
            value: s.value.clone(),
            setting_type: s.setting_type.clone(),
        }
    }
}

/// A client for the account settings of one Managed HSM.
///
/// Cheap to clone: clones share the pipeline.
///
/// ```no_run
/// # async fn demo() -> kv_client::Result<()> {
/// use std::sync::Arc;
/// use kv_client::StaticTokenCredential;
/// use kv_client::admin::{KeyVaultSetting, KeyVaultSettingsClient};
///
/// let client = KeyVaultSettingsClient::new(
///     "https://myhsm.managedhsm.azure.net",
///     Arc::new(StaticTokenCredential::new("token")),
///     None,
/// )?;
/// let name = "AllowKeyManagementOperationsThroughARM";
/// let updated = client.update_setting(&KeyVaultSetting::boolean(name, true)).await?;
/// assert_eq!(updated.as_bool(), Some(true));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct KeyVaultSettingsClient {
    endpoint: Endpoint,
}

impl KeyVaultSettingsClient {
    endpoint_members!(
        KeyVaultSettingsClientOptions,
        "KeyVaultSettingsClient::send_request"
    );

    /// Gets setting `name`.
    ///
    /// # Errors
    /// `InvalidArgument` for an invalid name; `ResourceNotFound` for an unknown setting.
    #[tracing::instrument(name = "KeyVaultSettingsClient::get_setting", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn get_setting(&self, name: &str) -> Result<KeyVaultSetting> {
        check_segment("setting name", name)?;
        let wire: Setting = self
            .endpoint
            .get_json(self.endpoint.url(["settings", name]))
            .await?;
        Ok(wire.into())
    }

    /// Lists every setting. The service answers in one response (the list is not paged),
    /// so this returns them all at once.
    ///
    /// # Errors
    /// The service's errors.
    #[doc(alias = "get_settings")]
    #[tracing::instrument(name = "KeyVaultSettingsClient::list_settings", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn list_settings(&self) -> Result<Vec<KeyVaultSetting>> {
        let wire: SettingsListResult = self
            .endpoint
            .get_json(self.endpoint.url(["settings"]))
            .await?;
        Ok(wire
            .settings
            .into_iter()
            .map(KeyVaultSetting::from)
            .collect())
    }

    /// Sets `setting.name` to `setting.value` and returns the setting as stored.
    ///
    /// # Errors
    /// `InvalidArgument` for an invalid name; the service's errors (`BadRequest` for a
    /// value of the wrong type).
    #[tracing::instrument(name = "KeyVaultSettingsClient::update_setting", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn update_setting(&self, setting: &KeyVaultSetting) -> Result<KeyVaultSetting> {
        check_segment("setting name", &setting.name)?;
        let body = UpdateSettingRequest {
            value: setting.value.clone(),
        };
        let url = self.endpoint.url(["settings", setting.name.as_str()]);
        let wire: Setting = self
            .endpoint
            .send_json(Method::PATCH, url, Some(&body))
            .await?;
        Ok(wire.into())
    }
}

#[cfg(test)]
mod tests;
