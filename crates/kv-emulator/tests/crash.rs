//! Crash test: `kill -9` the emulator binary during concurrent creates, restart it on the
//! same data directory, and read back every key whose create was acknowledged.

mod common;

use common::{client, start};

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_creates_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let mut running = start(dir.path());
    let http = client(dir.path());
    let acknowledged: Arc<Mutex<Vec<(String, String)>>> = Arc::default();

    let mut workers = Vec::new();
    for worker in 0..8 {
        let http = http.clone();
        let url = running.url.clone();
        let acknowledged = Arc::clone(&acknowledged);
        workers.push(tokio::spawn(async move {
            for i in 0.. {
                let name = format!("crash-{worker}-{i}");
                let kty = if i % 2 == 0 { "EC" } else { "oct-HSM" };
                let resp = http
                    .post(format!("{url}/keys/{name}/create?api-version=7.6"))
                    .bearer_auth("t")
                    .json(&serde_json::json!({"kty": kty}))
                    .send()
                    .await;
                let Ok(resp) = resp else { return };
                if resp.status() != reqwest::StatusCode::OK {
                    return;
                }
                let Ok(body) = resp.json::<Value>().await else {
                    return;
                };
                let kid = body["key"]["kid"].as_str().unwrap_or_default().to_owned();
                acknowledged.lock().unwrap().push((name, kid));
            }
        }));
    }
    // Let writes pile up, then kill the process without warning.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    running.child.kill().expect("SIGKILL");
    running.child.wait().expect("reaped");
    for w in workers {
        let _ = w.await;
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    eprintln!("{} creates acknowledged before kill -9", acknowledged.len());
    assert!(
        acknowledged.len() >= 10,
        "only {} creates were acknowledged",
        acknowledged.len()
    );

    let mut restarted = start(dir.path());
    let http = client(dir.path());
    for (name, kid) in &acknowledged {
        let version = kid.rsplit('/').next().unwrap();
        let resp = http
            .get(format!(
                "{}/keys/{name}/{version}?api-version=7.6",
                restarted.url
            ))
            .bearer_auth("t")
            .send()
            .await
            .unwrap();
        assert_eq!(
            resp.status(),
            reqwest::StatusCode::OK,
            "acknowledged key {name} lost"
        );
    }
    restarted.child.kill().unwrap();
    restarted.child.wait().unwrap();
}
