//! `--throttle`: the published limits answer 429 `Throttled` with `Retry-After` at the
//! published rate, and our client's retry policy carries 1,000 operations through a cap
//! without surfacing an error.

use std::sync::Arc;
use std::time::Duration;

use kv_emulator::Emulator;
use kv_emulator::throttle::ThrottleSpec;
use serde_json::{Value, json};

fn http(ca_pem: &str, addr: std::net::SocketAddr, vaults: &[&str]) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem.as_bytes()).unwrap())
        .timeout(Duration::from_secs(30));
    for vault in vaults {
        builder = builder.resolve(vault, addr);
    }
    builder.build().unwrap()
}

async fn create(
    http: &reqwest::Client,
    vault: &str,
    port: u16,
    name: &str,
    kty: &str,
) -> reqwest::Response {
    http.post(format!(
        "https://{vault}:{port}/keys/{name}/create?api-version=7.6"
    ))
    .bearer_auth("t")
    .json(&json!({"kty": kty}))
    .send()
    .await
    .unwrap()
}

#[tokio::test]
async fn published_create_limits_per_vault() {
    let dir = tempfile::tempdir().unwrap();
    let emulator = Emulator::builder()
        .data_dir(dir.path())
        .throttle(ThrottleSpec::ServiceLimits)
        .start()
        .await
        .unwrap();
    let soft = "soft.vault.localhost";
    let hsm = "hsm.vault.localhost";
    let port = emulator.addr().port();
    let http = http(emulator.ca_pem(), emulator.addr(), &[soft, hsm]);

    // Software keys: 20 creates per 10 seconds, then 429.
    for i in 0..20 {
        let resp = create(&http, soft, port, &format!("s{i}"), "EC").await;
        assert_eq!(resp.status(), 200, "create {i}");
    }
    let refused = create(&http, soft, port, "s20", "EC").await;
    assert_eq!(refused.status(), 429);
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=10).contains(&retry_after), "{retry_after}");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "Throttled");
    assert_eq!(
        body["error"]["message"],
        "Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached"
    );

    // Another vault has its own budget; HSM keys: 10 creates per 10 seconds.
    for i in 0..10 {
        let resp = create(&http, hsm, port, &format!("h{i}"), "EC-HSM").await;
        assert_eq!(resp.status(), 200, "create {i}");
    }
    assert_eq!(
        create(&http, hsm, port, "h10", "EC-HSM").await.status(),
        429
    );
    // The health check is never throttled.
    let health = http
        .get(format!("https://{hsm}:{port}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(emulator.throttle().unwrap().refused(), 2);
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_client_completes_a_thousand_operations_through_a_cap() {
    let dir = tempfile::tempdir().unwrap();
    let emulator = Emulator::builder()
        .data_dir(dir.path())
        .throttle("200/1s".parse().unwrap())
        .start()
        .await
        .unwrap();
    let transport = kv_core::ReqwestClient::new(&[emulator.ca_pem().as_bytes().to_vec()]).unwrap();
    let client = kv_client::KeyClient::new(
        emulator.url(),
        Arc::new(kv_core::StaticTokenCredential::new("t")),
        Some(kv_client::KeyClientOptions {
            client_options: kv_core::ClientOptions {
                verify_challenge_resource: false,
                transport: Some(Arc::new(transport)),
                ..Default::default()
            },
        }),
    )
    .unwrap();
    client.create_ec_key("throttled", None).await.unwrap();

    // 1,000 reads from 8 workers against 200 requests a second: about five windows, and
    // each refused read is retried after the Retry-After the emulator sent.
    let mut workers = Vec::new();
    for _ in 0..8 {
        let client = client.clone();
        workers.push(tokio::spawn(async move {
            for _ in 0..125 {
                client.get_key("throttled", None).await?;
            }
            Ok::<_, kv_client::Error>(())
        }));
    }
    for worker in workers {
        worker.await.unwrap().unwrap();
    }
    let refused = emulator.throttle().unwrap().refused();
    assert!(refused > 0, "the cap was reached");
    emulator.shutdown().await;
}
