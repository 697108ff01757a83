//! `--tls-san`: an extra name in the generated certificate is verified by reqwest under that
//! name, and changing the names re-issues the certificate from the CA clients already trust.

use std::time::Duration;

use kv_emulator::Emulator;

/// A client that trusts only the CA (not the leaf) and resolves `name` to `addr`.
fn client(ca_pem: &str, name: &str, addr: std::net::SocketAddr) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(ca_pem.as_bytes()).unwrap()])
        .resolve(name, addr)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

async fn list_keys(
    http: &reqwest::Client,
    url: &str,
) -> Result<reqwest::StatusCode, reqwest::Error> {
    http.get(format!("{url}/keys?api-version=7.6"))
        .bearer_auth("t")
        .send()
        .await
        .map(|r| r.status())
}

#[tokio::test]
async fn extra_name_is_served_and_the_ca_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let first = Emulator::builder()
        .data_dir(dir.path())
        .start()
        .await
        .unwrap();
    let ca = first.ca_pem().to_owned();
    let port = first.addr().port();
    // The default set has no `keyvault` (a container's name): refused.
    let http = client(&ca, "keyvault", first.addr());
    assert!(
        list_keys(&http, &format!("https://keyvault:{port}"))
            .await
            .is_err()
    );
    first.shutdown().await;

    let second = Emulator::builder()
        .data_dir(dir.path())
        .tls_san("keyvault")
        .start()
        .await
        .unwrap();
    assert_eq!(second.ca_pem(), ca, "the CA clients trust is unchanged");
    let port = second.addr().port();
    let http = client(&ca, "keyvault", second.addr());
    assert_eq!(
        list_keys(&http, &format!("https://keyvault:{port}"))
            .await
            .unwrap(),
        reqwest::StatusCode::OK
    );
    // The default names still work with the re-issued certificate.
    let http = client(&ca, "myvault.managedhsm.localhost", second.addr());
    assert_eq!(
        list_keys(
            &http,
            &format!("https://myvault.managedhsm.localhost:{port}")
        )
        .await
        .unwrap(),
        reqwest::StatusCode::OK
    );
    // A name outside the set is still refused.
    let http = client(&ca, "elsewhere", second.addr());
    assert!(
        list_keys(&http, &format!("https://elsewhere:{port}"))
            .await
            .is_err()
    );
    second.shutdown().await;
}
