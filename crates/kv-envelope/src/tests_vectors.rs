//! The test vectors of FORMAT.md (tests/vectors/format.json): known key-encryption keys,
//! data key, salt, context and plaintext give exactly the stored bytes, one-shot and
//! streamed, and every stored vector opens through the public API. The Python decoder
//! (tests/python_decoder.rs) opens the same file.

use std::collections::BTreeMap;
use std::io::Write;

use kv_crypto_local::LocalKey;
use kv_jwk::{JsonWebKey, KeyType, KeyWrapAlgorithm, SecretBytes};
use serde_json::{Value, json};

use crate::client::Encryptor;
use crate::format::{COMMITMENT_LEN, TAG_LEN};
use crate::keys::DataKey;
use crate::segment::{SegmentSealer, seal_all, wire_len};
use crate::*;

const STORED: &str = include_str!("../tests/vectors/format.json");

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Bytes `start, start+1, ...` (wrapping).
fn counting(start: u8, len: usize) -> Vec<u8> {
    (0..len).map(|i| start.wrapping_add(i as u8)).collect()
}

fn aes_key(bytes: &[u8]) -> LocalKey {
    let jwk = JsonWebKey {
        kty: Some(KeyType::Oct),
        k: Some(SecretBytes::from_slice(bytes)),
        ..Default::default()
    };
    LocalKey::new(&jwk).unwrap()
}

/// One vector's inputs.
struct Case {
    name: &'static str,
    version: u8,
    keks: Vec<(&'static str, KeyWrapAlgorithm, Vec<u8>)>,
    segment_size: u32,
    store_context: bool,
    context: &'static [u8],
    plaintext: Vec<u8>,
    /// Written through the `std::io` writer in chunks of this size instead of one-shot.
    streamed_chunk: Option<usize>,
}

const DATA_KEY: [u8; 32] = [
    0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
    0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f,
];

fn cases() -> Vec<Case> {
    let kek_a = (
        "https://a.vault.azure.net/keys/kek/0001",
        KeyWrapAlgorithm::A256Kw,
        counting(0, 32),
    );
    let kek_b = (
        "https://b.vault.azure.net/keys/kek/0002",
        KeyWrapAlgorithm::A128Kw,
        counting(0x20, 16),
    );
    let kek_c = (
        "offline-recovery",
        KeyWrapAlgorithm::A192Kw,
        counting(0x40, 24),
    );
    vec![
        Case {
            name: "v1_one_key_context_supplied",
            version: 1,
            keks: vec![kek_a.clone()],
            segment_size: 64,
            store_context: false,
            context: b"tenant=42",
            plaintext: counting(0, 100),
            streamed_chunk: None,
        },
        Case {
            name: "v1_empty_plaintext_stored_context",
            version: 1,
            keks: vec![kek_a.clone()],
            segment_size: 16,
            store_context: true,
            context: b"tenant=42",
            plaintext: Vec::new(),
            streamed_chunk: None,
        },
        Case {
            name: "v2_one_key_stored_context",
            version: 2,
            keks: vec![kek_a.clone()],
            segment_size: 32,
            store_context: true,
            context: b"purpose=vectors",
            plaintext: counting(0x10, 70),
            streamed_chunk: None,
        },
        Case {
            name: "v2_three_keys",
            version: 2,
            keks: vec![kek_a.clone(), kek_b.clone(), kek_c.clone()],
            segment_size: 16,
            store_context: false,
            context: b"",
            plaintext: counting(0x80, 53),
            streamed_chunk: None,
        },
        Case {
            name: "v2_two_keys_streamed_exact_segments",
            version: 2,
            keks: vec![kek_c, kek_b],
            segment_size: 16,
            store_context: false,
            context: b"stream",
            plaintext: counting(0xf0, 48),
            streamed_chunk: Some(5),
        },
    ]
}

/// The envelope of `case` under the fixed data key and a salt made from the case index.
fn build(case: &Case, salt: [u8; 32]) -> Vec<u8> {
    let data_key = DataKey::from_unwrapped(&DATA_KEY).unwrap();
    let sections = case
        .keks
        .iter()
        .map(|(kid, alg, kek)| WrappedDataKey {
            key_id: (*kid).to_owned(),
            algorithm: alg.clone(),
            encrypted_key: aes_key(kek).wrap_key(alg, &DATA_KEY).unwrap(),
        })
        .collect();
    let mut header = EnvelopeHeader {
        version: case.version,
        segment_size: case.segment_size,
        salt,
        commitment: [0; COMMITMENT_LEN],
        stored_context: if case.store_context {
            case.context.to_vec()
        } else {
            Vec::new()
        },
        sections,
        tag: [0; TAG_LEN],
    };
    let mut sealer = SegmentSealer::new(&data_key, &mut header, case.context).unwrap();
    let mut out = header.to_bytes().unwrap();
    match case.streamed_chunk {
        None => {
            let at = out.len();
            out.resize(
                at + wire_len(case.plaintext.len(), sealer.segment_size()).unwrap(),
                0,
            );
            seal_all(&mut sealer, &case.plaintext, &mut out[at..]).unwrap();
        }
        Some(chunk) => {
            let enc = Encryptor {
                header: out,
                sealer,
            };
            let mut w = enc.into_writer(Vec::new());
            for part in case.plaintext.chunks(chunk) {
                w.write_all(part).unwrap();
            }
            out = w.finish().unwrap();
        }
    }
    out
}

fn vectors() -> Value {
    let list: Vec<Value> = cases()
        .iter()
        .enumerate()
        .map(|(i, case)| {
            let salt: [u8; 32] = counting(0xa0 + i as u8 * 0x10, 32).try_into().unwrap();
            json!({
                "name": case.name,
                "version": case.version,
                "keks": case.keks.iter().map(|(kid, alg, kek)| json!({
                    "key_id": kid, "algorithm": alg.as_str(), "key": hex(kek),
                })).collect::<Vec<_>>(),
                "data_key": hex(&DATA_KEY),
                "salt": hex(&salt),
                "segment_size": case.segment_size,
                "store_context": case.store_context,
                "context": hex(case.context),
                "plaintext": hex(&case.plaintext),
                "streamed_chunk": case.streamed_chunk,
                "envelope": hex(&build(case, salt)),
            })
        })
        .collect();
    json!({
        "description": "kv-envelope test vectors (FORMAT.md): hex strings; every AES key wrap is RFC 3394, so the bytes are fully determined by the inputs",
        "vectors": list,
    })
}

/// The code writes exactly the stored bytes (set KV_WRITE_VECTORS=1 to regenerate the file
/// after a deliberate format change).
#[test]
fn the_code_writes_the_stored_vectors() {
    let now = vectors();
    if std::env::var_os("KV_WRITE_VECTORS").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/format.json");
        std::fs::write(path, serde_json::to_string_pretty(&now).unwrap() + "\n").unwrap();
        return;
    }
    let stored: Value = serde_json::from_str(STORED).unwrap();
    assert_eq!(
        stored, now,
        "the envelope bytes changed: a format change needs a new version"
    );
}

/// Every stored vector opens through the public API with any one of its keys.
#[test]
fn every_stored_vector_opens_with_each_of_its_keys() {
    let stored: Value = serde_json::from_str(STORED).unwrap();
    let mut seen = BTreeMap::new();
    for v in stored["vectors"].as_array().unwrap() {
        let name = v["name"].as_str().unwrap();
        let ct = unhex(v["envelope"].as_str().unwrap());
        let want = unhex(v["plaintext"].as_str().unwrap());
        let context = unhex(v["context"].as_str().unwrap());
        assert_eq!(u64::from(ct[4]), v["version"].as_u64().unwrap());
        for kek in v["keks"].as_array().unwrap() {
            let key = LocalKeyEncryptionKey::new(
                aes_key(&unhex(kek["key"].as_str().unwrap())),
                kek["key_id"].as_str().unwrap(),
            )
            .unwrap();
            let c = EnvelopeClient::new(key, None).unwrap();
            let ctx = (!v["store_context"].as_bool().unwrap()).then_some(&context[..]);
            let pt = futures::executor::block_on(c.decrypt(&ct, ctx)).unwrap();
            assert_eq!(&pt[..], &want[..], "{name}");
        }
        seen.insert(name.to_owned(), ());
    }
    assert_eq!(seen.len(), 5);
}
