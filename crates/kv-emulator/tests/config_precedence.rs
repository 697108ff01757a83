//! The binary's settings come from the command line, then `KV_EMULATOR_*` environment
//! variables, then the `--config` TOML file, then the defaults. The listening address is
//! what each case sets, because the binary prints it (three loopback addresses tell the
//! sources apart).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs the binary with `args` and `env`, returns the address it listens on (or its
/// error output when it exits instead).
fn listening(args: &[&str], env: &[(&str, &str)]) -> Result<String, String> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kv-emulator"));
    command
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, _) in std::env::vars() {
        if name.starts_with("KV_EMULATOR_") {
            command.env_remove(name);
        }
    }
    command.envs(env.iter().copied());
    let mut child = command.spawn().expect("binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read stdout");
    let _ = child.kill();
    let output = child.wait_with_output().expect("wait");
    match line
        .trim()
        .strip_prefix("kv-emulator listening on https://")
    {
        Some(addr) => Ok(addr.rsplit_once(':').expect("port").0.to_owned()),
        None => Err(String::from_utf8_lossy(&output.stderr).into_owned()),
    }
}

fn write_config(dir: &Path, text: &str) -> String {
    let path = dir.join("emulator.toml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn command_line_over_environment_over_file_over_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = write_config(
        dir.path(),
        &format!(
            "listen = \"127.0.0.3:0\"\ndata-dir = {:?}\nretention-days = 7\nrbac = true\nrbac-admin = [\"a\", \"b\"]\n",
            data.display().to_string()
        ),
    );
    // The file alone (and it set the data directory: the TLS material is written there).
    assert_eq!(listening(&["--config", &config], &[]).unwrap(), "127.0.0.3");
    assert!(data.join("tls/cert.pem").exists());
    // The file named by the environment.
    assert_eq!(
        listening(&[], &[("KV_EMULATOR_CONFIG", &config)]).unwrap(),
        "127.0.0.3"
    );
    // The environment over the file.
    assert_eq!(
        listening(
            &["--config", &config],
            &[("KV_EMULATOR_LISTEN", "127.0.0.2:0")]
        )
        .unwrap(),
        "127.0.0.2"
    );
    // The command line over both.
    assert_eq!(
        listening(
            &["--config", &config, "--listen", "127.0.0.1:0"],
            &[("KV_EMULATOR_LISTEN", "127.0.0.2:0")]
        )
        .unwrap(),
        "127.0.0.1"
    );
    // A value from the environment is checked like one from the command line.
    let refused = listening(
        &["--config", &config],
        &[("KV_EMULATOR_RETENTION_DAYS", "3")],
    )
    .unwrap_err();
    assert!(refused.contains("retention days"), "{refused}");
}

#[test]
fn file_errors_name_the_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "listen = \"127.0.0.1:0\"\nlisten-port = 1\n");
    let refused = listening(&["--config", &config], &[]).unwrap_err();
    assert!(
        refused.contains("unknown setting `listen-port`"),
        "{refused}"
    );
    assert!(refused.contains("emulator.toml"), "{refused}");
    let config = write_config(dir.path(), "listen = [[1]]\n");
    assert!(listening(&["--config", &config], &[]).is_err());
}

#[test]
fn help_lists_one_environment_variable_per_flag() {
    let output = Command::new(env!("CARGO_BIN_EXE_kv-emulator"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    for var in [
        "KV_EMULATOR_CONFIG",
        "KV_EMULATOR_LISTEN",
        "KV_EMULATOR_DATA_DIR",
        "KV_EMULATOR_RETENTION_DAYS",
        "KV_EMULATOR_RBAC_ADMIN",
        "KV_EMULATOR_FAULTS",
    ] {
        assert!(
            help.contains(&format!("[env: {var}")),
            "{var} missing:\n{help}"
        );
    }
}
