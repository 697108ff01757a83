//! Shared set-up of the end-to-end tests: an in-process emulator over TLS on 127.0.0.1:0,
//! and clients that trust its CA and count the requests they send.

#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use kv_client::{CryptographyClientOptions, KeyClient, KeyClientOptions};
use kv_core::{ClientOptions, HttpClient, Request, ReqwestClient, Response, StaticTokenCredential};

/// A transport that counts the requests it sends (every try, challenge included).
#[derive(Debug)]
pub struct Counting {
    inner: ReqwestClient,
    pub count: AtomicUsize,
}

#[async_trait::async_trait]
impl HttpClient for Counting {
    async fn execute(&self, request: Request) -> kv_core::Result<Response> {
        self.count.fetch_add(1, Ordering::SeqCst);
        self.inner.execute(request).await
    }
}

pub struct Env {
    pub emulator: kv_emulator::EmulatorHandle,
    pub transport: Arc<Counting>,
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
            transport: Arc::new(Counting {
                inner,
                count: AtomicUsize::new(0),
            }),
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
        self.transport.count.load(Ordering::SeqCst)
    }
}

/// A key name unique in this process.
pub fn unique(prefix: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!("{prefix}-{}", N.fetch_add(1, Ordering::SeqCst))
}
