//! Runs the official Azure SDK for JavaScript (`@azure/keyvault-keys`, tests/interop/js)
//! against this crate's `kv-emulator` binary, as part of `cargo test`, once as a vault and
//! once as a Managed HSM.
//!
//! The packages are installed with `npm ci` from `tests/interop/js/package-lock.json` (every
//! version pinned) into a folder under Cargo's target directory, again only when the lock
//! file changed, so a fresh machine needs only Node 20 with npm and the npm registry. A
//! missing Node or a failed install fails the test: interop is part of what we promise, so it
//! is never skipped silently.

mod common;
// The interop tests' command runner (shared with the Python ones).
#[path = "../../../tests/common/python_venv.rs"]
mod python_venv;

use std::path::{Path, PathBuf};
use std::process::Command;

fn js_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop/js")
}

/// The folder with the pinned packages installed and the test modules copied in (Node
/// resolves packages from the importing file's folder up).
fn installed() -> PathBuf {
    let source = js_dir();
    let dest = Path::new(env!("CARGO_TARGET_TMPDIR")).join("js-interop");
    std::fs::create_dir_all(&dest).expect("js-interop folder");
    let lock =
        std::fs::read_to_string(source.join("package-lock.json")).expect("package-lock.json");
    let stamp = dest.join("installed-lock.json");
    let current = std::fs::read_to_string(&stamp).ok().as_deref() == Some(lock.as_str())
        && dest.join("node_modules").exists();
    if !current {
        for file in ["package.json", "package-lock.json"] {
            std::fs::copy(source.join(file), dest.join(file)).expect("copy package files");
        }
        python_venv::run(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(&dest),
            "npm ci (tests/interop/js)",
        );
        std::fs::write(&stamp, &lock).expect("install stamp");
    }
    for entry in std::fs::read_dir(&source).expect("tests/interop/js") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "mjs") {
            std::fs::copy(&path, dest.join(path.file_name().expect("name"))).expect("copy test");
        }
    }
    dest
}

#[test]
fn official_js_sdk_against_the_emulator() {
    let dir = installed();
    let data = tempfile::tempdir().expect("data dir");
    let mut emulator = common::start(data.path());
    let port = emulator
        .url
        .rsplit(':')
        .next()
        .expect("port in the listening URL")
        .to_owned();
    let mut failures = Vec::new();
    for personality in ["vault", "managedhsm"] {
        let out = Command::new("node")
            .args(["--test", "--test-reporter=spec", "keys.test.mjs"])
            .current_dir(&dir)
            .env("KV_EMULATOR_PORT", &port)
            .env("KV_PERSONALITY", personality)
            .env("NODE_EXTRA_CA_CERTS", data.path().join("tls/cert.pem"))
            .output()
            .expect("node starts (Node 20 needed)");
        let stdout = String::from_utf8_lossy(&out.stdout);
        println!("[{personality}]\n{stdout}");
        if !out.status.success() {
            failures.push(format!(
                "as a {personality} ({}):\n{stdout}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    emulator.child.kill().ok();
    emulator.child.wait().ok();
    assert!(
        failures.is_empty(),
        "the official JavaScript SDK failed against the emulator {}",
        failures.join("\n")
    );
}
