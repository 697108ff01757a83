//! Key lifecycle through the router: auth, api-version, CRUD, paging, soft delete, backup, rotation.

use std::time::Duration;

use axum::http::{StatusCode, header};
use serde_json::{Value, json};

use super::*;

#[tokio::test]
async fn challenge_without_token() {
    let app = TestApp::new();
    let resp = app
        .raw("POST", "/keys/k/create?api-version=7.6", None, false)
        .await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let challenge = resp.headers()[header::WWW_AUTHENTICATE]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        challenge,
        "Bearer authorization=\"https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000\", resource=\"https://vault.localhost:8443\""
    );
    let body: Value =
        serde_json::from_slice(&axum::body::to_bytes(resp.into_body(), 4096).await.unwrap())
            .unwrap();
    assert_eq!(code(&body), "Unauthorized");
}

#[tokio::test]
async fn api_version_is_required_and_checked() {
    let app = TestApp::new();
    for path in [
        "/keys",
        "/keys?api-version=7.7",
        "/keys?api-version=2024-01-01-preview",
    ] {
        let resp = app.raw("GET", path, None, true).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{path}");
    }
    for v in [
        "7.0",
        "7.1",
        "7.2",
        "7.3",
        "7.4",
        "7.5",
        "7.6",
        "2025-07-01",
    ] {
        let resp = app
            .raw("GET", &format!("/keys?api-version={v}"), None, true)
            .await;
        assert_eq!(resp.status(), StatusCode::OK, "{v}");
    }
}

#[tokio::test]
async fn create_get_and_versions() {
    let app = TestApp::new();
    let first = app
        .create("ec1", json!({"kty": "EC", "crv": "P-256"}))
        .await;
    let v1 = version_of(&first);
    assert_eq!(v1.len(), 32);
    assert!(kid(&first).starts_with(&format!("{BASE}/keys/ec1/")));
    assert_eq!(first["key"]["crv"], "P-256");
    assert!(
        first["key"].get("d").is_none(),
        "private material leaked: {first}"
    );
    assert_eq!(first["attributes"]["enabled"], true);
    assert_eq!(
        first["attributes"]["recoveryLevel"],
        "Recoverable+Purgeable"
    );
    assert_eq!(first["attributes"]["recoverableDays"], 90);
    assert_eq!(first["key"]["key_ops"], json!(["sign", "verify"]));

    let second = app
        .create("ec1", json!({"kty": "EC", "crv": "P-384"}))
        .await;
    let latest = app.ok("GET", "/keys/ec1/", None).await;
    assert_eq!(kid(&latest), kid(&second));
    let latest = app.ok("GET", "/keys/ec1", None).await;
    assert_eq!(kid(&latest), kid(&second));
    let old = app.ok("GET", &format!("/keys/ec1/{v1}"), None).await;
    assert_eq!(kid(&old), kid(&first));

    let versions = app.ok("GET", "/keys/ec1/versions", None).await;
    let kids: Vec<&str> = versions["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids, [kid(&first), kid(&second)]);
    // Another spelling of the name lists the same versions.
    let upper = app.ok("GET", "/keys/EC1/versions", None).await;
    assert_eq!(upper["value"], versions["value"]);
    // The versions of a name with no key: an empty list, as the service answers.
    let none = app.ok("GET", "/keys/nope/versions", None).await;
    assert_eq!(none["value"], json!([]));

    let (status, body) = app.call("GET", "/keys/nope", None).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::NOT_FOUND, "KeyNotFound")
    );
    let (status, _) = app
        .call("GET", "/keys/ec1/0123456789abcdef0123456789abcdef", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let oct = app
        .create("oct1", json!({"kty": "oct-HSM", "key_size": 128}))
        .await;
    assert_eq!(oct["key"]["kty"], "oct-HSM");
    assert!(oct["key"].get("k").is_none());
}

#[tokio::test]
async fn bad_input_is_400() {
    let app = TestApp::new();
    let (status, body) = app
        .call("POST", "/keys/bad_name/create", Some(json!({"kty": "EC"})))
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "BadParameter")
    );
    let long = "a".repeat(128);
    let (status, _) = app
        .call(
            "POST",
            &format!("/keys/{long}/create"),
            Some(json!({"kty": "EC"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app
        .call(
            "POST",
            "/keys/k/create",
            Some(json!({"kty": "RSA", "key_size": 1024})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let resp = app
        .raw(
            "POST",
            "/keys/k/create?api-version=7.6",
            Some(b"{not json".to_vec()),
            true,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let big = vec![b' '; crate::request::MAX_BODY_BYTES + 1];
    let resp = app
        .raw("POST", "/keys/k/create?api-version=7.6", Some(big), true)
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let (status, _) = app
        .call(
            "PUT",
            "/keys/imp",
            Some(json!({"key": {"kty": "oct", "k": "not*base64"}})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Nothing was half-written.
    let list = app.ok("GET", "/keys", None).await;
    assert_eq!(list["value"], json!([]));
}

#[tokio::test]
async fn import_update_and_enforcement_fields() {
    let app = TestApp::new();
    let imported = app
        .ok(
            "PUT",
            "/keys/imp",
            Some(json!({"Hsm": true, "key": {"kty": "oct", "k": "AAECAwQFBgcICQoLDA0ODw", "key_ops": ["encrypt", "decrypt"]}, "tags": {"a": "b"}})),
        )
        .await;
    assert_eq!(imported["key"]["kty"], "oct-HSM");
    assert_eq!(imported["key"]["key_ops"], json!(["encrypt", "decrypt"]));
    assert_eq!(imported["tags"], json!({"a": "b"}));
    let updated = app
        .ok(
            "PATCH",
            "/keys/imp/",
            Some(json!({"attributes": {"enabled": false, "exp": 4_000_000_000i64}, "tags": {"c": "d"}, "key_ops": ["encrypt"]})),
        )
        .await;
    assert_eq!(updated["attributes"]["enabled"], false);
    assert_eq!(updated["attributes"]["exp"], 4_000_000_000i64);
    assert_eq!(updated["tags"], json!({"c": "d"}));
    assert_eq!(updated["key"]["key_ops"], json!(["encrypt"]));
    let v = version_of(&imported);
    let again = app.ok("GET", &format!("/keys/imp/{v}"), None).await;
    assert_eq!(again["attributes"]["enabled"], false);
}

#[tokio::test]
async fn paging_with_next_links() {
    let app = TestApp::new();
    for i in 0..5 {
        app.create(&format!("page{i}"), json!({"kty": "EC"})).await;
    }
    let mut seen = Vec::new();
    let mut next = Some("/keys?maxresults=2".to_owned());
    let mut pages = 0;
    while let Some(path) = next {
        let page = app.ok("GET", &path, None).await;
        pages += 1;
        for item in page["value"].as_array().unwrap() {
            seen.push(item["kid"].as_str().unwrap().to_owned());
        }
        next = page["nextLink"].as_str().map(|link| {
            assert!(
                link.starts_with(&format!("{BASE}/keys?api-version=7.6&$skiptoken=")),
                "{link}"
            );
            link.trim_start_matches(BASE)
                .replace("api-version=7.6&", "")
        });
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = (0..5).map(|i| format!("{BASE}/keys/page{i}")).collect();
    assert_eq!(seen, expected);
    for bad in ["0", "26", "abc"] {
        let (status, _) = app
            .call("GET", &format!("/keys?maxresults={bad}"), None)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
    let (status, _) = app.call("GET", "/keys?$skiptoken=garbage!", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn soft_delete_recover_purge() {
    let app = TestApp::new();
    let v1 = app.create("del1", json!({"kty": "EC"})).await;
    let v2 = app.create("del1", json!({"kty": "EC"})).await;
    let deleted = app.ok("DELETE", "/keys/del1", None).await;
    assert_eq!(deleted["recoveryId"], format!("{BASE}/deletedkeys/del1"));
    let deleted_date = deleted["deletedDate"].as_i64().unwrap();
    assert_eq!(
        deleted["scheduledPurgeDate"].as_i64().unwrap(),
        deleted_date + 90 * 86_400
    );
    assert_eq!(kid(&deleted), kid(&v2));

    let (status, _) = app.call("GET", "/keys/del1", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app
        .call("POST", "/keys/del1/create", Some(json!({"kty": "EC"})))
        .await;
    assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "Conflict"));
    let listed = app.ok("GET", "/deletedkeys", None).await;
    assert_eq!(
        listed["value"][0]["recoveryId"],
        format!("{BASE}/deletedkeys/del1")
    );
    app.ok("GET", "/deletedkeys/del1", None).await;

    let recovered = app.ok("POST", "/deletedkeys/del1/recover", None).await;
    assert_eq!(kid(&recovered), kid(&v2));
    let versions = app.ok("GET", "/keys/del1/versions", None).await;
    assert_eq!(versions["value"].as_array().unwrap().len(), 2);
    app.ok("GET", &format!("/keys/del1/{}", version_of(&v1)), None)
        .await;

    app.ok("DELETE", "/keys/del1", None).await;
    let (status, body) = app.call("DELETE", "/deletedkeys/del1", None).await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    let (status, body) = app.call("GET", "/deletedkeys/del1", None).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::NOT_FOUND, "KeyNotFound")
    );
    let (status, _) = app.call("POST", "/deletedkeys/del1/recover", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The name is free again.
    app.create("del1", json!({"kty": "EC"})).await;
}

#[tokio::test]
async fn deleted_keys_are_purged_when_due() {
    let app = TestApp::new();
    app.create("old", json!({"kty": "EC"})).await;
    app.ok("DELETE", "/keys/old", None).await;
    assert_eq!(crate::scheduler::tick(&app.state).await.unwrap(), (0, 0));
    app.state
        .clock()
        .advance(Duration::from_secs(90 * 86_400 + 1));
    assert_eq!(crate::scheduler::tick(&app.state).await.unwrap(), (1, 0));
    let (status, _) = app.call("GET", "/deletedkeys/old", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn backup_and_restore() {
    let app = TestApp::new();
    let v1 = app
        .create("bk", json!({"kty": "RSA", "key_size": 2048}))
        .await;
    let v2 = app
        .create("bk", json!({"kty": "RSA", "key_size": 2048}))
        .await;
    let backup = app.ok("POST", "/keys/bk/backup", None).await;
    let blob = backup["value"].as_str().unwrap().to_owned();
    assert!(!blob.contains('='));
    let (status, body) = app
        .call("POST", "/keys/restore", Some(json!({"value": blob})))
        .await;
    assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "Conflict"));
    app.ok("DELETE", "/keys/bk", None).await;
    let (status, _) = app
        .call("POST", "/keys/restore", Some(json!({"value": blob})))
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a deleted key still holds the name"
    );
    let (status, _) = app.call("DELETE", "/deletedkeys/bk", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let restored = app
        .ok("POST", "/keys/restore", Some(json!({"value": blob})))
        .await;
    assert_eq!(kid(&restored), kid(&v2));
    assert_eq!(restored["key"]["n"], v2["key"]["n"]);
    app.ok("GET", &format!("/keys/bk/{}", version_of(&v1)), None)
        .await;

    let mut tampered = kv_jwk::base64url::decode(&blob).unwrap();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    let (status, body) = app
        .call(
            "POST",
            "/keys/restore",
            Some(json!({"value": kv_jwk::base64url::encode(&tampered)})),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "Malformed backup blob")
    );
}

#[tokio::test]
async fn rotation_policy_and_rotate() {
    let app = TestApp::new();
    let first = app
        .create(
            "rot",
            json!({"kty": "EC", "crv": "P-384", "tags": {"t": "1"}}),
        )
        .await;
    let default = app.ok("GET", "/keys/rot/rotationpolicy", None).await;
    // The default policy has no id and `"attributes": null`, as the service answers.
    assert!(default.get("id").is_none(), "{default}");
    assert!(default["attributes"].is_null(), "{default}");
    assert_eq!(default["lifetimeActions"][0]["action"]["type"], "Notify");

    let policy = json!({
        "lifetimeActions": [{"trigger": {"timeAfterCreate": "P30D"}, "action": {"type": "rotate"}}],
        "attributes": {"expiryTime": "P90D"}
    });
    let stored = app
        .ok("PUT", "/keys/rot/rotationpolicy", Some(policy))
        .await;
    assert_eq!(stored["lifetimeActions"][0]["action"]["type"], "Rotate");
    assert!(stored["attributes"]["created"].is_i64());
    let (status, _) = app
        .call(
            "PUT",
            "/keys/rot/rotationpolicy",
            Some(json!({"attributes": {"expiryTime": "P1D"}})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let rotated = app.ok("POST", "/keys/rot/rotate", None).await;
    assert_ne!(kid(&rotated), kid(&first));
    assert_eq!(rotated["key"]["crv"], "P-384");
    assert_eq!(rotated["tags"], json!({"t": "1"}));
    let created = rotated["attributes"]["created"].as_i64().unwrap();
    let exp = rotated["attributes"]["exp"].as_i64().unwrap();
    assert!(
        (exp - created - 90 * 86_400).abs() <= 3 * 86_400,
        "{exp} {created}"
    );

    // The scheduler rotates once 30 days have passed on the emulator's clock.
    assert_eq!(crate::scheduler::tick(&app.state).await.unwrap(), (0, 0));
    app.state.clock().advance(Duration::from_secs(31 * 86_400));
    assert_eq!(crate::scheduler::tick(&app.state).await.unwrap(), (0, 1));
    assert_eq!(crate::scheduler::tick(&app.state).await.unwrap(), (0, 0));
    let versions = app.ok("GET", "/keys/rot/versions", None).await;
    assert_eq!(versions["value"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn random_bytes() {
    let app = TestApp::new();
    let value = app.ok("POST", "/rng", Some(json!({"count": 32}))).await;
    let bytes = kv_jwk::base64url::decode(value["value"].as_str().unwrap()).unwrap();
    assert_eq!(bytes.len(), 32);
    for bad in [0, 129] {
        let (status, _) = app.call("POST", "/rng", Some(json!({"count": bad}))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
}

#[tokio::test]
async fn unknown_paths_and_methods() {
    let app = TestApp::new();
    let (status, body) = app.call("GET", "/secrets", None).await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "NotFound"));
    let (status, _) = app.call("POST", "/keys", None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}
