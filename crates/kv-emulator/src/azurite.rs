//! Test support: a private Azurite blob service (the Azure Storage emulator) for backup
//! and restore tests.
//!
//! [`Azurite::start`] installs the npm package `azurite` (pinned to [`AZURITE_VERSION`]:
//! 3.36 and later need a newer Node than 20) under a prefix directory the first time,
//! guarding concurrent installs with a lock file, then runs `azurite-blob` on
//! `127.0.0.1` with port 0 (Azurite reports the port it bound), a fresh `--location`
//! directory, `--skipApiVersionCheck --loose --disableTelemetry`. The process is killed
//! and its directory removed on drop. Setting `AZURITE_BLOB` to an `azurite-blob`
//! executable skips the install.
//!
//! Containers are created with an account SAS and handed out with a container SAS, both
//! signed with the well-known development key (see [`crate::blob::sas`]); URLs are
//! path-style, `http://127.0.0.1:PORT/devstoreaccount1/CONTAINER`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::blob::sas::{DEV_ACCOUNT, DEV_ACCOUNT_KEY, account_sas, container_sas};

/// The Azurite release installed.
pub const AZURITE_VERSION: &str = "3.35.0";

/// Expiry of the SAS tokens handed out.
const SAS_EXPIRY: &str = "2099-01-01T00:00:00Z";

/// How long an install or a start may take.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(600);
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Why Azurite could not be installed, started or used.
#[derive(Debug, thiserror::Error)]
#[error("azurite: {0}")]
pub struct AzuriteError(String);

/// A container and a SAS token for it.
#[derive(Clone, Debug)]
pub struct ContainerAccess {
    /// `http://127.0.0.1:PORT/devstoreaccount1/NAME`.
    pub url: String,
    /// A container SAS (`sp=racwdl`), without a leading `?`.
    pub sas: String,
}

/// A running Azurite blob service; killed on drop.
#[derive(Debug)]
pub struct Azurite {
    child: Child,
    port: u16,
    location: PathBuf,
}

/// The `azurite-blob` executable under npm prefix `prefix`, installing it once.
///
/// # Errors
/// When npm fails or another installer holds the lock for too long.
pub fn ensure_installed(prefix: &Path) -> Result<PathBuf, AzuriteError> {
    if let Ok(explicit) = std::env::var("AZURITE_BLOB") {
        return Ok(PathBuf::from(explicit));
    }
    let bin = prefix.join("node_modules/.bin/azurite-blob");
    let stamp = prefix.join(format!(".installed-{AZURITE_VERSION}"));
    if bin.exists() && stamp.exists() {
        return Ok(bin);
    }
    std::fs::create_dir_all(prefix)
        .map_err(|e| AzuriteError(format!("{}: {e}", prefix.display())))?;
    let lock = prefix.join(".install.lock");
    let deadline = Instant::now() + INSTALL_TIMEOUT;
    loop {
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&lock)
        {
            Ok(_) => break,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                if stamp.exists() && bin.exists() {
                    return Ok(bin);
                }
                if Instant::now() > deadline {
                    return Err(AzuriteError(format!(
                        "timed out waiting for {} (remove it if no install is running)",
                        lock.display()
                    )));
                }
                std::thread::sleep(Duration::from_millis(250));
            }
            Err(e) => return Err(AzuriteError(format!("{}: {e}", lock.display()))),
        }
    }
    let result = if stamp.exists() && bin.exists() {
        Ok(())
    } else {
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(prefix)
            .arg(format!("azurite@{AZURITE_VERSION}"))
            .output()
            .map_err(|e| AzuriteError(format!("cannot run npm: {e}")))
            .and_then(|out| {
                if out.status.success() {
                    std::fs::write(&stamp, AZURITE_VERSION)
                        .map_err(|e| AzuriteError(format!("{}: {e}", stamp.display())))
                } else {
                    Err(AzuriteError(format!(
                        "npm install azurite@{AZURITE_VERSION} failed: {}",
                        String::from_utf8_lossy(&out.stderr)
                    )))
                }
            })
    };
    let _ = std::fs::remove_file(&lock);
    result.map(|()| bin)
}

impl Azurite {
    /// Installs Azurite under npm prefix `prefix` if needed and starts a blob service.
    ///
    /// # Errors
    /// When the install fails or the service does not report listening in time.
    pub fn start(prefix: &Path) -> Result<Self, AzuriteError> {
        let bin = ensure_installed(prefix)?;
        let location = std::env::temp_dir().join(format!(
            "azurite-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&location)
            .map_err(|e| AzuriteError(format!("{}: {e}", location.display())))?;
        let mut child = Command::new(&bin)
            .args(["--blobHost", "127.0.0.1", "--blobPort", "0", "--location"])
            .arg(&location)
            .args(["--skipApiVersionCheck", "--loose", "--disableTelemetry"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| AzuriteError(format!("cannot start {}: {e}", bin.display())))?;
        let Some(stdout) = child.stdout.take() else {
            let _ = child.kill();
            return Err(AzuriteError("no stdout".into()));
        };
        let (tx, rx) = mpsc::channel();
        // Reads the start line, then keeps draining so Azurite never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if !sent && let Some(port) = listening_port(&line) {
                    let _ = tx.send(port);
                    sent = true;
                }
            }
        });
        match rx.recv_timeout(START_TIMEOUT) {
            Ok(port) => Ok(Self {
                child,
                port,
                location,
            }),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                let _ = std::fs::remove_dir_all(&location);
                Err(AzuriteError("azurite-blob did not report listening".into()))
            }
        }
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT/devstoreaccount1`.
    pub fn account_url(&self) -> String {
        format!("http://127.0.0.1:{}/{DEV_ACCOUNT}", self.port)
    }

    /// Creates container `name` (an existing one is fine) and returns it with a
    /// container SAS allowing read, add, create, write, delete and list.
    ///
    /// # Errors
    /// When Azurite refuses or cannot be reached.
    pub async fn create_container(&self, name: &str) -> Result<ContainerAccess, AzuriteError> {
        let err = |e: &dyn std::fmt::Display| AzuriteError(e.to_string());
        let account = account_sas(DEV_ACCOUNT, DEV_ACCOUNT_KEY, SAS_EXPIRY).map_err(|e| err(&e))?;
        let url = format!("{}/{name}", self.account_url());
        let response = reqwest::Client::new()
            .put(format!("{url}?restype=container&{account}"))
            .header("x-ms-version", crate::blob::BLOB_API_VERSION)
            .header("content-length", "0")
            .send()
            .await
            .map_err(|e| err(&e.without_url()))?;
        let status = response.status().as_u16();
        if status != 201 && status != 409 {
            return Err(AzuriteError(format!("create container answered {status}")));
        }
        let sas = container_sas(DEV_ACCOUNT, DEV_ACCOUNT_KEY, name, "racwdl", SAS_EXPIRY)
            .map_err(|e| err(&e))?;
        Ok(ContainerAccess { url, sas })
    }
}

fn listening_port(line: &str) -> Option<u16> {
    let rest = line.split("successfully listens on http://").nth(1)?;
    rest.trim()
        .rsplit(':')
        .next()?
        .trim_end_matches('/')
        .parse()
        .ok()
}

impl Drop for Azurite {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.location);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_line() {
        assert_eq!(
            listening_port("Azurite Blob service successfully listens on http://127.0.0.1:33869"),
            Some(33869)
        );
        assert_eq!(
            listening_port("Azurite Blob service is starting on 127.0.0.1:0"),
            None
        );
    }
}
