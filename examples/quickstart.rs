//! Quickstart, the README's first command: `cargo run --release --example quickstart`.
//!
//! With `AZURE_KEYVAULT_URL` set it uses that vault, signing in with the Azure identity
//! credential chain (environment service principal, workload identity, Azure CLI / azd,
//! managed identity). Otherwise it starts the built-in emulator in-process on
//! `127.0.0.1` with a temporary data directory: nothing to install, no account needed.
//!
//! It creates an RSA and an EC key, envelope-encrypts a file, signs in the vault and
//! verifies locally (counting requests to show none is made), rotates the key, decrypts
//! ciphertext made under the old version, and prints a short report. Every request goes
//! through a transport that counts it.

use std::error::Error;
use std::fs::File;
use std::future::Future;
use std::io::{BufReader, BufWriter, Read};
use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use kv_client::envelope::{DecryptingReader, EnvelopeClient, EnvelopeHeader, KeyVaultWrapper};
use kv_client::{
    CreateKeyOptions, KeyClient, KeyClientOptions, OperationLocation, StaticTokenCredential,
    TokenCredential,
};
use kv_core::{ClientOptions, HttpClient, Request, ReqwestClient, Response};
use kv_jwk::{KeyCurveName, SignatureAlgorithm};

type BoxError = Box<dyn Error + Send + Sync>;

/// Size of the sample file the quickstart encrypts.
const FILE_SIZE: usize = 32 << 20;
/// The encryption context: authenticated, not stored; decrypt must present it again.
const CONTEXT: &[u8] = b"app=quickstart;purpose=demo";

/// Writes `len` bytes of sample CSV to `path`.
fn write_sample_file(path: &std::path::Path, len: usize) -> std::io::Result<()> {
    let mut out = BufWriter::new(File::create(path)?);
    let mut written = 0usize;
    let mut row = 0u64;
    while written < len {
        let line = format!("{row},sensor-{},{:.3}\n", row % 97, (row as f64).sin());
        let take = line.len().min(len - written);
        out.write_all(&line.as_bytes()[..take])?;
        written += take;
        row += 1;
    }
    out.flush()
}

/// Copies `from` into `to` in 64 KiB chunks, adding each chunk's size to `done`.
fn copy_counting(
    from: &mut impl Read,
    to: &mut impl Write,
    done: &AtomicUsize,
) -> std::io::Result<()> {
    let mut buf = vec![0u8; 64 << 10];
    loop {
        let n = from.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        to.write_all(&buf[..n])?;
        done.fetch_add(n, Ordering::Relaxed);
    }
}

fn mib_done(done: &AtomicUsize) -> String {
    format!(
        "{:.1} / {} MiB",
        done.load(Ordering::Relaxed) as f64 / (1u64 << 20) as f64,
        FILE_SIZE >> 20
    )
}

/// A transport that counts every request it sends (each try, challenges included).
#[derive(Debug)]
struct Counting {
    inner: ReqwestClient,
    sent: AtomicUsize,
}

#[async_trait::async_trait]
impl HttpClient for Counting {
    async fn execute(&self, request: Request) -> kv_core::Result<Response> {
        self.sent.fetch_add(1, Ordering::SeqCst);
        self.inner.execute(request).await
    }
}

impl Counting {
    fn sent(&self) -> usize {
        self.sent.load(Ordering::SeqCst)
    }
}

/// The vault in use: a real one, or the emulator running in this process.
struct Vault {
    url: String,
    description: String,
    credential: Arc<dyn TokenCredential>,
    transport: Arc<Counting>,
    /// Only for the emulator: it must live as long as the vault is used.
    _emulator: Option<(kv_emulator::EmulatorHandle, tempfile::TempDir)>,
    real: bool,
}

impl Vault {
    async fn connect() -> Result<Self, BoxError> {
        if let Ok(url) = std::env::var("AZURE_KEYVAULT_URL") {
            let (credential, how) = identity::credential_chain()?;
            return Ok(Self {
                description: format!("{url} (signed in with {how})"),
                url,
                credential,
                transport: Arc::new(Counting {
                    inner: ReqwestClient::new(&[])?,
                    sent: AtomicUsize::new(0),
                }),
                _emulator: None,
                real: true,
            });
        }
        let dir = tempfile::tempdir()?;
        let emulator = kv_emulator::Emulator::builder()
            .listen("127.0.0.1:0".parse()?)
            .data_dir(dir.path())
            .start()
            .await?;
        let ca = emulator.ca_pem().as_bytes().to_vec();
        Ok(Self {
            url: emulator.url().to_owned(),
            description: format!(
                "emulator started in this process at {} (AZURE_KEYVAULT_URL is not set)",
                emulator.url()
            ),
            credential: Arc::new(StaticTokenCredential::new("emulator-accepts-any-token")),
            transport: Arc::new(Counting {
                inner: ReqwestClient::new(&[ca])?,
                sent: AtomicUsize::new(0),
            }),
            _emulator: Some((emulator, dir)),
            real: false,
        })
    }

    fn client_options(&self) -> ClientOptions {
        ClientOptions {
            // The emulator on 127.0.0.1 names https://vault.azure.net in its challenge;
            // a real vault is checked as usual.
            verify_challenge_resource: self.real,
            transport: Some(self.transport.clone()),
            ..Default::default()
        }
    }

    fn key_client(&self) -> Result<KeyClient, BoxError> {
        Ok(KeyClient::new(
            &self.url,
            self.credential.clone(),
            Some(KeyClientOptions {
                client_options: self.client_options(),
            }),
        )?)
    }
}

/// The Azure identity credential chain, tried in order until one gives a token.
mod identity {
    use std::sync::{Arc, Mutex};

    use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
    use azure_identity::{
        ClientSecretCredential, DeveloperToolsCredential, ManagedIdentityCredential,
        WorkloadIdentityCredential,
    };

    use super::BoxError;

    type Dyn = Arc<dyn TokenCredential>;

    /// Tries each credential in turn and sticks with the first that works.
    #[derive(Debug)]
    struct Chain {
        links: Vec<(&'static str, Dyn)>,
        chosen: Mutex<Option<usize>>,
    }

    impl Chain {
        async fn token(&self, scopes: &[&str]) -> azure_core::Result<AccessToken> {
            let chosen = *self.chosen.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((_, c)) = chosen.and_then(|i| self.links.get(i)) {
                return c.get_token(scopes, None).await;
            }
            let mut failures = Vec::new();
            for (i, (name, c)) in self.links.iter().enumerate() {
                match c.get_token(scopes, None).await {
                    Ok(token) => {
                        *self.chosen.lock().unwrap_or_else(|e| e.into_inner()) = Some(i);
                        eprintln!("      signed in with {name}");
                        return Ok(token);
                    }
                    Err(e) => failures.push(format!("{name}: {e}")),
                }
            }
            Err(azure_core::Error::with_message(
                azure_core::error::ErrorKind::Credential,
                format!(
                    "no credential in the chain worked ({})",
                    failures.join("; ")
                ),
            ))
        }
    }

    #[async_trait::async_trait]
    impl TokenCredential for Chain {
        async fn get_token(
            &self,
            scopes: &[&str],
            _options: Option<TokenRequestOptions<'_>>,
        ) -> azure_core::Result<AccessToken> {
            self.token(scopes).await
        }
    }

    fn var(name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }

    /// The chain for this environment, and a description of it.
    pub fn credential_chain() -> Result<(Arc<dyn kv_core::TokenCredential>, String), BoxError> {
        let mut links: Vec<(&'static str, Dyn)> = Vec::new();
        if let (Some(tenant), Some(client), Some(secret)) = (
            var("AZURE_TENANT_ID"),
            var("AZURE_CLIENT_ID"),
            var("AZURE_CLIENT_SECRET"),
        ) {
            links.push((
                "a service principal (AZURE_CLIENT_SECRET)",
                ClientSecretCredential::new(&tenant, client, secret.into(), None)?,
            ));
        }
        if var("AZURE_FEDERATED_TOKEN_FILE").is_some() {
            links.push(("workload identity", WorkloadIdentityCredential::new(None)?));
        }
        links.push((
            "the Azure CLI or Azure Developer CLI",
            DeveloperToolsCredential::new(None)?,
        ));
        links.push(("managed identity", ManagedIdentityCredential::new(None)?));
        let how = links
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", then ");
        let chain: Dyn = Arc::new(Chain {
            links,
            chosen: Mutex::new(None),
        });
        Ok((chain, how))
    }
}

/// Shows progress on stderr while `work` runs: an updating line on a terminal, a start
/// and an end line otherwise. `detail` is asked for a suffix (such as bytes done) each tick.
async fn with_progress<T>(
    what: &str,
    detail: impl Fn() -> String,
    work: impl Future<Output = T>,
) -> T {
    let tty = std::io::stderr().is_terminal();
    let start = Instant::now();
    if !tty {
        eprintln!("      {what} ...");
    }
    let mut work = std::pin::pin!(work);
    let mut tick = tokio::time::interval(Duration::from_millis(120));
    let spinner = ['|', '/', '-', '\\'];
    let mut n = 0usize;
    let out = loop {
        tokio::select! {
            out = &mut work => break out,
            _ = tick.tick() => {
                if tty && start.elapsed() > Duration::from_millis(250) {
                    eprint!("\r      {} {what} {:.1} s {}   ", spinner[n % 4], start.elapsed().as_secs_f64(), detail());
                    let _ = std::io::stderr().flush();
                    n += 1;
                }
            }
        }
    };
    if tty && n > 0 {
        eprint!("\r{:width$}\r", "", width = what.len() + 48);
    }
    out
}

/// One line of the final report.
struct Step {
    what: String,
    took: Duration,
    location: &'static str,
    requests: usize,
}

struct Report {
    steps: Vec<Step>,
    transport: Arc<Counting>,
    mark: usize,
    started: Instant,
}

impl Report {
    fn new(transport: Arc<Counting>) -> Self {
        let mark = transport.sent();
        Self {
            steps: Vec::new(),
            transport,
            mark,
            started: Instant::now(),
        }
    }

    /// Records a step that began at the last mark, printing it as it is done.
    fn done(&mut self, what: impl Into<String>, location: &'static str) {
        let now = self.transport.sent();
        let step = Step {
            what: what.into(),
            took: self.started.elapsed(),
            location,
            requests: now - self.mark,
        };
        println!(
            "      done: {} ({}, {} request{}, {:.0} ms)",
            step.what,
            step.location,
            step.requests,
            if step.requests == 1 { "" } else { "s" },
            step.took.as_secs_f64() * 1e3
        );
        self.steps.push(step);
        self.mark = now;
        self.started = Instant::now();
    }

    /// Starts timing the next step now (work since the last step was set-up, not the step).
    fn restart_clock(&mut self) {
        self.started = Instant::now();
    }

    fn print(&self) {
        println!("\nReport");
        println!(
            "  {:<58} {:>7} {:>9} {:>9}",
            "step", "where", "requests", "time"
        );
        for s in &self.steps {
            println!(
                "  {:<58} {:>7} {:>9} {:>7.0} ms",
                s.what,
                s.location,
                s.requests,
                s.took.as_secs_f64() * 1e3
            );
        }
        let total: Duration = self.steps.iter().map(|s| s.took).sum();
        let requests: usize = self.steps.iter().map(|s| s.requests).sum();
        println!(
            "  {:<58} {:>7} {:>9} {:>7.0} ms",
            "total",
            "",
            requests,
            total.as_secs_f64() * 1e3
        );
    }
}

fn where_ran(location: OperationLocation) -> &'static str {
    match location {
        OperationLocation::Local => "local",
        _ => "vault",
    }
}

fn suffix() -> Result<String, BoxError> {
    let bytes = kv_crypto_local::random_bytes(3)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            // For a person: the message and each cause, then which vault it was about.
            eprintln!("\nerror: {error}");
            let mut cause = error.source();
            while let Some(c) = cause {
                eprintln!("  caused by: {c}");
                cause = c.source();
            }
            match std::env::var("AZURE_KEYVAULT_URL") {
                Ok(url) => eprintln!("  vault: {url} (AZURE_KEYVAULT_URL)"),
                Err(_) => eprintln!("  vault: the built-in emulator"),
            }
            std::process::ExitCode::FAILURE
        }
    }
}

/// The whole quickstart (`tests/quickstart.rs` runs it in both modes).
pub async fn run() -> Result<(), BoxError> {
    println!("keyvault quickstart\n");
    let vault = with_progress("connecting", String::new, Vault::connect()).await?;
    println!("vault: {}", vault.description);
    let keys = vault.key_client()?;
    let mut report = Report::new(vault.transport.clone());
    let run = suffix()?;
    let rsa_name = format!("quickstart-rsa-{run}");
    let ec_name = format!("quickstart-ec-{run}");

    println!("\n[1/5] Create an RSA and an EC key");
    let rsa = with_progress(
        "creating RSA 3072 key",
        String::new,
        keys.create_rsa_key(
            &rsa_name,
            Some(CreateKeyOptions {
                key_size: Some(3072),
                ..Default::default()
            }),
        ),
    )
    .await?;
    report.done(format!("create RSA 3072 key {rsa_name}"), "vault");
    let ec = keys
        .create_ec_key(
            &ec_name,
            Some(CreateKeyOptions {
                curve: Some(KeyCurveName::P256),
                ..Default::default()
            }),
        )
        .await?;
    report.done(format!("create EC P-256 key {ec_name}"), "vault");
    let first_rsa_id = rsa.properties.id.to_string();
    println!("      RSA key id: {first_rsa_id}");
    println!("      EC key id:  {}", ec.properties.id);

    println!("\n[2/5] Envelope-encrypt a file under the RSA key");
    // A fresh AES-256 data key per file, wrapped with RSA-OAEP-256 locally with the public
    // key (fetched once); the file in 64 KiB AES-256-GCM segments, streamed.
    let work = tempfile::tempdir()?;
    let plain_path = work.path().join("report.csv");
    let sealed_path = work.path().join("report.csv.kven");
    write_sample_file(&plain_path, FILE_SIZE)?;
    report.restart_clock();
    let envelopes = EnvelopeClient::new(KeyVaultWrapper::new(&keys, &rsa_name)?, None)?;
    let encryptor = envelopes.encryptor(CONTEXT).await?;
    let done = Arc::new(AtomicUsize::new(0));
    let job = {
        let (from, to, done) = (plain_path.clone(), sealed_path.clone(), done.clone());
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            let mut writer = encryptor.into_writer(BufWriter::new(File::create(to)?));
            copy_counting(&mut File::open(from)?, &mut writer, &done)?;
            writer.finish()?;
            Ok(())
        })
    };
    with_progress("encrypting", || mib_done(&done), job).await??;
    let sealed_len = std::fs::metadata(&sealed_path)?.len();
    report.done(
        format!("envelope-encrypt a {} MiB file", FILE_SIZE >> 20),
        "local",
    );
    println!(
        "      {} -> {} bytes (header with the key id, 64 KiB segments)",
        FILE_SIZE, sealed_len
    );

    println!("\n[3/5] Sign in the vault, verify locally");
    let crypto_ec = keys.get_cryptography_client(&ec_name, None)?;
    let message = b"quickstart: a message to sign";
    let signed = crypto_ec
        .sign_data(SignatureAlgorithm::Es256, message)
        .await?;
    report.done(
        "sign ES256 (the private key never leaves the vault)",
        where_ran(signed.location),
    );
    let before = vault.transport.sent();
    let verified = crypto_ec
        .verify_data(SignatureAlgorithm::Es256, message, &signed.signature)
        .await?;
    let during = vault.transport.sent() - before;
    if !verified.is_valid {
        return Err("the signature did not verify".into());
    }
    report.done(
        "verify ES256 with the cached public key",
        where_ran(verified.location),
    );
    println!(
        "      the signature is valid; the verify ran {} and sent {during} requests",
        if verified.location == OperationLocation::Local {
            "locally"
        } else {
            "in the vault"
        }
    );
    let tampered = crypto_ec
        .verify_data(
            SignatureAlgorithm::Es256,
            b"another message",
            &signed.signature,
        )
        .await?;
    report.done(
        "verify a tampered message (rejected)",
        where_ran(tampered.location),
    );
    if tampered.is_valid {
        return Err("a tampered message verified".into());
    }

    println!("\n[4/5] Rotate the RSA key");
    let rotated = keys.rotate_key(&rsa_name).await?;
    report.done("rotate the RSA key to a new version", "vault");
    println!("      new version: {}", rotated.properties.id);

    println!("\n[5/5] Decrypt the file encrypted under the old version");
    // The header names the full key id with its version: the wrapper unwraps the data key
    // with that version (in the vault: the private key never leaves it).
    let mut sealed = BufReader::new(File::open(&sealed_path)?);
    let header = EnvelopeHeader::read_from(&mut sealed)?;
    println!("      the file names key {}", header.key_id());
    let opener = envelopes.opener(&header, Some(CONTEXT), sealed_len).await?;
    let done = Arc::new(AtomicUsize::new(0));
    let job = {
        let (plain, done) = (plain_path.clone(), done.clone());
        tokio::task::spawn_blocking(move || -> std::io::Result<bool> {
            let mut reader = DecryptingReader::new(opener, sealed);
            let mut decrypted = Vec::new();
            copy_counting(&mut reader, &mut decrypted, &done)?;
            Ok(decrypted == std::fs::read(plain)?)
        })
    };
    if !with_progress("decrypting", || mib_done(&done), job).await?? {
        return Err("the decrypted file differs from the original".into());
    }
    report.done(
        "decrypt the file (data key unwrapped by the old version)",
        "vault",
    );
    // Rewrap: move the data key to the newest version by rewriting only the header.
    envelopes.wrapper().refresh()?;
    let new_header = envelopes.rewrap_header(&header).await?;
    let (moved, _) = EnvelopeHeader::parse(&new_header)?;
    report.done("rewrap the file's data key to the new version", "vault");
    println!("      rewrapped header names {}", moved.key_id());

    if vault.real {
        for name in [&rsa_name, &ec_name] {
            keys.delete_key(name, None).await?;
        }
        report.done("delete both keys (soft delete: recoverable)", "vault");
    }
    report.print();
    Ok(())
}
