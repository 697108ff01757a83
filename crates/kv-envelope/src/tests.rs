//! Envelope tests: round trips, tampering, truncation, reordering, rotation, cache, adapters,
//! with an in-memory key-encryption key.

use std::io::{Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use kv_crypto_local::{LocalKey, generate_oct};
use kv_jwk::KeyWrapAlgorithm;
use proptest::prelude::*;
use zeroize::Zeroizing;

use crate::error::{ErrorKind, Result, invalid_argument};
use crate::*;

const VAULT: &str = "https://unit.vault.azure.net/keys/data";

/// One key version: its id and its key.
type Version = (String, Arc<LocalKey>);

/// An in-memory key with versions: wraps with the newest, unwraps with the one named.
#[derive(Clone, Default, Debug)]
struct MemoryWrapper {
    versions: Arc<Mutex<Vec<Version>>>,
    unwraps: Arc<AtomicUsize>,
}

impl MemoryWrapper {
    fn new() -> Self {
        let w = Self::default();
        w.rotate();
        w
    }

    /// Adds a new version and returns its id.
    fn rotate(&self) -> String {
        let mut v = self.versions.lock().unwrap();
        let kid = format!("{VAULT}/v{}", v.len() + 1);
        let key = LocalKey::new(&generate_oct(256).unwrap()).unwrap();
        v.push((kid.clone(), Arc::new(key)));
        kid
    }

    fn disable(&self, kid: &str) {
        self.versions.lock().unwrap().retain(|(k, _)| k != kid);
    }

    fn unwraps(&self) -> usize {
        self.unwraps.load(Ordering::SeqCst)
    }
}

impl KeyEncryptionKey for MemoryWrapper {
    async fn wrap_data_key(
        &self,
        algorithm: &KeyWrapAlgorithm,
        data_key: &[u8],
    ) -> Result<WrappedDataKey> {
        let (kid, key) = self.versions.lock().unwrap().last().cloned().unwrap();
        let encrypted_key = key
            .wrap_key(algorithm, data_key)
            .map_err(|_| invalid_argument("wrap failed"))?;
        Ok(WrappedDataKey {
            key_id: kid,
            algorithm: algorithm.clone(),
            encrypted_key,
        })
    }

    async fn unwrap_data_key(
        &self,
        key_id: &str,
        algorithm: &KeyWrapAlgorithm,
        encrypted_key: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        self.unwraps.fetch_add(1, Ordering::SeqCst);
        let key = self
            .versions
            .lock()
            .unwrap()
            .iter()
            .find(|(k, _)| k == key_id)
            .map(|(_, k)| Arc::clone(k))
            .ok_or_else(|| invalid_argument("no such key version"))?;
        key.unwrap_key(algorithm, encrypted_key)
            .map_err(|_| crate::Error::new(ErrorKind::Crypto, "unwrap failed"))
    }
}

fn opts(segment_size: u32) -> EnvelopeOptions {
    EnvelopeOptions {
        algorithm: Some(KeyWrapAlgorithm::A256Kw),
        segment_size,
        ..Default::default()
    }
}

fn client(segment_size: u32) -> EnvelopeClient<MemoryWrapper> {
    EnvelopeClient::new(MemoryWrapper::new(), Some(opts(segment_size))).unwrap()
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

/// Length of the header at the start of `ct`.
fn header_len(ct: &[u8]) -> usize {
    EnvelopeHeader::parse(ct).unwrap().1
}

#[test]
fn round_trip_sizes_and_layout() {
    let c = client(16);
    block_on(async {
        for len in [0usize, 1, 15, 16, 17, 32, 100] {
            let pt: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let ct = c.encrypt(&pt, b"ctx").await.unwrap();
            let h = header_len(&ct);
            // full segments of 16+16, then a final one of len % 16 + 16
            assert_eq!(ct.len() - h, (len / 16) * 32 + len % 16 + 16, "len {len}");
            assert_eq!(&ct[..4], b"KVEN");
            assert_eq!(ct[4], FORMAT_VERSION);
            let (header, _) = EnvelopeHeader::parse(&ct).unwrap();
            assert_eq!(header.key_id(), format!("{VAULT}/v1"));
            assert_eq!(header.algorithm(), &KeyWrapAlgorithm::A256Kw);
            assert_eq!(header.stored_context(), None);
            let back = c.decrypt(&ct, Some(b"ctx")).await.unwrap();
            assert_eq!(&back[..], &pt[..]);
        }
    });
}

#[test]
fn context_is_authenticated_and_optionally_stored() {
    block_on(async {
        let c = client(64);
        let ct = c.encrypt(b"payload", b"tenant=1").await.unwrap();
        assert!(
            !ct.windows(8).any(|w| w == b"tenant=1"),
            "context stored in clear"
        );
        let e = c.decrypt(&ct, Some(b"tenant=2")).await.unwrap_err();
        assert_eq!(e.kind(), &ErrorKind::Crypto);
        assert!(c.decrypt(&ct, None).await.is_err());

        let stored = EnvelopeClient::new(
            MemoryWrapper::new(),
            Some(EnvelopeOptions {
                store_context: true,
                ..opts(64)
            }),
        )
        .unwrap();
        let ct = stored.encrypt(b"payload", b"tenant=1").await.unwrap();
        let (h, _) = EnvelopeHeader::parse(&ct).unwrap();
        assert_eq!(h.stored_context(), Some(&b"tenant=1"[..]));
        assert_eq!(&stored.decrypt(&ct, None).await.unwrap()[..], b"payload");
        assert_eq!(
            &stored.decrypt(&ct, Some(b"tenant=1")).await.unwrap()[..],
            b"payload"
        );
        assert!(stored.decrypt(&ct, Some(b"tenant=2")).await.is_err());
    });
}

#[test]
fn wrong_key_fails_without_plaintext() {
    block_on(async {
        let a = client(64);
        let b = client(64); // same key id "v1", different key material
        let ct = a.encrypt(b"secret", b"").await.unwrap();
        assert!(b.decrypt(&ct, None).await.is_err());
    });
}

#[test]
fn malformed_headers_fail_with_decode() {
    block_on(async {
        let c = client(64);
        let ct = c.encrypt(b"x", b"").await.unwrap();
        let decode = |bytes: Vec<u8>| {
            let c = c.clone();
            async move {
                let e = c.decrypt(&bytes, None).await.unwrap_err();
                assert_eq!(e.kind(), &ErrorKind::Decode, "{e}");
                e.to_string()
            }
        };
        let mut v = ct.clone();
        v[4] = 3;
        assert!(decode(v).await.contains("unknown format version"));
        let mut v = ct.clone();
        v[5] = 9;
        assert!(decode(v).await.contains("suite"));
        let mut v = ct.clone();
        v[0] = b'X';
        decode(v).await;
        let mut v = ct.clone();
        v[8..12].copy_from_slice(&(MAX_SEGMENT_SIZE + 1).to_be_bytes());
        decode(v).await;
        let mut v = ct.clone();
        v[76..80].copy_from_slice(&u32::MAX.to_be_bytes()); // oversized stored context
        decode(v).await;
        // version 2: the key-section count at 80, then the first key id's length
        for count in [0u8, 17] {
            let mut v = ct.clone();
            v[80] = count;
            assert!(decode(v).await.contains("key section count"));
        }
        let mut v = ct.clone();
        v[81..83].copy_from_slice(&u16::MAX.to_be_bytes()); // oversized key id
        decode(v).await;
        let mut v = ct.clone();
        v[81..83].copy_from_slice(&0u16.to_be_bytes()); // empty key id
        decode(v).await;
        decode(ct[..50].to_vec()).await;
        decode(Vec::new()).await;
    });
}

#[test]
fn oversized_length_is_refused_before_reading_it() {
    // A reader that would hand out 4 GiB: the header reader must stop at the length field.
    let mut fixed = b"KVEN\x01\x01\x00\x00".to_vec();
    fixed.extend_from_slice(&64u32.to_be_bytes());
    fixed.extend_from_slice(&[0; 64]);
    fixed.extend_from_slice(&u32::MAX.to_be_bytes());
    let mut reader = fixed.as_slice().chain(std::io::repeat(0));
    let e = EnvelopeHeader::read_from(&mut reader).unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Decode);
}

#[test]
fn rotation_and_rewrap() {
    block_on(async {
        let c = client(32);
        let wrapper = c.wrapper().clone();
        let pt = vec![7u8; 100];
        let old = c.encrypt(&pt, b"ctx").await.unwrap();
        let v2 = wrapper.rotate();
        // decrypt still works for the old version
        assert_eq!(&c.decrypt(&old, Some(b"ctx")).await.unwrap()[..], &pt[..]);
        let new = c.rewrap(&old).await.unwrap();
        let (h, hl) = EnvelopeHeader::parse(&new).unwrap();
        assert_eq!(h.key_id(), v2);
        // payload untouched: only the header changed
        assert_eq!(&new[hl..], &old[header_len(&old)..]);
        wrapper.disable(&format!("{VAULT}/v1"));
        assert!(c.decrypt(&old, Some(b"ctx")).await.is_err());
        assert_eq!(&c.decrypt(&new, Some(b"ctx")).await.unwrap()[..], &pt[..]);
        // rewrapping garbage (wrong data key) is refused by the commitment check
        let other = client(32);
        let foreign = other.encrypt(b"x", b"").await.unwrap();
        assert!(c.rewrap(&foreign).await.is_err());
    });
}

#[test]
fn rewrap_cannot_graft_a_foreign_key_section() {
    block_on(async {
        let c = client(32);
        let a = c.encrypt(b"message a", b"").await.unwrap();
        let b = c.encrypt(b"message b", b"").await.unwrap();
        let (ha, la) = EnvelopeHeader::parse(&a).unwrap();
        let (hb, _) = EnvelopeHeader::parse(&b).unwrap();
        // a's header with b's wrapped key: the commitment no longer matches
        let grafted = EnvelopeHeader {
            sections: hb.sections.clone(),
            ..ha
        };
        let mut forged = grafted.to_bytes().unwrap();
        forged.extend_from_slice(&a[la..]);
        let e = c.decrypt(&forged, None).await.unwrap_err();
        assert_eq!(e.kind(), &ErrorKind::Crypto);
    });
}

#[test]
fn data_key_cache_saves_unwraps_within_limits() {
    block_on(async {
        let wrapper = MemoryWrapper::new();
        let cached = EnvelopeClient::new(
            wrapper.clone(),
            Some(EnvelopeOptions {
                data_key_cache: Some(DataKeyCacheOptions {
                    max_uses: 3,
                    ..Default::default()
                }),
                ..opts(64)
            }),
        )
        .unwrap();
        let ct = cached.encrypt(b"hot path", b"").await.unwrap();
        for _ in 0..3 {
            cached.decrypt(&ct, None).await.unwrap();
        }
        assert_eq!(wrapper.unwraps(), 1);
        cached.decrypt(&ct, None).await.unwrap(); // 4th use: limit reached, unwrap again
        assert_eq!(wrapper.unwraps(), 2);
        // a cached key does not skip the header check
        assert!(cached.decrypt(&ct, Some(b"other")).await.is_err());
        let uncached = EnvelopeClient::new(wrapper.clone(), Some(opts(64))).unwrap();
        uncached.decrypt(&ct, None).await.unwrap();
        uncached.decrypt(&ct, None).await.unwrap();
        assert_eq!(wrapper.unwraps(), 4);
    });
}

/// A reader that hands out at most `step` bytes at a time.
struct Trickle<'a>(&'a [u8], usize);

impl Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.1.min(out.len()).min(self.0.len());
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

fn stream_encrypt(c: &EnvelopeClient<MemoryWrapper>, pt: &[u8], chunk: usize) -> Vec<u8> {
    let enc = block_on(c.encryptor(b"ctx")).unwrap();
    let mut w = enc.into_writer(Vec::new());
    for part in pt.chunks(chunk.max(1)) {
        w.write_all(part).unwrap();
    }
    w.finish().unwrap()
}

fn stream_decrypt(
    c: &EnvelopeClient<MemoryWrapper>,
    ct: &[u8],
    step: usize,
) -> std::io::Result<Vec<u8>> {
    let mut src = Trickle(ct, step.max(1));
    let header = EnvelopeHeader::read_from(&mut src).map_err(std::io::Error::other)?;
    let opener = block_on(c.opener(&header, Some(b"ctx"), 0)).map_err(std::io::Error::other)?;
    let mut r = DecryptingReader::new(opener, src);
    let mut out = Vec::new();
    r.read_to_end(&mut out)?;
    Ok(out)
}

#[test]
fn std_adapters_interoperate_with_one_shot() {
    let c = client(16);
    let pt: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
    let streamed = stream_encrypt(&c, &pt, 7);
    assert_eq!(
        &block_on(c.decrypt(&streamed, Some(b"ctx"))).unwrap()[..],
        &pt[..]
    );
    let one_shot = block_on(c.encrypt(&pt, b"ctx")).unwrap();
    assert_eq!(stream_decrypt(&c, &one_shot, 5).unwrap(), pt);
    // a writer dropped without finish() leaves a truncated envelope
    let enc = block_on(c.encryptor(b"ctx")).unwrap();
    let mut sink = Vec::new();
    {
        let mut w = enc.into_writer(&mut sink);
        w.write_all(&pt).unwrap();
    }
    assert!(stream_decrypt(&c, &sink, 64).is_err());
}

#[test]
fn async_adapters_round_trip() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    block_on(async {
        let c = client(32);
        let pt: Vec<u8> = (0..777u32).map(|i| i as u8).collect();
        let enc = c.encryptor(b"ctx").await.unwrap();
        let mut w = enc.into_async_writer(Vec::new());
        for part in pt.chunks(13) {
            w.write_all(part).await.unwrap();
        }
        w.shutdown().await.unwrap();
        let ct = w.into_inner();
        assert_eq!(&c.decrypt(&ct, Some(b"ctx")).await.unwrap()[..], &pt[..]);
        let mut r = c
            .decrypt_async_reader(ct.as_slice(), Some(b"ctx"))
            .await
            .unwrap();
        let mut out = Vec::new();
        r.read_to_end(&mut out).await.unwrap();
        assert_eq!(out, pt);
        // truncated: the reader errors instead of reporting the end
        let cut = &ct[..ct.len() - 1];
        let mut r = c.decrypt_async_reader(cut, Some(b"ctx")).await.unwrap();
        let mut out = Vec::new();
        assert!(r.read_to_end(&mut out).await.is_err());
    });
}

#[test]
fn debug_output_holds_no_secrets() {
    let c = client(64);
    let pt = b"SECRETPLAINTEXT!".repeat(2);
    let enc = block_on(c.encryptor(b"")).unwrap();
    let mut w = enc.into_writer(Vec::new());
    w.write_all(&pt[..20]).unwrap();
    let dbg_w = format!("{w:?}");
    let ct = w.finish().unwrap();
    let (h, hl) = EnvelopeHeader::parse(&ct).unwrap();
    let opener = block_on(c.opener(&h, None, 0)).unwrap();
    let mut r = DecryptingReader::new(opener, &ct[hl..]);
    let mut first = [0u8; 4];
    r.read_exact(&mut first).unwrap();
    let dbg = format!("{dbg_w} {r:?} {c:?}");
    for needle in ["SECRET", "83, 69, 67", "PLAINTEXT"] {
        assert!(!dbg.contains(needle), "{dbg}");
    }
}

#[test]
fn options_are_checked() {
    assert!(EnvelopeClient::new(MemoryWrapper::new(), Some(opts(0))).is_err());
    assert!(EnvelopeClient::new(MemoryWrapper::new(), Some(opts(MAX_SEGMENT_SIZE + 1))).is_err());
    let rsa15 = EnvelopeOptions {
        algorithm: Some(KeyWrapAlgorithm::Rsa1_5),
        ..Default::default()
    };
    assert!(EnvelopeClient::new(MemoryWrapper::new(), Some(rsa15)).is_err());
}

/// One envelope shared by the tamper properties (segment size 16, three full segments and a
/// final one of 5 bytes), and its header length.
fn fixture() -> &'static (EnvelopeClient<MemoryWrapper>, Vec<u8>, usize) {
    static F: std::sync::OnceLock<(EnvelopeClient<MemoryWrapper>, Vec<u8>, usize)> =
        std::sync::OnceLock::new();
    F.get_or_init(|| {
        let c = client(16);
        let ct = block_on(c.encrypt(&[0x5A; 53], b"ctx")).unwrap();
        let hl = header_len(&ct);
        (c, ct, hl)
    })
}

fn opens(ct: &[u8]) -> bool {
    let (c, _, _) = fixture();
    let one_shot = block_on(c.decrypt(ct, Some(b"ctx"))).is_ok();
    let streamed = stream_decrypt(c, ct, 9).is_ok();
    assert_eq!(one_shot, streamed, "one-shot and streaming disagree");
    one_shot
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn round_trip_any_payload(
        pt in proptest::collection::vec(any::<u8>(), 0..600),
        segment in 1u32..80,
        chunk in 1usize..100,
        ctx in proptest::collection::vec(any::<u8>(), 0..40),
    ) {
        let c = client(segment);
        let ct = block_on(c.encrypt(&pt, &ctx)).unwrap();
        prop_assert_eq!(&block_on(c.decrypt(&ct, Some(&ctx))).unwrap()[..], &pt[..]);
        let enc = block_on(c.encryptor(b"ctx")).unwrap();
        let mut w = enc.into_writer(Vec::new());
        for part in pt.chunks(chunk) { w.write_all(part).unwrap(); }
        let streamed = w.finish().unwrap();
        prop_assert_eq!(stream_decrypt(&c, &streamed, chunk).unwrap(), pt);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn flipping_any_bit_fails(pos in any::<prop::sample::Index>(), bit in 0u8..8) {
        let (_, ct, _) = fixture();
        let mut bad = ct.clone();
        let i = pos.index(bad.len());
        bad[i] ^= 1 << bit;
        prop_assert!(!opens(&bad), "flip at byte {} bit {}", i, bit);
    }

    #[test]
    fn truncating_anywhere_fails(pos in any::<prop::sample::Index>()) {
        let (_, ct, _) = fixture();
        let cut = pos.index(ct.len());
        prop_assert!(!opens(&ct[..cut]));
    }

    #[test]
    fn appending_anything_fails(extra in proptest::collection::vec(any::<u8>(), 1..40)) {
        let (_, ct, _) = fixture();
        let mut long = ct.clone();
        long.extend_from_slice(&extra);
        prop_assert!(!opens(&long));
    }

    #[test]
    fn swapping_or_dropping_segments_fails(a in 0usize..3, b in 0usize..3, drop in 0usize..3) {
        let (_, ct, hl) = fixture();
        let hl = *hl;
        let seg = |i: usize| &ct[hl + i * 32..hl + (i + 1) * 32];
        let tail = &ct[hl + 96..];
        let mut order: Vec<usize> = vec![0, 1, 2];
        order.swap(a, b);
        if a == b { order.remove(drop); }
        let mut bad = ct[..hl].to_vec();
        for i in &order { bad.extend_from_slice(seg(*i)); }
        bad.extend_from_slice(tail);
        prop_assert!(!opens(&bad), "order {:?}", order);
    }
}

#[test]
fn fixture_opens_and_final_segment_cannot_move() {
    let (_, ct, hl) = fixture();
    let hl = *hl;
    assert!(opens(ct));
    assert_eq!(ct.len() - hl, 3 * 32 + 5 + 16);
    // the last full segment relabelled as final (by cutting the real final one) fails
    assert!(!opens(&ct[..hl + 96]));
    assert!(!opens(&ct[..hl + 64]));
}

#[test]
fn every_single_bit_flip_fails() {
    let (_, ct, _) = fixture();
    for i in 0..ct.len() {
        for bit in 0..8 {
            let mut bad = ct.clone();
            bad[i] ^= 1 << bit;
            assert!(!opens(&bad), "flip at byte {i} bit {bit}");
        }
    }
}

#[test]
fn encrypt_into_reuses_the_buffer_and_matches_the_format() {
    let c = client(1024);
    block_on(async {
        let mut out = b"stale bytes from a previous message".to_vec();
        for len in [0usize, 1, 1023, 1024, 5000] {
            let plaintext: Vec<u8> = (0..len).map(|i| i as u8).collect();
            c.encrypt_into(&plaintext, b"ctx", &mut out).await.unwrap();
            let opened = c.decrypt(&out, Some(b"ctx")).await.unwrap();
            assert_eq!(&opened[..], &plaintext[..]);
            // Same layout as `encrypt` (fresh salt and key, so only the length matches).
            let fresh = c.encrypt(&plaintext, b"ctx").await.unwrap();
            assert_eq!(out.len(), fresh.len());
        }
    });
}

#[test]
fn decrypt_into_reuses_the_buffer_and_wipes_it_on_failure() {
    let c = client(1024);
    block_on(async {
        let mut out = Zeroizing::new(b"stale plaintext of a previous message".to_vec());
        for len in [5000usize, 0, 1, 1023, 1024, 3000] {
            let plaintext: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
            let ct = c.encrypt(&plaintext, b"ctx").await.unwrap();
            let cap = out.capacity();
            c.decrypt_into(&ct, Some(b"ctx"), &mut out).await.unwrap();
            assert_eq!(&out[..], &plaintext[..]);
            if len <= cap {
                assert_eq!(out.capacity(), cap, "no reallocation within capacity");
            }
        }
        let ct = c.encrypt(&[9u8; 2000], b"ctx").await.unwrap();
        let mut tampered = ct.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(
            c.decrypt_into(&tampered, Some(b"ctx"), &mut out)
                .await
                .is_err()
        );
        assert!(out.is_empty(), "nothing released on failure");
        assert!(c.decrypt_into(&ct, Some(b"other"), &mut out).await.is_err());
        assert!(out.is_empty());
    });
}
