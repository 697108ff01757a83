//! Logs captured at TRACE for a whole workflow contain no token and no key material.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use kv_client::{CreateKeyOptions, CryptographyClient, DecryptOptions, EncryptOptions};
use kv_jwk::{EncryptionAlgorithm, KeyWrapAlgorithm, SignatureAlgorithm};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn trace_logs_hold_no_secrets() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut secrets: Vec<String> = vec!["emulator-token".into()];
    runtime.block_on(async {
        let env = support::Env::start().await;
        let kc = env.key_client();
        let oct = kv_crypto_local::generate_oct(256).unwrap();
        secrets.push(kv_jwk::base64url::encode(
            oct.k.as_ref().unwrap().expose_secret(),
        ));
        let imported = kc
            .import_key(&support::unique("imp"), &oct, None)
            .await
            .unwrap();
        let local = CryptographyClient::from_jwk(oct).unwrap();
        let remote = kc.get_cryptography_client(imported.name(), None).unwrap();
        let plaintext = b"TOP-SECRET-PLAINTEXT-0001";
        secrets.push(String::from_utf8_lossy(plaintext).into_owned());
        secrets.push(kv_jwk::base64url::encode(plaintext));
        let aad = Some(EncryptOptions {
            aad: Some(b"ctx".to_vec()),
            ..Default::default()
        });
        let e = local
            .encrypt(EncryptionAlgorithm::A256Gcm, plaintext, aad)
            .await
            .unwrap();
        let d = remote
            .decrypt(
                EncryptionAlgorithm::A256Gcm,
                &e.ciphertext,
                Some(DecryptOptions {
                    iv: e.iv,
                    tag: e.tag,
                    aad: e.aad,
                }),
            )
            .await
            .unwrap();
        assert_eq!(&*d.plaintext, plaintext);
        let data_key = [0x5au8; 32];
        secrets.push(kv_jwk::base64url::encode(&data_key));
        let w = remote
            .wrap_key(KeyWrapAlgorithm::A256Kw, &data_key)
            .await
            .unwrap();
        let u = local
            .unwrap_key(KeyWrapAlgorithm::A256Kw, &w.encrypted_key)
            .await
            .unwrap();
        assert_eq!(&*u.key, &data_key);

        let ec = kc
            .create_ec_key(&support::unique("ec"), Some(CreateKeyOptions::default()))
            .await
            .unwrap();
        let c = kc.get_cryptography_client(ec.name(), None).unwrap();
        let s = c.sign_data(SignatureAlgorithm::Es256, b"m").await.unwrap();
        assert!(
            c.verify_data(SignatureAlgorithm::Es256, b"m", &s.signature)
                .await
                .unwrap()
                .is_valid
        );
        let random = kc.get_random_bytes(32).await.unwrap();
        secrets.push(kv_jwk::base64url::encode(&random));
        // Debug output of the results is redacted too.
        tracing::trace!(?d, ?u, "results");
    });
    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("keyvault"),
        "the workflow logged nothing?\n{logs}"
    );
    for secret in &secrets {
        assert!(
            !logs.contains(secret.as_str()),
            "secret found in logs: {secret}"
        );
    }
}
