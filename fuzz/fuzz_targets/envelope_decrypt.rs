//! Fuzz the envelope format: header parsing and full decryption of untrusted bytes.
//!
//! The wrapper is an identity "key wrap" (the wrapped key is the data key), so inputs that
//! get past the header reach the commitment, header tag and segment checks too. Properties:
//! nothing panics, and whatever decrypts was produced by `encrypt` (checked by round-tripping
//! the input's tail as a plaintext).
#![no_main]

use kv_envelope::{EnvelopeClient, EnvelopeHeader, KeyEncryptionKey, WrappedDataKey};
use kv_jwk::KeyWrapAlgorithm;
use libfuzzer_sys::fuzz_target;
use zeroize::Zeroizing;

const KID: &str = "https://fuzz.vault.azure.net/keys/k/0123456789abcdef0123456789abcdef";

struct Identity;

impl KeyEncryptionKey for Identity {
    async fn wrap_data_key(
        &self,
        algorithm: &KeyWrapAlgorithm,
        data_key: &[u8],
    ) -> kv_envelope::Result<WrappedDataKey> {
        Ok(WrappedDataKey {
            key_id: KID.to_owned(),
            algorithm: algorithm.clone(),
            encrypted_key: data_key.to_vec(),
        })
    }

    async fn unwrap_data_key(
        &self,
        _key_id: &str,
        _algorithm: &KeyWrapAlgorithm,
        encrypted_key: &[u8],
    ) -> kv_envelope::Result<Zeroizing<Vec<u8>>> {
        Ok(Zeroizing::new(encrypted_key.to_vec()))
    }
}

fuzz_target!(|data: &[u8]| {
    let _ = EnvelopeHeader::parse(data);
    let client = EnvelopeClient::new(Identity, None).expect("default options are valid");
    let _ = futures::executor::block_on(client.decrypt(data, Some(b"context")));
    let sealed = futures::executor::block_on(client.encrypt(data, b"context"))
        .expect("encrypting with the identity wrapper succeeds");
    let opened = futures::executor::block_on(client.decrypt(&sealed, Some(b"context")))
        .expect("our own ciphertext decrypts");
    assert_eq!(&opened[..], data);
});
