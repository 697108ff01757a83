//! Hostile requests cost bounded memory: each is answered with a clear 400 while the heap
//! grows by at most a small, fixed bound, whatever the size the client sends or claims.
//!
//! The test binary counts live heap bytes with its own global allocator and sends each request
//! through the emulator's router in-process (no sockets), one at a time, so the peak it reads
//! belongs to that request alone. Run with `--nocapture` to see the measured peaks.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use bytes::Bytes;
use kv_emulator::MAX_BODY_BYTES;
use kv_emulator::{AppState, Clock, Store, VaultSettings};
use serde_json::Value;
use tower::ServiceExt;

/// Live heap bytes and the highest value seen since the last [`reset_peak`].
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call forwards to `System` unchanged; the counters are plain atomics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        new
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn reset_peak() -> usize {
    let live = LIVE.load(Ordering::Relaxed);
    PEAK.store(live, Ordering::Relaxed);
    live
}

/// A body of `total` bytes produced in 64 KiB chunks as the server reads it, so the test
/// itself never holds more than one chunk (a 1 GiB upload costs the test nothing). Each chunk
/// is a fresh allocation, as the buffers of a real connection are, so whatever the server
/// keeps of the body shows in the heap count.
fn streamed_body(prefix: &'static [u8], total: usize) -> Body {
    const CHUNK: usize = 64 * 1024;
    let first = Bytes::from_static(prefix);
    let rest = total.saturating_sub(prefix.len());
    let chunks = std::iter::once(first)
        .chain((0..rest.div_ceil(CHUNK)).map(move |i| {
            let len = CHUNK.min(rest - i * CHUNK);
            Bytes::from(vec![b'x'; len])
        }))
        .map(Ok::<_, std::convert::Infallible>);
    Body::from_stream(futures::stream::iter(chunks))
}

struct Case {
    name: String,
    method: &'static str,
    path: String,
    content_length: Option<u64>,
    body: Body,
    /// Most heap the request may add over what was live before it.
    bound: usize,
}

fn case(name: &str, method: &'static str, path: &str, body: Body, bound: usize) -> Case {
    Case {
        name: name.into(),
        method,
        path: path.into(),
        content_length: None,
        body,
        bound,
    }
}

const MIB: usize = 1 << 20;

fn cases() -> Vec<Case> {
    let tags: String = (0..10_000)
        .map(|i| format!(r#""tag{i}":"v""#))
        .collect::<Vec<_>>()
        .join(",");
    let many_tags = format!(r#"{{"kty":"EC","tags":{{{tags}}}}}"#);
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let nested_objects = format!("{}1{}", r#"{"a":"#.repeat(100_000), "}".repeat(100_000));
    let long_value = format!(r#"{{"kty":"EC","tags":{{"a":"{}"}}}}"#, "v".repeat(900_000));
    let long_name = "a".repeat(60_000);
    let mut all = vec![
        // Bodies far over the limit, streamed: the server stops reading at the limit.
        case(
            "64 MiB streamed body, create",
            "POST",
            "/keys/big/create",
            streamed_body(br#"{"kty":"EC","tags":{"a":""#, 64 * MIB),
            4 * MIB,
        ),
        case(
            "1 GiB streamed body, import",
            "PUT",
            "/keys/big",
            streamed_body(br#"{"key":{"kty":"RSA","n":""#, 1024 * MIB),
            4 * MIB,
        ),
        case(
            "64 MiB streamed body, encrypt",
            "POST",
            "/keys/big/encrypt",
            streamed_body(br#"{"alg":"RSA-OAEP","value":""#, 64 * MIB),
            4 * MIB,
        ),
        case(
            "10,000 tags",
            "POST",
            "/keys/tagged/create",
            Body::from(many_tags),
            4 * MIB,
        ),
        case(
            "arrays nested 100,000 deep",
            "POST",
            "/keys/nested/create",
            Body::from(nested),
            2 * MIB,
        ),
        case(
            "objects nested 100,000 deep",
            "POST",
            "/keys/nested/create",
            Body::from(nested_objects),
            3 * MIB,
        ),
        case(
            "900 KB tag value",
            "POST",
            "/keys/long/create",
            Body::from(long_value),
            4 * MIB,
        ),
        case(
            "60,000-character key name",
            "POST",
            &format!("/keys/{long_name}/create"),
            Body::from(r#"{"kty":"EC"}"#),
            MIB,
        ),
        case(
            "maxresults = 2^64",
            "GET",
            "/keys?maxresults=18446744073709551616",
            Body::empty(),
            MIB,
        ),
        case(
            "maxresults = 10^32",
            "GET",
            "/deletedkeys?maxresults=99999999999999999999999999999999",
            Body::empty(),
            MIB,
        ),
    ];
    // A declared length over the limit is refused before any of the body is read.
    let mut declared = case(
        "Content-Length of 1 TiB",
        "POST",
        "/keys/declared/create",
        streamed_body(br#"{"kty":"EC","tags":{"a":""#, 8 * MIB),
        64 * 1024,
    );
    declared.content_length = Some(1 << 40);
    all.push(declared);
    all
}

#[test]
fn hostile_requests_get_400_in_bounded_memory() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = AppState::new(
        Store::open(dir.path()).expect("store opens"),
        Clock::default(),
        VaultSettings::default(),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let all = cases();
    let count = all.len();
    let mut checked = 0;
    for case in all {
        let mut builder = Request::builder()
            .method(case.method)
            .uri(format!(
                "{}{}api-version=7.6",
                case.path,
                if case.path.contains('?') { '&' } else { '?' }
            ))
            .header(header::HOST, "limits.vault.localhost")
            .header(header::AUTHORIZATION, "Bearer limits")
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(len) = case.content_length {
            builder = builder.header(header::CONTENT_LENGTH, len);
        }
        let request = builder.body(case.body).expect("request");
        let router = kv_emulator::router(state.clone());

        let before = reset_peak();
        let (status, body) = runtime.block_on(async {
            let response = router.oneshot(request).await.expect("infallible router");
            let status = response.status();
            let bytes = axum::body::to_bytes(response.into_body(), MIB)
                .await
                .expect("response body");
            (status, bytes)
        });
        let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
        let error: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        eprintln!(
            "{:<32} {} {:<20} peak heap +{:>7.1} KiB (bound {} KiB)",
            case.name,
            status.as_u16(),
            error["error"]["message"]
                .as_str()
                .unwrap_or("-")
                .chars()
                .take(60)
                .collect::<String>(),
            peak as f64 / 1024.0,
            case.bound / 1024,
        );
        assert_eq!(status, StatusCode::BAD_REQUEST, "{}: {error}", case.name);
        assert!(
            error["error"]["code"]
                .as_str()
                .is_some_and(|c| !c.is_empty())
                && error["error"]["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty()),
            "{}: not a clear error body: {error}",
            case.name
        );
        assert!(
            peak <= case.bound,
            "{}: the request added {peak} bytes of heap, over its bound of {}",
            case.name,
            case.bound
        );
        checked += 1;
    }
    assert_eq!(checked, count);
    assert_eq!(count, 11);
    // The limit the bounds are built on: a body is never read past MAX_BODY_BYTES.
    assert_eq!(MAX_BODY_BYTES, MIB);
}
