//! The `kv-emulator` binary: a local Azure Key Vault over HTTPS.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{CommandFactory, FromArgMatches, Parser};
use kv_emulator::{Emulator, EmulatorConfig};

/// A local Azure Key Vault (keys and cryptography) that the official SDKs can use.
///
/// Prints `kv-emulator listening on https://ADDR` on stdout once it accepts connections;
/// logs go to stderr (`RUST_LOG` sets the level). Clients must trust DIR/tls/cert.pem and
/// send any bearer token; see the crate documentation for the two ways to pass the SDKs'
/// challenge-resource check.
///
/// Every flag can also be set in the environment variable shown beside it, or in the TOML
/// file named by --config; the command line wins over the environment, which wins over
/// the file.
#[derive(Debug, Parser)]
#[command(name = "kv-emulator", version, about, long_about)]
struct Args {
    /// TOML file with defaults for the other flags (keys named like the flags:
    /// `listen = "0.0.0.0:8443"`); the environment and the command line override it.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8443", value_name = "ADDR")]
    listen: SocketAddr,

    /// Directory for the database, master key (mode 0600) and TLS material (created if
    /// missing). Default: the platform's data directory, e.g. ~/.local/share/kv-emulator.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// PEM certificate chain to serve instead of the generated DIR/tls/cert.pem
    /// (requires --tls-key).
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    tls_cert: Option<PathBuf>,

    /// PEM private key for --tls-cert.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    tls_key: Option<PathBuf>,

    /// Extra DNS name or IP address for the generated certificate (repeatable; a comma
    /// separates several in the environment variable), besides localhost, *.localhost,
    /// *.vault.localhost, *.managedhsm.localhost, 127.0.0.1 and ::1. A changed set
    /// re-issues the certificate from the same CA.
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    tls_san: Vec<String>,

    /// Soft-delete retention in days (7 to 90); deleted keys are purged when it passes.
    #[arg(long, default_value_t = 90, value_name = "DAYS")]
    retention_days: u32,

    /// Fixed `resource` for the 401 authentication challenge. Default: the parent domain
    /// of the request's host when it has one (myvault.vault.localhost:PORT gives
    /// https://vault.localhost:PORT), else https://vault.azure.net.
    #[arg(long, value_name = "URL")]
    challenge_resource: Option<String>,

    /// Tenant id named in the challenge's authorization URL.
    #[arg(long, default_value = kv_emulator::config::DEFAULT_TENANT, value_name = "ID")]
    tenant_id: String,

    /// Start the emulator's clock this many seconds away from the system time (negative
    /// values allowed), to test rotation and purge dates without waiting.
    #[arg(
        long,
        default_value_t = 0,
        allow_negative_numbers = true,
        value_name = "SECONDS"
    )]
    clock_offset: i64,

    /// Seconds between background passes that purge expired deleted keys and apply
    /// rotation policies.
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    scheduler_interval: u64,

    /// JWKS file ({"keys": [...]}) of the attestation signers whose tokens are trusted for
    /// key release; without it every release is refused.
    #[arg(long, value_name = "FILE")]
    attestation_jwks: Option<PathBuf>,

    /// Enforce Managed HSM role-based access control: each request needs a role
    /// assignment for the `oid` claim of its bearer token (an unverified JWT).
    #[arg(long)]
    rbac: bool,

    /// Principal (`oid`) holding the Administrator role at `/` from the start (repeatable);
    /// it creates the other role assignments when --rbac is on.
    #[arg(long, value_name = "OID")]
    rbac_admin: Vec<String>,

    /// Inject faults for testing clients: a comma-separated list such as
    /// `seed=7,429=0.05,503=0.05,reset-before=0.03,reset-after=0.03,latency=0.04,latency-ms=20,retry-after-ms=50`.
    /// Shares are fractions of all requests (sum at most 1): `429` (throttled, with
    /// Retry-After and x-ms-retry-after-ms of `retry-after-ms`, default 1000), `503`,
    /// `reset-before` (connection dropped before the handler runs), `reset-after`
    /// (dropped after the operation took effect), `latency` (delayed by `latency-ms`,
    /// default 100). The same seed gives the same faults for the same request order.
    #[cfg(feature = "faults")]
    #[arg(long, value_name = "SPEC")]
    faults: Option<kv_emulator::faults::FaultSpec>,

    /// Throttle like the service: `service-limits` applies Key Vault's published per-vault
    /// limits per 10-second window (weighted by key type, size and create vs other
    /// operations); `N/Ts` (such as `500/10s`) caps every vault at N requests per T
    /// seconds. Over the limit: 429 `Throttled` with Retry-After.
    #[arg(long, value_name = "SPEC")]
    throttle: Option<kv_emulator::throttle::ThrottleSpec>,

    /// How bearer tokens are checked: `any` accepts every token; `strict` accepts only
    /// tokens the emulator issued itself (RS256, audience = the challenge resource, not
    /// expired, this tenant) from its token endpoints: POST /{tenant}/oauth2/v2.0/token
    /// (client credentials; oid = client_id) and GET /metadata/identity/oauth2/token
    /// (managed identity). With --rbac the verified oid is the principal.
    #[arg(long, default_value = "any", value_name = "MODE")]
    auth: kv_emulator::oauth::AuthMode,
    /// What plain addresses (127.0.0.1, localhost) answer as: `vault` or `managedhsm`.
    /// Host names choose for themselves: NAME.vault.localhost is the vault NAME,
    /// NAME.managedhsm.localhost the Managed HSM NAME (also under .azure.net when mapped
    /// in a hosts file).
    #[arg(long, default_value = "vault", value_name = "KIND")]
    kind: kv_emulator::vaults::VaultKind,

    /// Log format on stderr.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    log_format: String,
}

fn init_logging(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// The arguments from the command line, the environment and the `--config` file, in
/// that order of precedence. Exits with clap's message on a usage error or `--help`.
fn parse_args() -> Result<Args, String> {
    let command = kv_emulator::config::with_env_vars(Args::command());
    let matches = command.clone().get_matches();
    let matches = match matches.get_one::<PathBuf>("config") {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            kv_emulator::config::with_file_defaults(command, &text, path)
                .map_err(|e| e.to_string())?
                .get_matches()
        }
        None => matches,
    };
    Args::from_arg_matches(&matches).map_err(|e| e.to_string())
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("kv-emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    init_logging(&args.log_format);
    let config = EmulatorConfig {
        listen: args.listen,
        data_dir: args.data_dir,
        tls_cert: args.tls_cert,
        tls_key: args.tls_key,
        tls_sans: args.tls_san,
        retention_days: args.retention_days,
        challenge_resource: args.challenge_resource,
        tenant_id: args.tenant_id,
        clock_offset_secs: args.clock_offset,
        attestation_signers: Vec::new(),
        attestation_jwks: args.attestation_jwks,
        scheduler_interval: Duration::from_secs(args.scheduler_interval.max(1)),
        rbac: args.rbac,
        rbac_admins: args.rbac_admin,
        #[cfg(feature = "faults")]
        faults: args.faults,
        throttle: args.throttle,
        auth: args.auth,
        kind: args.kind,
    };
    let handle = match Emulator::start(config).await {
        Ok(handle) => handle,
        Err(e) => {
            eprintln!("kv-emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "kv-emulator listening on {}", handle.url());
        let _ = out.flush();
    }
    wait_for_signal().await;
    handle.shutdown().await;
    ExitCode::SUCCESS
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
