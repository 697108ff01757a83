//! Unit tests of the private endpoint operations against the fake HSM.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use serde_json::json;

use super::*;
use crate::admin::KeyVaultEkmClientOptions;
use kv_core::test_util::FakeTransport;

use crate::admin::test_hsm::{HSM, fake_hsm};

fn client(fake: &Arc<FakeTransport>, api_version: kv_core::ApiVersion) -> KeyVaultEkmClient {
    let mut client_options = fake.options();
    client_options.api_version = api_version;
    KeyVaultEkmClient::new(
        HSM,
        Arc::new(kv_core::StaticTokenCredential::new("t")),
        Some(KeyVaultEkmClientOptions { client_options }),
    )
    .unwrap()
}

fn now() -> Option<PollerOptions> {
    Some(PollerOptions {
        frequency: Duration::ZERO,
    })
}

fn endpoint_json() -> serde_json::Value {
    json!({"name": "my-ekm-pe", "location": "eastus", "provisioningState": "Succeeded",
           "properties": {"privateLinkServiceId": "pls", "privateLinkServiceConnectionName": "c"},
           "privateLinkServiceConnectionState": {"status": "Approved"}})
}

#[tokio::test]
async fn create_polls_the_async_operation_url_until_succeeded() {
    let polls = Arc::new(AtomicU32::new(0));
    let seen = polls.clone();
    let fake = fake_hsm(
        move |method, path, _| match (method, path) {
            ("POST", "/ekm/privateendpoint/my-ekm-pe") => (
                202,
                json!({"jobId": "op1", "privateEndpointName": "my-ekm-pe",
                       "operationType": "Create", "status": "Running", "startTime": 1})
                .to_string(),
            ),
            ("GET", "/ekm/privateendpoint/operations/op1") => {
                let status = if seen.fetch_add(1, Ordering::SeqCst) == 0 {
                    "Running"
                } else {
                    "Succeeded"
                };
                (
                    200,
                    json!({"jobId": "op1", "operationType": "Create", "status": status,
                           "startTime": 1, "endTime": 2})
                    .to_string(),
                )
            }
            ("GET", "/ekm/privateendpoint/my-ekm-pe") => (200, endpoint_json().to_string()),
            ("GET", "/ekm/privateendpoint") => {
                (200, json!({"value": [endpoint_json()]}).to_string())
            }
            _ => (
                404,
                r#"{"error":{"code":"NotFound","message":"no"}}"#.into(),
            ),
        },
        |method, path| match (method, path) {
            ("POST", "/ekm/privateendpoint/my-ekm-pe") => vec![
                (
                    "azure-asyncoperation",
                    format!("{HSM}/ekm/privateendpoint/operations/op1"),
                ),
                ("retry-after", "0".into()),
            ],
            _ => Vec::new(),
        },
    );
    let c = client(&fake, kv_core::ApiVersion::V2026_07_01Preview);
    let parameters = EkmPrivateEndpointCreateParameters {
        private_link_service_id: "pls".into(),
        request_message: Some("please".into()),
    };
    let poller = c
        .create_ekm_private_endpoint("my-ekm-pe", &parameters, now())
        .await
        .unwrap();
    let token = poller.continuation_token();
    assert!(
        token.as_str().starts_with(TOKEN_PREFIX),
        "{}",
        token.as_str()
    );
    let done = poller.await.unwrap();
    assert_eq!(done.status, Some(OperationState::Succeeded));
    assert_eq!(done.end_time, Some(2));
    assert_eq!(polls.load(Ordering::SeqCst), 2);
    assert_eq!(
        fake.json_body(0),
        json!({"privateLinkServiceId": "pls", "requestMessage": "please"})
    );

    let pe = c.get_ekm_private_endpoint("my-ekm-pe").await.unwrap();
    assert_eq!(pe.location.as_deref(), Some("eastus"));
    let all = c.list_ekm_private_endpoints().await.unwrap();
    assert_eq!(all, [pe]);
    let status = c
        .get_ekm_private_endpoint_operation_status("op1")
        .await
        .unwrap();
    assert_eq!(status.job_id.as_deref(), Some("op1"));
    // Resuming from the token polls the same URL.
    let resumed = c
        .resume_ekm_private_endpoint_operation(&token, now())
        .unwrap();
    assert_eq!(
        resumed.await.unwrap().status,
        Some(OperationState::Succeeded)
    );
}

#[tokio::test]
async fn a_failed_operation_fails_the_poller_with_the_service_code() {
    let fake = fake_hsm(
        |method, _, _| match method {
            "DELETE" => (
                202,
                json!({"jobId": "op2", "operationType": "Delete", "status": "Running"}).to_string(),
            ),
            _ => (
                200,
                json!({"jobId": "op2", "status": "Failed",
                       "error": {"code": "Conflict", "message": "The EKM connection uses it."}})
                .to_string(),
            ),
        },
        |_, _| Vec::new(),
    );
    let c = client(&fake, kv_core::ApiVersion::V2026_07_01Preview);
    let err = c
        .delete_ekm_private_endpoint("my-ekm-pe", now())
        .await
        .unwrap()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::OperationFailed);
    assert_eq!(err.error_code(), Some("Conflict"));
    // Without an Azure-AsyncOperation header the poller uses the job id's status URL.
    assert_eq!(
        fake.paths(),
        [
            "DELETE /ekm/privateendpoint/my-ekm-pe",
            "GET /ekm/privateendpoint/operations/op2"
        ]
    );
}

#[tokio::test]
async fn bad_names_and_older_versions_are_refused_before_any_request() {
    let fake = fake_hsm(|_, _, _| (200, "{}".into()), |_, _| Vec::new());
    let c = client(&fake, kv_core::ApiVersion::V2026_07_01Preview);
    for bad in ["a", "-ab", "a_b", "a/b"] {
        let err = c.get_ekm_private_endpoint(bad).await.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::InvalidArgument, "{bad}");
    }
    let old = client(&fake, kv_core::ApiVersion::V2026_04_01);
    let err = old.list_ekm_private_endpoints().await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidArgument);
    assert!(err.message().contains("2026-07-01-preview"), "{err}");
    let other = fake_hsm(|_, _, _| (200, "{}".into()), |_, _| Vec::new());
    let token = ContinuationToken::new(format!("{TOKEN_PREFIX}https://elsewhere.example/x"));
    assert!(
        c.resume_ekm_private_endpoint_operation(&token, None)
            .is_err()
    );
    assert!(fake.paths().is_empty() && other.paths().is_empty());
}
