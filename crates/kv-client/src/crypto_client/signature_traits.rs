//! The [`signature`] crate's traits over this library's keys, so a vault key plugs into
//! code written against them (JWT libraries, certificate and token signers...):
//!
//! - [`VaultSigner`]: a [`CryptographyClient`] bound to one algorithm, an
//!   [`signature::AsyncSigner`] and [`signature::AsyncVerifier`]
//!   that hashes the message and signs or verifies where the client's routing says (in the
//!   vault for a vault key without local private material).
//! - [`VerifyingKey`]: a public (or full) JSON Web Key bound to one algorithm, a synchronous
//!   [`signature::Verifier`] that never does any I/O.
//!
//! Both speak [`Signature`], the signature's bytes in the algorithm's JOSE form (the form
//! Key Vault returns: `r || s` for ECDSA, the raw block for RSA, FIPS 204 bytes for ML-DSA).
//!
//! ```
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use kv_client::CryptographyClient;
//! use kv_client::signature::{AsyncSigner, Signature, Verifier, VerifyingKey};
//! use kv_jwk::SignatureAlgorithm;
//!
//! // Any code written against the traits.
//! async fn sign_token(signer: &impl AsyncSigner<Signature>, claims: &[u8]) -> Signature {
//!     signer.sign_async(claims).await.expect("signed")
//! }
//!
//! let jwk = kv_crypto_local::generate_ec(&kv_jwk::KeyCurveName::P256)?;
//! let public = jwk.to_public();
//! // A vault key would come from `CryptographyClient::new(key_id, credential, None)`.
//! let signer = CryptographyClient::from_jwk(jwk)?.signer(SignatureAlgorithm::Es256);
//! let signature = sign_token(&signer, b"claims").await;
//!
//! let verifier = VerifyingKey::new(&public, SignatureAlgorithm::Es256)?;
//! assert!(verifier.verify(b"claims", &signature).is_ok());
//! assert!(verifier.verify(b"forged", &signature).is_err());
//! # Ok(()) }
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(demo()).unwrap();
//! ```

use core::fmt;

pub use ::signature::{AsyncSigner, AsyncVerifier, Error, SignatureEncoding, Verifier};
use kv_crypto_local::{LocalKey, PreparedOperation};
use kv_jwk::{JsonWebKey, KeyOperation, SignatureAlgorithm};

use crate::CryptographyClient;
use crate::digest::digest_for;
use crate::error::ErrorKind;

/// A signature's bytes, in the JOSE form of its algorithm (as Key Vault returns them).
#[derive(Clone, PartialEq, Eq)]
pub struct Signature(Vec<u8>);

impl Signature {
    /// The signature's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The signature's bytes, owned.
    pub fn into_vec(self) -> Vec<u8> {
        self.0
    }
}

impl fmt::Debug for Signature {
    // Public data, but long: the length says enough in logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({} bytes)", self.0.len())
    }
}

impl AsRef<[u8]> for Signature {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Signature {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

impl From<Signature> for Vec<u8> {
    fn from(signature: Signature) -> Self {
        signature.0
    }
}

impl TryFrom<&[u8]> for Signature {
    type Error = Error;

    /// Any length: the algorithm checks it when verifying.
    fn try_from(bytes: &[u8]) -> Result<Self, Error> {
        Ok(Self(bytes.to_vec()))
    }
}

impl SignatureEncoding for Signature {
    type Repr = Vec<u8>;

    fn encoded_len(&self) -> usize {
        self.0.len()
    }
}

/// A [`CryptographyClient`] bound to one [`SignatureAlgorithm`]: the [`signature`] crate's
/// [`AsyncSigner`] and [`AsyncVerifier`] for its key. Made by
/// [`CryptographyClient::signer`]; see the [module documentation](self).
///
/// Each call is [`CryptographyClient::sign_data`] or [`CryptographyClient::verify_data`]:
/// the message is hashed here, and only the digest goes to the vault.
#[derive(Clone, Debug)]
pub struct VaultSigner {
    client: CryptographyClient,
    algorithm: SignatureAlgorithm,
}

impl VaultSigner {
    /// The client signatures go through.
    pub fn client(&self) -> &CryptographyClient {
        &self.client
    }

    /// The algorithm every signature uses.
    pub fn algorithm(&self) -> &SignatureAlgorithm {
        &self.algorithm
    }
}

impl CryptographyClient {
    /// This client as a [`signature::AsyncSigner`](AsyncSigner) and
    /// [`AsyncVerifier`] for `algorithm` (see [`VaultSigner`]).
    pub fn signer(&self, algorithm: SignatureAlgorithm) -> VaultSigner {
        VaultSigner {
            client: self.clone(),
            algorithm,
        }
    }
}

/// A client error as the `signature` crate carries it: the source for an error of the
/// service or the transport (which the traits allow), nothing for a failed cryptographic
/// check (which must stay opaque).
fn signature_error(e: crate::Error) -> Error {
    match e.kind() {
        ErrorKind::Crypto => Error::new(),
        _ => Error::from_source(e),
    }
}

impl AsyncSigner<Signature> for VaultSigner {
    async fn sign_async(&self, msg: &[u8]) -> Result<Signature, Error> {
        let result = self
            .client
            .sign_data(self.algorithm.clone(), msg)
            .await
            .map_err(signature_error)?;
        Ok(Signature(result.signature))
    }
}

impl AsyncVerifier<Signature> for VaultSigner {
    async fn verify_async(&self, msg: &[u8], signature: &Signature) -> Result<(), Error> {
        let result = self
            .client
            .verify_data(self.algorithm.clone(), msg, &signature.0)
            .await
            .map_err(signature_error)?;
        if result.is_valid {
            Ok(())
        } else {
            Err(Error::new())
        }
    }
}

/// A key that verifies signatures of one [`SignatureAlgorithm`] locally: the [`signature`]
/// crate's [`Verifier`], for a public key taken from the vault
/// ([`KeyVaultKey::key`](crate::KeyVaultKey)) or from anywhere else as a JSON Web Key.
/// Never any I/O; the message is hashed with the algorithm's hash function (ML-DSA takes
/// it whole, with an empty context). See the [module documentation](self).
pub struct VerifyingKey {
    key: LocalKey,
    algorithm: SignatureAlgorithm,
    prepared: PreparedOperation,
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("kid", &self.key.kid())
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl VerifyingKey {
    /// A verifier for `algorithm` with `jwk` (its public members are enough).
    ///
    /// # Errors
    /// `InvalidArgument` when the local provider cannot load the key, or the key cannot
    /// verify `algorithm` (wrong type or curve, `key_ops` without `verify`, an algorithm
    /// without a hash function such as `RSNULL`).
    pub fn new(jwk: &JsonWebKey, algorithm: SignatureAlgorithm) -> crate::Result<Self> {
        if !algorithm.is_ml_dsa() {
            // Refuse now an algorithm the message cannot be hashed for.
            digest_for(&algorithm, &[])?;
        }
        let unusable = |e| {
            crate::Error::with_source(
                ErrorKind::InvalidArgument,
                format!("the key cannot verify {algorithm} locally"),
                e,
            )
        };
        let key = LocalKey::new(jwk).map_err(unusable)?;
        let prepared = key
            .prepare(&KeyOperation::Verify, &algorithm)
            .map_err(unusable)?;
        Ok(Self {
            key,
            algorithm,
            prepared,
        })
    }

    /// The algorithm this key verifies.
    pub fn algorithm(&self) -> &SignatureAlgorithm {
        &self.algorithm
    }
}

impl Verifier<Signature> for VerifyingKey {
    fn verify(&self, msg: &[u8], signature: &Signature) -> Result<(), Error> {
        let valid = if self.algorithm.is_ml_dsa() {
            self.key.verify_prepared(&self.prepared, msg, &signature.0)
        } else {
            let digest = digest_for(&self.algorithm, msg).map_err(|_| Error::new())?;
            self.key
                .verify_prepared(&self.prepared, &digest, &signature.0)
        };
        match valid {
            Ok(true) => Ok(()),
            _ => Err(Error::new()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kv_jwk::KeyCurveName;

    fn block_on<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(f)
    }

    #[test]
    fn local_signer_and_verifier_agree_and_reject_a_wrong_message() {
        for (alg, jwk) in [
            (
                SignatureAlgorithm::Es256,
                kv_crypto_local::generate_ec(&KeyCurveName::P256).expect("keygen"),
            ),
            (
                SignatureAlgorithm::Ps256,
                kv_crypto_local::generate_rsa(2048, None).expect("keygen"),
            ),
        ] {
            let verifier = VerifyingKey::new(&jwk.to_public(), alg.clone()).expect("verifier");
            let signer = CryptographyClient::from_jwk(jwk)
                .expect("client")
                .signer(alg.clone());
            let sig = block_on(signer.sign_async(b"message")).expect("sign");
            assert!(verifier.verify(b"message", &sig).is_ok(), "{alg}");
            assert!(verifier.verify(b"messagf", &sig).is_err(), "{alg}");
            assert!(block_on(signer.verify_async(b"message", &sig)).is_ok());
            assert!(block_on(signer.verify_async(b"other", &sig)).is_err());
            let mut tampered = sig.to_vec();
            tampered[5] ^= 1;
            let tampered = Signature::try_from(tampered.as_slice()).expect("any length");
            assert!(verifier.verify(b"message", &tampered).is_err(), "{alg}");
        }
    }

    #[test]
    fn a_key_that_cannot_verify_the_algorithm_is_refused() {
        let ec = kv_crypto_local::generate_ec(&KeyCurveName::P256).expect("keygen");
        assert!(VerifyingKey::new(&ec, SignatureAlgorithm::Es384).is_err());
        assert!(VerifyingKey::new(&ec, SignatureAlgorithm::Rs256).is_err());
        let rsa = kv_crypto_local::generate_rsa(2048, None).expect("keygen");
        assert!(VerifyingKey::new(&rsa, SignatureAlgorithm::RsNull).is_err());
    }

    #[test]
    fn a_local_signing_failure_is_opaque() {
        // A public key cannot sign, and a local-only client has nowhere else to go.
        let ec = kv_crypto_local::generate_ec(&KeyCurveName::P256).expect("keygen");
        let signer = CryptographyClient::from_jwk(ec.to_public())
            .expect("client")
            .signer(SignatureAlgorithm::Es256);
        assert!(block_on(signer.sign_async(b"m")).is_err());
    }
}
