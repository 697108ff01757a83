//! RSA on the `rsa` 0.10 crate (the line with the Marvin timing fix, RUSTSEC-2023-0071).

use getrandom::SysRng;
use kv_jwk::HashAlgorithm;
use rsa::traits::PublicKeyParts;
use rsa::{BoxedUint, Oaep, Pkcs1v15Encrypt, Pkcs1v15Sign, Pss};
use sha1::Sha1;
use sha2::{Sha256, Sha384, Sha512};
use zeroize::Zeroizing;

use crate::key_encoding;
use crate::provider::{
    RsaEncryptionPadding, RsaKeyComponents, RsaPrivateKey, RsaProvider, RsaPublicKey,
    RsaSignatureScheme,
};
use crate::{Error, Result};

/// RSA with the `rsa` crate.
#[derive(Debug)]
pub struct RustCryptoRsa;

fn uint(bytes: &[u8], bits: usize) -> Result<BoxedUint> {
    let bits = u32::try_from(bits).map_err(|_| Error::InvalidKey("RSA component too large"))?;
    BoxedUint::from_be_slice(bytes, bits).map_err(|_| Error::InvalidKey("malformed RSA component"))
}

fn trimmed(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

fn public_from(n: &[u8], e: &[u8]) -> Result<(BoxedUint, BoxedUint, usize)> {
    let n = trimmed(n);
    let e = trimmed(e);
    if n.is_empty() || e.is_empty() || e.len() > 8 {
        return Err(Error::InvalidKey("malformed RSA modulus or exponent"));
    }
    let bits = n.len() * 8;
    Ok((uint(n, bits)?, uint(e, e.len() * 8)?, bits))
}

impl RsaProvider for RustCryptoRsa {
    fn supports_signature(&self, _scheme: RsaSignatureScheme) -> bool {
        true
    }

    fn supports_exponent(&self, public_exponent: u32) -> bool {
        public_exponent >= 3 && public_exponent % 2 == 1
    }

    fn public_key(&self, n: &[u8], e: &[u8]) -> Result<Box<dyn RsaPublicKey>> {
        let (n, e, _) = public_from(n, e)?;
        let key =
            rsa::PublicKey::new(n, e).map_err(|_| Error::InvalidKey("RSA public key rejected"))?;
        Ok(Box::new(Public(key)))
    }

    fn private_key(&self, key: &RsaKeyComponents) -> Result<Box<dyn RsaPrivateKey>> {
        let (n, e, bits) = public_from(&key.n, &key.e)?;
        let d = uint(trimmed(&key.d), bits)?;
        let p = uint(trimmed(&key.p), bits)?;
        let q = uint(trimmed(&key.q), bits)?;
        let key = rsa::PrivateKey::from_components(n, e, d, vec![p, q])
            .map_err(|_| Error::InvalidKey("inconsistent RSA private key"))?;
        Ok(Box::new(Private(key)))
    }

    fn generate(&self, bits: usize, public_exponent: u32) -> Result<RsaKeyComponents> {
        use rsa::pkcs1::EncodeRsaPrivateKey;
        let key = rsa::PrivateKey::new_with_exp(
            &mut SysRng,
            bits,
            BoxedUint::from(u64::from(public_exponent)),
        )
        .map_err(|_| Error::InvalidKey("RSA key generation failed"))?;
        let der = key
            .to_pkcs1_der()
            .map_err(|_| Error::InvalidKey("RSA key encoding failed"))?;
        key_encoding::rsa_components_from_pkcs1(der.as_bytes())
    }
}

/// Runs `$body` with `$s` bound to the `rsa` crate padding for `$scheme`.
macro_rules! with_scheme {
    ($scheme:expr, |$s:ident| $body:expr) => {
        match $scheme {
            RsaSignatureScheme::Pkcs1v15(HashAlgorithm::Sha256) => {
                let $s = Pkcs1v15Sign::new::<Sha256>();
                $body
            }
            RsaSignatureScheme::Pkcs1v15(HashAlgorithm::Sha384) => {
                let $s = Pkcs1v15Sign::new::<Sha384>();
                $body
            }
            RsaSignatureScheme::Pkcs1v15(HashAlgorithm::Sha512) => {
                let $s = Pkcs1v15Sign::new::<Sha512>();
                $body
            }
            RsaSignatureScheme::Pss(HashAlgorithm::Sha256) => {
                let $s = Pss::<Sha256>::new();
                $body
            }
            RsaSignatureScheme::Pss(HashAlgorithm::Sha384) => {
                let $s = Pss::<Sha384>::new();
                $body
            }
            RsaSignatureScheme::Pss(HashAlgorithm::Sha512) => {
                let $s = Pss::<Sha512>::new();
                $body
            }
            RsaSignatureScheme::Pkcs1v15Raw => {
                let $s = Pkcs1v15Sign::new_unprefixed();
                $body
            }
            _ => return Err(Error::InvalidInput("unsupported RSA signature hash")),
        }
    };
}

fn expected_digest_len(scheme: RsaSignatureScheme) -> Option<usize> {
    match scheme {
        RsaSignatureScheme::Pkcs1v15(h) | RsaSignatureScheme::Pss(h) => Some(h.output_len()),
        RsaSignatureScheme::Pkcs1v15Raw => None,
    }
}

fn check_digest(scheme: RsaSignatureScheme, digest: &[u8]) -> Result<()> {
    match expected_digest_len(scheme) {
        Some(len) if len != digest.len() => Err(Error::InvalidInput(
            "digest length does not match the algorithm",
        )),
        _ => Ok(()),
    }
}

#[derive(Debug)]
struct Public(rsa::PublicKey);

#[derive(Debug)]
struct Private(rsa::PrivateKey);

impl Private {
    /// Whether the raw RSA decryption of `ciphertext`, as a `k`-byte string, starts with 0x00.
    fn oaep_first_octet_is_zero(&self, ciphertext: &[u8]) -> bool {
        let k = self.0.size();
        let Ok(c) = BoxedUint::from_be_slice(ciphertext, self.0.n_bits_precision()) else {
            return false;
        };
        let Ok(m) = rsa::hazmat::rsa_decrypt_and_check(&self.0, Some(&mut SysRng), &c) else {
            return false;
        };
        let bytes = Zeroizing::new(m.to_be_bytes());
        // Everything before the last k-1 bytes must be zero; fold without early exit.
        let lead = bytes.len().saturating_sub(k - 1);
        bytes
            .get(..lead)
            .unwrap_or_default()
            .iter()
            .fold(0u8, |acc, b| acc | b)
            == 0
    }
}

fn verify_with(
    key: &rsa::PublicKey,
    scheme: RsaSignatureScheme,
    digest: &[u8],
    sig: &[u8],
) -> Result<()> {
    check_digest(scheme, digest)?;
    if sig.len() != key.size() {
        return Err(Error::CryptoFailure);
    }
    let result = with_scheme!(scheme, |s| key.verify(s, digest, sig));
    result.map_err(|_| Error::CryptoFailure)
}

fn encrypt_with(key: &rsa::PublicKey, padding: RsaEncryptionPadding, pt: &[u8]) -> Result<Vec<u8>> {
    let out = match padding {
        RsaEncryptionPadding::Pkcs1v15 => key.encrypt(&mut SysRng, Pkcs1v15Encrypt, pt),
        RsaEncryptionPadding::OaepSha1 => key.encrypt(&mut SysRng, Oaep::<Sha1>::new(), pt),
        RsaEncryptionPadding::OaepSha256 => key.encrypt(&mut SysRng, Oaep::<Sha256>::new(), pt),
        RsaEncryptionPadding::OaepSha384 => key.encrypt(&mut SysRng, Oaep::<Sha384>::new(), pt),
    };
    out.map_err(|e| match e {
        rsa::Error::MessageTooLong => {
            Error::InvalidInput("plaintext too long for the RSA key and padding")
        }
        _ => Error::CryptoFailure,
    })
}

impl RsaPublicKey for Public {
    fn modulus_bits(&self) -> usize {
        self.0.n().bit_width_vartime() as usize
    }
    fn verify(&self, scheme: RsaSignatureScheme, digest: &[u8], signature: &[u8]) -> Result<()> {
        verify_with(&self.0, scheme, digest, signature)
    }
    fn encrypt(&self, padding: RsaEncryptionPadding, plaintext: &[u8]) -> Result<Vec<u8>> {
        encrypt_with(&self.0, padding, plaintext)
    }
}

impl RsaPublicKey for Private {
    fn modulus_bits(&self) -> usize {
        self.0.n().bit_width_vartime() as usize
    }
    fn verify(&self, scheme: RsaSignatureScheme, digest: &[u8], signature: &[u8]) -> Result<()> {
        verify_with(self.0.as_public_key(), scheme, digest, signature)
    }
    fn encrypt(&self, padding: RsaEncryptionPadding, plaintext: &[u8]) -> Result<Vec<u8>> {
        encrypt_with(self.0.as_public_key(), padding, plaintext)
    }
}

impl RsaPrivateKey for Private {
    fn sign(&self, scheme: RsaSignatureScheme, digest: &[u8]) -> Result<Vec<u8>> {
        check_digest(scheme, digest)?;
        let result = with_scheme!(scheme, |s| self.0.sign(s, digest));
        result.map_err(|e| match e {
            rsa::Error::MessageTooLong => Error::InvalidInput("input too long for the RSA key"),
            _ => Error::CryptoFailure,
        })
    }

    fn decrypt(
        &self,
        padding: RsaEncryptionPadding,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        if ciphertext.len() != self.0.size() {
            return Err(Error::InvalidInput(
                "ciphertext length must equal the RSA modulus length",
            ));
        }
        let out = match padding {
            RsaEncryptionPadding::Pkcs1v15 => self.0.decrypt(Pkcs1v15Encrypt, ciphertext),
            RsaEncryptionPadding::OaepSha1 => self.0.decrypt(Oaep::<Sha1>::new(), ciphertext),
            RsaEncryptionPadding::OaepSha256 => self.0.decrypt(Oaep::<Sha256>::new(), ciphertext),
            RsaEncryptionPadding::OaepSha384 => self.0.decrypt(Oaep::<Sha384>::new(), ciphertext),
        };
        let out = out.map(Zeroizing::new);
        // rsa 0.10.0's OAEP decoding does not check that the first octet of the encoded
        // message is zero (Wycheproof "First byte is 1"); check it here, without branching
        // on it before both results are in, so the two failures stay indistinguishable.
        let first_octet_ok = match padding {
            RsaEncryptionPadding::Pkcs1v15 => true,
            _ => self.oaep_first_octet_is_zero(ciphertext),
        };
        match out {
            Ok(pt) if first_octet_ok => Ok(pt),
            _ => Err(Error::CryptoFailure),
        }
    }
}
