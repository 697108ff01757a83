//! Unit tests of `KeyVaultSettingsClient` against the fake HSM.

use std::sync::Arc;

use serde_json::json;

use super::*;
use crate::admin::test_hsm::{HSM, fake_hsm};
use crate::error::ErrorKind;
use kv_core::test_util::FakeTransport;

const ARM: &str = "AllowKeyManagementOperationsThroughARM";

fn client(fake: &Arc<FakeTransport>) -> KeyVaultSettingsClient {
    KeyVaultSettingsClient::new(
        HSM,
        Arc::new(kv_core::StaticTokenCredential::new("t")),
        Some(KeyVaultSettingsClientOptions {
            client_options: fake.options(),
        }),
    )
    .unwrap()
}

#[tokio::test]
async fn get_list_update() {
    let fake = fake_hsm(
        |method, path, body| match (method, path) {
            ("GET", "/settings") => (
                200,
                json!({"settings": [
                    {"name": ARM, "value": "false", "type": "boolean"},
                    {"name": "Other", "value": "x"},
                ]})
                .to_string(),
            ),
            ("GET", "/settings/Missing") => (
                404,
                r#"{"error":{"code":"SettingNotFound","message":"no such setting"}}"#.into(),
            ),
            ("GET", _) => (
                200,
                json!({"name": ARM, "value": "False", "type": "boolean"}).to_string(),
            ),
            ("PATCH", _) => (
                200,
                json!({"name": ARM, "value": body["value"], "type": "boolean"}).to_string(),
            ),
            _ => (400, String::new()),
        },
        |_, _| Vec::new(),
    );
    let c = client(&fake);
    let all = c.list_settings().await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].as_bool(), Some(false));
    assert_eq!(all[1].as_bool(), None);
    assert_eq!(all[1].setting_type, None);
    let one = c.get_setting(ARM).await.unwrap();
    assert_eq!(one.as_bool(), Some(false), "any letter case");
    let updated = c
        .update_setting(&KeyVaultSetting::boolean(ARM, true))
        .await
        .unwrap();
    assert_eq!(updated.as_bool(), Some(true));
    assert_eq!(updated.setting_type, Some(KeyVaultSettingType::Boolean));
    let missing = c.get_setting("Missing").await.unwrap_err();
    assert_eq!(missing.kind(), &ErrorKind::ResourceNotFound);
    assert_eq!(missing.error_code(), Some("SettingNotFound"));
    assert_eq!(
        fake.paths(),
        [
            "GET /settings".to_owned(),
            format!("GET /settings/{ARM}"),
            format!("PATCH /settings/{ARM}"),
            "GET /settings/Missing".to_owned(),
        ]
    );
    assert_eq!(fake.json_body(2), json!({"value": "true"}));
}

#[tokio::test]
async fn bad_names_fail_before_any_io() {
    let fake = fake_hsm(|_, _, _| (200, String::new()), |_, _| Vec::new());
    let c = client(&fake);
    for e in [
        c.get_setting("").await.unwrap_err(),
        c.get_setting("a/b").await.unwrap_err(),
        c.update_setting(&KeyVaultSetting::new("a?b", "1"))
            .await
            .unwrap_err(),
    ] {
        assert_eq!(e.kind(), &ErrorKind::InvalidArgument, "{e}");
    }
    assert!(fake.paths().is_empty());
}

#[test]
fn settings_convert_both_ways() {
    let s = KeyVaultSetting::new("n", "TRUE");
    assert_eq!(s.as_bool(), Some(true));
    let typed = KeyVaultSetting {
        setting_type: Some(KeyVaultSettingType::Unknown("string".into())),
        ..s.clone()
    };
    assert_eq!(typed.as_bool(), None, "only booleans read as bool");
    assert_eq!(KeyVaultSetting::from(Setting::from(&typed)), typed);
    assert_eq!(KeyVaultSetting::boolean("n", false).value, "false");
}
