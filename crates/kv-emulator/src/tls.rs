//! TLS: the emulator's certificate (created once per data directory, or brought by the user)
//! and the rustls server configuration (aws-lc-rs provider, HTTP/2 and HTTP/1.1 by ALPN).
//!
//! The generated material is a small private CA plus a server certificate it signs for
//! `localhost`, `*.localhost`, `*.vault.localhost`, `*.managedhsm.localhost`, the Azure
//! suffixes `*.vault.azure.net` and `*.managedhsm.azure.net` (for users who map them in a
//! hosts file), `127.0.0.1` and `::1`. `DIR/tls/names.txt` records the names; material
//! made for another list (by an older emulator) is made again, with a new CA:
//!
//! - `DIR/tls/cert.pem`: the server certificate followed by the CA certificate. Point a
//!   client's trust store at this file (`REQUESTS_CA_BUNDLE`, `connection_verify`, ...).
//! - `DIR/tls/key.pem`: the server's private key (file mode 0600).
//! - `DIR/tls/ca.pem`: the CA certificate alone.
//!
//! The CA's private key is used once and never stored, so nothing else can be issued
//! under the CA that the user was told to trust.

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

/// Host names and addresses the generated server certificate is valid for.
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
    /// Loads `DIR/tls/{cert,key,ca}.pem`, creating them first when absent.
    pub fn load_or_create(data_dir: &Path) -> Result<Self, StartError> {
        let dir = data_dir.join("tls");
        let cert_path = dir.join("cert.pem");
        let key_path = dir.join("key.pem");
        let ca_path = dir.join("ca.pem");
        let names_path = dir.join("names.txt");
        let names = SUBJECT_ALT_NAMES.join("\n");
        let same_names = fs::read_to_string(&names_path).is_ok_and(|found| found == names);
        if !(cert_path.exists() && key_path.exists() && same_names) {
            if cert_path.exists() {
                tracing::warn!(
                    dir = %dir.display(),
                    "TLS material was made for other host names; making it again (trust the new CA)"
                );
            }
            create(&dir, &cert_path, &key_path, &ca_path)?;
            fs::write(&names_path, names).map_err(|e| StartError::io(&names_path, e))?;
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

fn create(dir: &Path, cert: &Path, key: &Path, ca: &Path) -> Result<(), StartError> {
    fs::create_dir_all(dir).map_err(|e| StartError::io(dir, e))?;
    let tls = |e: rcgen::Error| StartError::Tls(e.to_string());

    let ca_key = KeyPair::generate().map_err(tls)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(tls)?;
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "kv-emulator local CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params.self_signed(&ca_key).map_err(tls)?;
    let issuer = Issuer::new(ca_params, ca_key);

    let leaf_key = KeyPair::generate().map_err(tls)?;
    let names: Vec<String> = SUBJECT_ALT_NAMES.iter().map(|s| (*s).to_owned()).collect();
    let mut leaf_params = CertificateParams::new(names).map_err(tls)?;
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    leaf_params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf_params.use_authority_key_identifier_extension = true;
    let leaf_cert = leaf_params.signed_by(&leaf_key, &issuer).map_err(tls)?;

    let key_pem = Zeroizing::new(leaf_key.serialize_pem());
    write_private(key, key_pem.as_bytes())?;
    write_atomic(ca, ca_cert.pem().as_bytes())?;
    // The certificate goes last: its presence is what marks the material as complete.
    write_atomic(
        cert,
        format!("{}{}", leaf_cert.pem(), ca_cert.pem()).as_bytes(),
    )?;
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
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join("tls/key.pem"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
