//! The envelope header: parsing with every length bounded, and serialization.
//!
//! The byte layout is documented in the [module docs](crate).

use kv_jwk::KeyWrapAlgorithm;

use crate::error::{Error, ErrorKind, Result};
use crate::kek::WrappedDataKey;

/// The four magic bytes that open every envelope: `KVEN`.
pub const MAGIC: [u8; 4] = *b"KVEN";
/// Format version 1: exactly one key section.
pub const FORMAT_VERSION_1: u8 = 1;
/// Format version 2: a key-section count, then 1 to [`MAX_KEY_SECTIONS`] key sections.
pub const FORMAT_VERSION_2: u8 = 2;
/// The format version written by default (the newest); every version here is read.
pub const FORMAT_VERSION: u8 = FORMAT_VERSION_2;
/// The most key sections a version-2 header holds.
pub const MAX_KEY_SECTIONS: usize = 16;
/// Suite 1: HKDF-SHA-512 key derivation with key commitment, AES-256-GCM segments.
pub const SUITE_AES256_GCM_HKDF_SHA512_COMMIT: u8 = 1;

/// Length of the salt (also a unique message id).
pub const SALT_LEN: usize = 32;
/// Length of the key commitment.
pub const COMMITMENT_LEN: usize = 32;
/// Length of every AES-GCM tag (segments and header).
pub const TAG_LEN: usize = 16;
/// Length of the data key.
pub const DATA_KEY_LEN: usize = 32;

/// The largest segment size accepted: 16 MiB of plaintext.
pub const MAX_SEGMENT_SIZE: u32 = 16 << 20;
/// The largest encryption context stored in a header: 64 KiB.
pub const MAX_STORED_CONTEXT: usize = 64 << 10;
/// The longest key id accepted: 2048 bytes.
pub const MAX_KEY_ID_LEN: usize = 2048;
/// The longest algorithm name accepted: 32 bytes.
pub const MAX_ALGORITHM_LEN: usize = 32;
/// The longest wrapped data key accepted: 1024 bytes (an RSA-8192 ciphertext).
pub const MAX_WRAPPED_KEY_LEN: usize = 1024;

/// Offsets in the fixed part of the header.
const OFF_VERSION: usize = 4;
const OFF_SUITE: usize = 5;
const OFF_RESERVED: usize = 6;
const OFF_SEGMENT: usize = 8;
const OFF_SALT: usize = 12;
const OFF_COMMITMENT: usize = OFF_SALT + SALT_LEN;
const OFF_CONTEXT_LEN: usize = OFF_COMMITMENT + COMMITMENT_LEN;
/// Length of the fixed part (magic to stored-context length): 80 bytes.
pub const FIXED_LEN: usize = OFF_CONTEXT_LEN + 4;

/// The largest key section: id, algorithm and wrapped key with their lengths.
const MAX_SECTION_LEN: usize = 2 + MAX_KEY_ID_LEN + 1 + MAX_ALGORITHM_LEN + 2 + MAX_WRAPPED_KEY_LEN;

/// The largest header there can be (version 2, 16 key sections); a reader never buffers
/// more than this for a header.
pub const MAX_HEADER_LEN: usize =
    FIXED_LEN + MAX_STORED_CONTEXT + 1 + MAX_KEY_SECTIONS * MAX_SECTION_LEN + TAG_LEN;

/// A malformed header: `Decode`, naming only what is wrong.
pub(crate) fn malformed(what: &str) -> Error {
    Error::new(ErrorKind::Decode, format!("envelope: {what}"))
}

/// The wrap algorithms an envelope may name.
pub(crate) fn check_algorithm(alg: &KeyWrapAlgorithm) -> Result<()> {
    match alg {
        KeyWrapAlgorithm::RsaOaep256
        | KeyWrapAlgorithm::RsaOaep
        | KeyWrapAlgorithm::A256Kw
        | KeyWrapAlgorithm::A192Kw
        | KeyWrapAlgorithm::A128Kw
        | KeyWrapAlgorithm::CkmAesKeyWrap
        | KeyWrapAlgorithm::CkmAesKeyWrapPad => Ok(()),
        _ => Err(malformed("unsupported data-key wrap algorithm")),
    }
}

/// A parsed envelope header. Nothing in it is secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvelopeHeader {
    pub(crate) version: u8,
    pub(crate) segment_size: u32,
    pub(crate) salt: [u8; SALT_LEN],
    pub(crate) commitment: [u8; COMMITMENT_LEN],
    pub(crate) stored_context: Vec<u8>,
    /// Never empty; exactly one in version 1, at most [`MAX_KEY_SECTIONS`] in version 2.
    pub(crate) sections: Vec<WrappedDataKey>,
    pub(crate) tag: [u8; TAG_LEN],
}

/// How far a header prefix is from complete.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Progress {
    /// At least this many more bytes are needed.
    Need(usize),
    /// The header is this many bytes long (the prefix holds all of it).
    Complete(usize),
}

fn be_u16(b: &[u8], at: usize) -> Result<usize> {
    let s = b
        .get(at..at + 2)
        .ok_or_else(|| malformed("truncated header"))?;
    Ok(usize::from(u16::from_be_bytes([s[0], s[1]])))
}

fn be_u32(b: &[u8], at: usize) -> Result<u32> {
    let s = b
        .get(at..at + 4)
        .ok_or_else(|| malformed("truncated header"))?;
    Ok(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

/// Checks the fixed part as far as `prefix` holds it, so a wrong magic or an unknown
/// version fails after a few bytes instead of after a whole header.
fn check_fixed(prefix: &[u8]) -> Result<()> {
    let n = prefix.len().min(MAGIC.len());
    if prefix[..n] != MAGIC[..n] {
        return Err(malformed("not an envelope (bad magic)"));
    }
    if let Some(&v) = prefix.get(OFF_VERSION)
        && v != FORMAT_VERSION_1
        && v != FORMAT_VERSION_2
    {
        return Err(malformed("unknown format version"));
    }
    if let Some(&s) = prefix.get(OFF_SUITE)
        && s != SUITE_AES256_GCM_HKDF_SHA512_COMMIT
    {
        return Err(malformed("unknown suite"));
    }
    if prefix
        .get(OFF_RESERVED..OFF_SEGMENT)
        .is_some_and(|r| r != [0, 0])
    {
        return Err(malformed("reserved bytes are not zero"));
    }
    if prefix.len() >= OFF_SEGMENT + 4 {
        let seg = be_u32(prefix, OFF_SEGMENT)?;
        if seg == 0 || seg > MAX_SEGMENT_SIZE {
            return Err(malformed("segment size out of range"));
        }
    }
    Ok(())
}

/// How many more bytes the header starting `prefix` needs, checking each length field
/// against its bound as soon as it is readable.
pub(crate) fn progress(prefix: &[u8]) -> Result<Progress> {
    check_fixed(prefix)?;
    if prefix.len() < FIXED_LEN {
        return Ok(Progress::Need(FIXED_LEN - prefix.len()));
    }
    let context_len = usize::try_from(be_u32(prefix, OFF_CONTEXT_LEN)?)
        .map_err(|_| malformed("stored context too long"))?;
    if context_len > MAX_STORED_CONTEXT {
        return Err(malformed("stored context too long"));
    }
    let mut pos = FIXED_LEN + context_len;
    let sections = if prefix.get(OFF_VERSION) == Some(&FORMAT_VERSION_1) {
        1
    } else {
        let Some(&n) = prefix.get(pos) else {
            return Ok(Progress::Need(pos + 1 - prefix.len()));
        };
        if n == 0 || usize::from(n) > MAX_KEY_SECTIONS {
            return Err(malformed("key section count out of range"));
        }
        pos += 1;
        usize::from(n)
    };
    // Each step: the next length field's position, then its bounded value.
    let steps: [(usize, usize, usize); 3] = [
        (2, 1, MAX_KEY_ID_LEN),
        (1, 1, MAX_ALGORITHM_LEN),
        (2, 1, MAX_WRAPPED_KEY_LEN),
    ];
    for (width, min, max) in steps.into_iter().cycle().take(3 * sections) {
        if prefix.len() < pos + width {
            return Ok(Progress::Need(pos + width - prefix.len()));
        }
        let len = if width == 2 {
            be_u16(prefix, pos)?
        } else {
            prefix
                .get(pos)
                .map(|&b| usize::from(b))
                .ok_or_else(|| malformed("truncated header"))?
        };
        if len < min || len > max {
            return Err(malformed("header length field out of range"));
        }
        pos += width + len;
    }
    let total = pos + TAG_LEN;
    if prefix.len() < total {
        Ok(Progress::Need(total - prefix.len()))
    } else {
        Ok(Progress::Complete(total))
    }
}

impl EnvelopeHeader {
    /// Parses the header at the start of `bytes`, returning it and its length.
    ///
    /// # Errors
    /// `Decode` for a truncated or malformed header, an unknown version or suite, or any
    /// length out of its bound.
    pub fn parse(bytes: &[u8]) -> Result<(Self, usize)> {
        let total = match progress(bytes)? {
            Progress::Need(_) => return Err(malformed("truncated header")),
            Progress::Complete(n) => n,
        };
        // `progress` checked every length against `bytes`, so the slicing below is in range;
        // `get` keeps it panic-free regardless.
        let b = bytes
            .get(..total)
            .ok_or_else(|| malformed("truncated header"))?;
        let arr = |at: usize| -> Result<[u8; 32]> {
            b.get(at..at + 32)
                .and_then(|s| <[u8; 32]>::try_from(s).ok())
                .ok_or_else(|| malformed("truncated header"))
        };
        let segment_size = be_u32(b, OFF_SEGMENT)?;
        let salt = arr(OFF_SALT)?;
        let commitment = arr(OFF_COMMITMENT)?;
        let mut r = Fields {
            b,
            pos: OFF_CONTEXT_LEN,
        };
        let context_len = usize::try_from(be_u32(b, OFF_CONTEXT_LEN)?)
            .map_err(|_| malformed("stored context too long"))?;
        r.pos += 4;
        let stored_context = r.take(context_len)?.to_vec();
        let version = b[OFF_VERSION];
        let count = if version == FORMAT_VERSION_1 {
            1
        } else {
            usize::from(r.take(1)?[0])
        };
        let mut sections = Vec::with_capacity(count);
        for _ in 0..count {
            sections.push(r.section()?);
        }
        let tag = <[u8; TAG_LEN]>::try_from(r.take(TAG_LEN)?)
            .map_err(|_| malformed("truncated header"))?;
        let header = Self {
            version,
            segment_size,
            salt,
            commitment,
            stored_context,
            sections,
            tag,
        };
        // Every field was read literally and `progress` fixed the total, so serializing
        // gives back `b` (the one field read through a conversion, the algorithm name, is
        // checked in `section`): no second pass over the header to prove it.
        debug_assert!(header.to_bytes().is_ok_and(|again| again == b));
        Ok((header, total))
    }

    /// The header tag's AAD: the authenticated part (magic through the stored context, see
    /// the module docs) followed by `context` when the context is not stored; one
    /// allocation of the exact size.
    pub(crate) fn tag_aad(&self, context: &[u8]) -> Result<Vec<u8>> {
        let extra = if self.stored_context.is_empty() {
            context
        } else {
            &[]
        };
        let mut out = Vec::with_capacity(FIXED_LEN + self.stored_context.len() + extra.len());
        self.write_authenticated(&mut out)?;
        out.extend_from_slice(extra);
        Ok(out)
    }

    /// Appends the authenticated part to `out`.
    fn write_authenticated(&self, out: &mut Vec<u8>) -> Result<()> {
        let context_len = u32::try_from(self.stored_context.len())
            .ok()
            .filter(|&n| n as usize <= MAX_STORED_CONTEXT)
            .ok_or_else(|| malformed("stored context too long"))?;
        out.extend_from_slice(&MAGIC);
        out.push(self.version);
        out.push(SUITE_AES256_GCM_HKDF_SHA512_COMMIT);
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&self.segment_size.to_be_bytes());
        out.extend_from_slice(&self.salt);
        out.extend_from_slice(&self.commitment);
        out.extend_from_slice(&context_len.to_be_bytes());
        out.extend_from_slice(&self.stored_context);
        Ok(())
    }

    /// The whole header, bytes as documented.
    ///
    /// # Errors
    /// `Decode` for a field out of its bound, a version-1 header without exactly one key
    /// section, or a version-2 header with none or more than 16.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let sections: usize = self
            .sections
            .iter()
            .map(|s| 5 + s.key_id.len() + s.algorithm.as_str().len() + s.encrypted_key.len())
            .sum();
        let mut out =
            Vec::with_capacity(FIXED_LEN + self.stored_context.len() + 1 + sections + TAG_LEN);
        self.write_authenticated(&mut out)?;
        let n = self.sections.len();
        match self.version {
            FORMAT_VERSION_1 if n == 1 => {}
            FORMAT_VERSION_2 if (1..=MAX_KEY_SECTIONS).contains(&n) => {
                out.push(u8::try_from(n).map_err(|_| malformed("too many key sections"))?);
            }
            _ => return Err(malformed("key section count out of range")),
        }
        for section in &self.sections {
            write_key_section(section, &mut out)?;
        }
        out.extend_from_slice(&self.tag);
        Ok(out)
    }

    /// The format version (1 or 2).
    pub fn version(&self) -> u8 {
        self.version
    }

    /// The key sections: which keys wrapped the data key, how, and the wrapped keys, in
    /// header order.
    pub fn key_sections(&self) -> &[WrappedDataKey] {
        &self.sections
    }

    /// The first key section (there is always one).
    fn first(&self) -> &WrappedDataKey {
        // `parse` and the encryptor never build a header without a section; `to_bytes`
        // refuses one. The expect guards that invariant.
        self.sections
            .first()
            .expect("an envelope header always holds a key section")
    }

    /// The versioned identifier of the key that wrapped the data key (of the first key
    /// section; see [`key_sections`](Self::key_sections)).
    pub fn key_id(&self) -> &str {
        &self.first().key_id
    }

    /// The algorithm that wrapped the data key (of the first key section).
    pub fn algorithm(&self) -> &KeyWrapAlgorithm {
        &self.first().algorithm
    }

    /// Plaintext bytes per segment.
    pub fn segment_size(&self) -> u32 {
        self.segment_size
    }

    /// The encryption context stored in the header, if the writer asked to store it.
    ///
    /// # Security
    /// Unauthenticated until the envelope is opened: trust it only after a successful decrypt.
    pub fn stored_context(&self) -> Option<&[u8]> {
        (!self.stored_context.is_empty()).then_some(self.stored_context.as_slice())
    }

    /// The wrapped data key of the first key section (opaque; only its key can unwrap it).
    pub fn wrapped_key(&self) -> &[u8] {
        &self.first().encrypted_key
    }
}

/// A bounds-checked cursor over a header.
struct Fields<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Fields<'a> {
    /// One key section; `progress` checked its lengths already.
    fn section(&mut self) -> Result<WrappedDataKey> {
        let key_id_len = be_u16(self.b, self.pos)?;
        self.pos += 2;
        let key_id = std::str::from_utf8(self.take(key_id_len)?)
            .map_err(|_| malformed("key id is not UTF-8"))?
            .to_owned();
        let alg_len = usize::from(self.take(1)?[0]);
        let alg_name = std::str::from_utf8(self.take(alg_len)?)
            .map_err(|_| malformed("bad algorithm name"))?;
        let algorithm = KeyWrapAlgorithm::from(alg_name);
        check_algorithm(&algorithm)?;
        // Names are matched exactly, so this holds; it keeps the header canonical should
        // the vocabulary ever learn aliases.
        if algorithm.as_str() != alg_name {
            return Err(malformed("non-canonical header"));
        }
        let wrapped_len = be_u16(self.b, self.pos)?;
        self.pos += 2;
        let encrypted_key = self.take(wrapped_len)?.to_vec();
        Ok(WrappedDataKey {
            key_id,
            algorithm,
            encrypted_key,
        })
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let s = self
            .b
            .get(self.pos..self.pos.saturating_add(n))
            .ok_or_else(|| malformed("truncated header"))?;
        self.pos += n;
        Ok(s)
    }
}

/// One key section, bytes as documented.
fn write_key_section(section: &WrappedDataKey, out: &mut Vec<u8>) -> Result<()> {
    let id = section.key_id.as_bytes();
    let alg = section.algorithm.as_str().as_bytes();
    let id_len = u16::try_from(id.len())
        .ok()
        .filter(|&n| n >= 1 && usize::from(n) <= MAX_KEY_ID_LEN)
        .ok_or_else(|| malformed("key id length out of range"))?;
    let alg_len = u8::try_from(alg.len())
        .ok()
        .filter(|&n| n >= 1 && usize::from(n) <= MAX_ALGORITHM_LEN)
        .ok_or_else(|| malformed("algorithm name length out of range"))?;
    let wrapped_len = u16::try_from(section.encrypted_key.len())
        .ok()
        .filter(|&n| n >= 1 && usize::from(n) <= MAX_WRAPPED_KEY_LEN)
        .ok_or_else(|| malformed("wrapped key length out of range"))?;
    out.extend_from_slice(&id_len.to_be_bytes());
    out.extend_from_slice(id);
    out.push(alg_len);
    out.extend_from_slice(alg);
    out.extend_from_slice(&wrapped_len.to_be_bytes());
    out.extend_from_slice(&section.encrypted_key);
    Ok(())
}
