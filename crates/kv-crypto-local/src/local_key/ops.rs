//! The operations of [`LocalKey`].

use kv_jwk::{
    EncryptionAlgorithm, HashAlgorithm, KeyOperation, KeyWrapAlgorithm, SignatureAlgorithm,
};
use zeroize::Zeroizing;

use super::{LocalKey, Material, Plan, PreparedFor, PreparedOperation};
use crate::params::{Algorithm, DecryptParameters, EncryptParameters, EncryptResult};
use crate::provider::{ML_DSA_MAX_CONTEXT_LEN, MlDsaInput, RsaSignatureScheme};
use crate::{Error, Result};

const GCM_IV_LEN: usize = 12;
const GCM_TAG_LEN: usize = 16;
const CBC_IV_LEN: usize = 16;

/// A signature is over a digest of its hash's length: RSA's, and HMAC's (`HS256`...) too,
/// since the service's HS256 sign takes a SHA-256 digest (.NET
/// `ManagedHsmCryptographyClientLiveTests`).
fn check_digest_len(hash: HashAlgorithm, digest: &[u8]) -> Result<()> {
    if digest.len() == hash.output_len() {
        Ok(())
    } else {
        Err(Error::InvalidInput(
            "digest length does not match the algorithm",
        ))
    }
}

fn check_digest(scheme: RsaSignatureScheme, digest: &[u8]) -> Result<()> {
    match scheme {
        RsaSignatureScheme::Pkcs1v15(h) | RsaSignatureScheme::Pss(h) => check_digest_len(h, digest),
        _ => Ok(()),
    }
}

/// FIPS 204 limits the context string to 255 bytes; checked here so every backend answers alike.
fn check_context(input: &MlDsaInput<'_>) -> Result<()> {
    match input {
        MlDsaInput::Message { context, .. } if context.len() > ML_DSA_MAX_CONTEXT_LEN => Err(
            Error::InvalidInput("ML-DSA context string longer than 255 bytes"),
        ),
        _ => Ok(()),
    }
}

impl LocalKey {
    fn ec_digest_check(&self, digest: &[u8]) -> Result<()> {
        let curve = match &self.material {
            Material::EcPublic(k) => k.curve(),
            Material::EcPrivate(k) => k.curve(),
            _ => return Ok(()),
        };
        check_digest_len(curve.hash(), digest)
    }

    /// Signs `digest` (the hash of the message, computed by the caller with `alg`'s hash).
    /// RSA-PSS uses a salt as long as the digest; ECDSA returns raw `r||s`.
    ///
    /// # Errors
    /// [`Error::OperationNotPermitted`], [`Error::UnsupportedAlgorithm`],
    /// [`Error::MissingPrivateMaterial`], or [`Error::InvalidInput`] for a digest of the wrong length.
    pub fn sign(&self, alg: &SignatureAlgorithm, digest: &[u8]) -> Result<Vec<u8>> {
        self.sign_planned(
            self.plan(&KeyOperation::Sign, &Algorithm::from(alg))?,
            digest,
        )
    }

    /// [`LocalKey::sign`] with an operation [prepared](LocalKey::prepare) for `Sign`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a preparation of another key or operation; as `sign`.
    pub fn sign_prepared(&self, prepared: &PreparedOperation, digest: &[u8]) -> Result<Vec<u8>> {
        self.sign_planned(self.prepared_plan(prepared, PreparedFor::Sign)?, digest)
    }

    #[inline]
    fn sign_planned(&self, plan: Plan, digest: &[u8]) -> Result<Vec<u8>> {
        match (plan, &self.material) {
            (Plan::RsaSign(scheme), Material::RsaPrivate(k)) => {
                check_digest(scheme, digest)?;
                k.sign(scheme, digest)
            }
            (Plan::EcSign, Material::EcPrivate(k)) => {
                self.ec_digest_check(digest)?;
                k.sign(digest)
            }
            (Plan::MlDsaSign, Material::MlDsaPrivate(k)) => k.sign(&MlDsaInput::Message {
                message: digest,
                context: &[],
            }),
            (Plan::HmacSign(hash), Material::Aes { mac, .. }) => {
                check_digest_len(hash, digest)?;
                crate::hmac::hmac(hash, mac.expose_secret(), digest)
            }
            _ => Err(Error::MissingPrivateMaterial),
        }
    }

    /// Verifies `signature` over `digest`. `Ok(false)` means the signature does not verify.
    ///
    /// # Errors
    /// [`Error::OperationNotPermitted`], [`Error::UnsupportedAlgorithm`] (including a
    /// curve/algorithm mismatch), or [`Error::InvalidInput`] for a digest of the wrong length.
    pub fn verify(
        &self,
        alg: &SignatureAlgorithm,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<bool> {
        let plan = self.plan(&KeyOperation::Verify, &Algorithm::from(alg))?;
        self.verify_planned(plan, alg.as_str(), digest, signature)
    }

    /// [`LocalKey::verify`] with an operation [prepared](LocalKey::prepare) for `Verify`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a preparation of another key or operation; as `verify`.
    pub fn verify_prepared(
        &self,
        prepared: &PreparedOperation,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<bool> {
        let plan = self.prepared_plan(prepared, PreparedFor::Verify)?;
        self.verify_planned(plan, prepared.algorithm, digest, signature)
    }

    #[inline]
    fn verify_planned(
        &self,
        plan: Plan,
        alg: &str,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<bool> {
        let result = match (plan, &self.material) {
            (Plan::RsaVerify(scheme), Material::RsaPublic(k)) => {
                check_digest(scheme, digest)?;
                k.verify(scheme, digest, signature)
            }
            (Plan::RsaVerify(scheme), Material::RsaPrivate(k)) => {
                check_digest(scheme, digest)?;
                k.verify(scheme, digest, signature)
            }
            (Plan::EcVerify, Material::EcPublic(k)) => {
                self.ec_digest_check(digest)?;
                k.verify(digest, signature)
            }
            (Plan::EcVerify, Material::EcPrivate(k)) => {
                self.ec_digest_check(digest)?;
                k.verify(digest, signature)
            }
            (Plan::HmacVerify(hash), Material::Aes { mac, .. }) => {
                check_digest_len(hash, digest)?;
                return crate::hmac::hmac_verify(hash, mac.expose_secret(), digest, signature);
            }
            (Plan::MlDsaVerify, _) => {
                return self.verify_ml_dsa_planned(
                    &MlDsaInput::Message {
                        message: digest,
                        context: &[],
                    },
                    signature,
                );
            }
            _ => return Err(Error::unsupported(alg, "not valid for this key")),
        };
        match result {
            Ok(()) => Ok(true),
            Err(Error::CryptoFailure) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Signs with an ML-DSA key: a message with a context string, or an external mu (FIPS 204
    /// §5.2 and §6.2, the two forms Key Vault's sign accepts). [`LocalKey::sign`] with an
    /// ML-DSA algorithm is the plain form: the message with an empty context.
    ///
    /// ```
    /// # #[cfg(any(feature = "rustcrypto", feature = "aws-lc"))] {
    /// use kv_crypto_local::{generate_ml_dsa, LocalKey, MlDsaInput};
    /// use kv_jwk::SignatureAlgorithm;
    /// let jwk = generate_ml_dsa(&SignatureAlgorithm::MlDsa65)?;
    /// let key = LocalKey::new(&jwk)?;
    /// let input = MlDsaInput::Message { message: b"hello", context: b"app-v1" };
    /// let sig = key.sign_ml_dsa(&SignatureAlgorithm::MlDsa65, &input)?;
    /// let public = LocalKey::new(&jwk.to_public())?;
    /// assert!(public.verify_ml_dsa(&SignatureAlgorithm::MlDsa65, &input, &sig)?);
    /// assert!(!public.verify(&SignatureAlgorithm::MlDsa65, b"hello", &sig)?); // other context
    /// # }
    /// # Ok::<(), kv_crypto_local::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`LocalKey::sign`]; [`Error::InvalidInput`] for a context over 255 bytes.
    pub fn sign_ml_dsa(&self, alg: &SignatureAlgorithm, input: &MlDsaInput<'_>) -> Result<Vec<u8>> {
        check_context(input)?;
        match (
            self.plan(&KeyOperation::Sign, &Algorithm::from(alg))?,
            &self.material,
        ) {
            (Plan::MlDsaSign, Material::MlDsaPrivate(k)) => k.sign(input),
            _ => Err(Error::unsupported(alg.as_str(), "not an ML-DSA key")),
        }
    }

    /// Verifies an ML-DSA `signature` over a message with a context string, or over an
    /// external mu. `Ok(false)` means the signature does not verify.
    ///
    /// # Errors
    /// As [`LocalKey::verify`]; [`Error::InvalidInput`] for a context over 255 bytes.
    pub fn verify_ml_dsa(
        &self,
        alg: &SignatureAlgorithm,
        input: &MlDsaInput<'_>,
        signature: &[u8],
    ) -> Result<bool> {
        check_context(input)?;
        match self.plan(&KeyOperation::Verify, &Algorithm::from(alg))? {
            Plan::MlDsaVerify => self.verify_ml_dsa_planned(input, signature),
            _ => Err(Error::unsupported(alg.as_str(), "not an ML-DSA key")),
        }
    }

    /// The external mu of `message` under `context` for this ML-DSA key (FIPS 204 §6.2): the
    /// 64 bytes to send to Key Vault's sign (`external_mu`) instead of the message, so a long
    /// message is hashed locally.
    ///
    /// # Errors
    /// [`Error::UnsupportedAlgorithm`] for a key that is not ML-DSA or without a backend that
    /// computes mu (RustCrypto); [`Error::InvalidInput`] for a context over 255 bytes.
    pub fn ml_dsa_external_mu(&self, message: &[u8], context: &[u8]) -> Result<[u8; 64]> {
        check_context(&MlDsaInput::Message { message, context })?;
        match &self.material {
            Material::MlDsaPublic(k) => k.external_mu(message, context),
            Material::MlDsaPrivate(k) => k.external_mu(message, context),
            _ => Err(Error::unsupported(self.kty.as_str(), "not an ML-DSA key")),
        }
    }

    fn verify_ml_dsa_planned(&self, input: &MlDsaInput<'_>, signature: &[u8]) -> Result<bool> {
        let result = match &self.material {
            Material::MlDsaPublic(k) => k.verify(input, signature),
            Material::MlDsaPrivate(k) => k.verify(input, signature),
            _ => return Err(Error::InvalidKey("not an ML-DSA key")),
        };
        match result {
            Ok(()) => Ok(true),
            Err(Error::CryptoFailure) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Encrypts `plaintext`. AES-GCM and AES-CBC draw a fresh IV from the OS random generator
    /// and return it; AES-GCM returns the 16-byte tag separately and echoes the AAD.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a caller-chosen IV (always refused), AAD with a non-GCM
    /// algorithm, a plaintext too long for RSA or not block-aligned for unpadded CBC; and the
    /// refusals of [`LocalKey::supports`].
    pub fn encrypt(
        &self,
        alg: &EncryptionAlgorithm,
        plaintext: &[u8],
        params: &EncryptParameters,
    ) -> Result<EncryptResult> {
        let plan = self.plan(&KeyOperation::Encrypt, &Algorithm::from(alg))?;
        self.encrypt_planned(plan, alg, plaintext, params)
    }

    /// AES-CBC (`A128CBC`...`A256CBCPAD`) encryption with a caller-chosen IV, as the service
    /// allows for CBC. Only for CBC: a repeated CBC IV leaks which messages share a prefix,
    /// while a repeated GCM nonce breaks the key, so [`LocalKey::encrypt`] never takes one.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `alg` is not an AES-CBC algorithm or an unpadded plaintext
    /// is not block-aligned; and the refusals of [`LocalKey::supports`].
    pub fn encrypt_cbc_with_iv(
        &self,
        alg: &EncryptionAlgorithm,
        iv: &[u8; 16],
        plaintext: &[u8],
    ) -> Result<EncryptResult> {
        let plan = self.plan(&KeyOperation::Encrypt, &Algorithm::from(alg))?;
        let (Plan::CbcEncrypt { pad }, Material::Aes { cbc: Some(k), .. }) = (plan, &self.material)
        else {
            return Err(Error::InvalidInput(
                "a caller-chosen IV is accepted for AES-CBC only",
            ));
        };
        Ok(EncryptResult {
            kid: self.kid.clone(),
            algorithm: alg.clone(),
            ciphertext: k.encrypt(pad, iv, plaintext)?,
            iv: Some(iv.to_vec()),
            authentication_tag: None,
            additional_authenticated_data: None,
        })
    }

    /// [`LocalKey::encrypt`] with an operation [prepared](LocalKey::prepare) for `Encrypt`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a preparation of another key or operation; as `encrypt`.
    pub fn encrypt_prepared(
        &self,
        prepared: &PreparedOperation,
        plaintext: &[u8],
        params: &EncryptParameters,
    ) -> Result<EncryptResult> {
        let plan = self.prepared_plan(prepared, PreparedFor::Encrypt)?;
        // No parsing on the hot path: the preparation kept the algorithm's index.
        let alg = prepared
            .encryption_index
            .and_then(EncryptionAlgorithm::from_known_index)
            .ok_or(Error::InvalidInput(
                "the prepared operation names no encryption algorithm",
            ))?;
        self.encrypt_planned(plan, &alg, plaintext, params)
    }

    #[inline]
    fn encrypt_planned(
        &self,
        plan: Plan,
        alg: &EncryptionAlgorithm,
        plaintext: &[u8],
        params: &EncryptParameters,
    ) -> Result<EncryptResult> {
        if params.iv.is_some() {
            return Err(Error::InvalidInput(
                "a caller-chosen IV is refused: local encryption draws its IV from the OS random generator",
            ));
        }
        let aad = params.additional_authenticated_data.as_deref();
        if aad.is_some() && plan != Plan::GcmEncrypt {
            return Err(Error::InvalidInput(
                "additional authenticated data is only used with AES-GCM",
            ));
        }
        let mut result = EncryptResult {
            kid: self.kid.clone(),
            algorithm: alg.clone(),
            ciphertext: Vec::new(),
            iv: None,
            authentication_tag: None,
            additional_authenticated_data: None,
        };
        match (plan, &self.material) {
            (Plan::RsaEncrypt(p), Material::RsaPublic(k)) => {
                result.ciphertext = k.encrypt(p, plaintext)?
            }
            (Plan::RsaEncrypt(p), Material::RsaPrivate(k)) => {
                result.ciphertext = k.encrypt(p, plaintext)?
            }
            (Plan::GcmEncrypt, Material::Aes { gcm: Some(k), .. }) => {
                let mut iv = [0u8; GCM_IV_LEN];
                self.provider.random.fill(&mut iv)?;
                // Zeroizing until sealed, so a failure leaves no plaintext copy behind.
                let mut buf = Zeroizing::new(plaintext.to_vec());
                let tag = k.seal(&iv, aad.unwrap_or_default(), &mut buf)?;
                result.ciphertext = core::mem::take(&mut *buf);
                result.iv = Some(iv.to_vec());
                result.authentication_tag = Some(tag.to_vec());
                result.additional_authenticated_data = aad.map(<[u8]>::to_vec);
            }
            (Plan::CbcEncrypt { pad }, Material::Aes { cbc: Some(k), .. }) => {
                let mut iv = [0u8; CBC_IV_LEN];
                self.provider.random.fill(&mut iv)?;
                result.ciphertext = k.encrypt(pad, &iv, plaintext)?;
                result.iv = Some(iv.to_vec());
            }
            _ => return Err(Error::unsupported(alg.as_str(), "not valid for this key")),
        }
        Ok(result)
    }

    /// Decrypts `ciphertext`. Any authentication or padding failure is the opaque
    /// [`Error::CryptoFailure`], and no partial plaintext is returned.
    ///
    /// RSA1_5 with the RustCrypto backend uses implicit rejection (rsa 0.10, against Marvin-style
    /// timing attacks): a malformed ciphertext yields a pseudo-random plaintext, not an error.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a missing or wrong-size IV or tag, a ciphertext of the wrong
    /// size; [`Error::CryptoFailure`]; and the refusals of [`LocalKey::supports`].
    pub fn decrypt(
        &self,
        alg: &EncryptionAlgorithm,
        ciphertext: &[u8],
        params: &DecryptParameters,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let plan = self.plan(&KeyOperation::Decrypt, &Algorithm::from(alg))?;
        self.decrypt_planned(plan, ciphertext, params)
    }

    /// [`LocalKey::decrypt`] with an operation [prepared](LocalKey::prepare) for `Decrypt`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a preparation of another key or operation; as `decrypt`.
    pub fn decrypt_prepared(
        &self,
        prepared: &PreparedOperation,
        ciphertext: &[u8],
        params: &DecryptParameters,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let plan = self.prepared_plan(prepared, PreparedFor::Decrypt)?;
        self.decrypt_planned(plan, ciphertext, params)
    }

    #[inline]
    fn decrypt_planned(
        &self,
        plan: Plan,
        ciphertext: &[u8],
        params: &DecryptParameters,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let aad = params.additional_authenticated_data.as_deref();
        if aad.is_some() && plan != Plan::GcmDecrypt {
            return Err(Error::InvalidInput(
                "additional authenticated data is only used with AES-GCM",
            ));
        }
        match (plan, &self.material) {
            (Plan::RsaDecrypt(p), Material::RsaPrivate(k)) => k.decrypt(p, ciphertext),
            (Plan::GcmDecrypt, Material::Aes { gcm: Some(k), .. }) => {
                let iv: &[u8; GCM_IV_LEN] = params
                    .iv
                    .as_deref()
                    .and_then(|iv| iv.try_into().ok())
                    .ok_or(Error::InvalidInput("AES-GCM needs a 12-byte IV"))?;
                let tag: &[u8; GCM_TAG_LEN] = params
                    .authentication_tag
                    .as_deref()
                    .and_then(|t| t.try_into().ok())
                    .ok_or(Error::InvalidInput(
                        "AES-GCM needs a 16-byte authentication tag",
                    ))?;
                let mut buf = Zeroizing::new(ciphertext.to_vec());
                k.open(iv, aad.unwrap_or_default(), &mut buf, tag)?;
                Ok(buf)
            }
            (Plan::CbcDecrypt { pad }, Material::Aes { cbc: Some(k), .. }) => {
                let iv: &[u8; CBC_IV_LEN] = params
                    .iv
                    .as_deref()
                    .and_then(|iv| iv.try_into().ok())
                    .ok_or(Error::InvalidInput("AES-CBC needs a 16-byte IV"))?;
                k.decrypt(pad, iv, ciphertext)
            }
            _ => Err(Error::MissingPrivateMaterial),
        }
    }

    /// Wraps `key` (RSA encryption or AES key wrap: A*KW and `CKM_AES_KEY_WRAP` are RFC 3394,
    /// A*KWPAD and `CKM_AES_KEY_WRAP_PAD` are RFC 5649).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a key of a length the algorithm cannot wrap; and the
    /// refusals of [`LocalKey::supports`].
    pub fn wrap_key(&self, alg: &KeyWrapAlgorithm, key: &[u8]) -> Result<Vec<u8>> {
        let plan = self.plan(&KeyOperation::WrapKey, &Algorithm::from(alg))?;
        self.wrap_key_planned(plan, alg.as_str(), key)
    }

    /// [`LocalKey::wrap_key`] with an operation [prepared](LocalKey::prepare) for `WrapKey`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a preparation of another key or operation; as `wrap_key`.
    // Inlinable across crates: an AES key wrap is sub-microsecond, and the call's own cost
    // shows (kv-client's `PreparedKey` docs give the count).
    #[inline]
    pub fn wrap_key_prepared(&self, prepared: &PreparedOperation, key: &[u8]) -> Result<Vec<u8>> {
        let plan = self.prepared_plan(prepared, PreparedFor::WrapKey)?;
        self.wrap_key_planned(plan, prepared.algorithm, key)
    }

    #[inline]
    fn wrap_key_planned(&self, plan: Plan, alg: &str, key: &[u8]) -> Result<Vec<u8>> {
        match (plan, &self.material) {
            (Plan::RsaEncrypt(p), Material::RsaPublic(k)) => k.encrypt(p, key),
            (Plan::RsaEncrypt(p), Material::RsaPrivate(k)) => k.encrypt(p, key),
            (Plan::Wrap { padded: false }, Material::Aes { kw: Some(k), .. }) => k.wrap(key),
            (Plan::Wrap { padded: true }, Material::Aes { kw: Some(k), .. }) => k.wrap_padded(key),
            _ => Err(Error::unsupported(alg, "not valid for this key")),
        }
    }

    /// Unwraps `encrypted_key`. An integrity or padding failure is [`Error::CryptoFailure`].
    ///
    /// # Errors
    /// As [`LocalKey::decrypt`].
    pub fn unwrap_key(
        &self,
        alg: &KeyWrapAlgorithm,
        encrypted_key: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        let plan = self.plan(&KeyOperation::UnwrapKey, &Algorithm::from(alg))?;
        self.unwrap_key_planned(plan, encrypted_key)
    }

    /// [`LocalKey::unwrap_key`] with an operation [prepared](LocalKey::prepare) for
    /// `UnwrapKey`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a preparation of another key or operation; as
    /// `unwrap_key`.
    // Inlinable across crates, as `wrap_key_prepared`.
    #[inline]
    pub fn unwrap_key_prepared(
        &self,
        prepared: &PreparedOperation,
        encrypted_key: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        let plan = self.prepared_plan(prepared, PreparedFor::UnwrapKey)?;
        self.unwrap_key_planned(plan, encrypted_key)
    }

    #[inline]
    fn unwrap_key_planned(&self, plan: Plan, encrypted_key: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        match (plan, &self.material) {
            (Plan::RsaDecrypt(p), Material::RsaPrivate(k)) => k.decrypt(p, encrypted_key),
            (Plan::Unwrap { padded: false }, Material::Aes { kw: Some(k), .. }) => {
                k.unwrap(encrypted_key)
            }
            (Plan::Unwrap { padded: true }, Material::Aes { kw: Some(k), .. }) => {
                k.unwrap_padded(encrypted_key)
            }
            _ => Err(Error::MissingPrivateMaterial),
        }
    }
}
