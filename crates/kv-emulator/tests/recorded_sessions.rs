//! The SDK teams' recorded live sessions (Azure/azure-sdk-assets), replayed against the
//! emulator as a vault and as a Managed HSM.
//!
//! Each file under `tests/recorded/` was written by hand from one recording, named in its
//! `recording` member. A file holds cases; a case is a request sequence, and each answer is
//! checked for what the recording shows and what does not vary between runs: the status,
//! the error code (and message where the service's is fixed), the exact set of members of
//! each object (so their casing too), enum values and defaults (`equals`, or `set` where
//! the service's order varies), and the form of random values (`forms`: ids, key material,
//! dates). Requests go through [`kv_emulator::router`] with the recording's host
//! personality (`NAME.vault.localhost` or `NAME.managedhsm.localhost`), no socket.
//!
//! Placeholders in paths and bodies: `{k}` and `{k2}` are key names unique to the case,
//! `{u}` and `{u2}` GUIDs unique to the case (role assignment and definition names),
//! `{v}` the version of the last answer that carried `key.kid`, `{v1}` the first such,
//! and `{prev:/pointer}` a string
//! member of the previous answer (a ciphertext or signature to send back). A step's `save`
//! keeps string members of its answer under names, sent back later as `{saved:name}` (a
//! backup blob restored after a delete and purge). A step with `poll` repeats while the
//! job it asks about is `InProgress`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use axum::body::Body;
use axum::http::{Request, header};
use kv_emulator::{AppState, Clock, Store, VaultSettings};
use serde::Deserialize;
use serde_json::Value;
use tower::ServiceExt;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordingFile {
    /// The recording's path in Azure/azure-sdk-assets.
    recording: String,
    /// Host the cases address (its personality comes from the name).
    host: String,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    steps: Vec<Step>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    method: String,
    path: String,
    #[serde(default = "api_version")]
    api_version: String,
    #[serde(default)]
    body: Option<Value>,
    #[serde(default = "yes")]
    auth: bool,
    status: u16,
    /// The exact member names of the object at each JSON pointer ("" is the body).
    #[serde(default)]
    members: BTreeMap<String, Vec<String>>,
    /// Values at JSON pointers.
    #[serde(default)]
    equals: BTreeMap<String, Value>,
    /// Arrays compared as sets (the service's order varies).
    #[serde(default)]
    set: BTreeMap<String, Vec<Value>>,
    /// Forms of random values: kid, versionless_kid, recovery_id, unix, b64url, uuid,
    /// nonempty_string.
    #[serde(default)]
    forms: BTreeMap<String, String>,
    /// Pointers that must be absent.
    #[serde(default)]
    absent: Vec<String>,
    /// The error code (`error.code`).
    #[serde(default)]
    error: Option<String>,
    /// The exact error message, where the service's does not vary.
    #[serde(default)]
    message: Option<String>,
    /// The start of the error message, where the service ends it with something that
    /// varies (a Managed HSM's ` (Activity ID: ...)`).
    #[serde(default)]
    message_prefix: Option<String>,
    /// The body must be empty.
    #[serde(default)]
    empty: bool,
    /// String members of the answer kept for later steps: name to JSON pointer.
    #[serde(default)]
    save: BTreeMap<String, String>,
    /// Repeat the request while the answer's `status` is `InProgress` (a job's status URL,
    /// polled as the SDKs' pollers do; the recordings poll after the service's Retry-After).
    #[serde(default)]
    poll: bool,
    /// `WWW-Authenticate` must name this resource (with `{port}` for the host's).
    #[serde(default)]
    challenge_resource: Option<String>,
}

fn api_version() -> String {
    "7.6".to_owned()
}

fn yes() -> bool {
    true
}

struct Vars {
    k: String,
    k2: String,
    u: String,
    u2: String,
    v1: Option<String>,
    v: Option<String>,
    prev: Value,
    saved: BTreeMap<String, String>,
}

impl Vars {
    fn fill(&self, text: &str) -> String {
        let filled = text
            .replace("{k}", &self.k)
            .replace("{k2}", &self.k2)
            .replace("{u}", &self.u)
            .replace("{u2}", &self.u2)
            .replace("{v1}", self.v1.as_deref().unwrap_or("missing-v1"))
            .replace("{v}", self.v.as_deref().unwrap_or("missing-v"));
        let filled = self.saved.iter().fold(filled, |text, (name, value)| {
            text.replace(&format!("{{saved:{name}}}"), value)
        });
        self.fill_prev(filled)
    }

    /// Replaces `{prev:/pointer}` with that string member of the previous answer.
    fn fill_prev(&self, mut text: String) -> String {
        while let Some(start) = text.find("{prev:") {
            let Some(len) = text[start..].find('}') else {
                break;
            };
            let pointer = &text[start + "{prev:".len()..start + len];
            let value = self
                .prev
                .pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or("missing-prev")
                .to_owned();
            text.replace_range(start..=start + len, &value);
        }
        text
    }

    fn fill_value(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.fill(s)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.fill_value(v)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.fill_value(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

fn check_form(form: &str, value: &Value, base: &str, vars: &Vars) -> Result<(), String> {
    let text = value.as_str();
    let is_version = |v: &str| v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit());
    let ok = match form {
        "kid" => text.is_some_and(|t| {
            t.strip_prefix(&format!("{base}/keys/{}/", vars.k))
                .or_else(|| t.strip_prefix(&format!("{base}/keys/{}/", vars.k2)))
                .is_some_and(is_version)
        }),
        "versionless_kid" => text.is_some_and(|t| {
            t == format!("{base}/keys/{}", vars.k) || t == format!("{base}/keys/{}", vars.k2)
        }),
        "recovery_id" => text.is_some_and(|t| t == format!("{base}/deletedkeys/{}", vars.k)),
        // A vault names the policy by URL; a Managed HSM did too (Go `TestRotateKey/MHSM`)
        // and answers a relative id since 2026 (Python `test_key_rotation_policy[7.5_mhsm]`,
        // June 2026), which the emulator follows.
        "rotation_policy_id" => text.is_some_and(|t| {
            let relative = format!("keys/{}/rotationpolicy", vars.k);
            t == relative || t == format!("{base}/{relative}")
        }),
        "unix" => value.as_i64().is_some_and(|t| t > 1_500_000_000),
        "b64url" => text.is_some_and(|t| {
            !t.is_empty()
                && t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        }),
        "uuid" => text.is_some_and(uuid_like),
        "nonempty_string" => text.is_some_and(|t| !t.is_empty()),
        "bool" => value.is_boolean(),
        other => return Err(format!("unknown form {other}")),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{value} is not a {form}"))
    }
}

fn uuid_like(t: &str) -> bool {
    let parts: Vec<&str> = t.split('-').collect();
    parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && t.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

fn version_of(body: &Value) -> Option<String> {
    body.pointer("/key/kid")
        .and_then(Value::as_str)
        .and_then(|kid| kid.rsplit('/').next())
        .map(str::to_owned)
}

/// Sends `step` to `uri`; answers the status, the `WWW-Authenticate` header and the body.
async fn send(
    state: &AppState,
    host: &str,
    step: &Step,
    vars: &Vars,
    uri: &str,
) -> Result<(u16, Option<String>, axum::body::Bytes), String> {
    let mut request = Request::builder()
        .method(step.method.as_str())
        .uri(uri)
        .header(header::HOST, host);
    if step.auth {
        request = request.header(header::AUTHORIZATION, "Bearer recorded-session");
    }
    let body = match &step.body {
        Some(body) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(serde_json::to_vec(&vars.fill_value(body)).map_err(|e| e.to_string())?)
        }
        None => Body::empty(),
    };
    let response = kv_emulator::router(state.clone())
        .oneshot(request.body(body).map_err(|e| e.to_string())?)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get(header::WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .map_err(|e| e.to_string())?;
    Ok((status, challenge, bytes))
}

async fn run_step(
    state: &AppState,
    host: &str,
    step: &Step,
    vars: &mut Vars,
) -> Result<(), String> {
    let path = vars.fill(&step.path);
    let sep = if path.contains('?') { '&' } else { '?' };
    let uri = format!("{path}{sep}api-version={}", step.api_version);
    // A polled step repeats while the job runs, as a poller does (at most 5 s).
    let mut polls = 0;
    let (status, challenge, bytes) = loop {
        let answer = send(state, host, step, vars, &uri).await?;
        let running = step.poll
            && serde_json::from_slice::<Value>(&answer.2)
                .is_ok_and(|body| body["status"] == "InProgress");
        if !running || polls == 50 {
            break answer;
        }
        polls += 1;
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let what = format!("{} {uri}", step.method);
    if status != step.status {
        return Err(format!(
            "{what}: status {status}, recorded {}: {}",
            step.status,
            String::from_utf8_lossy(&bytes)
        ));
    }
    if step.empty {
        return if bytes.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{what}: body should be empty: {}",
                String::from_utf8_lossy(&bytes)
            ))
        };
    }
    if let Some(resource) = &step.challenge_resource {
        let port = host.rsplit_once(':').map(|(_, p)| p).unwrap_or_default();
        let want = format!("resource=\"{}\"", resource.replace("{port}", port));
        if !challenge.as_deref().is_some_and(|c| c.contains(&want)) {
            return Err(format!(
                "{what}: challenge {challenge:?} does not name {want}"
            ));
        }
    }
    let body: Value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).map_err(|e| format!("{what}: not JSON: {e}"))?
    };
    let base = format!("https://{host}");
    let mut problems = Vec::new();
    if let Some(code) = &step.error {
        let found = body.pointer("/error/code").and_then(Value::as_str);
        if found != Some(code.as_str()) {
            problems.push(format!("error code {found:?}, recorded {code}"));
        }
    }
    if let Some(message) = &step.message {
        let want = vars.fill(message);
        let found = body.pointer("/error/message").and_then(Value::as_str);
        if found != Some(want.as_str()) {
            problems.push(format!("error message {found:?}, recorded {want:?}"));
        }
    }
    if let Some(prefix) = &step.message_prefix {
        let want = vars.fill(prefix);
        let found = body.pointer("/error/message").and_then(Value::as_str);
        if !found.is_some_and(|m| m.starts_with(&want)) {
            problems.push(format!("error message {found:?} does not start {want:?}"));
        }
    }
    for (pointer, names) in &step.members {
        let want: BTreeSet<&str> = names.iter().map(String::as_str).collect();
        match body.pointer(pointer).and_then(Value::as_object) {
            Some(object) => {
                let found: BTreeSet<&str> = object
                    .keys()
                    .map(String::as_str)
                    .filter(|member| !added_since_recorded(pointer, member, &want))
                    .collect();
                if found != want {
                    problems.push(format!(
                        "members of {pointer:?}: {found:?}, recorded {want:?}"
                    ));
                }
            }
            None => problems.push(format!("{pointer:?} is not an object")),
        }
    }
    for (pointer, value) in &step.equals {
        let want = vars.fill_value(value);
        if body.pointer(pointer) != Some(&want) {
            problems.push(format!(
                "{pointer}: {:?}, recorded {want}",
                body.pointer(pointer)
            ));
        }
    }
    for (pointer, values) in &step.set {
        let want: BTreeSet<String> = values.iter().map(Value::to_string).collect();
        let found: Option<BTreeSet<String>> = body
            .pointer(pointer)
            .and_then(Value::as_array)
            .map(|items| items.iter().map(Value::to_string).collect());
        if found.as_ref() != Some(&want) {
            problems.push(format!("{pointer}: {found:?}, recorded {want:?}"));
        }
    }
    for (pointer, form) in &step.forms {
        match body.pointer(pointer) {
            Some(value) => {
                if let Err(e) = check_form(form, value, &base, vars) {
                    problems.push(format!("{pointer}: {e}"));
                }
            }
            None => problems.push(format!("{pointer}: missing")),
        }
    }
    for pointer in &step.absent {
        if body.pointer(pointer).is_some() {
            problems.push(format!("{pointer}: should be absent"));
        }
    }
    for (name, pointer) in &step.save {
        match body.pointer(pointer).and_then(Value::as_str) {
            Some(value) => {
                vars.saved.insert(name.clone(), value.to_owned());
            }
            None => problems.push(format!("{pointer}: no string to save as {name}")),
        }
    }
    if let Some(version) = version_of(&body) {
        vars.v1.get_or_insert_with(|| version.clone());
        vars.v = Some(version);
    }
    vars.prev = body;
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{what}:\n    {}", problems.join("\n    ")))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_sessions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = AppState::new(
        Store::open(dir.path()).expect("store opens"),
        Clock::default(),
        VaultSettings {
            // The recordings' vaults and HSMs keep deleted keys 7 days.
            retention_days: 7,
            ca_pem: kv_emulator::tls::TlsMaterial::load_or_create(dir.path())
                .expect("TLS material")
                .trust_pem,
            ..VaultSettings::default()
        },
    );
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/recorded");
    let mut files: Vec<_> = std::fs::read_dir(&data)
        .expect("tests/recorded")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let (mut total, mut failures, mut per_kind) = (0, Vec::new(), BTreeMap::new());
    for path in files {
        let text = std::fs::read_to_string(&path).expect("readable");
        let file: RecordingFile =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let kind = if file.host.contains(".managedhsm.") {
            "managedhsm"
        } else {
            "vault"
        };
        for (i, case) in file.cases.iter().enumerate() {
            total += 1;
            *per_kind.entry(kind).or_insert(0) += 1;
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("case");
            let mut vars = Vars {
                k: format!("{}-{i}", stem.replace('_', "-")),
                k2: format!("{}-{i}-b", stem.replace('_', "-")),
                u: uuid::Uuid::new_v4().to_string(),
                u2: uuid::Uuid::new_v4().to_string(),
                v1: None,
                v: None,
                prev: Value::Null,
                saved: BTreeMap::new(),
            };
            for step in &case.steps {
                if let Err(e) = run_step(&state, &file.host, step, &mut vars).await {
                    failures.push(format!(
                        "{} / {} ({}):\n  {e}",
                        path.file_name()
                            .and_then(|n| n.to_str())
                            .unwrap_or_default(),
                        case.name,
                        file.recording
                    ));
                    break;
                }
            }
        }
    }
    println!("{total} recorded cases: {per_kind:?}");
    assert!(
        failures.is_empty(),
        "{} of {total} recorded cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Members the live service began sending after the older recordings were made, at every
/// api-version: `attributes.key_size` on RSA and oct keys (vault RSA keys recorded in April
/// 2026 at 2025-07-01 carry it, as do the Go azkeys external-key recordings listed in
/// crates/kv-protocol/spec/README.md). An older recording without it is no reason to drop
/// it; a recording that has it still requires it. The same holds for the attributes of
/// list items (`/value/0/attributes`).
fn added_since_recorded(pointer: &str, member: &str, recorded: &BTreeSet<&str>) -> bool {
    const ADDED: &[(&str, &str)] = &[("/attributes", "key_size")];
    !recorded.contains(member)
        && ADDED
            .iter()
            .any(|(suffix, added)| pointer.ends_with(suffix) && member == *added)
}
