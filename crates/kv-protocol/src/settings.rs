//! Managed HSM account settings (`/settings`).

use serde::{Deserialize, Serialize};

kv_jwk::string_enum! {
    /// The type of a setting's value (`SettingTypeEnum`).
    pub enum SettingType {
        /// A boolean, sent as the string `"true"` or `"false"`.
        Boolean => "boolean",
    }
}

/// One account setting. Values are strings even for booleans (`"value": "true"`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setting {
    /// The setting name, e.g. `AllowKeyManagementOperationsThroughARM`.
    pub name: String,
    /// The value, as a string.
    pub value: String,
    /// The value's type (`type` on the wire).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub setting_type: Option<SettingType>,
}

impl Setting {
    /// The value as a boolean, when the type is `boolean` (or absent) and the value is
    /// `true` or `false` in any letter case.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.setting_type {
            Some(SettingType::Boolean) | None => {}
            Some(_) => return None,
        }
        if self.value.eq_ignore_ascii_case("true") {
            Some(true)
        } else if self.value.eq_ignore_ascii_case("false") {
            Some(false)
        } else {
            None
        }
    }
}

/// Answer of GetSettings: `{"settings": [...]}` (not paged).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsListResult {
    /// All settings.
    #[serde(default)]
    pub settings: Vec<Setting>,
}

/// Body of UpdateSetting (`PATCH /settings/{name}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateSettingRequest {
    /// The new value, as a string.
    pub value: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn settings_round_trip(
            items in proptest::collection::vec(
                ("[A-Za-z]{1,20}", "[a-z]{0,6}", proptest::option::of(arb_enum::<SettingType>())), 0..4),
        ) {
            let settings: Vec<Setting> = items.into_iter()
                .map(|(name, value, setting_type)| Setting { name, value, setting_type })
                .collect();
            for s in &settings {
                prop_assert_eq!(&round_trip(s), s);
                let u = UpdateSettingRequest { value: s.value.clone() };
                prop_assert_eq!(round_trip(&u), u);
            }
            let list = SettingsListResult { settings };
            prop_assert_eq!(round_trip(&list), list);
        }
    }

    #[test]
    fn boolean_values() {
        let s: Setting = serde_json::from_str(
            r#"{"name":"AllowKeyManagementOperationsThroughARM","value":"true","type":"boolean"}"#,
        )
        .unwrap();
        assert_eq!(s.as_bool(), Some(true));
        let odd = Setting {
            setting_type: Some(SettingType::Unknown("string".into())),
            ..s.clone()
        };
        assert_eq!(odd.as_bool(), None);
        assert_eq!(
            serde_json::to_string(&odd).unwrap(),
            r#"{"name":"AllowKeyManagementOperationsThroughARM","value":"true","type":"string"}"#
        );
        assert!(serde_json::from_str::<Setting>(r#"{"name":"x"}"#).is_err());
    }
}
