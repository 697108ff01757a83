//! Shared access signatures (SAS) signed with a storage account key: an account SAS
//! (to create containers) and a container SAS (what a backup or restore is given).
//!
//! The signature is HMAC-SHA256 (`kv_crypto_local::hmac`) over the string-to-sign the Blob service
//! defines for `sv` = [`SAS_VERSION`], keyed with the base64-decoded account key.
//! Tests use it with Azurite's well-known development account.

use base64ct::{Base64, Encoding};
use zeroize::Zeroizing;

/// The `sv` (signed version) of the tokens made here.
pub const SAS_VERSION: &str = "2021-08-06";

/// Azurite's development account name.
pub const DEV_ACCOUNT: &str = "devstoreaccount1";

/// Azurite's published development account key (not a secret).
pub const DEV_ACCOUNT_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// The account key was not valid base64.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the storage account key is not valid base64")]
pub struct InvalidAccountKey;

fn sign(account_key: &str, string_to_sign: &str) -> Result<String, InvalidAccountKey> {
    let key = Zeroizing::new(Base64::decode_vec(account_key).map_err(|_| InvalidAccountKey)?);
    // The emulator builds kv-crypto-local with its backends, so HMAC is always available.
    let tag = kv_crypto_local::hmac::hmac_sha256(&key, string_to_sign.as_bytes())
        .expect("kv-crypto-local is built with a backend");
    Ok(Base64::encode_string(&tag))
}

fn query(pairs: &[(&str, &str)]) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        q.append_pair(k, v);
    }
    q.finish()
}

/// An account SAS for the Blob service allowing everything on services, containers and
/// objects (`ss=b`, `srt=sco`, `sp=rwdlacup`) until `expiry` (ISO 8601 UTC, e.g.
/// `2099-01-01T00:00:00Z`), over http and https.
///
/// # Errors
/// [`InvalidAccountKey`] when `account_key` is not base64.
pub fn account_sas(
    account: &str,
    account_key: &str,
    expiry: &str,
) -> Result<String, InvalidAccountKey> {
    let (permissions, services, resource_types, protocol) = ("rwdlacup", "b", "sco", "https,http");
    let string_to_sign = format!(
        "{account}\n{permissions}\n{services}\n{resource_types}\n\n{expiry}\n\n{protocol}\n{SAS_VERSION}\n\n"
    );
    let sig = sign(account_key, &string_to_sign)?;
    Ok(query(&[
        ("sv", SAS_VERSION),
        ("ss", services),
        ("srt", resource_types),
        ("sp", permissions),
        ("se", expiry),
        ("spr", protocol),
        ("sig", &sig),
    ]))
}

/// A service SAS for container `container` (`sr=c`) with `permissions` (for example
/// `racwdl`) until `expiry`, over http and https.
///
/// # Errors
/// [`InvalidAccountKey`] when `account_key` is not base64.
pub fn container_sas(
    account: &str,
    account_key: &str,
    container: &str,
    permissions: &str,
    expiry: &str,
) -> Result<String, InvalidAccountKey> {
    let protocol = "https,http";
    let resource = format!("/blob/{account}/{container}");
    // permissions, start, expiry, resource, identifier, IP, protocol, version, signed
    // resource, snapshot time, encryption scope, then five response-header overrides.
    let string_to_sign = format!(
        "{permissions}\n\n{expiry}\n{resource}\n\n\n{protocol}\n{SAS_VERSION}\nc\n\n\n\n\n\n\n"
    );
    let sig = sign(account_key, &string_to_sign)?;
    Ok(query(&[
        ("sv", SAS_VERSION),
        ("sr", "c"),
        ("sp", permissions),
        ("se", expiry),
        ("spr", protocol),
        ("sig", &sig),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_the_expected_fields_and_depend_on_the_key() {
        let a = container_sas(
            DEV_ACCOUNT,
            DEV_ACCOUNT_KEY,
            "c1",
            "racwdl",
            "2099-01-01T00:00:00Z",
        )
        .unwrap();
        assert!(a.starts_with("sv=2021-08-06&sr=c&sp=racwdl&se=2099-01-01T00%3A00%3A00Z"));
        assert!(a.contains("&sig="));
        let other_key = Base64::encode_string(&[1u8; 64]);
        let b = container_sas(
            DEV_ACCOUNT,
            &other_key,
            "c1",
            "racwdl",
            "2099-01-01T00:00:00Z",
        )
        .unwrap();
        assert_ne!(a, b);
        let acct = account_sas(DEV_ACCOUNT, DEV_ACCOUNT_KEY, "2099-01-01T00:00:00Z").unwrap();
        assert!(acct.contains("srt=sco") && acct.contains("sig="));
        assert_eq!(
            container_sas(DEV_ACCOUNT, "not base64!", "c", "r", "x"),
            Err(InvalidAccountKey)
        );
    }

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        // Key "Jefe", data "what do ya want for nothing?".
        let sig = sign(
            &Base64::encode_string(b"Jefe"),
            "what do ya want for nothing?",
        )
        .unwrap();
        let expected = Base64::encode_string(&[
            0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24, 0x26, 0x08, 0x95,
            0x75, 0xc7, 0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9,
            0x64, 0xec, 0x38, 0x43,
        ]);
        assert_eq!(sig, expected);
    }
}
