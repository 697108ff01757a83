//! Unit tests of `KeyClient` that need no server.

use std::sync::atomic::{AtomicUsize, Ordering};

use futures::TryStreamExt;
use kv_core::{Method, PollerOptions};

use super::*;
use crate::error::ErrorKind;
use kv_core::test_util::FakeTransport as FakeVault;

#[test]
fn create_options_must_fit_the_key_type() {
    let curve = CreateKeyOptions {
        curve: Some(kv_jwk::KeyCurveName::P256),
        ..Default::default()
    };
    assert!(check_create_options(KeyFamily::Ec, &curve).is_ok());
    assert!(check_create_options(KeyFamily::Rsa, &curve).is_err());
    assert!(check_create_options(KeyFamily::Oct, &curve).is_err());
    let size = CreateKeyOptions {
        key_size: Some(2048),
        public_exponent: Some(65537),
        ..Default::default()
    };
    assert!(check_create_options(KeyFamily::Rsa, &size).is_ok());
    assert!(check_create_options(KeyFamily::Ec, &size).is_err());
    let exp = CreateKeyOptions {
        public_exponent: Some(3),
        ..Default::default()
    };
    assert!(check_create_options(KeyFamily::Oct, &exp).is_err());
}

#[test]
fn attributes_are_sent_only_when_set() {
    assert_eq!(attributes(None, None, None, None), None);
    let t = time::OffsetDateTime::from_unix_timestamp(10).ok();
    let a = attributes(Some(true), t, None, None).unwrap();
    assert_eq!((a.enabled, a.nbf, a.exp), (Some(true), Some(10), None));
}

fn client() -> KeyClient {
    KeyClient::new(
        "https://v.vault.azure.net",
        Arc::new(kv_core::StaticTokenCredential::new("t")),
        None,
    )
    .unwrap()
}

#[test]
fn urls_are_built_segment_by_segment() {
    let c = client();
    assert_eq!(
        c.endpoint.url(&["keys", "k1", "create"]).as_str(),
        "https://v.vault.azure.net/keys/k1/create"
    );
    assert_eq!(
        c.endpoint.url(&["keys", "k1", ""]).as_str(),
        "https://v.vault.azure.net/keys/k1/"
    );
}

#[tokio::test]
async fn bad_arguments_fail_before_any_io() {
    let c = client();
    for e in [
        c.get_key("", None).await.unwrap_err(),
        c.get_key("a/b", None).await.unwrap_err(),
        c.get_random_bytes(0).await.unwrap_err(),
        c.get_random_bytes(129).await.unwrap_err(),
        c.restore_key(&[]).await.unwrap_err(),
        c.release("k", "", None).await.unwrap_err(),
        c.create_ec_key(
            "k",
            Some(CreateKeyOptions {
                key_size: Some(256),
                ..Default::default()
            }),
        )
        .await
        .unwrap_err(),
        c.send_request(Request::new(
            Method::GET,
            Url::parse("https://other.example/keys").unwrap(),
        ))
        .await
        .unwrap_err(),
    ] {
        assert_eq!(e.kind(), &ErrorKind::InvalidArgument, "{e}");
    }
    assert!(c.list_key_properties_versions("", None).is_err());
    assert!(c.get_cryptography_client("bad name", None).is_err());
}

#[test]
fn rejects_invalid_vault_urls() {
    let cred: Arc<dyn TokenCredential> = Arc::new(kv_core::StaticTokenCredential::new("t"));
    for bad in [
        "http://v.vault.azure.net",
        "https://v.vault.azure.net/path",
        "nope",
    ] {
        let e = KeyClient::new(bad, cred.clone(), None).unwrap_err();
        assert_eq!(e.kind(), &ErrorKind::InvalidArgument);
    }
}

const KID: &str = "https://v.vault.azure.net/keys/k1/0123456789abcdef0123456789abcdef";

fn bundle_json() -> String {
    format!(
        r#"{{"key":{{"kid":"{KID}","kty":"EC","crv":"P-256","x":"AQ","y":"Ag"}},"attributes":{{"enabled":true,"recoveryLevel":"Recoverable+Purgeable"}}}}"#
    )
}

fn fake_client(fake: &Arc<FakeVault>) -> KeyClient {
    KeyClient::new(
        "https://v.vault.azure.net",
        Arc::new(kv_core::StaticTokenCredential::new("t")),
        Some(KeyClientOptions {
            client_options: fake.options(),
        }),
    )
    .unwrap()
}

#[tokio::test]
async fn create_sends_the_options_and_parses_the_key() {
    let fake = Arc::new(FakeVault::new(|_, _, _| (200, bundle_json())));
    let c = fake_client(&fake);
    let key = c
        .create_rsa_key(
            "k1",
            Some(CreateKeyOptions {
                hardware_protected: true,
                key_size: Some(3072),
                key_operations: Some(vec![kv_jwk::KeyOperation::Sign]),
                not_before: time::OffsetDateTime::from_unix_timestamp(5).ok(),
                tags: Some([("a".to_owned(), "b".to_owned())].into()),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
    assert_eq!(key.id().to_string(), KID);
    assert_eq!(fake.paths()[0], "POST /keys/k1/create");
    let body = fake.json_body(0);
    assert_eq!(
        body,
        serde_json::json!({"kty":"RSA-HSM","key_size":3072,"key_ops":["sign"],"attributes":{"nbf":5},"tags":{"a":"b"}})
    );
}

#[tokio::test]
async fn lists_follow_next_links_lazily() {
    // The first call answers page one with a nextLink, the second the last page.
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let fake2 = Arc::new(FakeVault::new(move |_, _, _| {
        if counter.fetch_add(1, Ordering::SeqCst) == 0 {
            (200, r#"{"value":[{"kid":"https://v.vault.azure.net/keys/a"}],"nextLink":"https://v.vault.azure.net/keys?$skiptoken=2"}"#.into())
        } else {
            (200, r#"{"value":[{"kid":"https://v.vault.azure.net/keys/b"},{"kid":"https://v.vault.azure.net/keys/c"}]}"#.into())
        }
    }));
    let c = fake_client(&fake2);
    let names: Vec<String> = c
        .list_key_properties(Some(ListOptions {
            max_page_size: Some(1),
            ..Default::default()
        }))
        .map_ok(|p| p.name().to_owned())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names, ["a", "b", "c"]);
    assert_eq!(fake2.count(), 2);

    // Resumed from the saved nextLink: only the second page is fetched.
    let resumed: Vec<String> = c
        .list_key_properties(Some(ListOptions {
            continuation_token: Some("https://v.vault.azure.net/keys?$skiptoken=2".into()),
            ..Default::default()
        }))
        .map_ok(|p| p.name().to_owned())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(resumed, ["b", "c"]);
    assert_eq!(fake2.count(), 3);
    // A continuation off this vault is refused before any request.
    let refused = c
        .list_key_properties(Some(ListOptions {
            continuation_token: Some("https://evil.example/keys?$skiptoken=2".into()),
            ..Default::default()
        }))
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(!refused.is_retryable(), "{refused}");
    assert_eq!(fake2.count(), 3);
}

#[tokio::test]
async fn list_refuses_a_next_link_to_another_host() {
    let fake = Arc::new(FakeVault::new(|_, _, _| {
        (
            200,
            r#"{"value":[],"nextLink":"https://evil.example/keys?$skiptoken=2"}"#.into(),
        )
    }));
    let c = fake_client(&fake);
    let err = c
        .list_deleted_key_properties(None)
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Decode);
    assert_eq!(fake.count(), 1);
}

#[tokio::test]
async fn delete_polls_until_the_deleted_key_is_visible() {
    let gets = Arc::new(AtomicUsize::new(0));
    let g = gets.clone();
    let fake = Arc::new(FakeVault::new(move |method, path, _| {
        let deleted = format!(
            r#"{{"recoveryId":"https://v.vault.azure.net/deletedkeys/k1","deletedDate":10,"key":{{"kid":"{KID}"}}}}"#
        );
        match (method, path) {
            ("DELETE", "/keys/k1") => (200, deleted),
            ("GET", "/deletedkeys/k1") if g.fetch_add(1, Ordering::SeqCst) < 2 => {
                (404, r#"{"error":{"code":"DeletedKeyNotFound"}}"#.into())
            }
            ("GET", "/deletedkeys/k1") => (200, deleted),
            _ => (400, String::new()),
        }
    }));
    let c = fake_client(&fake);
    let poller = c
        .delete_key(
            "k1",
            Some(PollerOptions {
                frequency: std::time::Duration::ZERO,
            }),
        )
        .await
        .unwrap();
    let deleted = poller.await.unwrap();
    assert_eq!(deleted.name(), "k1");
    assert_eq!(deleted.deleted_on.unwrap().unix_timestamp(), 10);
    assert_eq!(gets.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn pollers_resume_from_their_continuation_token() {
    let fake = Arc::new(FakeVault::new(|method, path, _| match (method, path) {
        ("DELETE", "/keys/k1") => (
            200,
            format!(
                r#"{{"recoveryId":"https://v.vault.azure.net/deletedkeys/k1","key":{{"kid":"{KID}"}}}}"#
            ),
        ),
        ("GET", "/deletedkeys/k1") => (
            200,
            format!(
                r#"{{"recoveryId":"https://v.vault.azure.net/deletedkeys/k1","key":{{"kid":"{KID}"}}}}"#
            ),
        ),
        _ => (200, bundle_json()),
    }));
    let c = fake_client(&fake);
    let poller = c.delete_key("k1", None).await.unwrap();
    let token = poller.continuation_token();
    drop(poller);
    let fast = Some(PollerOptions {
        frequency: std::time::Duration::ZERO,
    });
    let deleted = c
        .resume_delete_key(&token, fast.clone())
        .unwrap()
        .await
        .unwrap();
    assert_eq!(deleted.name(), "k1");
    let recover = c
        .recover_deleted_key("k1", None)
        .await
        .unwrap()
        .continuation_token();
    let key = c
        .resume_recover_deleted_key(&recover, fast.clone())
        .unwrap()
        .await
        .unwrap();
    assert_eq!(key.name(), "k1");
    // Tokens are not interchangeable, and must name a valid key.
    assert!(c.resume_delete_key(&recover, fast.clone()).is_err());
    let bad = kv_core::ContinuationToken::new("delete:a/b");
    assert!(c.resume_delete_key(&bad, fast).is_err());
}

#[tokio::test]
async fn lifecycle_requests_hit_the_right_endpoints() {
    let fake = Arc::new(FakeVault::new(|method, path, _| {
        match (method, path) {
        ("POST", "/keys/k1/backup") => (200, r#"{"value":"AQID"}"#.into()),
        ("DELETE", "/deletedkeys/k1") => (204, String::new()),
        ("POST", "/rng") => (200, r#"{"value":"AAECAw"}"#.into()),
        ("GET" | "PUT", "/keys/k1/rotationpolicy") => (
            200,
            r#"{"id":"https://v.vault.azure.net/keys/k1/rotationpolicy","lifetimeActions":[{"trigger":{"timeBeforeExpiry":"P30D"},"action":{"type":"Notify"}}],"attributes":{"expiryTime":"P1Y"}}"#.into(),
        ),
        ("POST", "/keys/k1//release") => (200, r#"{"value":"header.payload.sig"}"#.into()),
        _ => (200, bundle_json()),
    }
    }));
    let c = fake_client(&fake);
    assert_eq!(c.backup_key("k1").await.unwrap(), vec![1, 2, 3]);
    c.restore_key(&[1, 2, 3]).await.unwrap();
    c.purge_deleted_key("k1").await.unwrap();
    c.rotate_key("k1").await.unwrap();
    assert_eq!(&*c.get_random_bytes(4).await.unwrap(), &[0, 1, 2, 3]);
    let policy = c.get_key_rotation_policy("k1").await.unwrap();
    assert_eq!(policy.expires_in.as_deref(), Some("P1Y"));
    c.update_key_rotation_policy("k1", &policy).await.unwrap();
    let released = c.release("k1", "attestation-jwt", None).await.unwrap();
    assert_eq!(released.value, "header.payload.sig");
    c.get_key_attestation(
        "k1",
        Some(GetKeyOptions {
            version: Some("v2".into()),
        }),
    )
    .await
    .unwrap();
    c.update_key_properties(
        "k1",
        Some(UpdateKeyPropertiesOptions {
            enabled: Some(false),
            ..Default::default()
        }),
    )
    .await
    .unwrap();
    c.recover_deleted_key(
        "k1",
        Some(PollerOptions {
            frequency: std::time::Duration::ZERO,
        }),
    )
    .await
    .unwrap()
    .await
    .unwrap();
    let raw = c
        .send_request(Request::new(
            Method::GET,
            "https://v.vault.azure.net/keys/k1".parse().unwrap(),
        ))
        .await
        .unwrap();
    assert_eq!(raw.status(), kv_core::StatusCode::OK);
    assert_eq!(
        fake.paths(),
        [
            "POST /keys/k1/backup",
            "POST /keys/restore",
            "DELETE /deletedkeys/k1",
            "POST /keys/k1/rotate",
            "POST /rng",
            "GET /keys/k1/rotationpolicy",
            "PUT /keys/k1/rotationpolicy",
            "POST /keys/k1//release",
            "GET /keys/k1/v2/attestation",
            "PATCH /keys/k1/",
            "POST /deletedkeys/k1/recover",
            "GET /keys/k1/",
            "GET /keys/k1",
        ]
    );
    let bodies: Vec<serde_json::Value> = fake.exchanges().iter().map(|e| e.json_body()).collect();
    assert_eq!(bodies[1], serde_json::json!({"value":"AQID"}));
    assert_eq!(bodies[4], serde_json::json!({"count":4}));
    assert_eq!(bodies[7], serde_json::json!({"target":"attestation-jwt"}));
    assert_eq!(
        bodies[9],
        serde_json::json!({"attributes":{"enabled":false}})
    );
}
