//! Cryptographic operations through the router, and attribute enforcement.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::json;

use super::*;

#[tokio::test]
async fn crypto_round_trips_for_every_key_kind() {
    let app = TestApp::new();
    app.create("rsa", json!({"kty": "RSA", "key_size": 2048}))
        .await;
    for alg in ["RSA-OAEP", "RSA-OAEP-256", "RSA1_5"] {
        let enc = app
            .ok(
                "POST",
                "/keys/rsa/encrypt",
                Some(json!({"alg": alg, "value": b64(b"hello")})),
            )
            .await;
        assert!(
            enc["kid"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{BASE}/keys/rsa/"))
        );
        let dec = app
            .ok(
                "POST",
                "/keys/rsa//decrypt",
                Some(json!({"alg": alg, "value": enc["value"]})),
            )
            .await;
        assert_eq!(unb64(&dec["value"]), b"hello", "{alg}");
        let wrapped = app
            .ok(
                "POST",
                "/keys/rsa/wrapkey",
                Some(json!({"alg": alg, "value": b64(&[9; 32])})),
            )
            .await;
        let unwrapped = app
            .ok(
                "POST",
                "/keys/rsa/unwrapkey",
                Some(json!({"alg": alg, "value": wrapped["value"]})),
            )
            .await;
        assert_eq!(unb64(&unwrapped["value"]), [9; 32]);
    }
    for (alg, len) in [("RS256", 32), ("PS384", 48), ("RS512", 64)] {
        let digest = vec![7u8; len];
        let sig = app
            .ok(
                "POST",
                "/keys/rsa/sign",
                Some(json!({"alg": alg, "value": b64(&digest)})),
            )
            .await;
        let ok = app
            .ok(
                "POST",
                "/keys/rsa/verify",
                Some(json!({"alg": alg, "digest": b64(&digest), "value": sig["value"]})),
            )
            .await;
        assert_eq!(ok["value"], true, "{alg}");
        let bad = app
            .ok(
                "POST",
                "/keys/rsa/verify",
                Some(json!({"alg": alg, "digest": b64(&vec![8u8; len]), "value": sig["value"]})),
            )
            .await;
        assert_eq!(bad["value"], false, "{alg}");
    }
    let (status, _) = app
        .call(
            "POST",
            "/keys/rsa/sign",
            Some(json!({"alg": "RS256", "value": b64(&[1; 20])})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "wrong digest length");
    let (status, _) = app
        .call(
            "POST",
            "/keys/rsa/sign",
            Some(json!({"alg": "ES256", "value": b64(&[1; 32])})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "algorithm of another family"
    );

    for (crv, alg, len) in [
        ("P-256", "ES256", 32),
        ("P-256K", "ES256K", 32),
        ("P-384", "ES384", 48),
        ("P-521", "ES512", 64),
    ] {
        let name = format!("ec-{}", crv.replace('-', ""));
        app.create(&name, json!({"kty": "EC-HSM", "crv": crv}))
            .await;
        let digest = vec![3u8; len];
        let sig = app
            .ok(
                "POST",
                &format!("/keys/{name}/sign"),
                Some(json!({"alg": alg, "value": b64(&digest)})),
            )
            .await;
        let ok = app
            .ok(
                "POST",
                &format!("/keys/{name}/verify"),
                Some(json!({"alg": alg, "digest": b64(&digest), "value": sig["value"]})),
            )
            .await;
        assert_eq!(ok["value"], true, "{alg}");
    }

    for bits in [128, 192, 256] {
        let name = format!("aes{bits}");
        app.create(&name, json!({"kty": "oct-HSM", "key_size": bits}))
            .await;
        let gcm = format!("A{bits}GCM");
        let enc = app
            .ok(
                "POST",
                &format!("/keys/{name}/encrypt"),
                Some(json!({"alg": gcm, "value": b64(b"gcm text"), "aad": b64(b"hdr")})),
            )
            .await;
        assert_eq!(unb64(&enc["iv"]).len(), 12);
        assert_eq!(unb64(&enc["tag"]).len(), 16);
        let dec = app
            .ok(
                "POST",
                &format!("/keys/{name}/decrypt"),
                Some(json!({"alg": gcm, "value": enc["value"], "iv": enc["iv"], "tag": enc["tag"], "aad": b64(b"hdr")})),
            )
            .await;
        assert_eq!(unb64(&dec["value"]), b"gcm text");
        let (status, _) = app
            .call(
                "POST",
                &format!("/keys/{name}/decrypt"),
                Some(json!({"alg": gcm, "value": enc["value"], "iv": enc["iv"], "tag": enc["tag"], "aad": b64(b"other")})),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "tampered aad");

        let cbc = format!("A{bits}CBCPAD");
        let iv = [5u8; 16];
        let enc = app
            .ok(
                "POST",
                &format!("/keys/{name}/encrypt"),
                Some(json!({"alg": cbc, "value": b64(b"cbc text"), "iv": b64(&iv)})),
            )
            .await;
        assert_eq!(unb64(&enc["iv"]), iv);
        let dec = app
            .ok(
                "POST",
                &format!("/keys/{name}/decrypt"),
                Some(json!({"alg": cbc, "value": enc["value"], "iv": b64(&iv)})),
            )
            .await;
        assert_eq!(unb64(&dec["value"]), b"cbc text");

        let kw = format!("A{bits}KW");
        let wrapped = app
            .ok(
                "POST",
                &format!("/keys/{name}/wrapkey"),
                Some(json!({"alg": kw, "value": b64(&[1; 32])})),
            )
            .await;
        let unwrapped = app
            .ok(
                "POST",
                &format!("/keys/{name}/unwrapkey"),
                Some(json!({"alg": kw, "value": wrapped["value"]})),
            )
            .await;
        assert_eq!(unb64(&unwrapped["value"]), [1; 32]);
    }
}

/// Signs `digest` (base64url) with key `name` under ES256.
async fn sign_es256(app: &TestApp, name: &str, digest: &str) -> (StatusCode, Value) {
    app.call(
        "POST",
        &format!("/keys/{name}/sign"),
        Some(json!({"alg": "ES256", "value": digest})),
    )
    .await
}

#[tokio::test]
async fn attributes_and_key_ops_are_enforced() {
    let app = TestApp::new();
    let digest = b64(&[1; 32]);
    app.create("limited", json!({"kty": "EC", "key_ops": ["verify"]}))
        .await;
    let (status, body) = sign_es256(&app, "limited", &digest).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "KeyOperationForbidden")
    );
    app.ok(
        "PATCH",
        "/keys/limited/",
        Some(json!({"key_ops": ["sign", "verify"]})),
    )
    .await;
    assert_eq!(sign_es256(&app, "limited", &digest).await.0, StatusCode::OK);

    app.ok(
        "PATCH",
        "/keys/limited/",
        Some(json!({"attributes": {"enabled": false}})),
    )
    .await;
    let (status, body) = sign_es256(&app, "limited", &digest).await;
    // A disabled key is not a key_ops refusal: the plain `Forbidden` code.
    assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "Forbidden"));
    app.ok(
        "PATCH",
        "/keys/limited/",
        Some(json!({"attributes": {"enabled": true}})),
    )
    .await;

    let now = app.state.clock().now();
    app.create(
        "future",
        json!({"kty": "EC", "attributes": {"nbf": now + 3600}}),
    )
    .await;
    let (status, _) = sign_es256(&app, "future", &digest).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.state.clock().advance(Duration::from_secs(7200));
    assert_eq!(sign_es256(&app, "future", &digest).await.0, StatusCode::OK);

    let now = app.state.clock().now();
    app.create(
        "expiring",
        json!({"kty": "EC", "attributes": {"exp": now + 60}}),
    )
    .await;
    assert_eq!(
        sign_es256(&app, "expiring", &digest).await.0,
        StatusCode::OK
    );
    app.state.clock().advance(Duration::from_secs(120));
    let (status, _) = sign_es256(&app, "expiring", &digest).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
