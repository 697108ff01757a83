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

    /// The uncompressed SEC1 encoding of the point (`0x04 || x || y`), as the backends and
    /// DER encoders take public keys. The one place that builds it.
    ///
    /// # Errors
    /// [`InvalidKey`](crate::Error::InvalidKey) when a coordinate is not one field length.
    pub fn sec1_uncompressed(self, x: &[u8], y: &[u8]) -> Result<Vec<u8>> {
        let n = self.field_len();
        if x.len() != n || y.len() != n {
            return Err(crate::Error::InvalidKey(
                "EC coordinate of the wrong length for the curve",
            ));
        }
        let mut out = Vec::with_capacity(1 + 2 * n);
        out.push(0x04);
        out.extend_from_slice(x);
        out.extend_from_slice(y);
        Ok(out)
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

    /// Encrypts `plaintext` into `ciphertext` (of the same length) and returns the tag,
    /// leaving `plaintext` as it is: the same result as copying and calling
    /// [`seal`](Self::seal), without the copy where the backend can avoid it.
    ///
    /// # Errors
    /// [`InvalidInput`](crate::Error::InvalidInput) when the lengths differ (nothing is
    /// written) or the plaintext is too long for AES-GCM.
    ///
    /// # Security
    /// As [`seal`](Self::seal): `nonce` must never repeat under one key.
    fn seal_out_of_place(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        plaintext: &[u8],
        ciphertext: &mut [u8],
    ) -> Result<[u8; 16]> {
        same_length(plaintext, ciphertext)?;
        ciphertext.copy_from_slice(plaintext);
        self.seal(nonce, aad, ciphertext).inspect_err(|_| {
            ciphertext.fill(0);
        })
    }

    /// Checks the tag of `ciphertext` and decrypts it into `plaintext` (of the same
    /// length), leaving `ciphertext` as it is; on failure `plaintext` is zeroed.
    ///
    /// # Errors
    /// [`CryptoFailure`](crate::Error::CryptoFailure) for a wrong tag;
    /// [`InvalidInput`](crate::Error::InvalidInput) when the lengths differ.
    fn open_out_of_place(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8; 16],
        plaintext: &mut [u8],
    ) -> Result<()> {
        same_length(ciphertext, plaintext).inspect_err(|_| plaintext.fill(0))?;
        plaintext.copy_from_slice(ciphertext);
        self.open(nonce, aad, plaintext, tag)
    }
}

/// The check of every out-of-place AES-GCM call (the trait's defaults and the backends'
/// own): input and output buffers of the same length.
pub(crate) fn same_length(input: &[u8], output: &[u8]) -> Result<()> {
    if input.len() == output.len() {
        Ok(())
    } else {
        Err(crate::Error::InvalidInput(
            "AES-GCM input and output buffers must have the same length",
        ))
    }
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

/// An ML-DSA parameter set (FIPS 204), named by the `alg` of an `AKP` key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MlDsaParameterSet {
    /// ML-DSA-44 (security category 2).
    MlDsa44,
    /// ML-DSA-65 (security category 3).
    MlDsa65,
    /// ML-DSA-87 (security category 5).
    MlDsa87,
}

impl MlDsaParameterSet {
    /// Length of the encoded public key (`pub`) in bytes.
    pub fn public_key_len(self) -> usize {
        match self {
            Self::MlDsa44 => 1312,
            Self::MlDsa65 => 1952,
            Self::MlDsa87 => 2592,
        }
    }

    /// Length of a signature in bytes.
    pub fn signature_len(self) -> usize {
        match self {
            Self::MlDsa44 => 2420,
            Self::MlDsa65 => 3309,
            Self::MlDsa87 => 4627,
        }
    }
}

/// Length of an ML-DSA seed (the private key `priv`), for every parameter set.
pub const ML_DSA_SEED_LEN: usize = 32;
/// Length of an ML-DSA external mu (FIPS 204 §6.2), for every parameter set.
pub const ML_DSA_MU_LEN: usize = 64;
/// Longest FIPS 204 context string.
pub const ML_DSA_MAX_CONTEXT_LEN: usize = 255;

/// What an ML-DSA signature covers, in the two forms Key Vault accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MlDsaInput<'a> {
    /// Pure ML-DSA (FIPS 204 Algorithms 2 and 3) over the message, with a context string of
    /// at most 255 bytes (empty by default).
    Message {
        /// The message itself (ML-DSA hashes it internally).
        message: &'a [u8],
        /// The application context string.
        context: &'a [u8],
    },
    /// The 64-byte message representative mu, computed by the caller (external mu).
    ExternalMu(&'a [u8; ML_DSA_MU_LEN]),
}

impl MlDsaInput<'_> {
    /// Whether this is the plain form every backend implements: a message with an empty
    /// context.
    pub fn is_plain(&self) -> bool {
        matches!(self, Self::Message { context, .. } if context.is_empty())
    }
}

/// An ML-DSA key pair as the seed and the encoded public key; the seed is zeroized and
/// never printed.
#[derive(Clone)]
pub struct MlDsaKeyComponents {
    /// The parameter set.
    pub parameter_set: MlDsaParameterSet,
    /// The encoded public key.
    pub public_key: Vec<u8>,
    /// The 32-byte seed.
    pub seed: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for MlDsaKeyComponents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MlDsaKeyComponents")
            .field("parameter_set", &self.parameter_set)
            .finish_non_exhaustive()
    }
}

/// ML-DSA: parses keys and generates key pairs.
pub trait MlDsaProvider: Send + Sync + fmt::Debug {
    /// Whether this backend signs and verifies `input`'s form (a non-empty context or
    /// external mu may be missing; a plain message never is).
    fn supports_input(&self, input: &MlDsaInput<'_>) -> bool;
    /// Parses an encoded public key.
    fn public_key(
        &self,
        set: MlDsaParameterSet,
        public_key: &[u8],
    ) -> Result<Box<dyn MlDsaPublicKey>>;
    /// Derives the key pair from its 32-byte seed.
    fn private_key(&self, set: MlDsaParameterSet, seed: &[u8]) -> Result<Box<dyn MlDsaPrivateKey>>;
    /// Generates a key pair from a fresh seed.
    fn generate(&self, set: MlDsaParameterSet) -> Result<MlDsaKeyComponents>;
}

/// A parsed ML-DSA public key.
pub trait MlDsaPublicKey: Send + Sync + fmt::Debug {
    /// The parameter set.
    fn parameter_set(&self) -> MlDsaParameterSet;
    /// The encoded public key.
    fn public_key_bytes(&self) -> &[u8];
    /// Verifies `signature` over `input`; any failure is [`Error::CryptoFailure`](crate::Error::CryptoFailure).
    fn verify(&self, input: &MlDsaInput<'_>, signature: &[u8]) -> Result<()>;
    /// The external mu of `message` under `context` for this key (FIPS 204 §6.2:
    /// SHAKE256(SHAKE256(pk, 64) || 0 || len(ctx) || ctx || message, 64)), which a caller
    /// sends to Key Vault's sign instead of a long message.
    ///
    /// # Errors
    /// [`UnsupportedAlgorithm`](crate::Error::UnsupportedAlgorithm) from a backend without
    /// it (the default); [`InvalidInput`](crate::Error::InvalidInput) for a context over 255
    /// bytes.
    fn external_mu(&self, message: &[u8], context: &[u8]) -> Result<[u8; ML_DSA_MU_LEN]> {
        let _ = (message, context);
        Err(crate::Error::unsupported(
            "ML-DSA",
            "this backend does not compute external mu",
        ))
    }
}

/// A parsed ML-DSA private key.
pub trait MlDsaPrivateKey: MlDsaPublicKey {
    /// Signs `input` (hedged: fresh randomness from the OS per signature, FIPS 204's default).
    fn sign(&self, input: &MlDsaInput<'_>) -> Result<Vec<u8>>;
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
    /// ML-DSA sign, verify and generation.
    pub ml_dsa: &'static dyn MlDsaProvider,
    /// Random bytes (IVs, oct keys).
    pub random: &'static dyn SecureRandom,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sec1_uncompressed_is_04_x_y_and_checks_lengths() {
        for curve in [EcCurve::P256, EcCurve::P256K, EcCurve::P384, EcCurve::P521] {
            let n = curve.field_len();
            let (x, y) = (vec![0x11; n], vec![0x22; n]);
            let p = curve.sec1_uncompressed(&x, &y).unwrap();
            assert_eq!(p.len(), 1 + 2 * n);
            assert_eq!((p[0], &p[1..=n], &p[n + 1..]), (0x04, &x[..], &y[..]));
            assert!(curve.sec1_uncompressed(&x[1..], &y).is_err());
            assert!(
                curve
                    .sec1_uncompressed(&x, &[y.clone(), vec![0]].concat())
                    .is_err()
            );
        }
    }

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

    /// The AES-GCM backends compiled in, by name.
    fn gcm_backends() -> Vec<(&'static str, &'static dyn AesGcmProvider)> {
        vec![
            #[cfg(feature = "aws-lc")]
            ("aws-lc-rs", crate::aws_lc_rs::provider().aes_gcm),
            #[cfg(feature = "rustcrypto")]
            ("rustcrypto", crate::rust_crypto::provider().aes_gcm),
        ]
    }

    /// The default methods, as a backend without its own out-of-place path gets them.
    #[derive(Debug)]
    struct InPlaceOnly(Box<dyn AesGcmKey>);

    impl AesGcmKey for InPlaceOnly {
        fn seal(&self, nonce: &[u8; 12], aad: &[u8], in_out: &mut [u8]) -> Result<[u8; 16]> {
            self.0.seal(nonce, aad, in_out)
        }
        fn open(
            &self,
            nonce: &[u8; 12],
            aad: &[u8],
            in_out: &mut [u8],
            tag: &[u8; 16],
        ) -> Result<()> {
            self.0.open(nonce, aad, in_out, tag)
        }
    }

    /// Every key to check: each backend's own, and each behind the default methods.
    fn gcm_keys(key: &[u8]) -> Vec<(String, Box<dyn AesGcmKey>)> {
        let mut v: Vec<(String, Box<dyn AesGcmKey>)> = Vec::new();
        for (name, p) in gcm_backends() {
            v.push((name.to_owned(), p.key(key).unwrap()));
            v.push((
                format!("{name} (default methods)"),
                Box::new(InPlaceOnly(p.key(key).unwrap())),
            ));
        }
        v
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

        /// Out of place gives exactly the in-place ciphertext and tag, leaves the input
        /// alone, opens back out of place and in place, and across backends.
        #[test]
        fn gcm_out_of_place_matches_in_place(
            key_len in proptest::sample::select(vec![16usize, 24, 32]),
            key_byte in proptest::prelude::any::<u8>(),
            nonce in proptest::prelude::any::<[u8; 12]>(),
            aad in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
            pt in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
        ) {
            let key = vec![key_byte; key_len];
            let keys = gcm_keys(&key);
            let mut reference = pt.clone();
            let ref_tag = keys[0].1.seal(&nonce, &aad, &mut reference).unwrap();
            for (name, k) in &keys {
                let mut ct = vec![0xEE; pt.len()];
                let tag = k.seal_out_of_place(&nonce, &aad, &pt, &mut ct).unwrap();
                proptest::prop_assert_eq!(&ct, &reference, "{}", name);
                proptest::prop_assert_eq!(tag, ref_tag, "{}", name);
                for (other, o) in &keys {
                    let mut back = vec![0x11; ct.len()];
                    o.open_out_of_place(&nonce, &aad, &ct, &tag, &mut back).unwrap();
                    proptest::prop_assert_eq!(&back, &pt, "{} -> {}", name, other);
                }
                let mut in_place = ct.clone();
                k.open(&nonce, &aad, &mut in_place, &tag).unwrap();
                proptest::prop_assert_eq!(&in_place, &pt, "{}", name);
            }
        }
    }

    #[test]
    fn gcm_out_of_place_rejects_tampering_and_zeroes_output() {
        let nonce = [7u8; 12];
        let pt: Vec<u8> = (0..100u8).collect();
        for (name, k) in gcm_keys(&[9u8; 32]) {
            let mut ct = vec![0u8; pt.len()];
            let tag = k.seal_out_of_place(&nonce, b"aad", &pt, &mut ct).unwrap();
            let mut out = vec![0xAA; pt.len()];
            let mut bad_tag = tag;
            bad_tag[3] ^= 1;
            let mut bad_ct = ct.clone();
            bad_ct[50] ^= 0x80;
            let cases: [(&[u8], &[u8; 16], &[u8]); 4] = [
                (&ct, &bad_tag, b"aad"),
                (&bad_ct, &tag, b"aad"),
                (&ct, &tag, b"aae"),
                (&ct[..99], &tag, b"aad"),
            ];
            for (i, (c, t, aad)) in cases.into_iter().enumerate() {
                out.fill(0xAA);
                let out = &mut out[..c.len()];
                let r = k.open_out_of_place(&nonce, aad, c, t, out);
                assert_eq!(r, Err(crate::Error::CryptoFailure), "{name} case {i}");
                assert!(
                    out.iter().all(|&b| b == 0),
                    "{name} case {i}: output not zeroed"
                );
            }
            // Buffers of different lengths: an error, nothing sealed, nothing released.
            let mut short = vec![0u8; pt.len() - 1];
            assert!(matches!(
                k.seal_out_of_place(&nonce, b"aad", &pt, &mut short),
                Err(crate::Error::InvalidInput(_))
            ));
            let mut long = vec![0xAA; pt.len() + 1];
            assert!(matches!(
                k.open_out_of_place(&nonce, b"aad", &ct, &tag, &mut long),
                Err(crate::Error::InvalidInput(_))
            ));
            assert!(long.iter().all(|&b| b == 0), "{name}");
        }
    }
}
