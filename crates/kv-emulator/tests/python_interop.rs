//! Runs the official Azure SDK for Python (tests/interop/python) against this crate's
//! `kv-emulator` binary, as part of `cargo test`.
//!
//! The SDK packages are installed once, pinned by `tests/interop/python/requirements.txt`,
//! into a virtual environment under Cargo's target directory, so a fresh machine needs only
//! Python 3 with pip and access to PyPI. A missing Python or a failed install fails the test:
//! interop is part of what we promise, so it is never skipped silently.

#[path = "../../../tests/common/python_venv.rs"]
mod python_venv;

use std::{
    path::{Path, PathBuf},
    process::Command,
};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The venv's python with the pinned SDKs installed (again when the pins changed).
fn python_env() -> PathBuf {
    python_venv::python_env(
        &repo_root().join("tests/interop/python/requirements.txt"),
        &Path::new(env!("CARGO_TARGET_TMPDIR")).join("python-interop-venv"),
    )
}

/// Azurite for the backup tests (installed under the target directory on first use) and
/// one container with a SAS token for it.
fn azurite() -> (
    kv_emulator::azurite::Azurite,
    kv_emulator::azurite::ContainerAccess,
) {
    let prefix = Path::new(env!("CARGO_TARGET_TMPDIR")).join("azurite");
    let azurite = kv_emulator::azurite::Azurite::start(&prefix)
        .expect("Azurite installs and starts (needs node and npm)");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let container = runtime
        .block_on(azurite.create_container("python-backups"))
        .expect("container created");
    (azurite, container)
}

/// The key modules run a second time against the Managed HSM personality
/// (`KV_PERSONALITY=managedhsm`); the administration modules always talk to the HSM.
const KEY_MODULES: &[&str] = &[
    "test_keyvault_interop.py",
    "test_keys_edge.py",
    "test_crypto_edge.py",
    "test_keys_async.py",
];

fn pytest(
    python: &Path,
    container: &kv_emulator::azurite::ContainerAccess,
    personality: &str,
    modules: &[&str],
) {
    let tests = repo_root().join("tests/interop/python");
    let mut cmd = Command::new(python);
    cmd.args(["-m", "pytest", "-q", "-p", "no:cacheprovider"]);
    if modules.is_empty() {
        cmd.arg(&tests);
    } else {
        cmd.args(modules.iter().map(|m| tests.join(m)));
    }
    let out = cmd
        .current_dir(&tests)
        .env("KV_EMULATOR_BIN", env!("CARGO_BIN_EXE_kv-emulator"))
        .env("KV_PERSONALITY", personality)
        .env("AZURITE_CONTAINER_URL", &container.url)
        .env("AZURITE_SAS", &container.sas)
        .output()
        .expect("pytest starts");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("[{personality}] {stdout}");
    assert!(
        out.status.success(),
        "the official Python SDK failed against the emulator as a {personality} ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn official_python_sdk_against_the_emulator() {
    let python = python_env();
    let (_azurite, container) = azurite();
    // Everything with the key tests on a vault, then the key tests on a Managed HSM.
    pytest(&python, &container, "vault", &[]);
    pytest(&python, &container, "managedhsm", KEY_MODULES);
}
