//! `/healthz` and `/_emulator/clock` through the router.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{TestApp, b64, code};

async fn body(resp: axum::response::Response) -> Value {
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn health_needs_no_token_and_no_api_version() {
    let app = TestApp::new();
    let resp = app.raw("GET", "/healthz", None, false).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(body(resp).await["status"], "ok");
}

#[tokio::test]
async fn clock_needs_a_token_but_no_api_version() {
    let app = TestApp::new();
    let resp = app.raw("GET", "/_emulator/clock", None, false).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let resp = app.raw("GET", "/_emulator/clock", None, true).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let value = body(resp).await;
    assert_eq!(value["offsetSeconds"], 0);
    assert!(value["now"].as_i64().unwrap() > 1_700_000_000);
}

#[tokio::test]
async fn moving_the_clock_rotates_and_purges_at_once() {
    let app = TestApp::new();
    app.create("travel-rotated", json!({"kty": "EC"})).await;
    app.ok(
        "PUT",
        "/keys/travel-rotated/rotationpolicy",
        Some(json!({"lifetimeActions": [
            {"trigger": {"timeAfterCreate": "P7D"}, "action": {"type": "Rotate"}}
        ]})),
    )
    .await;
    let tomorrow = app.state.clock().now() + 86_400;
    app.create(
        "travel-expiring",
        json!({"kty": "EC", "attributes": {"exp": tomorrow}}),
    )
    .await;
    let sign = json!({"alg": "ES256", "value": b64(&[7u8; 32])});
    app.ok("POST", "/keys/travel-expiring/sign", Some(sign.clone()))
        .await;
    app.create("travel-purged", json!({"kty": "EC"})).await;
    app.ok("DELETE", "/keys/travel-purged", None).await;
    assert_eq!(
        app.call("GET", "/deletedkeys/travel-purged", None).await.0,
        StatusCode::OK
    );

    // Backward or malformed: refused, and the clock did not move.
    for bad in [
        json!({"advance": "-P1D"}),
        json!({"advance": -60}),
        json!({}),
    ] {
        let (status, value) = app.call("POST", "/_emulator/clock", Some(bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{value}");
        assert_eq!(code(&value), "BadParameter");
    }
    assert_eq!(app.state.clock().offset_secs(), 0);

    // 91 days: past the 90-day retention and the 7-day rotation trigger.
    let moved = app
        .ok("POST", "/_emulator/clock", Some(json!({"advance": "P91D"})))
        .await;
    assert_eq!(moved["offsetSeconds"], 91 * 86_400);
    assert_eq!(moved["purged"], 1, "{moved}");
    assert_eq!(moved["rotated"], 1, "{moved}");
    let versions = app.ok("GET", "/keys/travel-rotated/versions", None).await;
    assert_eq!(versions["value"].as_array().unwrap().len(), 2);
    assert_eq!(
        app.call("GET", "/deletedkeys/travel-purged", None).await.0,
        StatusCode::NOT_FOUND
    );
    // The expiry check reads the moved clock too.
    let (status, value) = app
        .call("POST", "/keys/travel-expiring/sign", Some(sign))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{value}");

    // Seconds work too, and a pass with nothing due reports nothing.
    let moved = app
        .ok("POST", "/_emulator/clock", Some(json!({"advance": 60})))
        .await;
    assert_eq!(moved["offsetSeconds"], 91 * 86_400 + 60);
    assert_eq!(moved["purged"], 0);
    assert_eq!(moved["rotated"], 0);
}
