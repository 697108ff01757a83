//! [`EnvelopeClient`]: encrypt, decrypt and rewrap envelopes under a [`KeyEncryptionKey`].

use core::fmt;
use std::sync::Arc;
use std::time::Instant;

use kv_jwk::KeyWrapAlgorithm;
use zeroize::Zeroizing;

use crate::cache::{DataKeyCache, DataKeyCacheOptions};
use crate::encrypt_cache::{Cached, EncryptCache, EncryptCacheOptions};
use crate::error::{Result, invalid_argument};
use crate::format::{
    COMMITMENT_LEN, EnvelopeHeader, FORMAT_VERSION, FORMAT_VERSION_1, FORMAT_VERSION_2,
    MAX_KEY_SECTIONS, MAX_SEGMENT_SIZE, MAX_STORED_CONTEXT, SALT_LEN, TAG_LEN, check_algorithm,
};
use crate::kek::{KeyEncryptionKey, WrappedDataKey};
use crate::keys::{DataKey, MessageKeys, auth_failed, local_crypto};
use crate::segment::{SegmentOpener, SegmentSealer, open_all, open_all_into, seal_all, wire_len};

/// The default segment size: 256 KiB of plaintext per segment, what a streaming reader or
/// writer buffers. Each segment is one AES-GCM call with a fixed cost (its nonce, counter
/// block and length block: about 150 ns here), so 1 MiB sealed in 64 KiB segments measured
/// 2 to 3% slower than in one call, and in 256 KiB segments as fast; a segment and its
/// output (512 KiB) also stay within a core's L2 cache. Readers accept any size from 1 B
/// to 16 MiB, whatever the writer chose.
pub const DEFAULT_SEGMENT_SIZE: u32 = 256 << 10;

/// Options of an [`EnvelopeClient`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvelopeOptions {
    /// How data keys are wrapped. `None` (the default) follows the key
    /// ([`KeyEncryptionKey::default_algorithm`]): `RSA-OAEP-256` for RSA keys (locally
    /// with the public key), AES key wrap of the key's size for `oct` and `oct-HSM` keys.
    pub algorithm: Option<KeyWrapAlgorithm>,
    /// Plaintext bytes per segment, 1 to 16 MiB; memory use of the streaming adapters.
    pub segment_size: u32,
    /// Store the encryption context in the header (authenticated, but readable by anyone).
    /// Off by default: the caller then supplies the same context to decrypt.
    pub store_context: bool,
    /// Cache unwrapped data keys on decrypt, within these limits. Off by default.
    pub data_key_cache: Option<DataKeyCacheOptions>,
    /// The format version written: 2 (the default; 1 to 16 key sections) or 1 (exactly one,
    /// for readers that know only version 1). Both are always read.
    pub format_version: u8,
    /// Reuse a wrapped data key across one-shot encryptions with the same context, within
    /// these bounds. Off by default; see [`EncryptCacheOptions`] for when it is safe and
    /// what it trades.
    pub encrypt_cache: Option<EncryptCacheOptions>,
}

impl Default for EnvelopeOptions {
    fn default() -> Self {
        Self {
            algorithm: None,
            segment_size: DEFAULT_SEGMENT_SIZE,
            store_context: false,
            data_key_cache: None,
            format_version: FORMAT_VERSION,
            encrypt_cache: None,
        }
    }
}

struct Inner<W> {
    wrapper: W,
    options: EnvelopeOptions,
    cache: Option<DataKeyCache>,
    encrypt_cache: Option<EncryptCache>,
}

/// Envelope encryption: a fresh AES-256 data key per message, wrapped by a Key Vault key;
/// the payload in AES-256-GCM segments. See the [module docs](crate) for the format.
///
/// Cheap to clone; clones share the data-key cache.
pub struct EnvelopeClient<W> {
    inner: Arc<Inner<W>>,
}

impl<W> Clone for EnvelopeClient<W> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<W: fmt::Debug> fmt::Debug for EnvelopeClient<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnvelopeClient")
            .field("wrapper", &self.inner.wrapper)
            .field("options", &self.inner.options)
            .finish_non_exhaustive()
    }
}

/// A message being encrypted: its header (to write first) and the sealer for its segments.
/// Made by [`EnvelopeClient::encryptor`]; turn it into a writer with
/// [`into_writer`](Encryptor::into_writer) or [`into_async_writer`](Encryptor::into_async_writer).
#[derive(Debug)]
pub struct Encryptor {
    pub(crate) header: Vec<u8>,
    pub(crate) sealer: SegmentSealer,
}

impl Encryptor {
    /// The header bytes, which precede the segments.
    pub fn header(&self) -> &[u8] {
        &self.header
    }

    /// The segment sealer, for callers that frame segments themselves.
    pub fn sealer(&mut self) -> &mut SegmentSealer {
        &mut self.sealer
    }
}

impl<W: KeyEncryptionKey> EnvelopeClient<W> {
    /// An envelope client wrapping data keys with `wrapper`.
    ///
    /// # Errors
    /// `InvalidArgument` for a segment size out of range or an unsupported wrap algorithm.
    pub fn new(wrapper: W, options: Option<EnvelopeOptions>) -> Result<Self> {
        let options = options.unwrap_or_default();
        if options.segment_size == 0 || options.segment_size > MAX_SEGMENT_SIZE {
            return Err(invalid_argument(
                "envelope: segment size must be 1 B to 16 MiB",
            ));
        }
        if let Some(alg) = &options.algorithm {
            check_algorithm(alg).map_err(|_| unsupported_algorithm())?;
        }
        if options.format_version != FORMAT_VERSION_1 && options.format_version != FORMAT_VERSION_2
        {
            return Err(invalid_argument("envelope: format version must be 1 or 2"));
        }
        if let Some(c) = &options.encrypt_cache {
            c.check()?;
        }
        let cache = options.data_key_cache.clone().map(DataKeyCache::new);
        let encrypt_cache = options.encrypt_cache.clone().map(EncryptCache::new);
        Ok(Self {
            inner: Arc::new(Inner {
                wrapper,
                options,
                cache,
                encrypt_cache,
            }),
        })
    }

    /// The wrapper.
    pub fn wrapper(&self) -> &W {
        &self.inner.wrapper
    }

    /// `data_key` wrapped by `kek` for a header of this client's format version: one key
    /// section per key `kek` wraps with, each algorithm checked.
    async fn wrap_sections<K: KeyEncryptionKey>(
        &self,
        kek: &K,
        data_key: &DataKey,
    ) -> Result<Vec<WrappedDataKey>> {
        let sections = kek
            .wrap_data_key_sections(self.inner.options.algorithm.as_ref(), data_key.as_bytes())
            .await?;
        let max = if self.inner.options.format_version == FORMAT_VERSION_1 {
            1
        } else {
            MAX_KEY_SECTIONS
        };
        if sections.is_empty() || sections.len() > max {
            return Err(invalid_argument(format!(
                "envelope: format version {} holds 1 to {max} key sections",
                self.inner.options.format_version
            )));
        }
        for s in &sections {
            check_algorithm(&s.algorithm).map_err(|_| unsupported_algorithm())?;
        }
        Ok(sections)
    }

    /// Starts a message: a fresh data key, wrapped (one Key Vault operation, local for RSA
    /// keys whose public key the client holds), and the header.
    ///
    /// # Errors
    /// `InvalidArgument` for a stored context over 64 KiB; the wrapper's errors.
    pub async fn encryptor(&self, context: &[u8]) -> Result<Encryptor> {
        self.start_message(context, None).await
    }

    /// A message of `bytes` plaintext bytes when known (one-shot: the encrypt cache may
    /// serve it), of unknown length otherwise (streamed: always a fresh data key).
    async fn start_message(&self, context: &[u8], bytes: Option<u64>) -> Result<Encryptor> {
        let opts = &self.inner.options;
        if opts.store_context && context.len() > MAX_STORED_CONTEXT {
            return Err(invalid_argument(
                "envelope: a stored context is at most 64 KiB",
            ));
        }
        // The clock is read only when a cache needs it.
        let cache = self
            .inner
            .encrypt_cache
            .as_ref()
            .zip(bytes)
            .map(|(c, bytes)| (c, bytes, Instant::now()));
        let (Cached { data_key, sections }, salt) =
            match cache.and_then(|(c, bytes, now)| c.take(context, bytes, now)) {
                Some(hit) => {
                    let mut salt = [0u8; SALT_LEN];
                    kv_crypto_local::get_default()
                        .map_err(local_crypto)?
                        .random
                        .fill(&mut salt)
                        .map_err(local_crypto)?;
                    (hit, salt)
                }
                None => {
                    let (data_key, salt) = DataKey::generate_with_salt()?;
                    let data_key = Box::new(data_key);
                    let sections = self.wrap_sections(&self.inner.wrapper, &data_key).await?;
                    let fresh = Cached { data_key, sections };
                    if let Some((c, bytes, now)) = cache {
                        c.insert(context, &fresh, bytes, now);
                    }
                    (fresh, salt)
                }
            };
        let mut header = EnvelopeHeader {
            version: opts.format_version,
            segment_size: opts.segment_size,
            salt,
            commitment: [0; COMMITMENT_LEN],
            stored_context: if opts.store_context {
                context.to_vec()
            } else {
                Vec::new()
            },
            sections,
            tag: [0; TAG_LEN],
        };
        let sealer = SegmentSealer::new(&data_key, &mut header, context)?;
        Ok(Encryptor {
            header: header.to_bytes()?,
            sealer,
        })
    }

    /// Encrypts `plaintext` under the encryption context `context` (authenticated; stored
    /// in the header only when [`store_context`](EnvelopeOptions::store_context) is set).
    ///
    /// # Errors
    /// As [`encryptor`](Self::encryptor).
    pub async fn encrypt(&self, plaintext: &[u8], context: &[u8]) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.encrypt_into(plaintext, context, &mut out).await?;
        Ok(out)
    }

    /// Like [`encrypt`](Self::encrypt), writing the envelope into `out` (whose old contents
    /// are all overwritten or cut off) so a hot path can reuse one buffer instead of
    /// allocating (and page-faulting) a fresh one per message. The plaintext is sealed
    /// straight into `out`, segment by segment, never copied there first.
    ///
    /// # Errors
    /// As [`encryptor`](Self::encryptor); on error `out` is empty.
    pub async fn encrypt_into(
        &self,
        plaintext: &[u8],
        context: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<()> {
        let r = self.seal_message(plaintext, context, out).await;
        if r.is_err() {
            out.clear();
        }
        r
    }

    async fn seal_message(
        &self,
        plaintext: &[u8],
        context: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<()> {
        let bytes = u64::try_from(plaintext.len()).unwrap_or(u64::MAX);
        let Encryptor { header, mut sealer } = self.start_message(context, Some(bytes)).await?;
        let header_len = header.len();
        let total = wire_len(plaintext.len(), sealer.segment_size())?
            .checked_add(header_len)
            .ok_or_else(|| invalid_argument("envelope: message too long"))?;
        // Every byte up to `total` is written below, so a reused buffer is not zeroed
        // first; a fresh one grows from the header's allocation.
        if out.capacity() == 0 {
            *out = header;
            out.resize(total, 0);
        } else {
            if out.len() >= total {
                out.truncate(total);
            } else {
                out.resize(total, 0);
            }
            out[..header_len].copy_from_slice(&header);
        }
        let body = out.get_mut(header_len..).ok_or_else(auth_failed)?;
        seal_all(&mut sealer, plaintext, body)
    }

    /// Unwraps the data key of `header` (or takes it from the cache), checks the key
    /// commitment in constant time and then the header tag, and returns the segment opener.
    /// `context` must be the one given to encrypt; `None` stands for the stored one (or none).
    /// `bytes` is charged to the data-key cache's byte budget.
    ///
    /// With several key sections, those the wrapper resolves
    /// ([`KeyEncryptionKey::preference`]) are tried in its order of preference, stopping at
    /// the first that unwraps to a key whose commitment holds.
    ///
    /// # Errors
    /// `Crypto` when the commitment or the header tag does not hold (wrong key, wrong
    /// context, tampering); `InvalidArgument` when the wrapper resolves no key section; the
    /// wrapper's errors when no section unwraps (the last one).
    pub async fn opener(
        &self,
        header: &EnvelopeHeader,
        context: Option<&[u8]>,
        bytes: u64,
    ) -> Result<SegmentOpener> {
        let context = effective_context(header, context)?;
        // The clock is read only when a cache needs it.
        let cache = self.inner.cache.as_ref().map(|c| (c, Instant::now()));
        if let Some((c, now)) = cache {
            for s in &header.sections {
                if let Some(key) = c.get(&s.key_id, &s.algorithm, &s.encrypted_key, bytes, now) {
                    return SegmentOpener::new(&key, header, context);
                }
            }
        }
        let (data_key, keys, section) = self.unwrap(header).await?;
        let opener = SegmentOpener::with_keys(keys, header, context)?;
        if let Some((c, now)) = cache {
            c.insert(
                &section.key_id,
                &section.algorithm,
                &section.encrypted_key,
                &data_key,
                bytes,
                now,
            );
        }
        Ok(opener)
    }

    /// The data key of `header` from the first key section, in the wrapper's order of
    /// preference, that unwraps to a key matching the commitment; the message keys derived
    /// from it (kept, so opening does not derive them again); and that section.
    async fn unwrap<'h>(
        &self,
        header: &'h EnvelopeHeader,
    ) -> Result<(DataKey, MessageKeys, &'h WrappedDataKey)> {
        let mut candidates: Vec<(usize, &WrappedDataKey)> = header
            .sections
            .iter()
            .filter_map(|s| Some((self.inner.wrapper.preference(&s.key_id)?, s)))
            .collect();
        // Stable: equal ranks keep header order.
        candidates.sort_by_key(|(rank, _)| *rank);
        let mut last = None;
        for (_, section) in candidates {
            let unwrapped = self
                .inner
                .wrapper
                .unwrap_data_key(&section.key_id, &section.algorithm, &section.encrypted_key)
                .await;
            let checked = unwrapped.and_then(|dk| {
                let data_key = DataKey::from_unwrapped(&dk)?;
                let keys = MessageKeys::derive(&data_key, header.version, &header.salt)?;
                keys.check_commitment(&header.commitment)?;
                Ok((data_key, keys))
            });
            match checked {
                Ok((data_key, keys)) => return Ok((data_key, keys, section)),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| {
            invalid_argument(format!(
                "envelope: the data key was wrapped by {}, not by a key of this client",
                header.key_id()
            ))
        }))
    }

    /// Decrypts a whole envelope. The plaintext is returned only when the header and every
    /// segment, the final one included, authenticated, and nothing follows the final one.
    ///
    /// # Errors
    /// `Decode` for a malformed header (unknown version, lengths out of bounds); `Crypto`
    /// for any authentication failure; the wrapper's errors.
    pub async fn decrypt(
        &self,
        ciphertext: &[u8],
        context: Option<&[u8]>,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let (header, len) = EnvelopeHeader::parse(ciphertext)?;
        let body = ciphertext.get(len..).ok_or_else(auth_failed)?;
        let mut opener = self.opener(&header, context, body.len() as u64).await?;
        open_all(&mut opener, body)
    }

    /// Like [`decrypt`](Self::decrypt), writing the plaintext into `out` (old contents
    /// replaced) so a hot path reuses one buffer instead of allocating, zero-filling and
    /// page-faulting a fresh one per message. `out` is wiped and emptied on error, and
    /// never reallocates while holding plaintext.
    ///
    /// # Errors
    /// As [`decrypt`](Self::decrypt).
    pub async fn decrypt_into(
        &self,
        ciphertext: &[u8],
        context: Option<&[u8]>,
        out: &mut Zeroizing<Vec<u8>>,
    ) -> Result<()> {
        let r = async {
            let (header, len) = EnvelopeHeader::parse(ciphertext)?;
            let body = ciphertext.get(len..).ok_or_else(auth_failed)?;
            let mut opener = self.opener(&header, context, body.len() as u64).await?;
            open_all_into(&mut opener, body, out)
        }
        .await;
        if r.is_err() {
            zeroize::Zeroize::zeroize(&mut **out);
        }
        r
    }

    /// A new header for `header` with the data key wrapped again by the wrapper (its
    /// newest key version): see [`rewrap_header_with`](Self::rewrap_header_with).
    ///
    /// # Errors
    /// As [`rewrap_header_with`](Self::rewrap_header_with).
    pub async fn rewrap_header(&self, header: &EnvelopeHeader) -> Result<Vec<u8>> {
        let algorithm = self.inner.options.algorithm.as_ref();
        self.rewrap_sections(header, &self.inner.wrapper, algorithm)
            .await
    }

    /// A new header for `header` whose data key, unwrapped by this client's wrapper, is
    /// also wrapped by `kek` (with `kek`'s own default algorithm). Each new key section replaces the section of the same key
    /// (the same identifier but for its last path segment, the version: an older version
    /// of a rotated Key Vault key) and is added otherwise; a version-1 header has its one
    /// section replaced. The payload and the header tag stay as they are: the tag does not
    /// cover the key sections, and the key commitment, checked here before wrapping, binds
    /// the data key.
    ///
    /// # Errors
    /// `Crypto` when the unwrapped key does not match the commitment; `InvalidArgument`
    /// when the result would exceed 16 key sections; the wrappers' errors.
    pub async fn rewrap_header_with<K: KeyEncryptionKey>(
        &self,
        header: &EnvelopeHeader,
        kek: &K,
    ) -> Result<Vec<u8>> {
        self.rewrap_sections(header, kek, None).await
    }

    async fn rewrap_sections<K: KeyEncryptionKey>(
        &self,
        header: &EnvelopeHeader,
        kek: &K,
        algorithm: Option<&KeyWrapAlgorithm>,
    ) -> Result<Vec<u8>> {
        let (data_key, _, _) = self.unwrap(header).await?;
        let fresh = kek
            .wrap_data_key_sections(algorithm, data_key.as_bytes())
            .await?;
        let mut new = header.clone();
        if new.version == FORMAT_VERSION_1 {
            if fresh.len() != 1 {
                return Err(invalid_argument(
                    "envelope: a version-1 envelope holds exactly one key section",
                ));
            }
            new.sections = fresh;
        } else {
            for section in fresh {
                match new
                    .sections
                    .iter_mut()
                    .find(|s| same_key(&s.key_id, &section.key_id))
                {
                    Some(old) => *old = section,
                    None => new.sections.push(section),
                }
            }
            if new.sections.len() > MAX_KEY_SECTIONS {
                return Err(invalid_argument(
                    "envelope: an envelope holds at most 16 key sections",
                ));
            }
        }
        for s in &new.sections {
            check_algorithm(&s.algorithm).map_err(|_| unsupported_algorithm())?;
        }
        new.to_bytes()
    }

    /// Moves `ciphertext`'s data key to the newest key version: only the header changes,
    /// the segments are copied unchanged. No plaintext is produced. With a
    /// `kv_client::envelope::KeyVaultWrapper`, call its `refresh()` after rotating so
    /// that the new version is used at once.
    ///
    /// # Errors
    /// As [`rewrap_header`](Self::rewrap_header); `Decode` for a malformed header.
    pub async fn rewrap(&self, ciphertext: &[u8]) -> Result<Vec<u8>> {
        let (header, len) = EnvelopeHeader::parse(ciphertext)?;
        let body = ciphertext.get(len..).ok_or_else(auth_failed)?;
        let mut out = self.rewrap_header(&header).await?;
        out.extend_from_slice(body);
        Ok(out)
    }

    /// Adds `kek` to `ciphertext` (a version-2 envelope): its key section is added, or
    /// replaces the one of the same key, so the message then also opens with `kek` alone.
    /// Only the header changes; no plaintext is produced.
    ///
    /// # Errors
    /// As [`rewrap_header_with`](Self::rewrap_header_with); `Decode` for a malformed header.
    pub async fn rewrap_with<K: KeyEncryptionKey>(
        &self,
        ciphertext: &[u8],
        kek: &K,
    ) -> Result<Vec<u8>> {
        let (header, len) = EnvelopeHeader::parse(ciphertext)?;
        let body = ciphertext.get(len..).ok_or_else(auth_failed)?;
        let mut out = self.rewrap_header_with(&header, kek).await?;
        out.extend_from_slice(body);
        Ok(out)
    }
}

/// Whether two key ids name the same key, ignoring the last path segment (the version of a
/// Key Vault identifier `https://{vault}/keys/{name}/{version}`); ids without a `/` must be
/// equal.
fn same_key(a: &str, b: &str) -> bool {
    match (a.rsplit_once('/'), b.rsplit_once('/')) {
        (Some((a, _)), Some((b, _))) => a == b,
        _ => a == b,
    }
}

fn unsupported_algorithm() -> crate::Error {
    invalid_argument("envelope: unsupported data-key wrap algorithm")
}

/// The context the header tag covers: the stored one, which a supplied one must equal, or
/// the supplied one.
fn effective_context<'a>(header: &'a EnvelopeHeader, given: Option<&'a [u8]>) -> Result<&'a [u8]> {
    match (header.stored_context(), given) {
        (Some(stored), Some(given)) if stored != given => Err(auth_failed()),
        (Some(stored), _) => Ok(stored),
        (None, given) => Ok(given.unwrap_or_default()),
    }
}
