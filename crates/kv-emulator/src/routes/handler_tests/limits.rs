//! Limits: oversized bodies, deeply nested JSON, too many tags, invalid names and
//! out-of-range `maxresults` are answered with a clear 400 (never a panic or a 500).
//! Each case is counted, and the count is checked so no case is silently skipped.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{TestApp, code};
use crate::names::{MAX_NAME_LEN, MAX_TAGS};
use crate::request::MAX_BODY_BYTES;

/// Sends `body` raw (bytes) and returns the status and the parsed error body.
async fn raw_call(app: &TestApp, method: &str, path: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let sep = if path.contains('?') { '&' } else { '?' };
    let resp = app
        .raw(
            method,
            &format!("{path}{sep}api-version=7.6"),
            Some(body),
            true,
        )
        .await;
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Asserts a clear 400: status, a service error code and a non-empty message.
fn assert_clear_400(case: &str, status: StatusCode, body: &Value) {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{case}: {body}");
    assert!(!code(body).is_empty(), "{case}: no error code in {body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "{case}: no message");
}

#[tokio::test]
async fn oversized_and_nested_bodies_are_400() {
    let app = TestApp::new();
    let mut cases = 0;

    // A body just over the limit, and a much larger one, on create, import and crypto.
    for size in [MAX_BODY_BYTES + 1, 8 * MAX_BODY_BYTES] {
        let mut body = br#"{"kty":"EC","tags":{"a":""#.to_vec();
        body.resize(size, b'x');
        for (method, path) in [
            ("POST", "/keys/big/create"),
            ("PUT", "/keys/big"),
            ("POST", "/keys/big/encrypt"),
        ] {
            let (status, value) = raw_call(&app, method, path, body.clone()).await;
            assert_clear_400(&format!("{size} bytes {method} {path}"), status, &value);
            cases += 1;
        }
    }

    // Deeply nested JSON: arrays, objects and both mixed, far past any sane depth.
    for depth in [200, 10_000, 100_000] {
        let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let objects = format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth));
        let in_field = format!(r#"{{"kty":"EC","tags":{arrays}}}"#);
        for body in [arrays, objects, in_field] {
            let (status, value) =
                raw_call(&app, "POST", "/keys/nested/create", body.into_bytes()).await;
            assert_clear_400(&format!("nested depth {depth}"), status, &value);
            cases += 1;
        }
    }

    // Not JSON at all.
    for body in [
        &b"\xff\xfe"[..],
        b"{",
        b"null",
        b"[]",
        b"{\"kty\":\"EC\"} trailing",
    ] {
        let (status, value) = raw_call(&app, "POST", "/keys/junk/create", body.to_vec()).await;
        assert_clear_400("not JSON", status, &value);
        cases += 1;
    }
    assert_eq!(cases, 6 + 9 + 5);
}

#[tokio::test]
async fn too_many_or_too_large_tags_are_400() {
    let app = TestApp::new();
    let mut cases = 0;
    let tags = |n: usize| -> Value {
        Value::Object((0..n).map(|i| (format!("t{i}"), json!("v"))).collect())
    };
    for n in [MAX_TAGS + 1, 10_000] {
        let (status, value) = app
            .call(
                "POST",
                "/keys/tagged/create",
                Some(json!({"kty": "EC", "tags": tags(n)})),
            )
            .await;
        assert_clear_400(&format!("{n} tags on create"), status, &value);
        cases += 1;
    }
    // The limit itself is fine.
    app.create("tagged", json!({"kty": "EC", "tags": tags(MAX_TAGS)}))
        .await;
    for bad in [
        tags(10_000),
        json!({"": "empty name"}),
        json!({ "n".repeat(513): "v" }),
        json!({"n": "v".repeat(257)}),
    ] {
        let (status, value) = app
            .call("PATCH", "/keys/tagged", Some(json!({"tags": bad})))
            .await;
        assert_clear_400("tags on update", status, &value);
        cases += 1;
    }
    // The key kept its valid tags.
    let key = app.ok("GET", "/keys/tagged", None).await;
    assert_eq!(key["tags"].as_object().map(|t| t.len()), Some(MAX_TAGS));
    assert_eq!(cases, 6);
}

#[tokio::test]
async fn invalid_names_are_400() {
    let app = TestApp::new();
    let too_long = "a".repeat(MAX_NAME_LEN + 1);
    let very_long = "a".repeat(60_000);
    let names = [
        "with_underscore",
        "with.dot",
        "with%20space",
        "with%2Fslash",
        "caf%C3%A9",
        "%F0%9F%94%91",
        "with%00nul",
        "with~tilde",
        "with%25percent",
        "with:colon",
        "with%40at",
        "with+plus",
        too_long.as_str(),
        very_long.as_str(),
    ];
    let mut cases = 0;
    for name in names {
        for (method, path, body) in [
            (
                "POST",
                format!("/keys/{name}/create"),
                Some(json!({"kty": "EC"})),
            ),
            (
                "PUT",
                format!("/keys/{name}"),
                Some(json!({"key": {"kty": "oct-HSM", "k": "AAAA"}})),
            ),
            ("POST", format!("/keys/{name}/rotate"), None),
        ] {
            let (status, value) = app.call(method, &path, body).await;
            assert!(
                status == StatusCode::BAD_REQUEST,
                "{method} {}: {status} {value}",
                &path[..path.len().min(80)]
            );
            assert!(!code(&value).is_empty());
            cases += 1;
        }
    }
    // The longest valid name is accepted.
    app.create(&"a".repeat(MAX_NAME_LEN), json!({"kty": "EC"}))
        .await;
    assert_eq!(cases, names.len() * 3);
}

#[tokio::test]
async fn huge_maxresults_is_400() {
    let app = TestApp::new();
    app.create("listed", json!({"kty": "EC"})).await;
    let mut cases = 0;
    for bad in [
        "0",
        "26",
        "-1",
        "1000000",
        "18446744073709551616",
        "99999999999999999999999999999999",
        "1e3",
        "abc",
    ] {
        for path in ["/keys", "/keys/listed/versions", "/deletedkeys"] {
            let (status, value) = app
                .call("GET", &format!("{path}?maxresults={bad}"), None)
                .await;
            assert_clear_400(&format!("{path} maxresults={bad}"), status, &value);
            cases += 1;
        }
    }
    let page = app.ok("GET", "/keys?maxresults=25", None).await;
    assert_eq!(page["value"].as_array().map(Vec::len), Some(1));
    assert_eq!(cases, 8 * 3);
}
