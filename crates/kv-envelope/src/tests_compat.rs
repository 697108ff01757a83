//! The out-of-place paths (`encrypt`, `encrypt_into`, `decrypt`, `seal_to`, `open_to`)
//! against the in-place ones (`seal`, `open`, the `std::io` adapters): same bytes, same
//! failures, and an envelope written before the out-of-place paths existed still opens.

use std::io::{Read, Write};

use kv_jwk::KeyWrapAlgorithm;
use proptest::prelude::*;
use zeroize::Zeroizing;

use crate::error::{ErrorKind, Result};
use crate::format::{COMMITMENT_LEN, SALT_LEN, TAG_LEN};
use crate::keys::DataKey;
use crate::segment::{open_all, seal_all, wire_len};
use crate::*;

const KID: &str = "https://compat.vault.azure.net/keys/k/0123456789abcdef";

/// The wrapped key is the data key itself, so a stored envelope needs no key to open.
struct Identity;

impl KeyEncryptionKey for Identity {
    async fn wrap_data_key(
        &self,
        algorithm: &KeyWrapAlgorithm,
        data_key: &[u8],
    ) -> Result<WrappedDataKey> {
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
    ) -> Result<Zeroizing<Vec<u8>>> {
        Ok(Zeroizing::new(encrypted_key.to_vec()))
    }
}

fn client(segment_size: u32) -> EnvelopeClient<Identity> {
    let opts = EnvelopeOptions {
        algorithm: Some(KeyWrapAlgorithm::A256Kw),
        segment_size,
        ..Default::default()
    };
    EnvelopeClient::new(Identity, Some(opts)).unwrap()
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    futures::executor::block_on(f)
}

/// Bytes 0 to 52 under the context `compat`, segment size 16, written by the in-place
/// `encrypt` (copy, then seal in place) before `seal_to` existed.
const STORED: &str = "4b56454e0101000000000010462118469768c0e65d15759dab214cd6e8be9a54b561b05f530f03e36beca05c596afcbb1de316f057de769c65f846c661545226f7d8081f5e88c1fea7bafa3000000000003668747470733a2f2f636f6d7061742e7661756c742e617a7572652e6e65742f6b6579732f6b2f3031323334353637383961626364656606413235364b5700203661f49a80788075d3e9ff2c6f06b9080507bebb17d1797354dccd02b99a30c1ddd457bba32387017e2b18b1aaf1802b46333537fe56777a9ae4df57f89735de2a4102ffa7d42e117b121436ffea0fab0ce731cb5ede69dfa206603ab4cef21cdb48540481b349e2eb11f5db73385910700b89909aa2ed2b75e239aead01af2b1e6bf312b7ae725f3ab2fc1049f552db1ad45a03cef768e37bbda1ea3d4407ba60747d8cdd";

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn an_envelope_from_the_in_place_path_still_opens() {
    let c = client(16);
    let ct = unhex(STORED);
    let want: Vec<u8> = (0..53u8).collect();
    let opened = block_on(c.decrypt(&ct, Some(b"compat"))).unwrap();
    assert_eq!(&opened[..], &want[..]);
    // The streaming reader (in-place `open`) agrees.
    let mut src = &ct[..];
    let header = EnvelopeHeader::read_from(&mut src).unwrap();
    let opener = block_on(c.opener(&header, Some(b"compat"), 0)).unwrap();
    let mut streamed = Vec::new();
    DecryptingReader::new(opener, src)
        .read_to_end(&mut streamed)
        .unwrap();
    assert_eq!(streamed, want);
    // Still authenticated: a wrong context or a flipped ciphertext bit fails.
    assert!(block_on(c.decrypt(&ct, Some(b"compay"))).is_err());
    let mut bad = ct.clone();
    let last = bad.len() - 20;
    bad[last] ^= 1;
    assert!(block_on(c.decrypt(&bad, Some(b"compat"))).is_err());
}

/// Two sealers over one data key and header (so one key stream), and the header bytes.
fn twin_sealers(segment_size: u32) -> (SegmentSealer, SegmentSealer, Vec<u8>) {
    let key = DataKey::from_unwrapped(&[0x42; 32]).unwrap();
    let mut header = EnvelopeHeader {
        version: FORMAT_VERSION_1,
        segment_size,
        salt: [7; SALT_LEN],
        commitment: [0; COMMITMENT_LEN],
        stored_context: Vec::new(),
        sections: vec![WrappedDataKey {
            key_id: KID.to_owned(),
            algorithm: KeyWrapAlgorithm::A256Kw,
            encrypted_key: vec![0x42; 32],
        }],
        tag: [0; TAG_LEN],
    };
    let a = SegmentSealer::new(&key, &mut header, b"ctx").unwrap();
    let b = SegmentSealer::new(&key, &mut header, b"ctx").unwrap();
    (a, b, header.to_bytes().unwrap())
}

/// The old whole-message path: copy each segment into the output, seal it in place.
fn seal_in_place(sealer: &mut SegmentSealer, plaintext: &[u8]) -> Vec<u8> {
    let size = sealer.segment_size();
    let mut out = Vec::new();
    let mut chunks = plaintext.chunks_exact(size);
    for chunk in &mut chunks {
        let start = out.len();
        out.extend_from_slice(chunk);
        let tag = sealer.seal(&mut out[start..], false).unwrap();
        out.extend_from_slice(&tag);
    }
    let start = out.len();
    out.extend_from_slice(chunks.remainder());
    let tag = sealer.seal(&mut out[start..], true).unwrap();
    out.extend_from_slice(&tag);
    out
}

/// Segment sizes and payload lengths at and around the segment boundaries.
fn boundary_case() -> impl Strategy<Value = (u32, usize)> {
    (1u32..40, 0usize..4, -1isize..=1).prop_map(|(size, k, d)| {
        let len = (k * size as usize).saturating_add_signed(d);
        (size, len)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn out_of_place_seal_writes_the_in_place_bytes((size, len) in boundary_case(), seed: u8) {
        let pt: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(31) ^ seed).collect();
        let (mut a, mut b, header) = twin_sealers(size);
        let old = seal_in_place(&mut a, &pt);
        let mut new = vec![0xEE; wire_len(len, size as usize).unwrap()];
        seal_all(&mut b, &pt, &mut new).unwrap();
        prop_assert_eq!(&new, &old);
        prop_assert!(a.is_finished() && b.is_finished());

        // Both open paths read it; a whole envelope decrypts through the client.
        let key = DataKey::from_unwrapped(&[0x42; 32]).unwrap();
        let (parsed, _) = EnvelopeHeader::parse(&header).unwrap();
        let mut opener = SegmentOpener::new(&key, &parsed, b"ctx").unwrap();
        prop_assert_eq!(&open_all(&mut opener, &new).unwrap()[..], &pt[..]);
        let mut opener = SegmentOpener::new(&key, &parsed, b"ctx").unwrap();
        let mut in_place = Vec::new();
        for seg in new.chunks(opener.wire_segment_len()) {
            let mut seg = seg.to_vec();
            let n = opener.open(&mut seg).unwrap();
            in_place.extend_from_slice(&seg[..n]);
        }
        prop_assert!(opener.is_finished());
        prop_assert_eq!(&in_place, &pt);
        let whole = [header.as_slice(), &new].concat();
        let opened = block_on(client(size).decrypt(&whole, Some(b"ctx"))).unwrap();
        prop_assert_eq!(&opened[..], &pt[..]);
    }

    #[test]
    fn one_shot_round_trips_and_rejects_cuts((size, len) in boundary_case(), cut in 1usize..40) {
        let c = client(size);
        let pt: Vec<u8> = (0..len).map(|i| i as u8).collect();
        let ct = block_on(c.encrypt(&pt, b"ctx")).unwrap();
        prop_assert_eq!(&block_on(c.decrypt(&ct, Some(b"ctx"))).unwrap()[..], &pt[..]);
        // The streaming writer (in-place `seal`) gives an envelope of the same length.
        let mut w = block_on(c.encryptor(b"ctx")).unwrap().into_writer(Vec::new());
        w.write_all(&pt).unwrap();
        prop_assert_eq!(w.finish().unwrap().len(), ct.len());
        let cut = cut.min(ct.len());
        prop_assert!(block_on(c.decrypt(&ct[..ct.len() - cut], Some(b"ctx"))).is_err());
        let mut long = ct.clone();
        long.push(0);
        prop_assert!(block_on(c.decrypt(&long, Some(b"ctx"))).is_err());
    }
}

#[test]
fn seal_to_and_open_to_check_lengths_and_order() {
    let (mut s, _, header) = twin_sealers(8);
    let pt = [1u8; 8];
    let mut wire = [0u8; 8 + TAG_LEN];
    // Wrong segment length, wrong wire length: refused, nothing written.
    assert!(
        s.seal_to(&pt[..7], &mut wire[..7 + TAG_LEN], false)
            .is_err()
    );
    assert!(s.seal_to(&pt, &mut wire[..8 + TAG_LEN - 1], false).is_err());
    assert!(s.seal_to(&pt, &mut [0u8; 8 + TAG_LEN + 1], false).is_err());
    assert!(s.seal_to(&pt, &mut wire, true).is_err());
    assert_eq!(wire, [0u8; 8 + TAG_LEN]);
    s.seal_to(&pt, &mut wire, false).unwrap();
    let mut last = [0u8; 3 + TAG_LEN];
    s.seal_to(&pt[..3], &mut last, true).unwrap();
    let e = s.seal_to(&[], &mut [0u8; TAG_LEN], true).unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::InvalidArgument);

    let key = DataKey::from_unwrapped(&[0x42; 32]).unwrap();
    let (parsed, _) = EnvelopeHeader::parse(&header).unwrap();
    let mut o = SegmentOpener::new(&key, &parsed, b"ctx").unwrap();
    // Too small an output: refused without consuming the segment.
    assert!(o.open_to(&wire, &mut [0u8; 7]).is_err());
    let mut out = [0xAAu8; 20];
    assert_eq!(o.open_to(&wire, &mut out).unwrap(), 8);
    assert_eq!(out[..8], pt);
    assert_eq!(out[8..], [0xAA; 12]);
    // A tampered final segment: an error and the output zeroed.
    let mut bad = last;
    bad[0] ^= 1;
    let mut out = [0xAAu8; 3];
    assert!(o.open_to(&bad, &mut out).is_err());
    assert_eq!(out, [0; 3]);
    assert_eq!(o.open_to(&last, &mut out).unwrap(), 3);
    assert_eq!(out, [1; 3]);
    assert!(o.is_finished());
    assert!(o.open_to(&last, &mut out).is_err());
}

#[test]
fn encrypt_into_overwrites_longer_shorter_and_stale_buffers() {
    let c = client(64);
    block_on(async {
        let big: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
        let mut out = Vec::new();
        for len in [1000usize, 10, 0, 64, 63, 65, 1000, 999] {
            let pt = &big[..len];
            c.encrypt_into(pt, b"ctx", &mut out).await.unwrap();
            let fresh = c.encrypt(pt, b"ctx").await.unwrap();
            assert_eq!(out.len(), fresh.len(), "len {len}");
            assert_eq!(&c.decrypt(&out, Some(b"ctx")).await.unwrap()[..], pt);
        }
        // A buffer the caller filled with something else is overwritten, not appended to.
        let mut out = vec![0x5A; 5000];
        c.encrypt_into(&big[..100], b"ctx", &mut out).await.unwrap();
        assert_eq!(
            &c.decrypt(&out, Some(b"ctx")).await.unwrap()[..],
            &big[..100]
        );
        assert!(!out.windows(8).any(|w| w == [0x5A; 8]));
    });
}

#[test]
fn open_all_needs_a_final_segment() {
    let (mut s, _, header) = twin_sealers(8);
    let key = DataKey::from_unwrapped(&[0x42; 32]).unwrap();
    let (parsed, _) = EnvelopeHeader::parse(&header).unwrap();
    let mut wire = vec![0u8; wire_len(16, 8).unwrap()];
    seal_all(&mut s, &[3; 16], &mut wire).unwrap();
    assert_eq!(wire.len(), 2 * (8 + TAG_LEN) + TAG_LEN);
    for cut in [
        1,
        TAG_LEN,
        TAG_LEN + 1,
        8 + TAG_LEN,
        2 * (8 + TAG_LEN),
        wire.len(),
    ] {
        let mut o = SegmentOpener::new(&key, &parsed, b"ctx").unwrap();
        assert!(
            open_all(&mut o, &wire[..wire.len() - cut]).is_err(),
            "cut {cut}"
        );
    }
    let mut o = SegmentOpener::new(&key, &parsed, b"ctx").unwrap();
    assert_eq!(&open_all(&mut o, &wire).unwrap()[..], &[3; 16]);
}

/// Envelopes written by `kv_client::envelope` before it moved into this crate, under a
/// local `oct` key through `CryptographyClient::from_jwk` with `A256KW`
/// (tests/vectors/v1_before_split.json): they open here under the same key as a
/// [`LocalKeyEncryptionKey`], one-shot and streamed.
#[test]
fn envelopes_written_before_the_split_still_open() {
    let vectors: std::collections::BTreeMap<String, String> =
        serde_json::from_str(include_str!("../tests/vectors/v1_before_split.json")).unwrap();
    let jwk: kv_jwk::JsonWebKey = serde_json::from_str(
        r#"{"kty":"oct","k":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8","key_ops":["wrapKey","unwrapKey"]}"#,
    )
    .unwrap();
    let kek = LocalKeyEncryptionKey::new(
        kv_crypto_local::LocalKey::new(&jwk).unwrap(),
        "https://split.vault.azure.net/keys/kek/00112233445566778899aabbccddeeff",
    )
    .unwrap();
    let c = EnvelopeClient::new(kek, None).unwrap();
    for (name, len, context) in [
        ("one_segment", 100usize, Some(&b"tenant=42"[..])),
        ("three_segments_stored_context", 70, None),
    ] {
        let ct = unhex(&vectors[name]);
        let want: Vec<u8> = (0..len).map(|i| i as u8).collect();
        let opened = block_on(c.decrypt(&ct, context)).unwrap();
        assert_eq!(&opened[..], &want[..], "{name}");
        let mut src = &ct[..];
        let header = EnvelopeHeader::read_from(&mut src).unwrap();
        assert_eq!(header.algorithm(), &KeyWrapAlgorithm::A256Kw);
        let opener = block_on(c.opener(&header, context, 0)).unwrap();
        let mut streamed = Vec::new();
        DecryptingReader::new(opener, src)
            .read_to_end(&mut streamed)
            .unwrap();
        assert_eq!(streamed, want, "{name}");
        // another context, or another key, does not open it
        assert!(block_on(c.decrypt(&ct, Some(b"tenant=43"))).is_err());
    }
}
