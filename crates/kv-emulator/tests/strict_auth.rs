//! `--auth strict` end to end over TLS: a token from the client-credentials endpoint, and
//! our client with an issued token (accepted) or any other token (refused, not retried).

use std::sync::Arc;

use kv_emulator::Emulator;
use kv_emulator::oauth::AuthMode;

const TENANT: &str = kv_emulator::config::DEFAULT_TENANT;

fn key_client(emulator: &kv_emulator::EmulatorHandle, token: String) -> kv_client::KeyClient {
    let transport = kv_core::ReqwestClient::new(&[emulator.ca_pem().as_bytes().to_vec()]).unwrap();
    kv_client::KeyClient::new(
        emulator.url(),
        Arc::new(kv_core::StaticTokenCredential::new(token)),
        Some(kv_client::KeyClientOptions {
            client_options: kv_core::ClientOptions {
                verify_challenge_resource: false,
                transport: Some(Arc::new(transport)),
                ..Default::default()
            },
        }),
    )
    .unwrap()
}

#[tokio::test]
async fn tokens_from_the_endpoint_and_the_handle_work_others_do_not() {
    let dir = tempfile::tempdir().unwrap();
    let emulator = Emulator::builder()
        .data_dir(dir.path())
        .auth(AuthMode::Strict)
        .start()
        .await
        .unwrap();
    let http = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(emulator.ca_pem().as_bytes()).unwrap())
        .build()
        .unwrap();
    // Client credentials, as an application would get them from Entra ID.
    let answer: serde_json::Value = http
        .post(format!("{}/{TENANT}/oauth2/v2.0/token", emulator.url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            "grant_type=client_credentials&client_id=my-app&client_secret=anything\
             &scope=https%3A%2F%2Fvault.azure.net%2F.default",
        )
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = answer["access_token"].as_str().unwrap().to_owned();
    let client = key_client(&emulator, token);
    client.create_ec_key("strict-ec", None).await.unwrap();

    let issued = emulator
        .issue_token("another-app", "https://vault.azure.net")
        .unwrap();
    key_client(&emulator, issued)
        .get_key("strict-ec", None)
        .await
        .unwrap();

    let refused = key_client(&emulator, "any-token".into())
        .get_key("strict-ec", None)
        .await
        .unwrap_err();
    assert_eq!(refused.status().map(|s| s.as_u16()), Some(401), "{refused}");
    emulator.shutdown().await;
}
