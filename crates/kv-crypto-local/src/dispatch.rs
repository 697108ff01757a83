//! The default provider: each operation goes to the faster compiled-in backend.
//!
//! With both backends: aws-lc-rs for RSA, P-256/P-384/P-521, AES-GCM, AES-CBC, AES-KW with
//! 128/256-bit keys and randomness; RustCrypto for secp256k1 (k256 is about 4x faster), for
//! RSNULL, for AES-KW with 192-bit keys, and for ML-DSA with a context string or external mu
//! (aws-lc-rs lacks all three; plain ML-DSA goes to aws-lc-rs). With one backend, that one.

#[cfg(all(feature = "rustcrypto", feature = "aws-lc"))]
pub(crate) use both::*;

use crate::CryptoProvider;

/// The provider that dispatches each operation to the faster compiled-in backend.
pub fn default_provider() -> CryptoProvider {
    #[cfg(all(feature = "rustcrypto", feature = "aws-lc"))]
    {
        let aws = crate::aws_lc_rs::provider();
        CryptoProvider {
            rsa: &DUAL_RSA,
            ec: &DUAL_EC,
            aes_gcm: aws.aes_gcm,
            aes_kw: &DUAL_KW,
            aes_cbc: aws.aes_cbc,
            ml_dsa: &DUAL_ML_DSA,
            random: aws.random,
        }
    }
    #[cfg(all(feature = "rustcrypto", not(feature = "aws-lc")))]
    {
        crate::rust_crypto::provider()
    }
    #[cfg(all(feature = "aws-lc", not(feature = "rustcrypto")))]
    {
        crate::aws_lc_rs::provider()
    }
}

#[cfg(all(feature = "rustcrypto", feature = "aws-lc"))]
mod both {
    use std::sync::OnceLock;

    use zeroize::Zeroizing;

    use crate::aws_lc_rs::{AwsLcAes, AwsLcEc, AwsLcMlDsa, AwsLcRsa};
    use crate::provider::{
        AesKwKey, AesKwProvider, EcCurve, EcKeyComponents, EcPrivateKey, EcProvider, EcPublicKey,
        ML_DSA_MU_LEN, MlDsaInput, MlDsaKeyComponents, MlDsaParameterSet, MlDsaPrivateKey,
        MlDsaProvider, MlDsaPublicKey, RsaEncryptionPadding, RsaKeyComponents, RsaPrivateKey,
        RsaProvider, RsaPublicKey, RsaSignatureScheme,
    };
    use crate::rust_crypto::{RustCryptoAes, RustCryptoEc, RustCryptoMlDsa, RustCryptoRsa};
    use crate::{Error, Result};

    /// A key of the fallback backend, built the first time an operation needs it (one the
    /// primary backend does not implement); a refusal by the fallback is kept too.
    #[derive(Debug)]
    struct Fallback<K: ?Sized> {
        key: OnceLock<Option<Box<K>>>,
        rejected: &'static str,
    }

    impl<K: ?Sized> Fallback<K> {
        fn new(rejected: &'static str) -> Self {
            Self {
                key: OnceLock::new(),
                rejected,
            }
        }

        /// `primary` when the primary backend serves the operation, else the fallback key
        /// (built with `build` on first use). The one home of the dual providers' choice.
        fn pick<'a>(
            &'a self,
            primary_serves: bool,
            primary: &'a K,
            build: impl FnOnce() -> Result<Box<K>>,
        ) -> Result<&'a K> {
            if primary_serves {
                return Ok(primary);
            }
            self.key
                .get_or_init(|| build().ok())
                .as_deref()
                .ok_or(Error::InvalidKey(self.rejected))
        }
    }

    /// RSA: `primary` for everything it implements, `fallback` (parsed lazily) for the rest.
    #[derive(Debug)]
    pub(crate) struct DualRsa {
        primary: &'static dyn RsaProvider,
        fallback: &'static dyn RsaProvider,
    }

    pub(crate) static DUAL_RSA: DualRsa = DualRsa {
        primary: &AwsLcRsa,
        fallback: &RustCryptoRsa,
    };

    #[derive(Debug)]
    struct DualRsaPublic {
        primary: Box<dyn RsaPublicKey>,
        fallback_provider: &'static dyn RsaProvider,
        primary_provider: &'static dyn RsaProvider,
        n: Vec<u8>,
        e: Vec<u8>,
        fallback: Fallback<dyn RsaPublicKey>,
    }

    impl DualRsaPublic {
        fn pick(&self, scheme: RsaSignatureScheme) -> Result<&dyn RsaPublicKey> {
            self.fallback.pick(
                self.primary_provider.supports_signature(scheme),
                &*self.primary,
                || self.fallback_provider.public_key(&self.n, &self.e),
            )
        }
    }

    impl RsaPublicKey for DualRsaPublic {
        fn modulus_bits(&self) -> usize {
            self.primary.modulus_bits()
        }
        fn verify(&self, scheme: RsaSignatureScheme, digest: &[u8], sig: &[u8]) -> Result<()> {
            self.pick(scheme)?.verify(scheme, digest, sig)
        }
        fn encrypt(&self, padding: RsaEncryptionPadding, plaintext: &[u8]) -> Result<Vec<u8>> {
            self.primary.encrypt(padding, plaintext)
        }
    }

    #[derive(Debug)]
    struct DualRsaPrivate {
        primary: Box<dyn RsaPrivateKey>,
        primary_provider: &'static dyn RsaProvider,
        fallback_provider: &'static dyn RsaProvider,
        components: RsaKeyComponents,
        fallback: Fallback<dyn RsaPrivateKey>,
    }

    impl DualRsaPrivate {
        fn pick(&self, scheme: RsaSignatureScheme) -> Result<&dyn RsaPrivateKey> {
            self.fallback.pick(
                self.primary_provider.supports_signature(scheme),
                &*self.primary,
                || self.fallback_provider.private_key(&self.components),
            )
        }
    }

    impl RsaPublicKey for DualRsaPrivate {
        fn modulus_bits(&self) -> usize {
            self.primary.modulus_bits()
        }
        fn verify(&self, scheme: RsaSignatureScheme, digest: &[u8], sig: &[u8]) -> Result<()> {
            self.pick(scheme)?.verify(scheme, digest, sig)
        }
        fn encrypt(&self, padding: RsaEncryptionPadding, plaintext: &[u8]) -> Result<Vec<u8>> {
            self.primary.encrypt(padding, plaintext)
        }
    }

    impl RsaPrivateKey for DualRsaPrivate {
        fn sign(&self, scheme: RsaSignatureScheme, digest: &[u8]) -> Result<Vec<u8>> {
            self.pick(scheme)?.sign(scheme, digest)
        }
        fn decrypt(&self, padding: RsaEncryptionPadding, ct: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
            self.primary.decrypt(padding, ct)
        }
    }

    impl RsaProvider for DualRsa {
        fn supports_signature(&self, scheme: RsaSignatureScheme) -> bool {
            self.primary.supports_signature(scheme) || self.fallback.supports_signature(scheme)
        }
        fn supports_exponent(&self, e: u32) -> bool {
            self.primary.supports_exponent(e) || self.fallback.supports_exponent(e)
        }
        fn public_key(&self, n: &[u8], e: &[u8]) -> Result<Box<dyn RsaPublicKey>> {
            Ok(Box::new(DualRsaPublic {
                primary: self.primary.public_key(n, e)?,
                primary_provider: self.primary,
                fallback_provider: self.fallback,
                n: n.to_vec(),
                e: e.to_vec(),
                fallback: Fallback::new("RSA public key rejected by the fallback backend"),
            }))
        }
        fn private_key(&self, key: &RsaKeyComponents) -> Result<Box<dyn RsaPrivateKey>> {
            Ok(Box::new(DualRsaPrivate {
                primary: self.primary.private_key(key)?,
                primary_provider: self.primary,
                fallback_provider: self.fallback,
                components: key.clone(),
                fallback: Fallback::new("RSA private key rejected by the fallback backend"),
            }))
        }
        fn generate(&self, bits: usize, e: u32) -> Result<RsaKeyComponents> {
            if self.primary.supports_exponent(e) {
                self.primary.generate(bits, e)
            } else {
                self.fallback.generate(bits, e)
            }
        }
    }

    /// ECDSA: k256 for secp256k1, aws-lc-rs for the NIST curves.
    #[derive(Debug)]
    pub(crate) struct DualEc {
        nist: &'static dyn EcProvider,
        secp256k1: &'static dyn EcProvider,
    }

    pub(crate) static DUAL_EC: DualEc = DualEc {
        nist: &AwsLcEc,
        secp256k1: &RustCryptoEc,
    };

    impl DualEc {
        fn pick(&self, curve: EcCurve) -> &'static dyn EcProvider {
            if curve == EcCurve::P256K {
                self.secp256k1
            } else {
                self.nist
            }
        }
    }

    impl EcProvider for DualEc {
        fn supports_curve(&self, curve: EcCurve) -> bool {
            self.pick(curve).supports_curve(curve)
        }
        fn public_key(&self, curve: EcCurve, x: &[u8], y: &[u8]) -> Result<Box<dyn EcPublicKey>> {
            self.pick(curve).public_key(curve, x, y)
        }
        fn private_key(&self, key: &EcKeyComponents) -> Result<Box<dyn EcPrivateKey>> {
            self.pick(key.curve).private_key(key)
        }
        fn generate(&self, curve: EcCurve) -> Result<EcKeyComponents> {
            self.pick(curve).generate(curve)
        }
    }

    /// AES key wrap: aws-lc-rs for 128/256-bit keys, RustCrypto for 192-bit keys.
    #[derive(Debug)]
    pub(crate) struct DualKw {
        primary: &'static dyn AesKwProvider,
        fallback: &'static dyn AesKwProvider,
    }

    pub(crate) static DUAL_KW: DualKw = DualKw {
        primary: &AwsLcAes,
        fallback: &RustCryptoAes,
    };

    impl AesKwProvider for DualKw {
        fn supports_key_len(&self, len: usize) -> bool {
            self.primary.supports_key_len(len) || self.fallback.supports_key_len(len)
        }
        fn key(&self, key: &[u8]) -> Result<Box<dyn AesKwKey>> {
            if self.primary.supports_key_len(key.len()) {
                self.primary.key(key)
            } else {
                self.fallback.key(key)
            }
        }
    }

    /// ML-DSA: aws-lc-rs for plain messages, RustCrypto (parsed lazily) for a context string
    /// or external mu.
    #[derive(Debug)]
    pub(crate) struct DualMlDsa {
        primary: &'static dyn MlDsaProvider,
        fallback: &'static dyn MlDsaProvider,
    }

    pub(crate) static DUAL_ML_DSA: DualMlDsa = DualMlDsa {
        primary: &AwsLcMlDsa,
        fallback: &RustCryptoMlDsa,
    };

    #[derive(Debug)]
    struct DualMlDsaPublic {
        primary: Box<dyn MlDsaPublicKey>,
        primary_provider: &'static dyn MlDsaProvider,
        fallback_provider: &'static dyn MlDsaProvider,
        fallback: Fallback<dyn MlDsaPublicKey>,
    }

    impl DualMlDsaPublic {
        /// The primary key when `primary_serves`, else the fallback's.
        fn pick(&self, primary_serves: bool) -> Result<&dyn MlDsaPublicKey> {
            self.fallback.pick(primary_serves, &*self.primary, || {
                self.fallback_provider
                    .public_key(self.parameter_set(), self.public_key_bytes())
            })
        }
    }

    impl MlDsaPublicKey for DualMlDsaPublic {
        fn parameter_set(&self) -> MlDsaParameterSet {
            self.primary.parameter_set()
        }
        fn public_key_bytes(&self) -> &[u8] {
            self.primary.public_key_bytes()
        }
        fn verify(&self, input: &MlDsaInput<'_>, sig: &[u8]) -> Result<()> {
            self.pick(self.primary_provider.supports_input(input))?
                .verify(input, sig)
        }
        fn external_mu(&self, message: &[u8], context: &[u8]) -> Result<[u8; ML_DSA_MU_LEN]> {
            // aws-lc-rs has no external mu: always the fallback.
            self.pick(false)?.external_mu(message, context)
        }
    }

    #[derive(Debug)]
    struct DualMlDsaPrivate {
        primary: Box<dyn MlDsaPrivateKey>,
        primary_provider: &'static dyn MlDsaProvider,
        fallback_provider: &'static dyn MlDsaProvider,
        seed: Zeroizing<Vec<u8>>,
        fallback: Fallback<dyn MlDsaPrivateKey>,
    }

    impl DualMlDsaPrivate {
        /// The primary key when `primary_serves`, else the fallback's.
        fn pick(&self, primary_serves: bool) -> Result<&dyn MlDsaPrivateKey> {
            self.fallback.pick(primary_serves, &*self.primary, || {
                self.fallback_provider
                    .private_key(self.primary.parameter_set(), &self.seed)
            })
        }
    }

    impl MlDsaPublicKey for DualMlDsaPrivate {
        fn parameter_set(&self) -> MlDsaParameterSet {
            self.primary.parameter_set()
        }
        fn public_key_bytes(&self) -> &[u8] {
            self.primary.public_key_bytes()
        }
        fn verify(&self, input: &MlDsaInput<'_>, sig: &[u8]) -> Result<()> {
            self.pick(self.primary_provider.supports_input(input))?
                .verify(input, sig)
        }
        fn external_mu(&self, message: &[u8], context: &[u8]) -> Result<[u8; ML_DSA_MU_LEN]> {
            // aws-lc-rs has no external mu: always the fallback.
            self.pick(false)?.external_mu(message, context)
        }
    }

    impl MlDsaPrivateKey for DualMlDsaPrivate {
        fn sign(&self, input: &MlDsaInput<'_>) -> Result<Vec<u8>> {
            self.pick(self.primary_provider.supports_input(input))?
                .sign(input)
        }
    }

    impl MlDsaProvider for DualMlDsa {
        fn supports_input(&self, input: &MlDsaInput<'_>) -> bool {
            self.primary.supports_input(input) || self.fallback.supports_input(input)
        }
        fn public_key(
            &self,
            set: MlDsaParameterSet,
            public_key: &[u8],
        ) -> Result<Box<dyn MlDsaPublicKey>> {
            Ok(Box::new(DualMlDsaPublic {
                primary: self.primary.public_key(set, public_key)?,
                primary_provider: self.primary,
                fallback_provider: self.fallback,
                fallback: Fallback::new("ML-DSA public key rejected by the fallback backend"),
            }))
        }
        fn private_key(
            &self,
            set: MlDsaParameterSet,
            seed: &[u8],
        ) -> Result<Box<dyn MlDsaPrivateKey>> {
            Ok(Box::new(DualMlDsaPrivate {
                primary: self.primary.private_key(set, seed)?,
                primary_provider: self.primary,
                fallback_provider: self.fallback,
                seed: Zeroizing::new(seed.to_vec()),
                fallback: Fallback::new("ML-DSA seed rejected by the fallback backend"),
            }))
        }
        fn generate(&self, set: MlDsaParameterSet) -> Result<MlDsaKeyComponents> {
            self.primary.generate(set)
        }
    }
}
