//! Crash test: `kill -9` the emulator binary during concurrent creates, restart it on the
//! same data directory, and read back every key whose create was acknowledged.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

struct Running {
    child: Child,
    url: String,
}

fn start(dir: &std::path::Path) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kv-emulator"))
        .args(["--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("emulator binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("listening line");
    let url = line
        .trim()
        .strip_prefix("kv-emulator listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    Running { child, url }
}

fn client(dir: &std::path::Path) -> reqwest::Client {
    let pem = std::fs::read(dir.join("tls/cert.pem")).expect("cert.pem");
    let mut builder = reqwest::Client::builder().timeout(Duration::from_secs(30));
    for cert in reqwest::Certificate::from_pem_bundle(&pem).expect("PEM bundle") {
        builder = builder.add_root_certificate(cert);
    }
    builder.build().expect("client")
}

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
