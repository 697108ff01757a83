//! Base64url (RFC 4648 §5) encoding as the service uses it.
//!
//! Output is always unpadded base64url. Input is lenient: padding is accepted, and so is
//! the standard alphabet (`+`, `/`), because at least one published service example
//! returns it. Decoding runs in constant time (`base64ct`) since private key material
//! passes through it.

use base64ct::{Base64UrlUnpadded, Encoding};
use zeroize::Zeroizing;

use crate::Error;

/// Encodes bytes as unpadded base64url.
pub fn encode(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// Decodes base64url, padded or not; the standard alphabet is accepted too.
///
/// # Errors
/// [`Error::InvalidBase64`] when the input is not base64 in either alphabet.
pub fn decode(input: &str) -> Result<Vec<u8>, Error> {
    let trimmed = input.trim_end_matches('=');
    if trimmed.len() + 2 < input.len() {
        return Err(Error::InvalidBase64);
    }
    if trimmed.bytes().any(|b| b == b'+' || b == b'/') {
        // Normalize into a zeroizing buffer: the input may be key material.
        let normalized: Zeroizing<String> = Zeroizing::new(
            trimmed
                .chars()
                .map(|c| match c {
                    '+' => '-',
                    '/' => '_',
                    c => c,
                })
                .collect(),
        );
        Base64UrlUnpadded::decode_vec(&normalized).map_err(|_| Error::InvalidBase64)
    } else {
        Base64UrlUnpadded::decode_vec(trimmed).map_err(|_| Error::InvalidBase64)
    }
}

/// Serde helpers for `Vec<u8>` fields (`#[serde(with = "kv_jwk::base64url")]`).
pub fn serialize<S: serde::Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&encode(bytes))
}

/// Serde helper, see [`serialize`].
pub fn deserialize<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
    let s = Zeroizing::new(<String as serde::Deserialize>::deserialize(deserializer)?);
    decode(&s).map_err(serde::de::Error::custom)
}

/// Serde helpers for `Option<Vec<u8>>` fields
/// (`#[serde(default, skip_serializing_if = "Option::is_none", with = "kv_jwk::base64url::option")]`).
pub mod option {
    use super::*;

    /// Serializes `Some` as base64url and `None` as `null`.
    pub fn serialize<S: serde::Serializer>(
        bytes: &Option<Vec<u8>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match bytes {
            Some(b) => serializer.serialize_str(&encode(b)),
            None => serializer.serialize_none(),
        }
    }

    /// Deserializes base64url, padded or not; `null` becomes `None`.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Vec<u8>>, D::Error> {
        let s: Option<Zeroizing<String>> =
            <Option<String> as serde::Deserialize>::deserialize(deserializer)?.map(Zeroizing::new);
        s.map(|s| decode(&s).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emits_unpadded_url_alphabet() {
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(encode(b"a"), "YQ");
    }

    #[test]
    fn accepts_padding_and_standard_alphabet() {
        assert_eq!(decode("YQ==").unwrap(), b"a");
        assert_eq!(decode("YQ").unwrap(), b"a");
        assert_eq!(decode("+/8").unwrap(), vec![0xfb, 0xff]);
        assert_eq!(decode("-_8=").unwrap(), vec![0xfb, 0xff]);
    }

    #[test]
    fn rejects_garbage() {
        assert!(decode("a b").is_err());
        assert!(decode("Y===").is_err());
        assert!(decode("!!").is_err());
    }
}
