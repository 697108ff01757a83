//! A Python virtual environment under Cargo's target directory with pinned packages, for the
//! tests that run Python (the SDK interop suite of kv-emulator, the envelope decoder of
//! kv-envelope). Included by each with `#[path]`; it needs only Python 3 with venv and pip,
//! and PyPI, so a fresh machine installs everything on the first run.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `cmd` to completion and returns its stdout; panics with both outputs when it cannot
/// start or fails (`what` names it).
pub fn run(cmd: &mut Command, what: &str) -> String {
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
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The python of the venv `venv` with `requirements` installed: created (with `$PYTHON`, else
/// `python3`) and installed again only when the requirements changed since the last install.
pub fn python_env(requirements: &Path, venv: &Path) -> PathBuf {
    let wanted = std::fs::read_to_string(requirements)
        .unwrap_or_else(|e| panic!("{} is readable: {e}", requirements.display()));
    let python = venv.join("bin/python");
    let stamp = venv.join("installed-requirements.txt");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) && python.exists() {
        return python;
    }
    let system_python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    run(
        Command::new(&system_python)
            .args(["-m", "venv", "--clear"])
            .arg(venv),
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
            .arg(requirements),
        &format!("pip install -r {}", requirements.display()),
    );
    std::fs::write(&stamp, wanted).expect("venv stamp is writable");
    python
}
