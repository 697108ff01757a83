//! Errors of `kv-jwk`.

/// Errors building, parsing or converting a JSON Web Key.
///
/// Messages name the member at fault, never its value.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A binary member is not valid base64url.
    #[error("invalid base64url value")]
    InvalidBase64,
    /// A member the conversion needs is absent.
    #[error("JSON Web Key is missing member `{0}`")]
    MissingMember(&'static str),
    /// The key type does not fit the requested conversion.
    #[error("unexpected key type: expected {expected}, found {found}")]
    WrongKeyType {
        /// What the conversion needs.
        expected: &'static str,
        /// What the key says (`none` when absent).
        found: String,
    },
    /// The curve is unknown or does not fit the requested conversion.
    #[error("unsupported or mismatched curve `{0}`")]
    UnsupportedCurve(String),
    /// Key material is malformed or inconsistent (point not on the curve, private
    /// parts that do not match the public ones, wrong lengths).
    #[error("invalid key: {0}")]
    InvalidKey(&'static str),
    /// The RSA modulus is shorter than allowed.
    #[error("RSA modulus of {bits} bits is below the minimum of {min_bits}")]
    KeyTooSmall {
        /// Modulus size found.
        bits: usize,
        /// Minimum accepted.
        min_bits: usize,
    },
    /// The RSA modulus is longer than allowed.
    #[error("RSA modulus of {bits} bits is above the maximum of {max_bits}")]
    KeyTooLarge {
        /// Modulus size found.
        bits: usize,
        /// Maximum accepted.
        max_bits: usize,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = core::result::Result<T, Error>;
