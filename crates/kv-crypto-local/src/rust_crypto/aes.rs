//! AES-GCM (aes-gcm 0.11), AES key wrap (aes-kw 0.3), AES-CBC (cbc 0.2) and the OS RNG.

use core::fmt;

use aes::{Aes128, Aes192, Aes256};
use aes_gcm::aead::consts::U12;
use aes_gcm::aead::inout::InOutBuf;
use aes_gcm::{AeadInOut, AesGcm, KeyInit};
use aes_kw::{AesKw, AesKwp};
use cbc::cipher::block_padding::{NoPadding, Pkcs7};
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use zeroize::Zeroizing;

use crate::provider::{
    AesCbcKey, AesCbcProvider, AesGcmKey, AesGcmProvider, AesKwKey, AesKwProvider, SecureRandom,
    same_length,
};
use crate::{Error, Result};

/// AES-GCM, AES-KW and AES-CBC with the RustCrypto crates.
#[derive(Debug)]
pub struct RustCryptoAes;

/// The OS random generator through `getrandom`.
#[derive(Debug)]
pub struct GetRandom;

impl SecureRandom for GetRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<()> {
        getrandom::fill(dest).map_err(|_| Error::Random)
    }
}

const BAD_AES_KEY: Error = Error::InvalidKey("AES keys are 16, 24 or 32 bytes");

enum Gcm {
    A128(Box<AesGcm<Aes128, U12>>),
    A192(Box<AesGcm<Aes192, U12>>),
    A256(Box<AesGcm<Aes256, U12>>),
}

impl fmt::Debug for Gcm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RustCryptoAesGcm")
    }
}

impl AesGcmProvider for RustCryptoAes {
    fn key(&self, key: &[u8]) -> Result<Box<dyn AesGcmKey>> {
        let k = match key.len() {
            16 => Gcm::A128(Box::new(
                AesGcm::new_from_slice(key).map_err(|_| BAD_AES_KEY)?,
            )),
            24 => Gcm::A192(Box::new(
                AesGcm::new_from_slice(key).map_err(|_| BAD_AES_KEY)?,
            )),
            32 => Gcm::A256(Box::new(
                AesGcm::new_from_slice(key).map_err(|_| BAD_AES_KEY)?,
            )),
            _ => return Err(BAD_AES_KEY),
        };
        Ok(Box::new(k))
    }
}

macro_rules! gcm_call {
    ($self:expr, |$c:ident| $body:expr) => {
        match $self {
            Gcm::A128($c) => $body,
            Gcm::A192($c) => $body,
            Gcm::A256($c) => $body,
        }
    };
}

impl AesGcmKey for Gcm {
    fn seal(&self, nonce: &[u8; 12], aad: &[u8], in_out: &mut [u8]) -> Result<[u8; 16]> {
        let nonce = (*nonce).into();
        let tag = gcm_call!(self, |c| c.encrypt_inout_detached(
            &nonce,
            aad,
            in_out.into()
        ))
        .map_err(|_| Error::InvalidInput("plaintext too long for AES-GCM"))?;
        Ok(tag.into())
    }

    fn open(&self, nonce: &[u8; 12], aad: &[u8], in_out: &mut [u8], tag: &[u8; 16]) -> Result<()> {
        let nonce = (*nonce).into();
        let tag = (*tag).into();
        let r = gcm_call!(self, |c| c.decrypt_inout_detached(
            &nonce,
            aad,
            (&mut *in_out).into(),
            &tag
        ));
        r.map_err(|_| {
            in_out.fill(0);
            Error::CryptoFailure
        })
    }

    fn seal_out_of_place(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        plaintext: &[u8],
        ciphertext: &mut [u8],
    ) -> Result<[u8; 16]> {
        let nonce = (*nonce).into();
        same_length(plaintext, ciphertext)?;
        let buf = InOutBuf::new(plaintext, ciphertext).map_err(|_| Error::CryptoFailure)?;
        let tag = gcm_call!(self, |c| c.encrypt_inout_detached(&nonce, aad, buf))
            .map_err(|_| Error::InvalidInput("plaintext too long for AES-GCM"))?;
        Ok(tag.into())
    }

    fn open_out_of_place(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8; 16],
        plaintext: &mut [u8],
    ) -> Result<()> {
        let nonce = (*nonce).into();
        let tag = (*tag).into();
        same_length(ciphertext, plaintext).inspect_err(|_| plaintext.fill(0))?;
        let buf = InOutBuf::new(ciphertext, &mut *plaintext).map_err(|_| Error::CryptoFailure)?;
        let r = gcm_call!(self, |c| c.decrypt_inout_detached(&nonce, aad, buf, &tag));
        r.map_err(|_| {
            plaintext.fill(0);
            Error::CryptoFailure
        })
    }
}

/// A key-encryption key: the raw key, expanded per call (key wrap is rare and small).
struct Kek(Zeroizing<Vec<u8>>);

impl fmt::Debug for Kek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RustCryptoAesKw")
    }
}

impl AesKwProvider for RustCryptoAes {
    fn supports_key_len(&self, len: usize) -> bool {
        matches!(len, 16 | 24 | 32)
    }
    fn key(&self, key: &[u8]) -> Result<Box<dyn AesKwKey>> {
        if !self.supports_key_len(key.len()) {
            return Err(BAD_AES_KEY);
        }
        Ok(Box::new(Kek(Zeroizing::new(key.to_vec()))))
    }
}

macro_rules! with_kw {
    ($kek:expr, $ty:ident, |$c:ident| $body:expr) => {
        match $kek.len() {
            16 => {
                let $c = $ty::<Aes128>::new_from_slice($kek).map_err(|_| BAD_AES_KEY)?;
                $body
            }
            24 => {
                let $c = $ty::<Aes192>::new_from_slice($kek).map_err(|_| BAD_AES_KEY)?;
                $body
            }
            32 => {
                let $c = $ty::<Aes256>::new_from_slice($kek).map_err(|_| BAD_AES_KEY)?;
                $body
            }
            _ => return Err(BAD_AES_KEY),
        }
    };
}

impl AesKwKey for Kek {
    fn wrap(&self, key: &[u8]) -> Result<Vec<u8>> {
        if key.len() < 16 || !key.len().is_multiple_of(8) {
            return Err(Error::InvalidInput(
                "AES key wrap input must be a multiple of 8 bytes, at least 16",
            ));
        }
        let mut buf = vec![0u8; key.len() + 8];
        with_kw!(&self.0[..], AesKw, |c| c
            .wrap_key(key, &mut buf)
            .map(|_| ()))
        .map_err(|_| Error::InvalidInput("AES key wrap input rejected"))?;
        Ok(buf)
    }

    fn unwrap(&self, wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        if wrapped.len() < 24 || !wrapped.len().is_multiple_of(8) {
            return Err(Error::InvalidInput(
                "wrapped key must be a multiple of 8 bytes, at least 24",
            ));
        }
        let mut buf = Zeroizing::new(vec![0u8; wrapped.len() - 8]);
        with_kw!(&self.0[..], AesKw, |c| c
            .unwrap_key(wrapped, &mut buf)
            .map(|_| ()))
        .map_err(|_| Error::CryptoFailure)?;
        Ok(buf)
    }

    fn wrap_padded(&self, key: &[u8]) -> Result<Vec<u8>> {
        if key.is_empty() || u32::try_from(key.len()).is_err() {
            return Err(Error::InvalidInput(
                "AES key wrap with padding needs 1 to 2^32-1 bytes",
            ));
        }
        let mut buf = vec![0u8; key.len().div_ceil(8) * 8 + 8];
        with_kw!(&self.0[..], AesKwp, |c| c
            .wrap_key(key, &mut buf)
            .map(|_| ()))
        .map_err(|_| Error::InvalidInput("AES key wrap input rejected"))?;
        Ok(buf)
    }

    fn unwrap_padded(&self, wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        if wrapped.len() < 16 || !wrapped.len().is_multiple_of(8) {
            return Err(Error::InvalidInput(
                "wrapped key must be a multiple of 8 bytes, at least 16",
            ));
        }
        let mut buf = Zeroizing::new(vec![0u8; wrapped.len() - 8]);
        let len = with_kw!(&self.0[..], AesKwp, |c| c
            .unwrap_key(wrapped, &mut buf)
            .map(<[u8]>::len))
        .map_err(|_| Error::CryptoFailure)?;
        buf.truncate(len);
        Ok(buf)
    }
}

/// An AES-CBC key (expanded per call: a CBC call is dominated by the data, not the schedule).
struct Cbc(Zeroizing<Vec<u8>>);

impl fmt::Debug for Cbc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RustCryptoAesCbc")
    }
}

impl AesCbcProvider for RustCryptoAes {
    fn key(&self, key: &[u8]) -> Result<Box<dyn AesCbcKey>> {
        if !matches!(key.len(), 16 | 24 | 32) {
            return Err(BAD_AES_KEY);
        }
        Ok(Box::new(Cbc(Zeroizing::new(key.to_vec()))))
    }
}

macro_rules! with_cbc {
    ($key:expr, $iv:expr, $mode:ident, |$c:ident| $body:expr) => {
        match $key.len() {
            16 => {
                let $c =
                    cbc::$mode::<Aes128>::new_from_slices($key, $iv).map_err(|_| BAD_AES_KEY)?;
                $body
            }
            24 => {
                let $c =
                    cbc::$mode::<Aes192>::new_from_slices($key, $iv).map_err(|_| BAD_AES_KEY)?;
                $body
            }
            32 => {
                let $c =
                    cbc::$mode::<Aes256>::new_from_slices($key, $iv).map_err(|_| BAD_AES_KEY)?;
                $body
            }
            _ => return Err(BAD_AES_KEY),
        }
    };
}

impl AesCbcKey for Cbc {
    fn encrypt(&self, pad: bool, iv: &[u8; 16], plaintext: &[u8]) -> Result<Vec<u8>> {
        if pad {
            Ok(with_cbc!(&self.0[..], iv, Encryptor, |c| c
                .encrypt_padded_vec::<Pkcs7>(plaintext)))
        } else {
            if !plaintext.len().is_multiple_of(16) {
                return Err(Error::InvalidInput(
                    "AES-CBC without padding needs a multiple of 16 bytes",
                ));
            }
            Ok(with_cbc!(&self.0[..], iv, Encryptor, |c| c
                .encrypt_padded_vec::<NoPadding>(plaintext)))
        }
    }

    fn decrypt(&self, pad: bool, iv: &[u8; 16], ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        if !ciphertext.len().is_multiple_of(16) || (pad && ciphertext.is_empty()) {
            return Err(Error::InvalidInput(
                "AES-CBC ciphertext must be a non-empty multiple of 16 bytes",
            ));
        }
        let mut buf = Zeroizing::new(ciphertext.to_vec());
        let len = if pad {
            with_cbc!(&self.0[..], iv, Decryptor, |c| c
                .decrypt_padded::<Pkcs7>(&mut buf)
                .map(<[u8]>::len))
        } else {
            with_cbc!(&self.0[..], iv, Decryptor, |c| c
                .decrypt_padded::<NoPadding>(&mut buf)
                .map(<[u8]>::len))
        }
        .map_err(|_| Error::CryptoFailure)?;
        buf.truncate(len);
        Ok(buf)
    }
}
