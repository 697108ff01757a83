//! Fuzz the emulator's request handling in-process (no sockets): arbitrary methods, paths,
//! query strings and bodies go through `kv_emulator::router` against a real store in a
//! temporary directory. Property: nothing panics, whatever the input.
#![no_main]

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, header};
use kv_emulator::{AppState, Clock, Store, VaultSettings};
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

struct Harness {
    runtime: tokio::runtime::Runtime,
    state: AppState,
    /// The store's directory, kept for the whole run.
    _dir: tempfile::TempDir,
}

fn harness() -> &'static Harness {
    static H: OnceLock<Harness> = OnceLock::new();
    H.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).expect("store opens");
        let state = AppState::new(
            store,
            Clock::default(),
            VaultSettings {
                retention_days: 7,
                ..VaultSettings::default()
            },
        );
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        Harness {
            runtime,
            state,
            _dir: dir,
        }
    })
}

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];
const TEMPLATES: [&str; 16] = [
    "/keys/{}/create",
    "/keys/{}",
    "/keys/{}/",
    "/keys/{}/versions",
    "/keys/{}/0123456789abcdef0123456789abcdef/sign",
    "/keys/{}//encrypt",
    "/keys/{}/rotationpolicy",
    "/keys/{}/rotate",
    "/keys/{}/backup",
    "/keys/restore",
    "/deletedkeys/{}",
    "/deletedkeys/{}/recover",
    "/rng",
    "/{}/providers/Microsoft.Authorization/roleAssignments/{}",
    "/settings/{}",
    "/keys",
];

fuzz_target!(|data: &[u8]| {
    let [m, t, split, rest @ ..] = data else {
        return;
    };
    let cut = usize::from(*split).min(rest.len());
    let (segment, body) = rest.split_at(cut);
    let segment: String = String::from_utf8_lossy(segment)
        .chars()
        .filter(|c| !c.is_control() && *c != '/' && *c != '?' && *c != '#')
        .collect();
    let path = TEMPLATES[usize::from(*t) % TEMPLATES.len()].replace("{}", &segment);
    let uri = format!("{path}?api-version=7.6&maxresults={}", segment.len());
    let Ok(request) = Request::builder()
        .method(METHODS[usize::from(*m) % METHODS.len()])
        .uri(uri)
        .header(header::HOST, "fuzz.vault.localhost")
        .header(header::AUTHORIZATION, "Bearer fuzz")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_vec()))
    else {
        return;
    };
    let h = harness();
    let router = kv_emulator::router(h.state.clone());
    let _ = h.runtime.block_on(router.oneshot(request));
});
