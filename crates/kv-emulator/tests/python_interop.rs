//! Runs the official Azure SDK for Python (tests/interop/python) against this crate's
//! `kv-emulator` binary, as part of `cargo test`.
//!
//! The SDK packages are installed once, pinned by `tests/interop/python/requirements.txt`,
//! into a virtual environment under Cargo's target directory, so a fresh machine needs only
//! Python 3 with pip and access to PyPI. A missing Python or a failed install fails the test:
//! interop is part of what we promise, so it is never skipped silently.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(cmd: &mut Command, what: &str) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: could not start: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The venv's python, creating the venv and installing the pinned SDKs when the
/// requirements changed since the last install.
fn python_env() -> PathBuf {
    let requirements = repo_root().join("tests/interop/python/requirements.txt");
    let wanted = std::fs::read_to_string(&requirements).expect("requirements.txt is readable");
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("python-interop-venv");
    let python = venv.join("bin/python");
    let stamp = venv.join("installed-requirements.txt");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) && python.exists() {
        return python;
    }
    let system_python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    run(
        Command::new(&system_python)
            .args(["-m", "venv", "--clear"])
            .arg(&venv),
        "python3 -m venv",
    );
    run(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(&requirements),
        "pip install -r tests/interop/python/requirements.txt",
    );
    std::fs::write(&stamp, wanted).expect("venv stamp is writable");
    python
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
