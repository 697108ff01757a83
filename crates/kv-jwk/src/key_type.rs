//! `kty`: the JSON Web Key type.

crate::string_enum! {
    /// JsonWebKey key type (`kty`), as Key Vault defines it.
    pub enum KeyType {
        /// Elliptic curve key, software-protected.
        Ec => "EC",
        /// Elliptic curve key, HSM-protected.
        EcHsm => "EC-HSM",
        /// RSA key, software-protected.
        Rsa => "RSA",
        /// RSA key, HSM-protected.
        RsaHsm => "RSA-HSM",
        /// Symmetric key (octet sequence), software-protected.
        Oct => "oct",
        /// Symmetric key (octet sequence), HSM-protected.
        OctHsm => "oct-HSM",
        /// Algorithm Key Pair (ML-DSA, FIPS 204), software-protected; the JWK's `alg` names
        /// the parameter set (preview API 2026-05-01-preview and later).
        Akp => "AKP",
        /// Algorithm Key Pair with the private key in the HSM.
        AkpHsm => "AKP-HSM",
    }
}

/// The family of a key type, ignoring where the key is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyFamily {
    /// `RSA` and `RSA-HSM`.
    Rsa,
    /// `EC` and `EC-HSM`.
    Ec,
    /// `oct` and `oct-HSM`.
    Oct,
    /// `AKP` and `AKP-HSM`: ML-DSA keys, whose `alg` names the parameter set.
    Akp,
}

impl KeyType {
    /// The key family, or `None` for an unknown key type.
    pub fn family(&self) -> Option<KeyFamily> {
        match self {
            Self::Rsa | Self::RsaHsm => Some(KeyFamily::Rsa),
            Self::Ec | Self::EcHsm => Some(KeyFamily::Ec),
            Self::Oct | Self::OctHsm => Some(KeyFamily::Oct),
            Self::Akp | Self::AkpHsm => Some(KeyFamily::Akp),
            Self::Unknown(_) => None,
        }
    }

    /// Whether the key type names HSM protection (`-HSM` suffix).
    pub fn is_hsm(&self) -> bool {
        matches!(
            self,
            Self::RsaHsm | Self::EcHsm | Self::OctHsm | Self::AkpHsm
        )
    }

    /// The software-protected type of the same family (`RSA-HSM` -> `RSA`); unknown types
    /// are returned unchanged.
    pub fn without_hsm(&self) -> KeyType {
        match self {
            Self::RsaHsm => Self::Rsa,
            Self::EcHsm => Self::Ec,
            Self::OctHsm => Self::Oct,
            Self::AkpHsm => Self::Akp,
            other => other.clone(),
        }
    }

    /// The HSM-protected type of the same family (`RSA` -> `RSA-HSM`); unknown types are
    /// returned unchanged.
    pub fn with_hsm(&self) -> KeyType {
        match self {
            Self::Rsa => Self::RsaHsm,
            Self::Ec => Self::EcHsm,
            Self::Oct => Self::OctHsm,
            Self::Akp => Self::AkpHsm,
            other => other.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hsm_mapping_round_trips() {
        for kty in [KeyType::Rsa, KeyType::Ec, KeyType::Oct, KeyType::Akp] {
            assert!(!kty.is_hsm());
            assert!(kty.with_hsm().is_hsm());
            assert_eq!(kty.with_hsm().without_hsm(), kty);
            assert_eq!(kty.with_hsm().family(), kty.family());
        }
        let unknown = KeyType::from("OKP");
        assert_eq!(unknown.with_hsm(), unknown);
        assert_eq!(unknown.without_hsm(), unknown);
        assert_eq!(unknown.family(), None);
    }
}
