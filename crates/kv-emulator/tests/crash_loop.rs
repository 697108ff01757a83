//! Crash safety under load: ten times, `kill -9` the emulator binary at a random point of
//! a write-heavy run (creates, rotations and tag updates from eight concurrent workers),
//! then check `PRAGMA integrity_check` on the database and, after a restart, that every
//! acknowledged write is there: each acknowledged version exists and each acknowledged
//! tag update is visible (or a later one that was in flight when the process died).

mod common;

use common::{client, start};

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::StreamExt;
use serde_json::{Value, json};

const ROUNDS: u64 = 10;
const WORKERS: usize = 8;

/// What the workers were told succeeded.
#[derive(Default)]
struct Acknowledged {
    /// `(name, version)` of every acknowledged create and rotate.
    versions: Vec<(String, String)>,
    /// `(name, first version)` → the highest acknowledged and the highest attempted tag
    /// counter written to that version.
    tags: BTreeMap<(String, String), (u64, u64)>,
}

async fn send(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    body: Option<Value>,
) -> Option<Value> {
    let mut request = http.request(method, url).bearer_auth("t");
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.ok()?;
    if response.status() != reqwest::StatusCode::OK {
        return None;
    }
    response.json::<Value>().await.ok()
}

fn version_of(bundle: &Value) -> Option<String> {
    Some(
        bundle["key"]["kid"]
            .as_str()?
            .rsplit('/')
            .next()?
            .to_owned(),
    )
}

/// One worker: creates a key, then cycles through rotate, tag update and create until
/// the server goes away.
async fn worker(http: reqwest::Client, url: String, tag: String, acked: Arc<Mutex<Acknowledged>>) {
    let api = "api-version=7.6";
    let mut own: Option<(String, String)> = None;
    for i in 0u64.. {
        match (i % 3, &own) {
            (1, Some((name, _))) => {
                let Some(bundle) = send(
                    &http,
                    reqwest::Method::POST,
                    format!("{url}/keys/{name}/rotate?{api}"),
                    None,
                )
                .await
                else {
                    return;
                };
                let Some(version) = version_of(&bundle) else {
                    return;
                };
                acked.lock().unwrap().versions.push((name.clone(), version));
            }
            (2, Some((name, first))) => {
                let key = (name.clone(), first.clone());
                acked.lock().unwrap().tags.entry(key.clone()).or_default().1 = i;
                let body = json!({"tags": {"n": i.to_string()}});
                if send(
                    &http,
                    reqwest::Method::PATCH,
                    format!("{url}/keys/{name}/{first}?{api}"),
                    Some(body),
                )
                .await
                .is_none()
                {
                    return;
                }
                acked.lock().unwrap().tags.entry(key).or_default().0 = i;
            }
            _ => {
                let name = format!("{tag}-{i}");
                let kty = if i % 2 == 0 { "EC" } else { "oct-HSM" };
                let Some(bundle) = send(
                    &http,
                    reqwest::Method::POST,
                    format!("{url}/keys/{name}/create?{api}"),
                    Some(json!({"kty": kty})),
                )
                .await
                else {
                    return;
                };
                let Some(version) = version_of(&bundle) else {
                    return;
                };
                acked
                    .lock()
                    .unwrap()
                    .versions
                    .push((name.clone(), version.clone()));
                own = Some((name, version));
            }
        }
    }
}

fn integrity_ok(dir: &std::path::Path) {
    let db = rusqlite::Connection::open(dir.join("keyvault.db")).expect("database opens");
    let result: String = db
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .expect("integrity_check runs");
    assert_eq!(result, "ok");
}

/// Every acknowledged write is readable from the restarted emulator.
async fn verify(http: &reqwest::Client, url: &str, acked: &Acknowledged) {
    let api = "api-version=7.6";
    let missing: Vec<String> = futures::stream::iter(acked.versions.iter())
        .map(|(name, version)| async move {
            let found = send(
                http,
                reqwest::Method::GET,
                format!("{url}/keys/{name}/{version}?{api}"),
                None,
            )
            .await;
            found.is_none().then(|| format!("{name}/{version}"))
        })
        .buffer_unordered(16)
        .filter_map(|m| async move { m })
        .collect()
        .await;
    assert!(
        missing.is_empty(),
        "acknowledged versions lost: {missing:?}"
    );
    for ((name, version), (done, tried)) in &acked.tags {
        if *done == 0 && *tried == 0 {
            continue;
        }
        let bundle = send(
            http,
            reqwest::Method::GET,
            format!("{url}/keys/{name}/{version}?{api}"),
            None,
        )
        .await
        .expect("tagged version readable");
        let seen: u64 = bundle["tags"]["n"]
            .as_str()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        assert!(
            seen >= *done && seen <= *tried,
            "{name}: tag {seen}, acknowledged {done}, attempted {tried}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_kills_under_write_load_lose_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let acked: Arc<Mutex<Acknowledged>> = Arc::default();
    let mut seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
        | 1;
    let mut running = start(dir.path());
    let mut http = client(dir.path());
    let mut per_round = Vec::new();
    for round in 0..ROUNDS {
        let before = acked.lock().unwrap().versions.len();
        let workers: Vec<_> = (0..WORKERS)
            .map(|w| {
                tokio::spawn(worker(
                    http.clone(),
                    running.url.clone(),
                    format!("r{round}w{w}"),
                    Arc::clone(&acked),
                ))
            })
            .collect();
        // A random kill point 150 to 800 ms into the run (xorshift).
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        tokio::time::sleep(Duration::from_millis(150 + seed % 650)).await;
        running.child.kill().expect("SIGKILL");
        running.child.wait().expect("reaped");
        for w in workers {
            let _ = w.await;
        }
        integrity_ok(dir.path());
        running = start(dir.path());
        http = client(dir.path());
        let snapshot = {
            let a = acked.lock().unwrap();
            Acknowledged {
                versions: a.versions.clone(),
                tags: a.tags.clone(),
            }
        };
        per_round.push(snapshot.versions.len() - before);
        verify(&http, &running.url, &snapshot).await;
    }
    running.child.kill().unwrap();
    running.child.wait().unwrap();
    eprintln!("acknowledged versions per round before kill -9: {per_round:?}");
    assert!(
        per_round.iter().all(|n| *n > 0),
        "a round acknowledged nothing: {per_round:?}"
    );
}
