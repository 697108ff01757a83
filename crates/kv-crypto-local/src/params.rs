//! Inputs and outputs of [`LocalKey`](crate::LocalKey) operations, in the service's shape.

use kv_jwk::{EncryptionAlgorithm, KeyWrapAlgorithm, SignatureAlgorithm};

/// Any algorithm a local operation may name; used by [`LocalKey::supports`](crate::LocalKey::supports).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// A signature algorithm (sign, verify).
    Signature(SignatureAlgorithm),
    /// An encryption algorithm (encrypt, decrypt; key-wrap names are accepted for wrap ops).
    Encryption(EncryptionAlgorithm),
    /// A key-wrap algorithm (wrapKey, unwrapKey).
    KeyWrap(KeyWrapAlgorithm),
}

impl Algorithm {
    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Signature(a) => a.as_str(),
            Self::Encryption(a) => a.as_str(),
            Self::KeyWrap(a) => a.as_str(),
        }
    }
}

impl From<SignatureAlgorithm> for Algorithm {
    fn from(a: SignatureAlgorithm) -> Self {
        Self::Signature(a)
    }
}
impl From<&SignatureAlgorithm> for Algorithm {
    fn from(a: &SignatureAlgorithm) -> Self {
        Self::Signature(a.clone())
    }
}
impl From<EncryptionAlgorithm> for Algorithm {
    fn from(a: EncryptionAlgorithm) -> Self {
        Self::Encryption(a)
    }
}
impl From<&EncryptionAlgorithm> for Algorithm {
    fn from(a: &EncryptionAlgorithm) -> Self {
        Self::Encryption(a.clone())
    }
}
impl From<KeyWrapAlgorithm> for Algorithm {
    fn from(a: KeyWrapAlgorithm) -> Self {
        Self::KeyWrap(a)
    }
}
impl From<&KeyWrapAlgorithm> for Algorithm {
    fn from(a: &KeyWrapAlgorithm) -> Self {
        Self::KeyWrap(a.clone())
    }
}

/// Optional inputs of [`LocalKey::encrypt`](crate::LocalKey::encrypt).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EncryptParameters {
    /// Must be `None`: local encryption always draws its IV from the OS random generator, so a
    /// caller-chosen IV (and with it nonce reuse) is refused. It exists so that a request carrying
    /// an IV fails loudly instead of silently using another one.
    pub iv: Option<Vec<u8>>,
    /// Additional authenticated data (AES-GCM only).
    pub additional_authenticated_data: Option<Vec<u8>>,
}

/// Inputs of [`LocalKey::decrypt`](crate::LocalKey::decrypt) besides the ciphertext.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DecryptParameters {
    /// IV: 12 bytes for AES-GCM, 16 bytes for AES-CBC; absent for RSA.
    pub iv: Option<Vec<u8>>,
    /// Authentication tag (AES-GCM, 16 bytes).
    pub authentication_tag: Option<Vec<u8>>,
    /// Additional authenticated data (AES-GCM only).
    pub additional_authenticated_data: Option<Vec<u8>>,
}

/// The result of an encryption, as the service returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptResult {
    /// The key identifier, when the JWK had one.
    pub kid: Option<String>,
    /// The algorithm used.
    pub algorithm: EncryptionAlgorithm,
    /// The ciphertext (without the GCM tag).
    pub ciphertext: Vec<u8>,
    /// The IV drawn for AES-GCM (12 bytes) or AES-CBC (16 bytes).
    pub iv: Option<Vec<u8>>,
    /// The AES-GCM tag (16 bytes).
    pub authentication_tag: Option<Vec<u8>>,
    /// The additional authenticated data, echoed (AES-GCM).
    pub additional_authenticated_data: Option<Vec<u8>>,
}
