//! Errors of `kv-jwk`.

/// Errors building, parsing or converting a JSON Web Key.
///
/// Messages name the member at fault, never its value.
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A binary member is not valid base64url.
    InvalidBase64,
    /// A member the conversion needs is absent.
    MissingMember(&'static str),
    /// The key type does not fit the requested conversion.
    WrongKeyType {
        /// What the conversion needs.
        expected: &'static str,
        /// What the key says (`none` when absent).
        found: String,
    },
    /// The curve is unknown or does not fit the requested conversion.
    UnsupportedCurve(String),
    /// Key material is malformed or inconsistent (point not on the curve, private
    /// parts that do not match the public ones, wrong lengths).
    InvalidKey(&'static str),
    /// The RSA modulus is shorter than allowed.
    KeyTooSmall {
        /// Modulus size found.
        bits: usize,
        /// Minimum accepted.
        min_bits: usize,
    },
    /// The RSA modulus is longer than allowed.
    KeyTooLarge {
        /// Modulus size found.
        bits: usize,
        /// Maximum accepted.
        max_bits: usize,
    },
}

// Written by hand rather than derived: thiserror would be two more crates (and a proc-macro
// build) in every client's dependency graph for these few messages.
impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::InvalidBase64 => f.write_str("invalid base64url value"),
            Self::MissingMember(member) => write!(f, "JSON Web Key is missing member `{member}`"),
            Self::WrongKeyType { expected, found } => {
                write!(f, "unexpected key type: expected {expected}, found {found}")
            }
            Self::UnsupportedCurve(curve) => write!(f, "unsupported or mismatched curve `{curve}`"),
            Self::InvalidKey(reason) => write!(f, "invalid key: {reason}"),
            Self::KeyTooSmall { bits, min_bits } => {
                write!(
                    f,
                    "RSA modulus of {bits} bits is below the minimum of {min_bits}"
                )
            }
            Self::KeyTooLarge { bits, max_bits } => {
                write!(
                    f,
                    "RSA modulus of {bits} bits is above the maximum of {max_bits}"
                )
            }
        }
    }
}

impl std::error::Error for Error {}

/// `Result` with this crate's [`Error`].
pub type Result<T> = core::result::Result<T, Error>;
