//! The differences from the service that the official Python SDK's tests found (issue
//! 16), each checked here at the HTTP level.

use axum::http::StatusCode;
use serde_json::json;

use super::*;

#[tokio::test]
async fn unpadded_cbc_zero_fills_the_last_block() {
    let app = TestApp::new();
    app.create("cbc", json!({"kty": "oct-HSM", "key_size": 256}))
        .await;
    let plaintext = b"seventeen bytes!!";
    let iv = [9u8; 16];
    let enc = app
        .ok(
            "POST",
            "/keys/cbc/encrypt",
            Some(json!({"alg": "A256CBC", "value": b64(plaintext), "iv": b64(&iv)})),
        )
        .await;
    assert_eq!(unb64(&enc["value"]).len(), 32);
    let dec = app
        .ok(
            "POST",
            "/keys/cbc/decrypt",
            Some(json!({"alg": "A256CBC", "value": enc["value"], "iv": enc["iv"]})),
        )
        .await;
    let mut expected = plaintext.to_vec();
    expected.resize(32, 0);
    assert_eq!(unb64(&dec["value"]), expected);
    // Without a caller's IV the service picks one; the zero fill is the same.
    let enc = app
        .ok(
            "POST",
            "/keys/cbc/encrypt",
            Some(json!({"alg": "A256CBC", "value": b64(b"abc")})),
        )
        .await;
    assert_eq!(unb64(&enc["value"]).len(), 16);
}

#[tokio::test]
async fn attestation_has_every_member_and_is_the_same_for_each_version() {
    let app = TestApp::new();
    let first = app.create("att", json!({"kty": "RSA-HSM"})).await;
    let second = app.ok("POST", "/keys/att/rotate", None).await;
    let mut seen = Vec::new();
    for version in [version_of(&first), version_of(&second), String::new()] {
        let bundle = app
            .ok("GET", &format!("/keys/att/{version}/attestation"), None)
            .await;
        let attestation = bundle["attributes"]["attestation"].clone();
        for member in [
            "certificatePemFile",
            "privateKeyAttestation",
            "publicKeyAttestation",
            "version",
        ] {
            assert!(attestation[member].is_string(), "{member}: {attestation}");
        }
        seen.push(attestation);
    }
    assert_eq!(seen[0], seen[1]);
    assert_eq!(seen[1], seen[2]);
}

#[tokio::test]
async fn deeply_nested_unknown_member_is_400() {
    let app = TestApp::new();
    let body = format!(
        "{{\"kty\":\"EC\",\"unknown\":{}{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let resp = app
        .raw(
            "POST",
            "/keys/deep/create?api-version=7.6",
            Some(body.into_bytes()),
            true,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let (status, _) = app.call("GET", "/keys/deep", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no key was created");
}

#[tokio::test]
async fn text_plain_body_is_415() {
    let app = TestApp::new();
    let send = |content_type: Option<&'static str>| {
        let mut req = Request::builder()
            .method("POST")
            .uri("/keys/plain/create?api-version=7.6")
            .header(header::HOST, HOST)
            .header(header::AUTHORIZATION, "Bearer t")
            .header(header::CONTENT_LENGTH, "13");
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        crate::router(app.state.clone()).oneshot(
            req.body(Body::from(r#"{"kty":"EC"}"#.to_owned() + " "))
                .unwrap(),
        )
    };
    for ct in [Some("text/plain"), None] {
        let resp = send(ct).await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct:?}");
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        let body: Value = serde_json::from_slice(&bytes).unwrap();
        assert!(
            body["Message"].as_str().unwrap().contains("media type"),
            "{body}"
        );
    }
    let resp = send(Some("application/json; charset=utf-8")).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn role_assignment_name_conflict_is_400_role_assignment_exists() {
    let app = TestApp::new();
    let path = "/providers/Microsoft.Authorization/roleAssignments/\
                0f0b6b4c-1c54-4c3a-9d3e-6b9a8c2f9d11";
    let body = json!({"properties": {
        "roleDefinitionId": "Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/21dbd100-6940-42c2-9190-5d6cb909625b",
        "principalId": "00000000-0000-0000-0000-0000000000aa"}});
    let (status, first) = app.call_hsm("PUT", path, Some(body.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, again) = app.call_hsm("PUT", path, Some(body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{again}");
    assert_eq!(code(&again), "RoleAssignmentExists");
}

#[tokio::test]
async fn named_vaults_and_hsms_are_isolated_in_one_process() {
    let app = TestApp::new();
    let (a, b, hsm) = (
        "alpha.vault.localhost:8443",
        "bravo.vault.localhost:8443",
        HSM_HOST,
    );
    let (status, created) = app
        .call_at(a, "POST", "/keys/shared/create", Some(json!({"kty": "EC"})))
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert!(kid(&created).starts_with("https://alpha.vault.localhost:8443/keys/shared/"));
    for other in [b, hsm, HOST] {
        let (status, _) = app.call_at(other, "GET", "/keys/shared", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{other} sees alpha's key");
    }
    // The same name in bravo is a different key with its own rotation policy.
    app.call_at(b, "POST", "/keys/shared/create", Some(json!({"kty": "EC"})))
        .await;
    let policy = json!({"lifetimeActions": [{"trigger": {"timeAfterCreate": "P30D"},
        "action": {"type": "Rotate"}}], "attributes": {"expiryTime": "P90D"}});
    let (status, _) = app
        .call_at(a, "PUT", "/keys/shared/rotationpolicy", Some(policy))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, bravo_policy) = app
        .call_at(b, "GET", "/keys/shared/rotationpolicy", None)
        .await;
    assert_eq!(
        bravo_policy["lifetimeActions"].as_array().map(Vec::len),
        Some(1),
        "bravo keeps the default policy: {bravo_policy}"
    );
    // Deleted keys are per instance too.
    let (status, _) = app.call_at(a, "DELETE", "/keys/shared", None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.call_at(b, "GET", "/deletedkeys/shared", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.call_at(a, "GET", "/deletedkeys/shared", None).await;
    assert_eq!(status, StatusCode::OK);
    // Administration: a Managed HSM serves it, a vault answers 404.
    let (status, _) = app.call_at(hsm, "GET", "/settings", None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app.call_at(a, "GET", "/settings", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _) = app
        .call_at(
            a,
            "GET",
            "/providers/Microsoft.Authorization/roleDefinitions",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Each instance's challenge names its own parent domain.
    for (host, resource) in [
        (a, "https://vault.localhost:8443"),
        (hsm, "https://managedhsm.localhost:8443"),
    ] {
        let resp = app
            .raw_at(host, "GET", "/keys?api-version=7.6", None, false)
            .await;
        let challenge = resp.headers()[header::WWW_AUTHENTICATE].to_str().unwrap();
        assert!(challenge.contains(resource), "{challenge}");
    }
}

#[tokio::test]
async fn plain_addresses_answer_as_the_configured_kind() {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(
        Store::open(dir.path()).unwrap(),
        Clock::default(),
        VaultSettings {
            kind: crate::vaults::VaultKind::ManagedHsm,
            ..VaultSettings::default()
        },
    );
    let request = Request::builder()
        .uri("/settings?api-version=7.6")
        .header(header::HOST, "127.0.0.1:8443")
        .header(header::AUTHORIZATION, "Bearer t")
        .body(Body::empty())
        .unwrap();
    let resp = crate::router(state).oneshot(request).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}
