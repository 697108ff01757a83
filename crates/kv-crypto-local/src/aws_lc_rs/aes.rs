//! AES-GCM (`aead::LessSafeKey`), AES-KW/KWP (`key_wrap`, 128- and 256-bit keys only),
//! AES-CBC (`cipher`) and the RNG of aws-lc-rs.

use core::fmt;

use aws_lc_rs::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::cipher::{
    self, DecryptingKey, DecryptionContext, EncryptingKey, EncryptionContext,
    PaddedBlockDecryptingKey, PaddedBlockEncryptingKey, UnboundCipherKey,
};
use aws_lc_rs::iv::FixedLength;
use aws_lc_rs::key_wrap::{self, KeyEncryptionKey, KeyWrap, KeyWrapPadded};
use zeroize::Zeroizing;

use crate::provider::{
    AesCbcKey, AesCbcProvider, AesGcmKey, AesGcmProvider, AesKwKey, AesKwProvider, SecureRandom,
    same_length,
};
use crate::{Error, Result};

/// AES-GCM, AES-KW and AES-CBC with aws-lc-rs.
#[derive(Debug)]
pub struct AwsLcAes;

/// The aws-lc-rs random generator (the OS generator, through AWS-LC).
#[derive(Debug)]
pub struct AwsLcRandom;

impl SecureRandom for AwsLcRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<()> {
        aws_lc_rs::rand::fill(dest).map_err(|_| Error::Random)
    }
}

const BAD_AES_KEY: Error = Error::InvalidKey("AES keys are 16, 24 or 32 bytes");

#[derive(Debug)]
struct Gcm(LessSafeKey);

impl AesGcmProvider for AwsLcAes {
    fn key(&self, key: &[u8]) -> Result<Box<dyn AesGcmKey>> {
        let alg = match key.len() {
            16 => &aead::AES_128_GCM,
            24 => &aead::AES_192_GCM,
            32 => &aead::AES_256_GCM,
            _ => return Err(BAD_AES_KEY),
        };
        let key = UnboundKey::new(alg, key).map_err(|_| BAD_AES_KEY)?;
        Ok(Box::new(Gcm(LessSafeKey::new(key))))
    }
}

impl AesGcmKey for Gcm {
    fn seal(&self, nonce: &[u8; 12], aad: &[u8], in_out: &mut [u8]) -> Result<[u8; 16]> {
        let tag = self
            .0
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(*nonce),
                Aad::from(aad),
                in_out,
            )
            .map_err(|_| Error::InvalidInput("plaintext too long for AES-GCM"))?;
        tag.as_ref().try_into().map_err(|_| Error::CryptoFailure)
    }

    fn open(&self, nonce: &[u8; 12], aad: &[u8], in_out: &mut [u8], tag: &[u8; 16]) -> Result<()> {
        let r = self.0.open_in_place_separate_tag(
            Nonce::assume_unique_for_key(*nonce),
            Aad::from(aad),
            tag,
            in_out,
        );
        match r {
            Ok(_) => Ok(()),
            Err(_) => {
                in_out.fill(0);
                Err(Error::CryptoFailure)
            }
        }
    }

    fn seal_out_of_place(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        plaintext: &[u8],
        ciphertext: &mut [u8],
    ) -> Result<[u8; 16]> {
        same_length(plaintext, ciphertext)?;
        let mut tag = [0u8; 16];
        self.0
            .seal_out_of_place_scatter(
                Nonce::assume_unique_for_key(*nonce),
                Aad::from(aad),
                plaintext,
                ciphertext,
                &[],
                &mut tag,
            )
            .map_err(|_| Error::InvalidInput("plaintext too long for AES-GCM"))?;
        Ok(tag)
    }

    fn open_out_of_place(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8; 16],
        plaintext: &mut [u8],
    ) -> Result<()> {
        same_length(ciphertext, plaintext).inspect_err(|_| plaintext.fill(0))?;
        let r = self.0.open_separate_gather(
            Nonce::assume_unique_for_key(*nonce),
            Aad::from(aad),
            ciphertext,
            tag,
            plaintext,
        );
        r.map_err(|_| {
            plaintext.fill(0);
            Error::CryptoFailure
        })
    }
}

/// A key-encryption key (aws-lc-rs consumes its KEK per call, so the bytes are kept).
struct Kek(Zeroizing<Vec<u8>>);

impl fmt::Debug for Kek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AwsLcAesKw")
    }
}

impl Kek {
    fn kek(&self) -> Result<KeyEncryptionKey<key_wrap::AesBlockCipher>> {
        let cipher = match self.0.len() {
            16 => &key_wrap::AES_128,
            32 => &key_wrap::AES_256,
            _ => return Err(BAD_AES_KEY),
        };
        KeyEncryptionKey::new(cipher, &self.0).map_err(|_| BAD_AES_KEY)
    }
}

impl AesKwProvider for AwsLcAes {
    fn supports_key_len(&self, len: usize) -> bool {
        matches!(len, 16 | 32)
    }
    fn key(&self, key: &[u8]) -> Result<Box<dyn AesKwKey>> {
        if !self.supports_key_len(key.len()) {
            return Err(Error::InvalidKey(
                "aws-lc-rs key wrap supports 128- and 256-bit keys",
            ));
        }
        Ok(Box::new(Kek(Zeroizing::new(key.to_vec()))))
    }
}

impl AesKwKey for Kek {
    fn wrap(&self, key: &[u8]) -> Result<Vec<u8>> {
        if key.len() < 16 || !key.len().is_multiple_of(8) {
            return Err(Error::InvalidInput(
                "AES key wrap input must be a multiple of 8 bytes, at least 16",
            ));
        }
        let mut out = vec![0u8; key.len() + 8];
        let len = self
            .kek()?
            .wrap(key, &mut out)
            .map_err(|_| Error::InvalidInput("AES key wrap input rejected"))?
            .len();
        out.truncate(len);
        Ok(out)
    }

    fn unwrap(&self, wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        if wrapped.len() < 24 || !wrapped.len().is_multiple_of(8) {
            return Err(Error::InvalidInput(
                "wrapped key must be a multiple of 8 bytes, at least 24",
            ));
        }
        let mut out = Zeroizing::new(vec![0u8; wrapped.len()]);
        let len = self
            .kek()?
            .unwrap(wrapped, &mut out)
            .map_err(|_| Error::CryptoFailure)?
            .len();
        out.truncate(len);
        Ok(out)
    }

    fn wrap_padded(&self, key: &[u8]) -> Result<Vec<u8>> {
        if key.is_empty() || u32::try_from(key.len()).is_err() {
            return Err(Error::InvalidInput(
                "AES key wrap with padding needs 1 to 2^32-1 bytes",
            ));
        }
        let mut out = vec![0u8; key.len() + 16];
        let len = self
            .kek()?
            .wrap_with_padding(key, &mut out)
            .map_err(|_| Error::InvalidInput("AES key wrap input rejected"))?
            .len();
        out.truncate(len);
        Ok(out)
    }

    fn unwrap_padded(&self, wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        if wrapped.len() < 16 || !wrapped.len().is_multiple_of(8) {
            return Err(Error::InvalidInput(
                "wrapped key must be a multiple of 8 bytes, at least 16",
            ));
        }
        let mut out = Zeroizing::new(vec![0u8; wrapped.len()]);
        let len = self
            .kek()?
            .unwrap_with_padding(wrapped, &mut out)
            .map_err(|_| Error::CryptoFailure)?
            .len();
        out.truncate(len);
        Ok(out)
    }
}

/// AES-CBC keys, expanded once for each direction and padding.
struct Cbc {
    enc: EncryptingKey,
    dec: DecryptingKey,
    enc_pad: PaddedBlockEncryptingKey,
    dec_pad: PaddedBlockDecryptingKey,
}

impl fmt::Debug for Cbc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AwsLcAesCbc")
    }
}

impl AesCbcProvider for AwsLcAes {
    fn key(&self, key: &[u8]) -> Result<Box<dyn AesCbcKey>> {
        let alg = match key.len() {
            16 => &cipher::AES_128,
            24 => &cipher::AES_192,
            32 => &cipher::AES_256,
            _ => return Err(BAD_AES_KEY),
        };
        let unbound = || UnboundCipherKey::new(alg, key).map_err(|_| BAD_AES_KEY);
        Ok(Box::new(Cbc {
            enc: EncryptingKey::cbc(unbound()?).map_err(|_| BAD_AES_KEY)?,
            dec: DecryptingKey::cbc(unbound()?).map_err(|_| BAD_AES_KEY)?,
            enc_pad: PaddedBlockEncryptingKey::cbc_pkcs7(unbound()?).map_err(|_| BAD_AES_KEY)?,
            dec_pad: PaddedBlockDecryptingKey::cbc_pkcs7(unbound()?).map_err(|_| BAD_AES_KEY)?,
        }))
    }
}

impl AesCbcKey for Cbc {
    fn encrypt(&self, pad: bool, iv: &[u8; 16], plaintext: &[u8]) -> Result<Vec<u8>> {
        let ctx = EncryptionContext::Iv128(FixedLength::from(iv));
        // Room for the padding up front so no reallocation leaves a plaintext copy behind,
        // and zeroized if encryption fails.
        let mut buf = Zeroizing::new(Vec::with_capacity(plaintext.len() + 16));
        buf.extend_from_slice(plaintext);
        if pad {
            self.enc_pad
                .less_safe_encrypt(&mut *buf, ctx)
                .map_err(|_| Error::CryptoFailure)?;
        } else {
            if !plaintext.len().is_multiple_of(16) {
                return Err(Error::InvalidInput(
                    "AES-CBC without padding needs a multiple of 16 bytes",
                ));
            }
            self.enc
                .less_safe_encrypt(&mut buf, ctx)
                .map_err(|_| Error::CryptoFailure)?;
        }
        Ok(core::mem::take(&mut *buf))
    }

    fn decrypt(&self, pad: bool, iv: &[u8; 16], ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        if !ciphertext.len().is_multiple_of(16) || (pad && ciphertext.is_empty()) {
            return Err(Error::InvalidInput(
                "AES-CBC ciphertext must be a non-empty multiple of 16 bytes",
            ));
        }
        let ctx = DecryptionContext::Iv128(FixedLength::from(iv));
        let mut buf = Zeroizing::new(ciphertext.to_vec());
        let len = if pad {
            self.dec_pad.decrypt(&mut buf, ctx).map(|p| p.len())
        } else {
            self.dec.decrypt(&mut buf, ctx).map(|p| p.len())
        }
        .map_err(|_| Error::CryptoFailure)?;
        buf.truncate(len);
        Ok(buf)
    }
}
