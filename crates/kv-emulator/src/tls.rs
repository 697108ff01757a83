//! TLS: the emulator's certificate (created once per data directory, or brought by the user)
//! and the rustls server configuration (aws-lc-rs provider, HTTP/2 and HTTP/1.1 by ALPN).
//!
//! The generated material is a small private CA plus a server certificate (the leaf) it
//! signs for [`SUBJECT_ALT_NAMES`] (`localhost`, `*.localhost`, `*.vault.localhost`,
//! `*.managedhsm.localhost`, the Azure suffixes `*.vault.azure.net` and
//! `*.managedhsm.azure.net` (for users who map them in a hosts file), `127.0.0.1`, `::1`) and the extra names of `--tls-san`:
//!
//! - `DIR/tls/cert.pem`: the server certificate followed by the CA certificate.
//! - `DIR/tls/key.pem`: the server's private key (file mode 0600).
//! - `DIR/tls/ca.pem`: the CA certificate alone. Point a client's trust store at this file
//!   (`REQUESTS_CA_BUNDLE`, `connection_verify`, `add_root_certificate`...).
//! - `DIR/tls/ca-key.pem`: the CA's private key (mode 0600), kept only to re-issue the leaf.
//! - `DIR/tls/names.txt`: the names the leaf was issued for.
//!
//! Only the CA is a CA (`CA:TRUE`, path length 0); the leaf says `CA:FALSE`. When the
//! wanted names differ from `names.txt`, the leaf is re-issued by the same CA, so a trust
//! store set up once keeps working. A data directory from before the CA key was kept
//! (no `ca-key.pem`) gets a new CA the first time its names change.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use zeroize::Zeroizing;

use crate::error::StartError;

/// Host names and addresses the generated server certificate is always valid for.
pub const SUBJECT_ALT_NAMES: &[&str] = &[
    "localhost",
    "*.localhost",
    "*.vault.localhost",
    "*.managedhsm.localhost",
    "*.vault.azure.net",
    "*.managedhsm.azure.net",
    "127.0.0.1",
    "::1",
];

/// The common name of the generated CA; with the stored CA key it is all re-issuing needs.
const CA_COMMON_NAME: &str = "kv-emulator local CA";

/// PEM certificate chain and private key the server presents.
pub struct TlsMaterial {
    /// Server certificate chain, PEM (leaf first).
    pub chain_pem: String,
    /// The certificate a client should trust, PEM.
    pub trust_pem: String,
    key_pem: Zeroizing<String>,
}

impl std::fmt::Debug for TlsMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsMaterial")
            .field("chain_pem", &self.chain_pem)
            .field("key_pem", &"[REDACTED]")
            .finish()
    }
}

impl TlsMaterial {
    /// Loads `DIR/tls/{cert,key,ca}.pem` for the default names, creating them first when
    /// absent.
    pub fn load_or_create(data_dir: &Path) -> Result<Self, StartError> {
        Self::load_or_create_with(data_dir, &[])
    }

    /// Loads `DIR/tls/{cert,key,ca}.pem` for [`SUBJECT_ALT_NAMES`] plus `extra_names`
    /// (DNS names, wildcards or IP addresses). Creates the CA and leaf when absent, and
    /// re-issues the leaf from the same CA when the names changed.
    pub fn load_or_create_with(
        data_dir: &Path,
        extra_names: &[String],
    ) -> Result<Self, StartError> {
        let dir = data_dir.join("tls");
        let cert_path = dir.join("cert.pem");
        let key_path = dir.join("key.pem");
        let ca_path = dir.join("ca.pem");
        let names = wanted_names(extra_names)?;
        let issued_for = fs::read_to_string(dir.join("names.txt")).ok();
        let complete = cert_path.exists() && key_path.exists();
        if !complete || issued_for.as_deref() != Some(names.join("\n").as_str()) {
            issue(&dir, &names)?;
        }
        let chain_pem = read(&cert_path)?;
        let key_pem = Zeroizing::new(read(&key_path)?);
        let trust_pem = if ca_path.exists() {
            read(&ca_path)?
        } else {
            chain_pem.clone()
        };
        Ok(Self {
            chain_pem,
            trust_pem,
            key_pem,
        })
    }

    /// Uses a certificate chain and key the user brings (`--tls-cert`, `--tls-key`). The
    /// whole chain file is what clients are told to trust.
    pub fn from_files(cert: &Path, key: &Path) -> Result<Self, StartError> {
        let chain_pem = read(cert)?;
        Ok(Self {
            trust_pem: chain_pem.clone(),
            chain_pem,
            key_pem: Zeroizing::new(read(key)?),
        })
    }

    /// The rustls server configuration for this material.
    pub fn server_config(&self) -> Result<Arc<rustls::ServerConfig>, StartError> {
        let certs = CertificateDer::pem_slice_iter(self.chain_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| StartError::Tls(format!("certificate PEM: {e}")))?;
        if certs.is_empty() {
            return Err(StartError::Tls("no certificate in the PEM file".into()));
        }
        let key = PrivateKeyDer::from_pem_slice(self.key_pem.as_bytes())
            .map_err(|_| StartError::Tls("private key PEM could not be parsed".into()))?;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| StartError::Tls(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| StartError::Tls(e.to_string()))?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

fn read(path: &Path) -> Result<String, StartError> {
    fs::read_to_string(path).map_err(|e| StartError::io(path, e))
}

/// Whether `name` can go in the certificate: an IP address, or a DNS name of letters,
/// digits and inner hyphens, possibly with a leading `*.` wildcard label.
pub fn is_valid_name(name: &str) -> bool {
    if name.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    let host = name.strip_prefix("*.").unwrap_or(name);
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// The default names followed by `extra` ones, without repeats.
fn wanted_names(extra: &[String]) -> Result<Vec<String>, StartError> {
    let mut names: Vec<String> = SUBJECT_ALT_NAMES.iter().map(|s| (*s).to_owned()).collect();
    for name in extra {
        let name = name.trim().to_ascii_lowercase();
        if !is_valid_name(&name) {
            return Err(StartError::Config(format!(
                "--tls-san `{name}` is neither a DNS name nor an IP address"
            )));
        }
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Ok(names)
}

fn ca_params() -> Result<CertificateParams, rcgen::Error> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params
        .distinguished_name
        .push(DnType::CommonName, CA_COMMON_NAME);
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    Ok(params)
}

/// Issues a leaf for `names`, from the stored CA when there is one, else from a new CA
/// (written first, with its key).
fn issue(dir: &Path, names: &[String]) -> Result<(), StartError> {
    fs::create_dir_all(dir).map_err(|e| StartError::io(dir, e))?;
    let tls = |e: rcgen::Error| StartError::Tls(e.to_string());
    let ca_path = dir.join("ca.pem");
    let ca_key_path = dir.join("ca-key.pem");

    let stored = match (
        fs::read_to_string(&ca_path),
        fs::read_to_string(&ca_key_path),
    ) {
        (Ok(cert), Ok(key)) => {
            let key = Zeroizing::new(key);
            Some((cert, KeyPair::from_pem(&key).map_err(tls)?))
        }
        _ => None,
    };
    let (ca_pem, ca_key) = match stored {
        Some(stored) => stored,
        None => {
            if ca_path.exists() {
                tracing::warn!(
                    "the TLS names changed and the old CA key was never kept: issuing a new CA; clients must trust the new {}",
                    ca_path.display()
                );
            }
            let ca_key = KeyPair::generate().map_err(tls)?;
            let ca_cert = ca_params()
                .map_err(tls)?
                .self_signed(&ca_key)
                .map_err(tls)?;
            let key_pem = Zeroizing::new(ca_key.serialize_pem());
            write_private(&ca_key_path, key_pem.as_bytes())?;
            write_atomic(&ca_path, ca_cert.pem().as_bytes())?;
            (ca_cert.pem(), ca_key)
        }
    };
    let issuer = Issuer::new(ca_params().map_err(tls)?, ca_key);

    let leaf_key = KeyPair::generate().map_err(tls)?;
    let mut leaf_params = CertificateParams::new(names.to_vec())
        .map_err(|e| StartError::Config(format!("TLS subject alternative names: {e}")))?;
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    leaf_params.is_ca = IsCa::ExplicitNoCa;
    leaf_params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf_params.use_authority_key_identifier_extension = true;
    let leaf_cert = leaf_params.signed_by(&leaf_key, &issuer).map_err(tls)?;

    let key_pem = Zeroizing::new(leaf_key.serialize_pem());
    write_private(&dir.join("key.pem"), key_pem.as_bytes())?;
    // The certificate, then the names: the names file is what marks the leaf as complete.
    write_atomic(
        &dir.join("cert.pem"),
        format!("{}{}", leaf_cert.pem(), ca_pem).as_bytes(),
    )?;
    write_atomic(&dir.join("names.txt"), names.join("\n").as_bytes())?;
    Ok(())
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StartError> {
    let tmp: PathBuf = path.with_extension("tmp");
    fs::write(&tmp, bytes).map_err(|e| StartError::io(&tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| StartError::io(path, e))
}

/// Writes a file only its owner may read (mode 0600 on Unix).
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> Result<(), StartError> {
    let tmp: PathBuf = path.with_extension("tmp");
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp).map_err(|e| StartError::io(&tmp, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| StartError::io(&tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| StartError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = TlsMaterial::load_or_create(dir.path()).unwrap();
        let second = TlsMaterial::load_or_create(dir.path()).unwrap();
        assert_eq!(first.chain_pem, second.chain_pem);
        assert!(first.chain_pem.matches("BEGIN CERTIFICATE").count() == 2);
        assert!(first.server_config().is_ok());
        assert!(!format!("{first:?}").contains("PRIVATE KEY"));
        assert_eq!(
            first.trust_pem,
            fs::read_to_string(dir.path().join("tls/ca.pem")).unwrap()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join("tls/key.pem"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
            let mode = fs::metadata(dir.path().join("tls/ca-key.pem"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn changed_names_reissue_the_leaf_from_the_same_ca() {
        let dir = tempfile::tempdir().unwrap();
        let first = TlsMaterial::load_or_create(dir.path()).unwrap();
        let extra = vec!["keyvault".to_owned(), "10.1.2.3".to_owned()];
        let second = TlsMaterial::load_or_create_with(dir.path(), &extra).unwrap();
        assert_eq!(first.trust_pem, second.trust_pem, "the CA is kept");
        assert_ne!(first.chain_pem, second.chain_pem, "the leaf is new");
        assert!(second.chain_pem.ends_with(&second.trust_pem));
        let names = fs::read_to_string(dir.path().join("tls/names.txt")).unwrap();
        assert!(names.ends_with("keyvault\n10.1.2.3"), "{names}");
        // The same names again: nothing is re-issued.
        let third = TlsMaterial::load_or_create_with(dir.path(), &extra).unwrap();
        assert_eq!(second.chain_pem, third.chain_pem);
        let bad = TlsMaterial::load_or_create_with(dir.path(), &["not a name!".to_owned()]);
        assert!(bad.is_err());
    }
}
