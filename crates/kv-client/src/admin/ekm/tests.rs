//! Unit tests of `KeyVaultEkmClient` against the fake HSM.

use std::sync::Arc;

use serde_json::json;

use super::*;
use crate::admin::test_hsm::{HSM, fake_hsm};
use crate::error::ErrorKind;
use kv_core::test_util::FakeTransport;

fn client(
    fake: &Arc<FakeTransport>,
    api_version: Option<kv_core::ApiVersion>,
) -> KeyVaultEkmClient {
    let mut client_options = fake.options();
    client_options.api_version = api_version.unwrap_or(kv_core::ApiVersion::NEWEST_STABLE);
    KeyVaultEkmClient::new(
        HSM,
        Arc::new(kv_core::StaticTokenCredential::new("t")),
        Some(KeyVaultEkmClientOptions { client_options }),
    )
    .unwrap()
}

fn connection() -> serde_json::Value {
    json!({"host": "ekm.contoso.com", "path_prefix": "/api/v1", "server_ca_certificates": ["MIIBAA=="]})
}

#[tokio::test]
async fn connection_operations_use_the_spec_routes() {
    let fake = fake_hsm(
        |method, path, _| {
            match (method, path) {
            ("POST", "/ekm/check") => (
                200,
                json!({"api_version": "1.0.0", "proxy_vendor": "Contoso", "proxy_name": "P",
                       "ekm_vendor": "Contoso HSM", "ekm_product": "E"})
                .to_string(),
            ),
            ("GET", "/ekm/certificate") => (
                200,
                json!({"ca_certificates": ["MIIBAA=="], "subject_common_name": "Azure Key Vault EKM Client"})
                    .to_string(),
            ),
            ("DELETE", "/ekm") => (
                404,
                r#"{"error":{"code":"NotFound","message":"no connection"}}"#.into(),
            ),
            _ => (200, connection().to_string()),
        }
        },
        |_, _| Vec::new(),
    );
    let c = client(&fake, None);
    let wanted: KeyVaultEkmConnection = serde_json::from_value(connection()).unwrap();
    assert_eq!(c.create_ekm_connection(&wanted).await.unwrap(), wanted);
    assert_eq!(c.get_ekm_connection().await.unwrap(), wanted);
    assert_eq!(c.update_ekm_connection(&wanted).await.unwrap(), wanted);
    assert_eq!(
        c.check_ekm_connection().await.unwrap().proxy_vendor,
        "Contoso"
    );
    let cert = c.get_ekm_certificate().await.unwrap();
    assert_eq!(cert.ca_certificates, [vec![0x30, 0x82, 0x01, 0x00]]);
    let err = c.delete_ekm_connection().await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::ResourceNotFound);
    assert_eq!(
        fake.paths(),
        [
            "POST /ekm/create",
            "GET /ekm",
            "PATCH /ekm",
            "POST /ekm/check",
            "GET /ekm/certificate",
            "DELETE /ekm"
        ]
    );
    assert_eq!(fake.json_body(0), connection());
    assert_eq!(
        c.pipeline().api_version(),
        &kv_core::ApiVersion::V2026_04_01
    );
}

#[tokio::test]
async fn older_api_versions_are_refused_before_any_request() {
    let fake = fake_hsm(|_, _, _| (200, connection().to_string()), |_, _| Vec::new());
    let c = client(&fake, Some(kv_core::ApiVersion::V2025_07_01));
    let err = c.get_ekm_connection().await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidArgument);
    assert!(fake.paths().is_empty());
    assert_eq!(
        KeyVaultEkmClientOptions::default()
            .client_options
            .api_version,
        kv_core::ApiVersion::V2026_04_01
    );
}
