//! RSA on aws-lc-rs: digest-based sign/verify (`sign_digest`, `verify_digest_sig`), OAEP and
//! PKCS#1 v1.5 encryption. RSNULL (raw PKCS#1 v1.5) is not offered by aws-lc-rs.

use core::fmt;
use std::sync::OnceLock;

use aws_lc_rs::digest::{self, Digest};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{
    KeyPair, KeyPairComponents, KeySize, OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256,
    OAEP_SHA384_MGF1SHA384, OaepPrivateDecryptingKey, OaepPublicEncryptingKey,
    Pkcs1PrivateDecryptingKey, Pkcs1PublicEncryptingKey, PrivateDecryptingKey, PublicEncryptingKey,
    PublicKeyComponents,
};
use aws_lc_rs::signature::{self, ParsedPublicKey, RsaEncoding, RsaParameters};
use kv_jwk::HashAlgorithm;
use zeroize::Zeroizing;

use crate::provider::{
    RsaEncryptionPadding, RsaKeyComponents, RsaPrivateKey, RsaProvider, RsaPublicKey,
    RsaSignatureScheme,
};
use crate::{Error, Result, key_encoding};

/// RSA with aws-lc-rs.
#[derive(Debug)]
pub struct AwsLcRsa;

fn trimmed(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

pub(super) fn digest_alg(hash: HashAlgorithm) -> &'static digest::Algorithm {
    match hash {
        HashAlgorithm::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
        HashAlgorithm::Sha256 => &digest::SHA256,
        HashAlgorithm::Sha384 => &digest::SHA384,
        HashAlgorithm::Sha512 => &digest::SHA512,
    }
}

/// Index into the per-scheme parsed-key cache, with the verification parameters.
fn verify_params(
    scheme: RsaSignatureScheme,
) -> Result<(usize, &'static RsaParameters, HashAlgorithm)> {
    use RsaSignatureScheme::{Pkcs1v15, Pss};
    Ok(match scheme {
        Pkcs1v15(h @ HashAlgorithm::Sha256) => (0, &signature::RSA_PKCS1_2048_8192_SHA256, h),
        Pkcs1v15(h @ HashAlgorithm::Sha384) => (1, &signature::RSA_PKCS1_2048_8192_SHA384, h),
        Pkcs1v15(h @ HashAlgorithm::Sha512) => (2, &signature::RSA_PKCS1_2048_8192_SHA512, h),
        Pss(h @ HashAlgorithm::Sha256) => (3, &signature::RSA_PSS_2048_8192_SHA256, h),
        Pss(h @ HashAlgorithm::Sha384) => (4, &signature::RSA_PSS_2048_8192_SHA384, h),
        Pss(h @ HashAlgorithm::Sha512) => (5, &signature::RSA_PSS_2048_8192_SHA512, h),
        _ => {
            return Err(Error::InvalidInput(
                "RSA signature scheme not available in aws-lc-rs",
            ));
        }
    })
}

fn sign_encoding(scheme: RsaSignatureScheme) -> Result<(&'static dyn RsaEncoding, HashAlgorithm)> {
    use RsaSignatureScheme::{Pkcs1v15, Pss};
    Ok(match scheme {
        Pkcs1v15(h @ HashAlgorithm::Sha256) => (&signature::RSA_PKCS1_SHA256, h),
        Pkcs1v15(h @ HashAlgorithm::Sha384) => (&signature::RSA_PKCS1_SHA384, h),
        Pkcs1v15(h @ HashAlgorithm::Sha512) => (&signature::RSA_PKCS1_SHA512, h),
        Pss(h @ HashAlgorithm::Sha256) => (&signature::RSA_PSS_SHA256, h),
        Pss(h @ HashAlgorithm::Sha384) => (&signature::RSA_PSS_SHA384, h),
        Pss(h @ HashAlgorithm::Sha512) => (&signature::RSA_PSS_SHA512, h),
        _ => {
            return Err(Error::InvalidInput(
                "RSA signature scheme not available in aws-lc-rs",
            ));
        }
    })
}

fn import_digest(hash: HashAlgorithm, digest: &[u8]) -> Result<Digest> {
    Digest::import_less_safe(digest, digest_alg(hash))
        .map_err(|_| Error::InvalidInput("digest length does not match the algorithm"))
}

/// A public key: encryption keys parsed up front, verification keys per scheme on first use.
struct Public {
    n: Vec<u8>,
    e: Vec<u8>,
    bits: usize,
    oaep: OaepPublicEncryptingKey,
    pkcs1: Pkcs1PublicEncryptingKey,
    verify: [OnceLock<Option<ParsedPublicKey>>; 6],
}

impl fmt::Debug for Public {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsLcRsaPublic")
            .field("bits", &self.bits)
            .finish()
    }
}

impl Public {
    fn new(n: &[u8], e: &[u8]) -> Result<Self> {
        let (n, e) = (trimmed(n), trimmed(e));
        let bad = |_| Error::InvalidKey("RSA public key rejected");
        let comps = PublicKeyComponents { n, e };
        let enc = |c: &PublicKeyComponents<&[u8]>| -> Result<PublicEncryptingKey> {
            (*c).try_into().map_err(bad)
        };
        let oaep = OaepPublicEncryptingKey::new(enc(&comps)?).map_err(bad)?;
        let pkcs1 = Pkcs1PublicEncryptingKey::new(enc(&comps)?).map_err(bad)?;
        Ok(Self {
            bits: oaep.key_size_bits(),
            n: n.to_vec(),
            e: e.to_vec(),
            oaep,
            pkcs1,
            verify: Default::default(),
        })
    }
}

impl RsaPublicKey for Public {
    fn modulus_bits(&self) -> usize {
        self.bits
    }

    fn verify(&self, scheme: RsaSignatureScheme, digest: &[u8], sig: &[u8]) -> Result<()> {
        let (slot, params, hash) = verify_params(scheme)?;
        let digest = import_digest(hash, digest)?;
        let parsed = self
            .verify
            .get(slot)
            .and_then(|cell| {
                cell.get_or_init(|| {
                    PublicKeyComponents {
                        n: &self.n[..],
                        e: &self.e[..],
                    }
                    .to_parsed_public_key(params)
                    .ok()
                })
                .as_ref()
            })
            .ok_or(Error::InvalidKey("RSA public key rejected"))?;
        parsed
            .verify_digest_sig(&digest, sig)
            .map_err(|_| Error::CryptoFailure)
    }

    fn encrypt(&self, padding: RsaEncryptionPadding, plaintext: &[u8]) -> Result<Vec<u8>> {
        let mut out = vec![0u8; self.bits.div_ceil(8)];
        let too_long = |_| Error::InvalidInput("plaintext too long for the RSA key and padding");
        let len = match padding {
            RsaEncryptionPadding::Pkcs1v15 => {
                if plaintext.len() > self.pkcs1.max_plaintext_size() {
                    return Err(too_long(()));
                }
                self.pkcs1
                    .encrypt(plaintext, &mut out)
                    .map_err(|_| Error::CryptoFailure)?
                    .len()
            }
            RsaEncryptionPadding::OaepSha1
            | RsaEncryptionPadding::OaepSha256
            | RsaEncryptionPadding::OaepSha384 => {
                let alg = match padding {
                    RsaEncryptionPadding::OaepSha1 => &OAEP_SHA1_MGF1SHA1,
                    RsaEncryptionPadding::OaepSha256 => &OAEP_SHA256_MGF1SHA256,
                    _ => &OAEP_SHA384_MGF1SHA384,
                };
                if plaintext.len() > self.oaep.max_plaintext_size(alg) {
                    return Err(too_long(()));
                }
                self.oaep
                    .encrypt(alg, plaintext, &mut out, None)
                    .map_err(|_| Error::CryptoFailure)?
                    .len()
            }
        };
        out.truncate(len);
        Ok(out)
    }
}

struct Private {
    pair: KeyPair,
    public: Public,
    decrypt: OnceLock<Option<(OaepPrivateDecryptingKey, Pkcs1PrivateDecryptingKey)>>,
}

impl fmt::Debug for Private {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsLcRsaPrivate")
            .field("bits", &self.public.bits)
            .finish_non_exhaustive()
    }
}

impl Private {
    fn decrypting_keys(&self) -> Result<&(OaepPrivateDecryptingKey, Pkcs1PrivateDecryptingKey)> {
        self.decrypt
            .get_or_init(|| {
                let der = self.pair.as_der().ok()?;
                let der = Zeroizing::new(der.as_ref().to_vec());
                let key = |d: &[u8]| PrivateDecryptingKey::from_pkcs8(d).ok();
                let oaep = OaepPrivateDecryptingKey::new(key(&der)?).ok()?;
                let pkcs1 = Pkcs1PrivateDecryptingKey::new(key(&der)?).ok()?;
                Some((oaep, pkcs1))
            })
            .as_ref()
            .ok_or(Error::InvalidKey("RSA private key rejected for decryption"))
    }
}

impl RsaPublicKey for Private {
    fn modulus_bits(&self) -> usize {
        self.public.bits
    }
    fn verify(&self, scheme: RsaSignatureScheme, digest: &[u8], sig: &[u8]) -> Result<()> {
        self.public.verify(scheme, digest, sig)
    }
    fn encrypt(&self, padding: RsaEncryptionPadding, plaintext: &[u8]) -> Result<Vec<u8>> {
        self.public.encrypt(padding, plaintext)
    }
}

impl RsaPrivateKey for Private {
    fn sign(&self, scheme: RsaSignatureScheme, digest: &[u8]) -> Result<Vec<u8>> {
        let (encoding, hash) = sign_encoding(scheme)?;
        let digest = import_digest(hash, digest)?;
        let mut sig = vec![0u8; self.pair.public_modulus_len()];
        self.pair
            .sign_digest(encoding, &digest, &mut sig)
            .map_err(|_| Error::CryptoFailure)?;
        Ok(sig)
    }

    fn decrypt(&self, padding: RsaEncryptionPadding, ct: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        if ct.len() != self.public.bits.div_ceil(8) {
            return Err(Error::InvalidInput(
                "ciphertext length must equal the RSA modulus length",
            ));
        }
        let (oaep, pkcs1) = self.decrypting_keys()?;
        let mut out = Zeroizing::new(vec![0u8; ct.len()]);
        let len = match padding {
            RsaEncryptionPadding::Pkcs1v15 => pkcs1.decrypt(ct, &mut out).map(|p| p.len()),
            RsaEncryptionPadding::OaepSha1 => oaep
                .decrypt(&OAEP_SHA1_MGF1SHA1, ct, &mut out, None)
                .map(|p| p.len()),
            RsaEncryptionPadding::OaepSha256 => oaep
                .decrypt(&OAEP_SHA256_MGF1SHA256, ct, &mut out, None)
                .map(|p| p.len()),
            RsaEncryptionPadding::OaepSha384 => oaep
                .decrypt(&OAEP_SHA384_MGF1SHA384, ct, &mut out, None)
                .map(|p| p.len()),
        }
        .map_err(|_| Error::CryptoFailure)?;
        out.truncate(len);
        Ok(out)
    }
}

impl RsaProvider for AwsLcRsa {
    fn supports_signature(&self, scheme: RsaSignatureScheme) -> bool {
        !matches!(scheme, RsaSignatureScheme::Pkcs1v15Raw)
    }

    fn supports_exponent(&self, public_exponent: u32) -> bool {
        public_exponent == 65537
    }

    fn public_key(&self, n: &[u8], e: &[u8]) -> Result<Box<dyn RsaPublicKey>> {
        Ok(Box::new(Public::new(n, e)?))
    }

    fn private_key(&self, key: &RsaKeyComponents) -> Result<Box<dyn RsaPrivateKey>> {
        let comps = KeyPairComponents {
            public_key: PublicKeyComponents {
                n: trimmed(&key.n),
                e: trimmed(&key.e),
            },
            d: &key.d[..],
            p: &key.p[..],
            q: &key.q[..],
            dP: &key.dp[..],
            dQ: &key.dq[..],
            qInv: &key.qi[..],
        };
        let pair = KeyPair::from_components(&comps)
            .map_err(|_| Error::InvalidKey("inconsistent RSA private key"))?;
        Ok(Box::new(Private {
            pair,
            public: Public::new(&key.n, &key.e)?,
            decrypt: OnceLock::new(),
        }))
    }

    fn generate(&self, bits: usize, public_exponent: u32) -> Result<RsaKeyComponents> {
        if public_exponent != 65537 {
            return Err(Error::InvalidInput(
                "aws-lc-rs generates RSA keys with exponent 65537 only",
            ));
        }
        let size = match bits {
            2048 => KeySize::Rsa2048,
            3072 => KeySize::Rsa3072,
            4096 => KeySize::Rsa4096,
            _ => {
                return Err(Error::InvalidInput(
                    "RSA key size must be 2048, 3072 or 4096 bits",
                ));
            }
        };
        let pair = KeyPair::generate(size).map_err(|_| Error::Random)?;
        let der = pair
            .as_der()
            .map_err(|_| Error::InvalidKey("RSA key encoding failed"))?;
        let der = Zeroizing::new(der.as_ref().to_vec());
        key_encoding::rsa_components_from_pkcs8(&der)
    }
}
