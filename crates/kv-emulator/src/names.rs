//! Key names, version ids and tags: the service's name rules are kv-protocol's (the ones
//! the client checks); this module answers a bad name as the service does.

use crate::error::ApiError;

/// The longest key name the service allows.
pub const MAX_NAME_LEN: usize = kv_protocol::MAX_KEY_NAME_LEN;

/// Checks a key name with [`kv_protocol::is_valid_key_name`]: 1 to 127 characters of
/// `0-9`, `a-z`, `A-Z` and `-`.
pub fn validate_key_name(name: &str) -> Result<(), ApiError> {
    if name.is_empty() {
        // `/keys//create`: the service reads the empty segment as a missing operation
        // (JS `recording_cannot_create_a_key_with_an_empty_name`, 2025-07-01).
        return Err(ApiError::bad("Operation not specified"));
    }
    if kv_protocol::is_valid_key_name(name) {
        Ok(())
    } else {
        Err(ApiError::bad(format!(
            "The key name `{}` is invalid: it must be 1 to {MAX_NAME_LEN} characters of \
             0-9, a-z, A-Z and -.",
            printable(name)
        )))
    }
}

/// The most tags one key may carry (the service's limit).
pub const MAX_TAGS: usize = 15;
/// The longest tag name, in characters.
pub const MAX_TAG_NAME_LEN: usize = 512;
/// The longest tag value, in characters.
pub const MAX_TAG_VALUE_LEN: usize = 256;

/// Checks a key's tags: at most [`MAX_TAGS`], names of 1 to [`MAX_TAG_NAME_LEN`]
/// characters, values of at most [`MAX_TAG_VALUE_LEN`].
pub fn validate_tags(tags: Option<&kv_protocol::Tags>) -> Result<(), ApiError> {
    let Some(tags) = tags else {
        return Ok(());
    };
    if tags.len() > MAX_TAGS {
        return Err(ApiError::bad(format!(
            "Too many tags: {} given, at most {MAX_TAGS} are allowed.",
            tags.len()
        )));
    }
    for (name, value) in tags {
        let name_len = name.chars().count();
        if name_len == 0 || name_len > MAX_TAG_NAME_LEN {
            return Err(ApiError::bad(format!(
                "Tag names must be 1 to {MAX_TAG_NAME_LEN} characters."
            )));
        }
        if value.chars().count() > MAX_TAG_VALUE_LEN {
            return Err(ApiError::bad(format!(
                "Tag values must be at most {MAX_TAG_VALUE_LEN} characters."
            )));
        }
    }
    Ok(())
}

/// Checks a version id as a client sent it: 32 hex characters (anything else cannot
/// exist, so it is answered as not found by the caller).
pub fn is_version_id(version: &str) -> bool {
    version.len() == 32 && version.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A new random version id: 32 lowercase hex characters.
pub fn new_version_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn printable(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_LEN + 1)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names() {
        assert!(validate_key_name("a").is_ok());
        assert!(validate_key_name("My-Key-01").is_ok());
        assert!(validate_key_name(&"a".repeat(127)).is_ok());
        assert!(validate_key_name(&"a".repeat(128)).is_err());
        assert!(validate_key_name("").is_err());
        assert!(validate_key_name("a_b").is_err());
        assert!(validate_key_name("a.b").is_err());
        assert!(validate_key_name("ключ").is_err());
    }

    #[test]
    fn versions() {
        let v = new_version_id();
        assert!(is_version_id(&v));
        assert_eq!(v, v.to_lowercase());
        assert_ne!(v, new_version_id());
        assert!(!is_version_id("latest"));
    }

    proptest! {
        #[test]
        fn valid_names_accepted(name in "[0-9a-zA-Z-]{1,127}") {
            prop_assert!(validate_key_name(&name).is_ok());
        }
    }
}
