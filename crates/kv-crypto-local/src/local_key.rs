//! [`LocalKey`]: a JSON Web Key parsed once into backend keys, performing Key Vault's operations.

use core::fmt;
use core::sync::atomic::{AtomicU64, Ordering};

use kv_jwk::{
    EncryptionAlgorithm, HashAlgorithm, JsonWebKey, KeyCurveName, KeyFamily, KeyOperation, KeyType,
    KeyWrapAlgorithm, SecretBytes, SignatureAlgorithm,
};
use zeroize::Zeroizing;

use crate::params::Algorithm;
use crate::provider::{
    AesCbcKey, AesGcmKey, AesKwKey, CryptoProvider, EcCurve, EcKeyComponents, EcPrivateKey,
    EcPublicKey, MlDsaParameterSet, MlDsaPrivateKey, MlDsaPublicKey, RsaEncryptionPadding,
    RsaKeyComponents, RsaPrivateKey, RsaPublicKey, RsaSignatureScheme,
};
use crate::{Error, Result};

/// Smallest RSA modulus Key Vault issues, and the smallest accepted here.
const MIN_RSA_BITS: usize = 2048;

enum Material {
    RsaPublic(Box<dyn RsaPublicKey>),
    RsaPrivate(Box<dyn RsaPrivateKey>),
    EcPublic(Box<dyn EcPublicKey>),
    EcPrivate(Box<dyn EcPrivateKey>),
    MlDsaPublic(Box<dyn MlDsaPublicKey>),
    MlDsaPrivate(Box<dyn MlDsaPrivateKey>),
    /// `oct` with AES material (16, 24 or 32 bytes); each part absent if no backend offers it.
    /// `mac` keeps the key bytes for HMAC signatures (`HS256`/`HS384`/`HS512`), which a
    /// Managed HSM makes with its `oct-HSM` keys; wiped on drop.
    Aes {
        len: usize,
        gcm: Option<Box<dyn AesGcmKey>>,
        cbc: Option<Box<dyn AesCbcKey>>,
        kw: Option<Box<dyn AesKwKey>>,
        mac: SecretBytes,
    },
    /// `oct` without usable AES material: supports nothing locally.
    OctNone,
}

/// What a permitted (operation, algorithm) pair resolves to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Plan {
    RsaSign(RsaSignatureScheme),
    RsaVerify(RsaSignatureScheme),
    RsaEncrypt(RsaEncryptionPadding),
    RsaDecrypt(RsaEncryptionPadding),
    EcSign,
    EcVerify,
    HmacSign(HashAlgorithm),
    HmacVerify(HashAlgorithm),
    MlDsaSign,
    MlDsaVerify,
    GcmEncrypt,
    GcmDecrypt,
    CbcEncrypt { pad: bool },
    CbcDecrypt { pad: bool },
    Wrap { padded: bool },
    Unwrap { padded: bool },
}

/// Numbers each parsed key, so a [`PreparedOperation`] runs only on the key that checked it.
static NEXT_KEY_ID: AtomicU64 = AtomicU64::new(0);

/// The operation a [`PreparedOperation`] was checked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PreparedFor {
    Sign,
    Verify,
    Encrypt,
    Decrypt,
    WrapKey,
    UnwrapKey,
}

/// An operation and algorithm checked once against a [`LocalKey`] ([`LocalKey::prepare`]),
/// to run many times without checking again: `key_ops`, key type and size, curve, private
/// material and backend support are settled when it is made, and none of them can change
/// for the key. The `*_prepared` methods refuse a preparation made by another key or for
/// another operation.
///
/// ```
/// # #[cfg(any(feature = "rustcrypto", feature = "aws-lc"))] {
/// use kv_crypto_local::{generate_oct, LocalKey};
/// use kv_jwk::{KeyOperation, KeyWrapAlgorithm};
/// let key = LocalKey::new(&generate_oct(256)?)?;
/// let wrap = key.prepare(&KeyOperation::WrapKey, KeyWrapAlgorithm::A256Kw)?;
/// for data_key in [[1u8; 32], [2u8; 32]] {
///     let wrapped = key.wrap_key_prepared(&wrap, &data_key)?;
///     assert_eq!(*key.unwrap_key(&KeyWrapAlgorithm::A256Kw, &wrapped)?, data_key);
/// }
/// # }
/// # Ok::<(), kv_crypto_local::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PreparedOperation {
    key: u64,
    op: PreparedFor,
    plan: Plan,
    /// The algorithm as the service spells it.
    algorithm: &'static str,
    /// Its `known_index()` as an [`EncryptionAlgorithm`] (key-wrap names map onto that
    /// vocabulary): encrypt results name their algorithm without parsing it again.
    encryption_index: Option<usize>,
}

impl PreparedOperation {
    /// The algorithm it runs, as the service spells it.
    pub fn algorithm(&self) -> &'static str {
        self.algorithm
    }
}

/// The `'static` spelling of a known algorithm (`None` for an unknown one).
fn static_name(alg: &Algorithm) -> Option<&'static str> {
    match alg {
        Algorithm::Signature(a) => a.known_index().map(|i| SignatureAlgorithm::KNOWN_VALUES[i]),
        Algorithm::Encryption(a) => a
            .known_index()
            .map(|i| EncryptionAlgorithm::KNOWN_VALUES[i]),
        Algorithm::KeyWrap(a) => a.known_index().map(|i| KeyWrapAlgorithm::KNOWN_VALUES[i]),
    }
}

/// A key for local cryptography, made once from a [`JsonWebKey`].
///
/// Parsing happens in [`LocalKey::new`]; every operation reuses the parsed backend keys.
/// Operations follow Key Vault: sign and verify take a digest, EC signatures are raw `r||s`,
/// PSS salts are as long as the digest, AES-GCM returns ciphertext, IV and tag separately.
///
/// ```
/// # #[cfg(any(feature = "rustcrypto", feature = "aws-lc"))] {
/// use kv_crypto_local::{generate_ec, LocalKey};
/// use kv_jwk::{KeyCurveName, SignatureAlgorithm};
/// let jwk = generate_ec(&KeyCurveName::P256)?;
/// let key = LocalKey::new(&jwk)?;
/// let digest = [7u8; 32]; // SHA-256 of the message
/// let sig = key.sign(&SignatureAlgorithm::Es256, &digest)?;
/// assert!(LocalKey::new(&jwk.to_public())?.verify(&SignatureAlgorithm::Es256, &digest, &sig)?);
/// # }
/// # Ok::<(), kv_crypto_local::Error>(())
/// ```
pub struct LocalKey {
    /// Process-unique number of this parsed key (see [`PreparedOperation`]).
    id: u64,
    kid: Option<String>,
    kty: KeyType,
    key_ops: Option<Vec<KeyOperation>>,
    provider: &'static CryptoProvider,
    material: Material,
}

impl fmt::Debug for LocalKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalKey")
            .field("kid", &self.kid)
            .field("kty", &self.kty)
            .field("key_ops", &self.key_ops)
            .field("private", &self.has_private_material())
            .finish_non_exhaustive()
    }
}

fn unsupported(alg: &str, reason: &'static str) -> Error {
    Error::unsupported(alg, reason)
}

fn left_pad(bytes: &[u8], len: usize, what: &'static str) -> Result<Zeroizing<Vec<u8>>> {
    let offset = len
        .checked_sub(bytes.len())
        .ok_or(Error::InvalidKey(what))?;
    let mut out = Zeroizing::new(vec![0u8; len]);
    out.get_mut(offset..)
        .ok_or(Error::InvalidKey(what))?
        .copy_from_slice(bytes);
    Ok(out)
}

/// The ML-DSA parameter set an algorithm names (`None` for any other algorithm).
pub(crate) fn parameter_set_of(alg: &SignatureAlgorithm) -> Option<MlDsaParameterSet> {
    match alg {
        SignatureAlgorithm::MlDsa44 => Some(MlDsaParameterSet::MlDsa44),
        SignatureAlgorithm::MlDsa65 => Some(MlDsaParameterSet::MlDsa65),
        SignatureAlgorithm::MlDsa87 => Some(MlDsaParameterSet::MlDsa87),
        _ => None,
    }
}

pub(crate) fn curve_of(crv: &KeyCurveName) -> Option<EcCurve> {
    match crv {
        KeyCurveName::P256 => Some(EcCurve::P256),
        KeyCurveName::P256K => Some(EcCurve::P256K),
        KeyCurveName::P384 => Some(EcCurve::P384),
        KeyCurveName::P521 => Some(EcCurve::P521),
        _ => None,
    }
}

/// The components of an RSA JWK with private members (`n`, `e`, `d`, `p`, `q`, `dp`, `dq`,
/// `qi`; two-prime only).
pub(crate) fn rsa_private_components(jwk: &JsonWebKey) -> Result<RsaKeyComponents> {
    let public = |v: &Option<Vec<u8>>, what| v.clone().ok_or(Error::InvalidKey(what));
    let part = |s: &Option<kv_jwk::SecretBytes>| {
        s.as_ref()
            .map(|s| Zeroizing::new(s.expose_secret().to_vec()))
            .ok_or(Error::InvalidKey(
                "RSA private key needs `p`, `q`, `dp`, `dq` and `qi`",
            ))
    };
    Ok(RsaKeyComponents {
        n: public(&jwk.n, "RSA key without `n`")?,
        e: public(&jwk.e, "RSA key without `e`")?,
        d: jwk
            .d
            .as_ref()
            .map(|d| Zeroizing::new(d.expose_secret().to_vec()))
            .ok_or(Error::MissingPrivateMaterial)?,
        p: part(&jwk.p)?,
        q: part(&jwk.q)?,
        dp: part(&jwk.dp)?,
        dq: part(&jwk.dq)?,
        qi: part(&jwk.qi)?,
    })
}

/// An EC JWK's curve, its coordinates left-padded to the field length, and its private
/// scalar (padded likewise) when it has one.
pub(crate) type EcParts = (EcCurve, Vec<u8>, Vec<u8>, Option<Zeroizing<Vec<u8>>>);

/// The [`EcParts`] of `jwk`.
pub(crate) fn ec_components(jwk: &JsonWebKey) -> Result<EcParts> {
    let crv = jwk
        .crv
        .as_ref()
        .ok_or(Error::InvalidKey("EC key without `crv`"))?;
    let curve = curve_of(crv).ok_or(Error::InvalidKey("unsupported curve"))?;
    let n = curve.field_len();
    let bad = "EC member longer than the curve's field";
    let coordinate = |v: &Option<Vec<u8>>, missing| {
        left_pad(v.as_deref().ok_or(Error::InvalidKey(missing))?, n, bad)
    };
    let x = coordinate(&jwk.x, "EC key without `x`")?;
    let y = coordinate(&jwk.y, "EC key without `y`")?;
    let d = match &jwk.d {
        None => None,
        Some(d) => Some(left_pad(d.expose_secret(), n, bad)?),
    };
    Ok((curve, x.to_vec(), y.to_vec(), d))
}

impl LocalKey {
    /// Parses `jwk` with the process default provider ([`get_default`](crate::get_default)).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for a malformed or inconsistent key (or an RSA modulus under 2048
    /// bits), [`Error::NoProvider`] without a backend.
    pub fn new(jwk: &JsonWebKey) -> Result<Self> {
        Self::with_provider(jwk, crate::get_default()?)
    }

    /// Parses `jwk` with `provider`.
    ///
    /// # Errors
    /// As [`LocalKey::new`].
    pub fn with_provider(jwk: &JsonWebKey, provider: &'static CryptoProvider) -> Result<Self> {
        let kty = jwk.kty.clone().ok_or(Error::InvalidKey("missing `kty`"))?;
        let material = match kty.family() {
            Some(KeyFamily::Rsa) => Self::rsa_material(jwk, provider)?,
            Some(KeyFamily::Ec) => Self::ec_material(jwk, provider)?,
            Some(KeyFamily::Oct) => Self::oct_material(jwk, provider)?,
            Some(KeyFamily::Akp) => Self::ml_dsa_material(jwk, provider)?,
            None => return Err(Error::InvalidKey("unknown `kty`")),
        };
        Ok(Self {
            id: NEXT_KEY_ID.fetch_add(1, Ordering::Relaxed),
            kid: jwk.kid.clone(),
            kty,
            key_ops: jwk.key_ops.clone(),
            provider,
            material,
        })
    }

    fn rsa_material(jwk: &JsonWebKey, provider: &'static CryptoProvider) -> Result<Material> {
        let n = jwk
            .n
            .as_deref()
            .ok_or(Error::InvalidKey("RSA key without `n`"))?;
        let e = jwk
            .e
            .as_deref()
            .ok_or(Error::InvalidKey("RSA key without `e`"))?;
        let material = match &jwk.d {
            None => {
                if jwk.has_private_material() {
                    return Err(Error::InvalidKey("RSA private members without `d`"));
                }
                Material::RsaPublic(provider.rsa.public_key(n, e)?)
            }
            Some(_) => {
                let components = rsa_private_components(jwk)?;
                Material::RsaPrivate(provider.rsa.private_key(&components)?)
            }
        };
        let bits = match &material {
            Material::RsaPublic(k) => k.modulus_bits(),
            Material::RsaPrivate(k) => k.modulus_bits(),
            _ => 0,
        };
        if bits < MIN_RSA_BITS {
            return Err(Error::InvalidKey("RSA modulus below 2048 bits"));
        }
        Ok(material)
    }

    fn ec_material(jwk: &JsonWebKey, provider: &'static CryptoProvider) -> Result<Material> {
        let (curve, x, y, d) = ec_components(jwk)?;
        Ok(match d {
            None => Material::EcPublic(provider.ec.public_key(curve, &x, &y)?),
            Some(d) => {
                Material::EcPrivate(
                    provider
                        .ec
                        .private_key(&EcKeyComponents { curve, x, y, d })?,
                )
            }
        })
    }

    fn ml_dsa_material(jwk: &JsonWebKey, provider: &'static CryptoProvider) -> Result<Material> {
        let set = jwk
            .alg
            .as_ref()
            .and_then(parameter_set_of)
            .ok_or(Error::InvalidKey(
                "AKP key without an ML-DSA `alg` (ML-DSA-44, ML-DSA-65 or ML-DSA-87)",
            ))?;
        let public = jwk.pub_key.as_deref();
        Ok(match &jwk.priv_key {
            None => Material::MlDsaPublic(provider.ml_dsa.public_key(
                set,
                public.ok_or(Error::InvalidKey("AKP key without `pub`"))?,
            )?),
            Some(seed) => {
                let key = provider.ml_dsa.private_key(set, seed.expose_secret())?;
                // A `pub` that is present must be the one the seed derives.
                if public.is_some_and(|p| p != key.public_key_bytes()) {
                    return Err(Error::InvalidKey("AKP `pub` does not match `priv`"));
                }
                Material::MlDsaPrivate(key)
            }
        })
    }

    fn oct_material(jwk: &JsonWebKey, provider: &'static CryptoProvider) -> Result<Material> {
        let Some(k) = jwk.k.as_ref() else {
            return Ok(Material::OctNone);
        };
        let k = k.expose_secret();
        if !matches!(k.len(), 16 | 24 | 32) {
            return Ok(Material::OctNone);
        }
        Ok(Material::Aes {
            len: k.len(),
            gcm: provider.aes_gcm.key(k).ok(),
            cbc: provider.aes_cbc.key(k).ok(),
            kw: if provider.aes_kw.supports_key_len(k.len()) {
                Some(provider.aes_kw.key(k)?)
            } else {
                None
            },
            mac: SecretBytes::from_slice(k),
        })
    }

    /// The key identifier of the JWK.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The key type of the JWK.
    pub fn key_type(&self) -> &KeyType {
        &self.kty
    }

    /// Whether the key carries private (or symmetric) material usable locally.
    pub fn has_private_material(&self) -> bool {
        matches!(
            self.material,
            Material::RsaPrivate(_)
                | Material::EcPrivate(_)
                | Material::MlDsaPrivate(_)
                | Material::Aes { .. }
        )
    }

    /// Whether `op` with `alg` would be performed locally, answered without doing the work.
    ///
    /// `true` means the operation passes every check that does not depend on the data
    /// (`key_ops`, key type and size, curve, private material, backend support).
    pub fn supports(&self, op: &KeyOperation, alg: impl Into<Algorithm>) -> bool {
        self.plan(op, &alg.into()).is_ok()
    }

    /// Checks `op` with `alg` against this key once, for running it many times with the
    /// `*_prepared` methods ([`LocalKey::wrap_key_prepared`]...) without checking again.
    ///
    /// # Errors
    /// The refusals of [`LocalKey::supports`], as the operation itself would return them.
    pub fn prepare(
        &self,
        op: &KeyOperation,
        alg: impl Into<Algorithm>,
    ) -> Result<PreparedOperation> {
        let alg = alg.into();
        let plan = self.plan(op, &alg)?;
        let for_op = match op {
            KeyOperation::Sign => PreparedFor::Sign,
            KeyOperation::Verify => PreparedFor::Verify,
            KeyOperation::Encrypt => PreparedFor::Encrypt,
            KeyOperation::Decrypt => PreparedFor::Decrypt,
            KeyOperation::WrapKey => PreparedFor::WrapKey,
            KeyOperation::UnwrapKey => PreparedFor::UnwrapKey,
            _ => {
                return Err(unsupported(
                    alg.as_str(),
                    "the operation is not a local cryptographic operation",
                ));
            }
        };
        let algorithm = static_name(&alg)
            .ok_or_else(|| unsupported(alg.as_str(), "not an algorithm this library knows"))?;
        let encryption_index = match &alg {
            Algorithm::Encryption(a) => a.known_index(),
            Algorithm::KeyWrap(a) => a.to_encryption_algorithm().known_index(),
            Algorithm::Signature(_) => None,
        };
        Ok(PreparedOperation {
            key: self.id,
            op: for_op,
            plan,
            algorithm,
            encryption_index,
        })
    }

    /// The plan of `prepared`, if this key made it for `op`.
    pub(crate) fn prepared_plan(
        &self,
        prepared: &PreparedOperation,
        op: PreparedFor,
    ) -> Result<Plan> {
        if prepared.key == self.id && prepared.op == op {
            Ok(prepared.plan)
        } else {
            Err(Error::InvalidInput(
                "the prepared operation was made by another key or for another operation",
            ))
        }
    }

    fn plan(&self, op: &KeyOperation, alg: &Algorithm) -> Result<Plan> {
        let permitted = self.key_ops.as_ref().is_none_or(|ops| ops.contains(op));
        if !permitted {
            return Err(Error::OperationNotPermitted(op.clone()));
        }
        match op {
            KeyOperation::Sign | KeyOperation::Verify => {
                let Algorithm::Signature(sig) = alg else {
                    return Err(unsupported(alg.as_str(), "not a signature algorithm"));
                };
                self.plan_signature(op == &KeyOperation::Sign, sig)
            }
            KeyOperation::Encrypt
            | KeyOperation::Decrypt
            | KeyOperation::WrapKey
            | KeyOperation::UnwrapKey => {
                let enc = match alg {
                    Algorithm::Encryption(a) => a.clone(),
                    Algorithm::KeyWrap(a) => a.to_encryption_algorithm(),
                    Algorithm::Signature(_) => {
                        return Err(unsupported(alg.as_str(), "not an encryption algorithm"));
                    }
                };
                self.plan_cipher(op, &enc)
            }
            _ => Err(unsupported(
                alg.as_str(),
                "the operation is not a local cryptographic operation",
            )),
        }
    }

    fn plan_signature(&self, sign: bool, alg: &SignatureAlgorithm) -> Result<Plan> {
        let name = alg.as_str();
        match &self.material {
            Material::RsaPublic(_) | Material::RsaPrivate(_) => {
                let scheme = match alg {
                    SignatureAlgorithm::Rs256
                    | SignatureAlgorithm::Rs384
                    | SignatureAlgorithm::Rs512 => RsaSignatureScheme::Pkcs1v15(
                        alg.hash().ok_or_else(|| unsupported(name, "no hash"))?,
                    ),
                    SignatureAlgorithm::Ps256
                    | SignatureAlgorithm::Ps384
                    | SignatureAlgorithm::Ps512 => RsaSignatureScheme::Pss(
                        alg.hash().ok_or_else(|| unsupported(name, "no hash"))?,
                    ),
                    SignatureAlgorithm::RsNull => RsaSignatureScheme::Pkcs1v15Raw,
                    _ => return Err(unsupported(name, "not an RSA signature algorithm")),
                };
                if !self.provider.rsa.supports_signature(scheme) {
                    return Err(unsupported(
                        name,
                        "not implemented by the compiled-in backends",
                    ));
                }
                match (&self.material, sign) {
                    (_, false) => Ok(Plan::RsaVerify(scheme)),
                    (Material::RsaPrivate(_), true) => Ok(Plan::RsaSign(scheme)),
                    _ => Err(Error::MissingPrivateMaterial),
                }
            }
            Material::EcPublic(_) | Material::EcPrivate(_) => {
                let curve = match &self.material {
                    Material::EcPublic(k) => k.curve(),
                    Material::EcPrivate(k) => k.curve(),
                    _ => return Err(unsupported(name, "not an EC key")),
                };
                let wanted = alg.curve().as_ref().and_then(curve_of);
                if wanted.is_none() {
                    return Err(unsupported(name, "not an ECDSA algorithm"));
                }
                if wanted != Some(curve) {
                    return Err(unsupported(
                        name,
                        "the algorithm is defined on another curve",
                    ));
                }
                match (&self.material, sign) {
                    (_, false) => Ok(Plan::EcVerify),
                    (Material::EcPrivate(_), true) => Ok(Plan::EcSign),
                    _ => Err(Error::MissingPrivateMaterial),
                }
            }
            Material::MlDsaPublic(_) | Material::MlDsaPrivate(_) => {
                let set = match &self.material {
                    Material::MlDsaPublic(k) => k.parameter_set(),
                    Material::MlDsaPrivate(k) => k.parameter_set(),
                    _ => return Err(unsupported(name, "not an ML-DSA key")),
                };
                match parameter_set_of(alg) {
                    None => return Err(unsupported(name, "not an ML-DSA algorithm")),
                    Some(wanted) if wanted != set => {
                        return Err(unsupported(
                            name,
                            "the key is for another ML-DSA parameter set",
                        ));
                    }
                    Some(_) => {}
                }
                match (&self.material, sign) {
                    (_, false) => Ok(Plan::MlDsaVerify),
                    (Material::MlDsaPrivate(_), true) => Ok(Plan::MlDsaSign),
                    _ => Err(Error::MissingPrivateMaterial),
                }
            }
            Material::Aes { .. } => match alg {
                SignatureAlgorithm::Hs256
                | SignatureAlgorithm::Hs384
                | SignatureAlgorithm::Hs512 => {
                    let hash = alg.hash().ok_or_else(|| unsupported(name, "no hash"))?;
                    Ok(if sign {
                        Plan::HmacSign(hash)
                    } else {
                        Plan::HmacVerify(hash)
                    })
                }
                _ => Err(unsupported(
                    name,
                    "symmetric keys sign with HS256, HS384 or HS512 only",
                )),
            },
            Material::OctNone => Err(unsupported(
                name,
                "the key has no usable symmetric material",
            )),
        }
    }

    fn plan_cipher(&self, op: &KeyOperation, alg: &EncryptionAlgorithm) -> Result<Plan> {
        use EncryptionAlgorithm as E;
        let name = alg.as_str();
        let wrap_op = matches!(op, KeyOperation::WrapKey | KeyOperation::UnwrapKey);
        let forward = matches!(op, KeyOperation::Encrypt | KeyOperation::WrapKey);
        match &self.material {
            Material::RsaPublic(_) | Material::RsaPrivate(_) => {
                let padding = match alg {
                    E::Rsa1_5 => RsaEncryptionPadding::Pkcs1v15,
                    E::RsaOaep => RsaEncryptionPadding::OaepSha1,
                    E::RsaOaep256 => RsaEncryptionPadding::OaepSha256,
                    _ => return Err(unsupported(name, "not an RSA encryption algorithm")),
                };
                match (&self.material, forward) {
                    (_, true) => Ok(Plan::RsaEncrypt(padding)),
                    (Material::RsaPrivate(_), false) => Ok(Plan::RsaDecrypt(padding)),
                    _ => Err(Error::MissingPrivateMaterial),
                }
            }
            Material::Aes {
                len, gcm, cbc, kw, ..
            } => {
                if alg.aes_key_len().is_some_and(|l| l != *len) {
                    return Err(unsupported(
                        name,
                        "the algorithm needs another AES key size",
                    ));
                }
                let (plan, available) = match (alg, wrap_op) {
                    (E::A128Gcm | E::A192Gcm | E::A256Gcm, false) => (
                        if forward {
                            Plan::GcmEncrypt
                        } else {
                            Plan::GcmDecrypt
                        },
                        gcm.is_some(),
                    ),
                    (E::A128Cbc | E::A192Cbc | E::A256Cbc, false) => {
                        let pad = false;
                        (
                            if forward {
                                Plan::CbcEncrypt { pad }
                            } else {
                                Plan::CbcDecrypt { pad }
                            },
                            cbc.is_some(),
                        )
                    }
                    (E::A128CbcPad | E::A192CbcPad | E::A256CbcPad, false) => {
                        let pad = true;
                        (
                            if forward {
                                Plan::CbcEncrypt { pad }
                            } else {
                                Plan::CbcDecrypt { pad }
                            },
                            cbc.is_some(),
                        )
                    }
                    (E::A128Kw | E::A192Kw | E::A256Kw | E::CkmAesKeyWrap, true) => {
                        let padded = false;
                        (
                            if forward {
                                Plan::Wrap { padded }
                            } else {
                                Plan::Unwrap { padded }
                            },
                            kw.is_some(),
                        )
                    }
                    (E::CkmAesKeyWrapPad | E::A128KwPad | E::A192KwPad | E::A256KwPad, true) => {
                        let padded = true;
                        (
                            if forward {
                                Plan::Wrap { padded }
                            } else {
                                Plan::Unwrap { padded }
                            },
                            kw.is_some(),
                        )
                    }
                    _ => {
                        return Err(unsupported(
                            name,
                            "not valid for this operation on a symmetric key",
                        ));
                    }
                };
                if available {
                    Ok(plan)
                } else {
                    Err(unsupported(
                        name,
                        "not implemented by the compiled-in backends for this key size",
                    ))
                }
            }
            Material::OctNone => Err(unsupported(
                name,
                "the symmetric key has no usable AES material",
            )),
            Material::EcPublic(_) | Material::EcPrivate(_) => {
                Err(unsupported(name, "EC keys do not encrypt or wrap"))
            }
            Material::MlDsaPublic(_) | Material::MlDsaPrivate(_) => {
                Err(unsupported(name, "ML-DSA keys only sign and verify"))
            }
        }
    }
}

mod ops;

#[cfg(all(test, any(feature = "rustcrypto", feature = "aws-lc")))]
mod tests;
