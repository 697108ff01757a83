//! Segmented AEAD (the STREAM construction): each segment under the message's content key
//! with a nonce made of its counter and a final-segment flag.
//!
//! This is the synchronous core shared by the one-shot functions and the I/O adapters.

use core::fmt;

use zeroize::Zeroizing;

use super::format::{EnvelopeHeader, TAG_LEN};
use super::keys::{
    DataKey, MessageKeys, NONCE_FINAL, NONCE_HEADER, NONCE_SEGMENT, auth_failed, local_crypto,
    nonce,
};
use crate::error::{Error, ErrorKind, Result};

/// The header tag: AES-256-GCM of nothing, under the content key, with the header nonce and
/// as AAD the authenticated header bytes followed by the context when it is not stored.
fn header_aad(header: &EnvelopeHeader, context: &[u8]) -> Result<Vec<u8>> {
    let mut aad = header.authenticated_bytes()?;
    if header.stored_context.is_empty() {
        aad.extend_from_slice(context);
    }
    Ok(aad)
}

fn counter_exhausted() -> Error {
    Error::new(ErrorKind::InvalidArgument, "envelope: too many segments")
}

/// Encrypts segments in order; made by [`EnvelopeClient::encryptor`](super::EnvelopeClient::encryptor).
pub struct SegmentSealer {
    keys: MessageKeys,
    segment_size: usize,
    counter: u64,
    finished: bool,
}

impl fmt::Debug for SegmentSealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SegmentSealer")
            .field("segment_size", &self.segment_size)
            .field("counter", &self.counter)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl SegmentSealer {
    /// Derives the keys, fills in the commitment and the header tag, and returns the sealer.
    pub(crate) fn new(
        data_key: &DataKey,
        header: &mut EnvelopeHeader,
        context: &[u8],
    ) -> Result<Self> {
        let keys = MessageKeys::derive(data_key, &header.salt)?;
        header.commitment = keys.commitment;
        let aad = header_aad(header, context)?;
        header.tag = keys
            .content
            .seal(&nonce(0, NONCE_HEADER), &aad, &mut [])
            .map_err(local_crypto)?;
        Ok(Self {
            keys,
            segment_size: header.segment_size as usize,
            counter: 0,
            finished: false,
        })
    }

    /// Plaintext bytes in every segment but the last (which holds fewer).
    pub fn segment_size(&self) -> usize {
        self.segment_size
    }

    /// Encrypts one segment in place and returns its tag. A non-final segment must hold
    /// exactly `segment_size` bytes; the final one fewer (possibly none). Nothing can be
    /// sealed after the final segment.
    ///
    /// # Errors
    /// `InvalidArgument` for a wrong length or a segment after the final one.
    pub fn seal(&mut self, in_out: &mut [u8], is_final: bool) -> Result<[u8; TAG_LEN]> {
        let len_ok = if is_final {
            in_out.len() < self.segment_size
        } else {
            in_out.len() == self.segment_size
        };
        if self.finished || !len_ok {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "envelope: segment out of order or of the wrong length",
            ));
        }
        let kind = if is_final { NONCE_FINAL } else { NONCE_SEGMENT };
        let tag = self
            .keys
            .content
            .seal(&nonce(self.counter, kind), &[], in_out)
            .map_err(local_crypto)?;
        self.counter = self.counter.checked_add(1).ok_or_else(counter_exhausted)?;
        self.finished = is_final;
        Ok(tag)
    }

    /// Whether the final segment has been sealed.
    pub fn is_finished(&self) -> bool {
        self.finished
    }
}

/// Decrypts segments in order, after the commitment and the header tag were checked.
pub struct SegmentOpener {
    keys: MessageKeys,
    segment_size: usize,
    counter: u64,
    finished: bool,
}

impl fmt::Debug for SegmentOpener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SegmentOpener")
            .field("segment_size", &self.segment_size)
            .field("counter", &self.counter)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl SegmentOpener {
    /// Derives the keys from the unwrapped data key, checks the commitment in constant time,
    /// then the header tag. Nothing is decrypted unless both hold.
    pub(crate) fn new(data_key: &DataKey, header: &EnvelopeHeader, context: &[u8]) -> Result<Self> {
        let keys = MessageKeys::derive(data_key, &header.salt)?;
        keys.check_commitment(&header.commitment)?;
        let aad = header_aad(header, context)?;
        keys.content
            .open(&nonce(0, NONCE_HEADER), &aad, &mut [], &header.tag)
            .map_err(|_| auth_failed())?;
        Ok(Self {
            keys,
            segment_size: header.segment_size as usize,
            counter: 0,
            finished: false,
        })
    }

    /// Plaintext bytes in every segment but the last.
    pub fn segment_size(&self) -> usize {
        self.segment_size
    }

    /// Length of a whole non-final segment on the wire (ciphertext and tag).
    pub fn wire_segment_len(&self) -> usize {
        self.segment_size + TAG_LEN
    }

    /// Decrypts one wire segment (ciphertext then tag) in place, returning the plaintext
    /// length. A segment of full wire length is non-final; a shorter one is final.
    /// On failure the buffer is zeroed: no plaintext is released.
    ///
    /// # Errors
    /// `Crypto` (one opaque error) for a bad tag, a segment after the final one, or a
    /// segment too short to hold a tag.
    pub fn open(&mut self, segment: &mut [u8]) -> Result<usize> {
        let wire = segment.len();
        if self.finished || wire < TAG_LEN || wire > self.wire_segment_len() {
            segment.fill(0);
            return Err(auth_failed());
        }
        let is_final = wire < self.wire_segment_len();
        let (body, tag) = segment.split_at_mut(wire - TAG_LEN);
        let tag = <[u8; TAG_LEN]>::try_from(&*tag).map_err(|_| auth_failed())?;
        let kind = if is_final { NONCE_FINAL } else { NONCE_SEGMENT };
        self.keys
            .content
            .open(&nonce(self.counter, kind), &[], body, &tag)
            .map_err(|_| auth_failed())?;
        self.counter = self.counter.checked_add(1).ok_or_else(auth_failed)?;
        self.finished = is_final;
        Ok(body.len())
    }

    /// Whether the final segment has been opened (a complete envelope).
    pub fn is_finished(&self) -> bool {
        self.finished
    }
}

/// Encrypts `plaintext` into `out` (after the header already there).
pub(crate) fn seal_all(
    sealer: &mut SegmentSealer,
    plaintext: &[u8],
    out: &mut Vec<u8>,
) -> Result<()> {
    let size = sealer.segment_size();
    let full = plaintext.len() / size;
    out.reserve(plaintext.len() + (full + 1) * TAG_LEN);
    let mut chunks = plaintext.chunks_exact(size);
    for chunk in &mut chunks {
        seal_into(sealer, chunk, false, out)?;
    }
    seal_into(sealer, chunks.remainder(), true, out)
}

fn seal_into(
    sealer: &mut SegmentSealer,
    chunk: &[u8],
    is_final: bool,
    out: &mut Vec<u8>,
) -> Result<()> {
    let start = out.len();
    out.extend_from_slice(chunk);
    match sealer.seal(&mut out[start..], is_final) {
        Ok(tag) => {
            out.extend_from_slice(&tag);
            Ok(())
        }
        Err(e) => {
            // Never leave plaintext behind in the caller's buffer.
            out[start..].fill(0);
            out.truncate(start);
            Err(e)
        }
    }
}

/// Decrypts every segment of `body`; the plaintext is returned only when all of it,
/// final segment included and nothing after it, authenticated.
pub(crate) fn open_all(opener: &mut SegmentOpener, body: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let wire = opener.wire_segment_len();
    // Room for the whole body, so the buffer never reallocates (which would leave a copy
    // of plaintext behind in freed memory); the tags are truncated away as we go.
    let mut out = Zeroizing::new(Vec::with_capacity(body.len()));
    // A body of whole segments lacks its (possibly empty) final segment: `chunks` then ends
    // on a full one and the check below fails.
    for chunk in body.chunks(wire) {
        let start = out.len();
        out.extend_from_slice(chunk);
        let n = opener.open(&mut out[start..])?;
        out.truncate(start + n);
    }
    if !opener.is_finished() {
        return Err(auth_failed());
    }
    Ok(out)
}
