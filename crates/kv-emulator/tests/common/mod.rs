//! Shared by the crash tests and the JavaScript interop test: start the `kv-emulator` binary
//! on a data directory and build an HTTPS client that trusts the certificate it wrote there.
// Each test binary that includes this module uses a part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running emulator process and the URL it printed.
pub struct Running {
    pub child: Child,
    pub url: String,
}

/// Starts the binary on `dir` and waits for its listening line.
pub fn start(dir: &std::path::Path) -> Running {
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

/// A client trusting `DIR/tls/cert.pem`.
pub fn client(dir: &std::path::Path) -> reqwest::Client {
    let pem = std::fs::read(dir.join("tls/cert.pem")).expect("cert.pem");
    let mut builder = reqwest::Client::builder().timeout(Duration::from_secs(30));
    for cert in reqwest::Certificate::from_pem_bundle(&pem).expect("PEM bundle") {
        builder = builder.add_root_certificate(cert);
    }
    builder.build().expect("client")
}
