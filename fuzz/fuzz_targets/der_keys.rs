//! Parses arbitrary bytes as DER private keys with kv-crypto-local's own DER reader.
//!
//! - PKCS#8 and PKCS#1 RSA parsing returns (`Ok` or `Err`) without panicking.
//! - The reader accepts only canonical DER: whatever parses re-encodes to the same bytes.
#![no_main]

use kv_crypto_local::der::Reader;
use kv_crypto_local::key_encoding::{
    rsa_components_from_pkcs1, rsa_components_from_pkcs8, rsa_private_key_pkcs1,
    rsa_private_key_pkcs8,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(key) = rsa_components_from_pkcs8(data) {
        assert_eq!(&rsa_private_key_pkcs8(&key)[..], data);
    }
    if let Ok(key) = rsa_components_from_pkcs1(data) {
        assert_eq!(&rsa_private_key_pkcs1(&key)[..], data);
    }
    // Element by element, every reader method.
    let mut reader = Reader::new(data);
    while let Some(tag) = reader.peek_tag() {
        let ok = match tag {
            0x02 => reader.unsigned_integer().is_ok(),
            0x03 => reader.bit_string().is_ok(),
            0x04 => reader.octet_string().is_ok(),
            0x05 => reader.null().is_ok(),
            0x06 => reader.oid().is_ok(),
            0x30 => reader.sequence().is_ok(),
            t => reader.element(t).is_ok(),
        };
        if !ok {
            break;
        }
    }
});
