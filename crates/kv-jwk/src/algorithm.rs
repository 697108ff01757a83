//! Algorithm vocabulary: signature, encryption and key-wrap algorithms.

use crate::{KeyCurveName, KeyFamily};

crate::string_enum! {
    /// A signature algorithm (`alg` of sign and verify).
    ///
    /// Key Vault signs and verifies a *digest*: the caller hashes the message with the
    /// algorithm's hash function and sends the digest.
    pub enum SignatureAlgorithm {
        /// RSASSA-PSS with SHA-256 and a 32-byte salt.
        Ps256 => "PS256",
        /// RSASSA-PSS with SHA-384 and a 48-byte salt.
        Ps384 => "PS384",
        /// RSASSA-PSS with SHA-512 and a 64-byte salt.
        Ps512 => "PS512",
        /// RSASSA-PKCS1-v1_5 with SHA-256.
        Rs256 => "RS256",
        /// RSASSA-PKCS1-v1_5 with SHA-384.
        Rs384 => "RS384",
        /// RSASSA-PKCS1-v1_5 with SHA-512.
        Rs512 => "RS512",
        /// HMAC with SHA-256 (Managed HSM oct keys).
        Hs256 => "HS256",
        /// HMAC with SHA-384 (Managed HSM oct keys).
        Hs384 => "HS384",
        /// HMAC with SHA-512 (Managed HSM oct keys).
        Hs512 => "HS512",
        /// RSASSA-PKCS1-v1_5 over a raw value, no DigestInfo (reserved).
        RsNull => "RSNULL",
        /// ECDSA on P-256 with SHA-256.
        Es256 => "ES256",
        /// ECDSA on P-384 with SHA-384.
        Es384 => "ES384",
        /// ECDSA on P-521 with SHA-512.
        Es512 => "ES512",
        /// ECDSA on secp256k1 with SHA-256.
        Es256K => "ES256K",
        /// ML-DSA-44 (FIPS 204, security category 2) on an `AKP` key. Unlike the others it
        /// signs the message itself (pure ML-DSA), optionally with a context string, or a
        /// 64-byte external mu.
        MlDsa44 => "ML-DSA-44",
        /// ML-DSA-65 (FIPS 204, security category 3) on an `AKP` key; see [`Self::MlDsa44`].
        MlDsa65 => "ML-DSA-65",
        /// ML-DSA-87 (FIPS 204, security category 5) on an `AKP` key; see [`Self::MlDsa44`].
        MlDsa87 => "ML-DSA-87",
    }
}

/// A SHA-2 hash function used by an algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    /// SHA-1 (RSA-OAEP only).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlgorithm {
    /// Digest length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }
}

impl SignatureAlgorithm {
    /// The hash function whose digest this algorithm signs (`None` for `RSNULL`, ML-DSA, which
    /// signs the message itself, and unknown values).
    pub fn hash(&self) -> Option<HashAlgorithm> {
        match self {
            Self::Ps256 | Self::Rs256 | Self::Hs256 | Self::Es256 | Self::Es256K => {
                Some(HashAlgorithm::Sha256)
            }
            Self::Ps384 | Self::Rs384 | Self::Hs384 | Self::Es384 => Some(HashAlgorithm::Sha384),
            Self::Ps512 | Self::Rs512 | Self::Hs512 | Self::Es512 => Some(HashAlgorithm::Sha512),
            Self::RsNull | Self::MlDsa44 | Self::MlDsa65 | Self::MlDsa87 | Self::Unknown(_) => None,
        }
    }

    /// The key family this algorithm needs.
    pub fn key_family(&self) -> Option<KeyFamily> {
        match self {
            Self::Ps256
            | Self::Ps384
            | Self::Ps512
            | Self::Rs256
            | Self::Rs384
            | Self::Rs512
            | Self::RsNull => Some(KeyFamily::Rsa),
            Self::Es256 | Self::Es384 | Self::Es512 | Self::Es256K => Some(KeyFamily::Ec),
            Self::Hs256 | Self::Hs384 | Self::Hs512 => Some(KeyFamily::Oct),
            Self::MlDsa44 | Self::MlDsa65 | Self::MlDsa87 => Some(KeyFamily::Akp),
            Self::Unknown(_) => None,
        }
    }

    /// For ECDSA algorithms, the one curve they are defined on.
    pub fn curve(&self) -> Option<KeyCurveName> {
        match self {
            Self::Es256 => Some(KeyCurveName::P256),
            Self::Es256K => Some(KeyCurveName::P256K),
            Self::Es384 => Some(KeyCurveName::P384),
            Self::Es512 => Some(KeyCurveName::P521),
            _ => None,
        }
    }
}

impl SignatureAlgorithm {
    /// Whether this is one of the ML-DSA parameter sets (the `alg` of an `AKP` key).
    pub fn is_ml_dsa(&self) -> bool {
        matches!(self, Self::MlDsa44 | Self::MlDsa65 | Self::MlDsa87)
    }
}

crate::string_enum! {
    /// An encryption algorithm (`alg` of encrypt and decrypt, and of wrapKey/unwrapKey on the wire).
    pub enum EncryptionAlgorithm {
        /// RSAES-OAEP with SHA-1 and MGF1-SHA-1.
        RsaOaep => "RSA-OAEP",
        /// RSAES-OAEP with SHA-256 and MGF1-SHA-256.
        RsaOaep256 => "RSA-OAEP-256",
        /// RSAES-PKCS1-v1_5.
        Rsa1_5 => "RSA1_5",
        /// AES-128-GCM.
        A128Gcm => "A128GCM",
        /// AES-192-GCM.
        A192Gcm => "A192GCM",
        /// AES-256-GCM.
        A256Gcm => "A256GCM",
        /// AES-128 key wrap (RFC 3394).
        A128Kw => "A128KW",
        /// AES-192 key wrap (RFC 3394).
        A192Kw => "A192KW",
        /// AES-256 key wrap (RFC 3394).
        A256Kw => "A256KW",
        /// AES-128-CBC without padding.
        A128Cbc => "A128CBC",
        /// AES-192-CBC without padding.
        A192Cbc => "A192CBC",
        /// AES-256-CBC without padding.
        A256Cbc => "A256CBC",
        /// AES-128-CBC with PKCS#7 padding.
        A128CbcPad => "A128CBCPAD",
        /// AES-192-CBC with PKCS#7 padding.
        A192CbcPad => "A192CBCPAD",
        /// AES-256-CBC with PKCS#7 padding.
        A256CbcPad => "A256CBCPAD",
        /// AES key wrap (RFC 3394) with the key's own size (PKCS#11 name).
        CkmAesKeyWrap => "CKM_AES_KEY_WRAP",
        /// AES key wrap with padding (RFC 5649) with the key's own size (PKCS#11 name).
        CkmAesKeyWrapPad => "CKM_AES_KEY_WRAP_PAD",
        /// AES-128 key wrap with padding (RFC 5649; secure key wrap, 2026 api-versions).
        A128KwPad => "A128KWPAD",
        /// AES-192 key wrap with padding (RFC 5649; secure key wrap, 2026 api-versions).
        A192KwPad => "A192KWPAD",
        /// AES-256 key wrap with padding (RFC 5649; secure key wrap, 2026 api-versions).
        A256KwPad => "A256KWPAD",
    }
}

impl EncryptionAlgorithm {
    /// The key family this algorithm needs.
    pub fn key_family(&self) -> Option<KeyFamily> {
        match self {
            Self::RsaOaep | Self::RsaOaep256 | Self::Rsa1_5 => Some(KeyFamily::Rsa),
            Self::Unknown(_) => None,
            _ => Some(KeyFamily::Oct),
        }
    }

    /// The AES key length in bytes the algorithm requires, where its name fixes one.
    pub fn aes_key_len(&self) -> Option<usize> {
        match self {
            Self::A128Gcm | Self::A128Kw | Self::A128KwPad | Self::A128Cbc | Self::A128CbcPad => {
                Some(16)
            }
            Self::A192Gcm | Self::A192Kw | Self::A192KwPad | Self::A192Cbc | Self::A192CbcPad => {
                Some(24)
            }
            Self::A256Gcm | Self::A256Kw | Self::A256KwPad | Self::A256Cbc | Self::A256CbcPad => {
                Some(32)
            }
            _ => None,
        }
    }

    /// Whether this is one of the AES-GCM algorithms.
    pub fn is_gcm(&self) -> bool {
        matches!(self, Self::A128Gcm | Self::A192Gcm | Self::A256Gcm)
    }
}

crate::string_enum! {
    /// A key-wrap algorithm (`alg` of wrapKey and unwrapKey).
    pub enum KeyWrapAlgorithm {
        /// AES-128 key wrap (RFC 3394).
        A128Kw => "A128KW",
        /// AES-192 key wrap (RFC 3394).
        A192Kw => "A192KW",
        /// AES-256 key wrap (RFC 3394).
        A256Kw => "A256KW",
        /// RSAES-OAEP with SHA-1.
        RsaOaep => "RSA-OAEP",
        /// RSAES-OAEP with SHA-256.
        RsaOaep256 => "RSA-OAEP-256",
        /// RSAES-PKCS1-v1_5.
        Rsa1_5 => "RSA1_5",
        /// AES key wrap (RFC 3394) with the key's own size.
        CkmAesKeyWrap => "CKM_AES_KEY_WRAP",
        /// AES key wrap with padding (RFC 5649) with the key's own size.
        CkmAesKeyWrapPad => "CKM_AES_KEY_WRAP_PAD",
        /// AES-128 key wrap with padding (RFC 5649), the secure key wrap enum's name.
        A128KwPad => "A128KWPAD",
        /// AES-192 key wrap with padding (RFC 5649), the secure key wrap enum's name.
        A192KwPad => "A192KWPAD",
        /// AES-256 key wrap with padding (RFC 5649), the secure key wrap enum's name.
        A256KwPad => "A256KWPAD",
    }
}

impl KeyWrapAlgorithm {
    /// The same algorithm in the encryption vocabulary used on the wire.
    pub fn to_encryption_algorithm(&self) -> EncryptionAlgorithm {
        // A direct mapping: this runs on every wrap, so no string round trip.
        match self {
            Self::A128Kw => EncryptionAlgorithm::A128Kw,
            Self::A192Kw => EncryptionAlgorithm::A192Kw,
            Self::A256Kw => EncryptionAlgorithm::A256Kw,
            Self::RsaOaep => EncryptionAlgorithm::RsaOaep,
            Self::RsaOaep256 => EncryptionAlgorithm::RsaOaep256,
            Self::Rsa1_5 => EncryptionAlgorithm::Rsa1_5,
            Self::CkmAesKeyWrap => EncryptionAlgorithm::CkmAesKeyWrap,
            Self::CkmAesKeyWrapPad => EncryptionAlgorithm::CkmAesKeyWrapPad,
            Self::A128KwPad => EncryptionAlgorithm::A128KwPad,
            Self::A192KwPad => EncryptionAlgorithm::A192KwPad,
            Self::A256KwPad => EncryptionAlgorithm::A256KwPad,
            Self::Unknown(other) => EncryptionAlgorithm::from(other.as_str()),
        }
    }

    /// The key family this algorithm needs.
    pub fn key_family(&self) -> Option<KeyFamily> {
        self.to_encryption_algorithm().key_family()
    }

    /// The AES key length in bytes the algorithm requires, where its name fixes one
    /// (`A*KW`, `A*KWPAD`; the `CKM_*` names take the key's own size).
    pub fn aes_key_len(&self) -> Option<usize> {
        self.to_encryption_algorithm().aes_key_len()
    }
}

impl From<KeyWrapAlgorithm> for EncryptionAlgorithm {
    fn from(alg: KeyWrapAlgorithm) -> Self {
        alg.to_encryption_algorithm()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_algorithms_map_to_encryption_algorithms() {
        for name in KeyWrapAlgorithm::KNOWN_VALUES {
            let wrap = KeyWrapAlgorithm::from(*name);
            let enc = wrap.to_encryption_algorithm();
            assert!(enc.is_known(), "{name}");
            assert_eq!(enc.as_str(), *name);
        }
        let future = KeyWrapAlgorithm::from("ML-KEM-768");
        assert_eq!(future.to_encryption_algorithm().as_str(), "ML-KEM-768");
    }

    #[test]
    fn padded_key_wraps_fix_their_key_size() {
        for (name, len) in [("A128KWPAD", 16), ("A192KWPAD", 24), ("A256KWPAD", 32)] {
            let alg = KeyWrapAlgorithm::from(name);
            assert!(alg.is_known(), "{name}");
            assert_eq!(alg.aes_key_len(), Some(len), "{name}");
            assert_eq!(alg.key_family(), Some(KeyFamily::Oct), "{name}");
            assert_eq!(alg.to_string(), name);
        }
        assert_eq!(KeyWrapAlgorithm::A192Kw.aes_key_len(), Some(24));
        assert_eq!(KeyWrapAlgorithm::CkmAesKeyWrapPad.aes_key_len(), None);
        assert_eq!(KeyWrapAlgorithm::RsaOaep256.aes_key_len(), None);
    }

    #[test]
    fn known_index_is_the_position_in_known_values() {
        for (i, name) in SignatureAlgorithm::KNOWN_VALUES.iter().enumerate() {
            assert_eq!(
                SignatureAlgorithm::from(*name).known_index(),
                Some(i),
                "{name}"
            );
            assert_eq!(
                SignatureAlgorithm::from_known_index(i),
                Some(SignatureAlgorithm::from(*name))
            );
        }
        for (i, name) in EncryptionAlgorithm::KNOWN_VALUES.iter().enumerate() {
            assert_eq!(
                EncryptionAlgorithm::from(*name).known_index(),
                Some(i),
                "{name}"
            );
            assert_eq!(
                EncryptionAlgorithm::from_known_index(i),
                Some(EncryptionAlgorithm::from(*name))
            );
        }
        for (i, name) in KeyWrapAlgorithm::KNOWN_VALUES.iter().enumerate() {
            assert_eq!(
                KeyWrapAlgorithm::from(*name).known_index(),
                Some(i),
                "{name}"
            );
            assert_eq!(
                KeyWrapAlgorithm::from_known_index(i),
                Some(KeyWrapAlgorithm::from(*name))
            );
        }
        assert_eq!(SignatureAlgorithm::from("NOT-AN-ALG").known_index(), None);
        assert_eq!(EncryptionAlgorithm::from("NOT-AN-ALG").known_index(), None);
        assert_eq!(KeyWrapAlgorithm::from("NOT-AN-ALG").known_index(), None);
        let past = SignatureAlgorithm::KNOWN_VALUES.len();
        assert_eq!(SignatureAlgorithm::from_known_index(past), None);
        assert_eq!(EncryptionAlgorithm::from_known_index(usize::MAX), None);
    }
}
