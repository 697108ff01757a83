//! `crv`: elliptic curve names.

crate::string_enum! {
    /// Elliptic curve name (`crv`).
    pub enum KeyCurveName {
        /// NIST P-256 (secp256r1).
        P256 => "P-256",
        /// SECG secp256k1.
        P256K => "P-256K",
        /// NIST P-384 (secp384r1).
        P384 => "P-384",
        /// NIST P-521 (secp521r1).
        P521 => "P-521",
    }
}

impl KeyCurveName {
    /// Length in bytes of one field element (`x`, `y`, `d`, and half of a raw signature).
    pub fn field_len(&self) -> Option<usize> {
        match self {
            Self::P256 | Self::P256K => Some(32),
            Self::P384 => Some(48),
            Self::P521 => Some(66),
            Self::Unknown(_) => None,
        }
    }
}
