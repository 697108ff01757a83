//! Encryption at rest and of backup blobs: AES-256-GCM (aws-lc-rs) under keys derived from
//! one master key kept in `DIR/master.key` (32 random bytes, file mode 0600).
//!
//! A sealed value is `version (1 byte) || nonce (12) || ciphertext || tag (16)`; the
//! additional data binds it to its purpose and place (for example the key name and
//! version), so a blob cannot be moved to another row or passed off as a backup.

use std::path::Path;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::hkdf;
use zeroize::Zeroizing;

use crate::error::StartError;

const FORMAT_VERSION: u8 = 1;
const MASTER_KEY_LEN: usize = 32;

/// What a derived key is for; each purpose gets its own key.
#[derive(Clone, Copy, Debug)]
pub enum Purpose {
    /// Key material in the database.
    AtRest,
    /// Backup blobs handed to clients.
    Backup,
}

impl Purpose {
    fn info(self) -> &'static [u8] {
        match self {
            Self::AtRest => b"kv-emulator/v1/at-rest",
            Self::Backup => b"kv-emulator/v1/backup",
        }
    }
}

/// A failure to open a sealed value: wrong key, wrong context or tampered bytes.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("sealed value could not be authenticated")]
pub struct OpenError;

/// A failure to seal (the random generator failed).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("sealing failed")]
pub struct SealError;

/// AES-256-GCM keys derived from the master key.
pub struct Sealer {
    at_rest: LessSafeKey,
    backup: LessSafeKey,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer([REDACTED])")
    }
}

impl Sealer {
    /// Loads `DIR/master.key`, creating it (mode 0600) when absent.
    pub fn load_or_create(data_dir: &Path) -> Result<Self, StartError> {
        let path = data_dir.join("master.key");
        let master = if path.exists() {
            let bytes = Zeroizing::new(std::fs::read(&path).map_err(|e| StartError::io(&path, e))?);
            if bytes.len() != MASTER_KEY_LEN {
                return Err(StartError::Storage(format!(
                    "{} must hold exactly {MASTER_KEY_LEN} bytes",
                    path.display()
                )));
            }
            bytes
        } else {
            let mut bytes = Zeroizing::new(vec![0u8; MASTER_KEY_LEN]);
            aws_lc_rs::rand::fill(&mut bytes)
                .map_err(|_| StartError::Storage("random generator failed".into()))?;
            crate::tls::write_private(&path, &bytes)?;
            bytes
        };
        Self::from_master(&master)
    }

    /// Derives the purpose keys from raw master key bytes.
    pub fn from_master(master: &[u8]) -> Result<Self, StartError> {
        let salt = hkdf::Salt::new(hkdf::HKDF_SHA256, b"kv-emulator master key");
        let prk = salt.extract(master);
        let derive = |purpose: Purpose| -> Result<LessSafeKey, StartError> {
            let info = [purpose.info()];
            let okm = prk
                .expand(&info, &AES_256_GCM)
                .map_err(|_| StartError::Storage("key derivation failed".into()))?;
            Ok(LessSafeKey::new(UnboundKey::from(okm)))
        };
        Ok(Self {
            at_rest: derive(Purpose::AtRest)?,
            backup: derive(Purpose::Backup)?,
        })
    }

    fn key(&self, purpose: Purpose) -> &LessSafeKey {
        match purpose {
            Purpose::AtRest => &self.at_rest,
            Purpose::Backup => &self.backup,
        }
    }

    /// Encrypts and authenticates `plaintext`, bound to `context`.
    ///
    /// # Errors
    /// [`SealError`] when the random generator fails.
    pub fn seal(
        &self,
        purpose: Purpose,
        context: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        aws_lc_rs::rand::fill(&mut nonce).map_err(|_| SealError)?;
        let mut buffer = Zeroizing::new(plaintext.to_vec());
        self.key(purpose)
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context),
                &mut *buffer,
            )
            .map_err(|_| SealError)?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + buffer.len());
        out.push(FORMAT_VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&buffer);
        Ok(out)
    }

    /// Authenticates and decrypts a value made by [`Sealer::seal`] with the same purpose
    /// and context.
    pub fn open(
        &self,
        purpose: Purpose,
        context: &[u8],
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, OpenError> {
        let (&version, rest) = sealed.split_first().ok_or(OpenError)?;
        if version != FORMAT_VERSION || rest.len() < NONCE_LEN {
            return Err(OpenError);
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| OpenError)?;
        let mut buffer = Zeroizing::new(ciphertext.to_vec());
        let plain_len = self
            .key(purpose)
            .open_in_place(nonce, Aad::from(context), &mut buffer)
            .map_err(|_| OpenError)?
            .len();
        buffer.truncate(plain_len);
        Ok(buffer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sealer() -> Sealer {
        Sealer::from_master(&[7u8; 32]).unwrap()
    }

    proptest! {
        #[test]
        fn round_trip(data in proptest::collection::vec(any::<u8>(), 0..512), ctx in "[a-z]{0,20}") {
            let s = sealer();
            let sealed = s.seal(Purpose::AtRest, ctx.as_bytes(), &data).unwrap();
            prop_assert_eq!(&*s.open(Purpose::AtRest, ctx.as_bytes(), &sealed).unwrap(), &data);
        }
    }

    #[test]
    fn wrong_context_purpose_or_tamper_fail() {
        let s = sealer();
        let sealed = s.seal(Purpose::AtRest, b"k1/v1", b"secret").unwrap();
        assert_eq!(s.open(Purpose::AtRest, b"k1/v2", &sealed), Err(OpenError));
        assert_eq!(s.open(Purpose::Backup, b"k1/v1", &sealed), Err(OpenError));
        let mut bad = sealed.clone();
        if let Some(last) = bad.last_mut() {
            *last ^= 1;
        }
        assert_eq!(s.open(Purpose::AtRest, b"k1/v1", &bad), Err(OpenError));
        assert_eq!(s.open(Purpose::AtRest, b"k1/v1", &[]), Err(OpenError));
        let other = Sealer::from_master(&[8u8; 32]).unwrap();
        assert_eq!(
            other.open(Purpose::AtRest, b"k1/v1", &sealed),
            Err(OpenError)
        );
    }

    #[test]
    fn master_key_file_is_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let a = Sealer::load_or_create(dir.path()).unwrap();
        let sealed = a.seal(Purpose::Backup, b"x", b"y").unwrap();
        let b = Sealer::load_or_create(dir.path()).unwrap();
        assert_eq!(&*b.open(Purpose::Backup, b"x", &sealed).unwrap(), b"y");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("master.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
