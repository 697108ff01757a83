//! Shared set-up of the end-to-end tests: an in-process emulator over TLS on 127.0.0.1:0,
//! and clients that trust its CA and count the requests they send.

#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use kv_client::envelope::EnvelopeHeader;
use kv_client::{CreateKeyOptions, CryptographyClientOptions, KeyClient, KeyClientOptions};
use kv_core::test_util::FakeTransport;
use kv_core::{ClientOptions, ReqwestClient, StaticTokenCredential};
use kv_jwk::KeyWrapAlgorithm;

pub struct Env {
    pub emulator: kv_emulator::EmulatorHandle,
    /// The real transport behind a recording fake, which counts every try.
    pub transport: Arc<FakeTransport>,
    _dir: tempfile::TempDir,
}

impl Env {
    pub async fn start() -> Self {
        Self::start_with(|b| b).await
    }

    /// Starts the emulator with extra builder settings.
    pub async fn start_with(
        configure: impl FnOnce(kv_emulator::EmulatorBuilder) -> kv_emulator::EmulatorBuilder,
    ) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let builder = kv_emulator::Emulator::builder()
            .listen("127.0.0.1:0".parse().expect("address"))
            .data_dir(dir.path());
        let emulator = configure(builder).start().await.expect("emulator starts");
        let inner = ReqwestClient::new(&[emulator.ca_pem().as_bytes().to_vec()]).expect("client");
        Self {
            emulator,
            transport: Arc::new(FakeTransport::forward(Arc::new(inner))),
            _dir: dir,
        }
    }

    pub fn client_options(&self) -> ClientOptions {
        ClientOptions {
            // The emulator at 127.0.0.1 names https://vault.azure.net in its challenge.
            verify_challenge_resource: false,
            transport: Some(self.transport.clone()),
            ..Default::default()
        }
    }

    pub fn credential(&self) -> Arc<StaticTokenCredential> {
        Arc::new(StaticTokenCredential::new("emulator-token"))
    }

    pub fn key_client(&self) -> KeyClient {
        KeyClient::new(
            self.emulator.url(),
            self.credential(),
            Some(KeyClientOptions {
                client_options: self.client_options(),
            }),
        )
        .expect("key client")
    }

    pub fn crypto_options(&self) -> CryptographyClientOptions {
        CryptographyClientOptions {
            client_options: self.client_options(),
            ..Default::default()
        }
    }

    pub fn requests(&self) -> usize {
        self.transport.tries()
    }
}

/// A key name unique in this process.
pub fn unique(prefix: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!("{prefix}-{}", N.fetch_add(1, Ordering::SeqCst))
}

/// Create options naming only the key's size (RSA modulus or oct key bits).
pub fn key_size(bits: u32) -> Option<CreateKeyOptions> {
    Some(CreateKeyOptions {
        key_size: Some(bits),
        ..Default::default()
    })
}

/// Create options for an HSM-protected oct key (`oct-HSM`) of `bits`.
pub fn oct_hsm(bits: u32) -> Option<CreateKeyOptions> {
    Some(CreateKeyOptions {
        hardware_protected: true,
        key_size: Some(bits),
        ..Default::default()
    })
}

/// The wrap algorithm of each key section of `envelope`, in order.
pub fn wrap_algorithms(envelope: &[u8]) -> Vec<KeyWrapAlgorithm> {
    let (header, _) = EnvelopeHeader::parse(envelope).expect("an envelope header");
    header
        .key_sections()
        .iter()
        .map(|s| s.algorithm.clone())
        .collect()
}
