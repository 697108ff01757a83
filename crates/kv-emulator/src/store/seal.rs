//! Encryption at rest and of backup blobs: AES-256-GCM under keys derived with HKDF-SHA-256
//! from one master key kept in `DIR/master.key` (32 random bytes, file mode 0600). The
//! primitives are kv-crypto-local's, like every other cryptographic call of the emulator.
//!
//! A sealed value is `version (1 byte) || nonce (12) || ciphertext || tag (16)`; the
//! additional data binds it to its purpose and place (for example the key name and
//! version), so a blob cannot be moved to another row or passed off as a backup.

use std::path::Path;

use kv_crypto_local::provider::AesGcmKey;
use zeroize::Zeroizing;

use crate::error::StartError;

const FORMAT_VERSION: u8 = 1;
const MASTER_KEY_LEN: usize = 32;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// The HKDF-SHA-256 salt; each purpose's `info` picks its key.
const HKDF_SALT: &[u8] = b"kv-emulator master key";

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
    at_rest: Box<dyn AesGcmKey>,
    backup: Box<dyn AesGcmKey>,
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
            let bytes = kv_crypto_local::random_bytes(MASTER_KEY_LEN)
                .map_err(|_| StartError::Storage("random generator failed".into()))?;
            crate::tls::write_private(&path, &bytes)?;
            bytes
        };
        Self::from_master(&master)
    }

    /// Derives the purpose keys from raw master key bytes.
    pub fn from_master(master: &[u8]) -> Result<Self, StartError> {
        let failed = |_| StartError::Storage("key derivation failed".into());
        let derive = |purpose: Purpose| -> Result<Box<dyn AesGcmKey>, StartError> {
            let mut okm = Zeroizing::new([0u8; 32]);
            kv_crypto_local::hkdf::hkdf_sha256(
                HKDF_SALT,
                master,
                &mut [(&[purpose.info()], &mut okm[..])],
            )
            .map_err(failed)?;
            kv_crypto_local::get_default()
                .and_then(|provider| provider.aes_gcm.key(&okm[..]))
                .map_err(failed)
        };
        Ok(Self {
            at_rest: derive(Purpose::AtRest)?,
            backup: derive(Purpose::Backup)?,
        })
    }

    fn key(&self, purpose: Purpose) -> &dyn AesGcmKey {
        match purpose {
            Purpose::AtRest => &*self.at_rest,
            Purpose::Backup => &*self.backup,
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
        kv_crypto_local::get_default()
            .and_then(|provider| provider.random.fill(&mut nonce))
            .map_err(|_| SealError)?;
        self.seal_with_nonce(purpose, context, &nonce, plaintext)
    }

    /// [`Sealer::seal`] with a given nonce (the stored test vector's; callers use `seal`).
    fn seal_with_nonce(
        &self,
        purpose: Purpose,
        context: &[u8],
        nonce: &[u8; NONCE_LEN],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, SealError> {
        let mut out = Vec::with_capacity(1 + NONCE_LEN + plaintext.len() + TAG_LEN);
        out.push(FORMAT_VERSION);
        out.extend_from_slice(nonce);
        let start = out.len();
        out.extend_from_slice(plaintext);
        let tag = self
            .key(purpose)
            .seal(nonce, context, &mut out[start..])
            .map_err(|_| {
                // The buffer may still hold plaintext.
                zeroize::Zeroize::zeroize(&mut out);
                SealError
            })?;
        out.extend_from_slice(&tag);
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
        if version != FORMAT_VERSION || rest.len() < NONCE_LEN + TAG_LEN {
            return Err(OpenError);
        }
        let (nonce, rest) = rest.split_at(NONCE_LEN);
        let (ciphertext, tag) = rest.split_at(rest.len() - TAG_LEN);
        let nonce: &[u8; NONCE_LEN] = nonce.try_into().map_err(|_| OpenError)?;
        let tag: &[u8; TAG_LEN] = tag.try_into().map_err(|_| OpenError)?;
        let mut buffer = Zeroizing::new(ciphertext.to_vec());
        self.key(purpose)
            .open(nonce, context, &mut buffer, tag)
            .map_err(|_| OpenError)?;
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

    /// Bytes sealed by the emulator before its sealing moved to kv-crypto-local (aws-lc-rs
    /// HKDF and AES-GCM called directly): master key `[7; 32]`, nonce `01..0c`, context
    /// `k1/v1`. Databases and backups written then must still open, byte for byte.
    const STORED: [(Purpose, &str); 2] = [
        (
            Purpose::AtRest,
            "010102030405060708090a0b0c6fae1503f1d4ef17432a25411755624fa1fb927e6a98e16ae705a7ac884d445d1d310744",
        ),
        (
            Purpose::Backup,
            "010102030405060708090a0b0c9e6b2f6ed55b64c52f4688aac2d2016e3b85adca03da2461d157395dc22006a2f91471be",
        ),
    ];

    #[test]
    fn values_sealed_before_still_open_and_seal_identically() {
        let s = sealer();
        let nonce: [u8; 12] = core::array::from_fn(|i| i as u8 + 1);
        for (purpose, hex) in STORED {
            let stored: Vec<u8> = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect();
            assert_eq!(
                &*s.open(purpose, b"k1/v1", &stored).unwrap(),
                b"key material at rest"
            );
            assert_eq!(
                s.seal_with_nonce(purpose, b"k1/v1", &nonce, b"key material at rest")
                    .unwrap(),
                stored
            );
        }
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
