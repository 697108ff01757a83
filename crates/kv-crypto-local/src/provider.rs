//! The backend abstraction: a [`CryptoProvider`] of small, object-safe traits, one per family.
//!
//! Shaped like rustls' `CryptoProvider`: a plain struct of `&'static dyn` trait objects, so one
//! family can be swapped with `CryptoProvider { rsa: &MY_RSA, ..default_provider() }`. Keys are
//! parsed once, when a backend key object is made, and then used for any number of operations.
//!
//! These traits are the raw primitives: they check shapes (lengths, curve) but not `key_ops` and
//! not Key Vault's algorithm rules, which [`LocalKey`](crate::LocalKey) enforces. In particular
//! [`AesGcmKey::seal`] takes a caller nonce; only `LocalKey` guarantees it never repeats.

use core::fmt;
use std::sync::OnceLock;

use kv_jwk::HashAlgorithm;
use zeroize::Zeroizing;

use crate::Result;

/// An RSA signature scheme as Key Vault uses it: the input is always a digest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RsaSignatureScheme {
    /// RSASSA-PKCS1-v1_5 with the DigestInfo of the hash (RS256/384/512).
    Pkcs1v15(HashAlgorithm),
    /// RSASSA-PSS with MGF1 of the same hash and a salt as long as the digest (PS256/384/512).
    Pss(HashAlgorithm),
    /// RSASSA-PKCS1-v1_5 padding over the raw input, without DigestInfo (RSNULL).
    Pkcs1v15Raw,
}

/// An RSA encryption padding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RsaEncryptionPadding {
    /// RSAES-PKCS1-v1_5 (RSA1_5).
    Pkcs1v15,
    /// RSAES-OAEP with SHA-1 and MGF1-SHA-1, empty label (RSA-OAEP).
    OaepSha1,
    /// RSAES-OAEP with SHA-256 and MGF1-SHA-256, empty label (RSA-OAEP-256).
    OaepSha256,
    /// RSAES-OAEP with SHA-384 and MGF1-SHA-384, empty label. No JWA name: Key Vault uses it
    /// only inside key release's `RSA_AES_KEY_WRAP_384`, so it is reachable through the
    /// provider, not through `LocalKey`.
    OaepSha384,
}

/// An elliptic curve Key Vault supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EcCurve {
    /// NIST P-256, used with ES256.
    P256,
    /// secp256k1, used with ES256K.
    P256K,
    /// NIST P-384, used with ES384.
    P384,
    /// NIST P-521, used with ES512.
    P521,
}

impl EcCurve {
    /// Length of one field element in bytes (half a raw `r||s` signature).
    pub fn field_len(self) -> usize {
        match self {
            Self::P256 | Self::P256K => 32,
            Self::P384 => 48,
            Self::P521 => 66,
        }
    }

    /// The hash whose digest Key Vault's ECDSA algorithm on this curve signs.
    pub fn hash(self) -> HashAlgorithm {
        match self {
            Self::P256 | Self::P256K => HashAlgorithm::Sha256,
            Self::P384 => HashAlgorithm::Sha384,
            Self::P521 => HashAlgorithm::Sha512,
        }
    }
}

/// RSA key components (big-endian), private parts zeroized on drop and never printed.
#[derive(Clone, Default)]
pub struct RsaKeyComponents {
    /// Modulus.
    pub n: Vec<u8>,
    /// Public exponent.
    pub e: Vec<u8>,
    /// Private exponent.
    pub d: Zeroizing<Vec<u8>>,
    /// First prime.
    pub p: Zeroizing<Vec<u8>>,
    /// Second prime.
    pub q: Zeroizing<Vec<u8>>,
    /// `d mod (p-1)`.
    pub dp: Zeroizing<Vec<u8>>,
    /// `d mod (q-1)`.
    pub dq: Zeroizing<Vec<u8>>,
    /// `q^-1 mod p`.
    pub qi: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for RsaKeyComponents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaKeyComponents")
            .field("n_len", &self.n.len())
            .field("e", &self.e)
            .finish_non_exhaustive()
    }
}

/// EC key components: affine coordinates and the private scalar (zeroized, never printed).
#[derive(Clone)]
pub struct EcKeyComponents {
    /// The curve.
    pub curve: EcCurve,
    /// Affine x, field length, big-endian.
    pub x: Vec<u8>,
    /// Affine y, field length, big-endian.
    pub y: Vec<u8>,
    /// Private scalar, field length, big-endian.
    pub d: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for EcKeyComponents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EcKeyComponents")
            .field("curve", &self.curve)
            .finish_non_exhaustive()
    }
}

/// RSA: parses keys and generates key pairs.
pub trait RsaProvider: Send + Sync + fmt::Debug {
    /// Whether this backend implements the signature scheme.
    fn supports_signature(&self, scheme: RsaSignatureScheme) -> bool;
    /// Whether this backend can generate keys with this public exponent.
    fn supports_exponent(&self, public_exponent: u32) -> bool;
    /// Parses a public key from its modulus and exponent (big-endian).
    fn public_key(&self, n: &[u8], e: &[u8]) -> Result<Box<dyn RsaPublicKey>>;
    /// Parses a private key from all its CRT components.
    fn private_key(&self, key: &RsaKeyComponents) -> Result<Box<dyn RsaPrivateKey>>;
    /// Generates a key pair with a modulus of `bits` bits.
    fn generate(&self, bits: usize, public_exponent: u32) -> Result<RsaKeyComponents>;
}

/// A parsed RSA public key.
pub trait RsaPublicKey: Send + Sync + fmt::Debug {
    /// Modulus size in bits.
    fn modulus_bits(&self) -> usize;
    /// Verifies `signature` over `digest`; any failure is [`Error::CryptoFailure`](crate::Error::CryptoFailure).
    fn verify(&self, scheme: RsaSignatureScheme, digest: &[u8], signature: &[u8]) -> Result<()>;
    /// Encrypts `plaintext` with fresh randomness from the OS.
    fn encrypt(&self, padding: RsaEncryptionPadding, plaintext: &[u8]) -> Result<Vec<u8>>;
}

/// A parsed RSA private key.
pub trait RsaPrivateKey: RsaPublicKey {
    /// Signs `digest`.
    fn sign(&self, scheme: RsaSignatureScheme, digest: &[u8]) -> Result<Vec<u8>>;
    /// Decrypts `ciphertext`; any padding failure is [`Error::CryptoFailure`](crate::Error::CryptoFailure).
    fn decrypt(
        &self,
        padding: RsaEncryptionPadding,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>>;
}

/// ECDSA: parses keys and generates key pairs.
pub trait EcProvider: Send + Sync + fmt::Debug {
    /// Whether this backend implements the curve.
    fn supports_curve(&self, curve: EcCurve) -> bool;
    /// Parses a public key from affine coordinates (field length each).
    fn public_key(&self, curve: EcCurve, x: &[u8], y: &[u8]) -> Result<Box<dyn EcPublicKey>>;
    /// Parses a private key; the scalar must match the public point.
    fn private_key(&self, key: &EcKeyComponents) -> Result<Box<dyn EcPrivateKey>>;
    /// Generates a key pair.
    fn generate(&self, curve: EcCurve) -> Result<EcKeyComponents>;
}

/// A parsed ECDSA public key.
pub trait EcPublicKey: Send + Sync + fmt::Debug {
    /// The curve.
    fn curve(&self) -> EcCurve;
    /// Verifies a raw `r||s` signature over `digest` (the curve's hash length).
    fn verify(&self, digest: &[u8], signature: &[u8]) -> Result<()>;
}

/// A parsed ECDSA private key.
pub trait EcPrivateKey: EcPublicKey {
    /// Signs `digest`, returning raw `r||s` (P1363).
    fn sign(&self, digest: &[u8]) -> Result<Vec<u8>>;
}

/// AES-GCM with 12-byte nonces and 16-byte tags.
pub trait AesGcmProvider: Send + Sync + fmt::Debug {
    /// Makes a key of 16, 24 or 32 bytes.
    fn key(&self, key: &[u8]) -> Result<Box<dyn AesGcmKey>>;
}

/// An AES-GCM key.
pub trait AesGcmKey: Send + Sync + fmt::Debug {
    /// Encrypts `in_out` in place and returns the tag.
    ///
    /// # Security
    /// `nonce` must never repeat under one key; [`LocalKey`](crate::LocalKey) draws it from
    /// the OS random generator.
    fn seal(&self, nonce: &[u8; 12], aad: &[u8], in_out: &mut [u8]) -> Result<[u8; 16]>;
    /// Checks the tag and decrypts `in_out` in place; on failure `in_out` is zeroed.
    fn open(&self, nonce: &[u8; 12], aad: &[u8], in_out: &mut [u8], tag: &[u8; 16]) -> Result<()>;
}

/// AES key wrap: RFC 3394 (KW) and RFC 5649 (KWP).
pub trait AesKwProvider: Send + Sync + fmt::Debug {
    /// Whether this backend supports a key-encryption key of `len` bytes.
    fn supports_key_len(&self, len: usize) -> bool;
    /// Makes a key-encryption key of 16, 24 or 32 bytes.
    fn key(&self, key: &[u8]) -> Result<Box<dyn AesKwKey>>;
}

/// An AES key-encryption key.
pub trait AesKwKey: Send + Sync + fmt::Debug {
    /// RFC 3394 wrap (input a multiple of 8 bytes, at least 16).
    fn wrap(&self, key: &[u8]) -> Result<Vec<u8>>;
    /// RFC 3394 unwrap.
    fn unwrap(&self, wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>>;
    /// RFC 5649 wrap with padding (any non-empty input).
    fn wrap_padded(&self, key: &[u8]) -> Result<Vec<u8>>;
    /// RFC 5649 unwrap.
    fn unwrap_padded(&self, wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>>;
}

/// AES-CBC, with or without PKCS#7 padding.
pub trait AesCbcProvider: Send + Sync + fmt::Debug {
    /// Makes a key of 16, 24 or 32 bytes.
    fn key(&self, key: &[u8]) -> Result<Box<dyn AesCbcKey>>;
}

/// An AES-CBC key.
pub trait AesCbcKey: Send + Sync + fmt::Debug {
    /// Encrypts; without padding the input must be a multiple of 16 bytes.
    fn encrypt(&self, pad: bool, iv: &[u8; 16], plaintext: &[u8]) -> Result<Vec<u8>>;
    /// Decrypts; a padding failure is [`Error::CryptoFailure`](crate::Error::CryptoFailure).
    fn decrypt(&self, pad: bool, iv: &[u8; 16], ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>>;
}

/// The operating system's secure random generator.
pub trait SecureRandom: Send + Sync + fmt::Debug {
    /// Fills `dest` with random bytes.
    fn fill(&self, dest: &mut [u8]) -> Result<()>;
}

/// A set of backends, one per algorithm family.
///
/// ```
/// # #[cfg(feature = "rustcrypto")] {
/// use kv_crypto_local::{default_provider, rust_crypto, CryptoProvider};
/// // Pure-Rust RSA, everything else from the default provider.
/// let custom = CryptoProvider { rsa: rust_crypto::provider().rsa, ..default_provider() };
/// # let _ = custom; }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct CryptoProvider {
    /// RSA sign, verify, encrypt, decrypt and generation.
    pub rsa: &'static dyn RsaProvider,
    /// ECDSA sign, verify and generation.
    pub ec: &'static dyn EcProvider,
    /// AES-GCM.
    pub aes_gcm: &'static dyn AesGcmProvider,
    /// AES key wrap.
    pub aes_kw: &'static dyn AesKwProvider,
    /// AES-CBC.
    pub aes_cbc: &'static dyn AesCbcProvider,
    /// Random bytes (IVs, oct keys).
    pub random: &'static dyn SecureRandom,
}

static INSTALLED: OnceLock<&'static CryptoProvider> = OnceLock::new();

/// Installs `provider` as the process default used by [`LocalKey::new`](crate::LocalKey::new).
///
/// # Errors
/// Returns the provider back if a default was already installed or already used.
pub fn install_default(provider: CryptoProvider) -> core::result::Result<(), Box<CryptoProvider>> {
    let leaked: &'static CryptoProvider = Box::leak(Box::new(provider));
    INSTALLED.set(leaked).map_err(|_| Box::new(provider))
}

/// The process default: the installed provider, or else `default_provider()` (installed on
/// first use so it cannot change afterwards).
///
/// # Errors
/// [`Error::NoProvider`](crate::Error::NoProvider) when no backend feature is enabled and none was installed.
pub fn get_default() -> Result<&'static CryptoProvider> {
    if let Some(p) = INSTALLED.get() {
        return Ok(p);
    }
    #[cfg(any(feature = "rustcrypto", feature = "aws-lc"))]
    {
        static DEFAULT: OnceLock<CryptoProvider> = OnceLock::new();
        let p = DEFAULT.get_or_init(crate::dispatch::default_provider);
        Ok(*INSTALLED.get_or_init(|| p))
    }
    #[cfg(not(any(feature = "rustcrypto", feature = "aws-lc")))]
    {
        Err(crate::Error::NoProvider)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_debug_hides_private_parts() {
        let c = RsaKeyComponents {
            n: vec![1; 4],
            e: vec![1, 0, 1],
            d: Zeroizing::new(vec![0xAB; 8]),
            ..Default::default()
        };
        let s = format!("{c:?}");
        assert!(!s.contains("171"), "{s}");
        let ec = EcKeyComponents {
            curve: EcCurve::P256,
            x: vec![],
            y: vec![],
            d: Zeroizing::new(vec![0xAB; 8]),
        };
        assert!(!format!("{ec:?}").contains("171"));
    }

    #[test]
    fn curve_sizes() {
        assert_eq!(EcCurve::P521.field_len(), 66);
        assert_eq!(EcCurve::P256K.hash(), HashAlgorithm::Sha256);
    }
}
