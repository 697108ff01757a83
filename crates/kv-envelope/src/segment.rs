//! Segmented AEAD (the STREAM construction): each segment under the message's content key
//! with a nonce made of its counter and a final-segment flag.
//!
//! This is the synchronous core shared by the one-shot functions and the I/O adapters.

use core::fmt;

use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, ErrorKind, Result};
use crate::format::{EnvelopeHeader, TAG_LEN};
use crate::keys::{
    DataKey, MessageKeys, NONCE_FINAL, NONCE_HEADER, NONCE_SEGMENT, auth_failed, local_crypto,
    nonce,
};

fn wrong_segment() -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        "envelope: segment out of order or of the wrong length",
    )
}

fn counter_exhausted() -> Error {
    Error::new(ErrorKind::InvalidArgument, "envelope: too many segments")
}

/// Encrypts segments in order; made by [`EnvelopeClient::encryptor`](crate::EnvelopeClient::encryptor).
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
        let keys = MessageKeys::derive(data_key, header.version, &header.salt)?;
        header.commitment = keys.commitment;
        // The header tag: AES-256-GCM of nothing under the content key, with the header
        // nonce and as AAD the authenticated header bytes (and the context, unless stored).
        let aad = header.tag_aad(context)?;
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
        let nonce = self.next_nonce(in_out.len(), is_final)?;
        let tag = self
            .keys
            .content
            .seal(&nonce, &[], in_out)
            .map_err(local_crypto)?;
        self.advance(is_final)?;
        Ok(tag)
    }

    /// Encrypts one segment of `plaintext` into `wire` (exactly `plaintext.len() + 16`
    /// bytes): its ciphertext then its tag, as on the wire. The same bytes as copying the
    /// segment and calling [`seal`](Self::seal), without the copy. Lengths as for `seal`.
    ///
    /// # Errors
    /// `InvalidArgument` for a wrong length (of either buffer) or a segment after the
    /// final one; nothing is written then.
    pub fn seal_to(&mut self, plaintext: &[u8], wire: &mut [u8], is_final: bool) -> Result<()> {
        let nonce = self.next_nonce(plaintext.len(), is_final)?;
        let Some((body, tag)) = wire
            .split_at_mut_checked(plaintext.len())
            .filter(|(_, tag)| tag.len() == TAG_LEN)
        else {
            return Err(wrong_segment());
        };
        let t = self
            .keys
            .content
            .seal_out_of_place(&nonce, &[], plaintext, body)
            .map_err(local_crypto)?;
        tag.copy_from_slice(&t);
        self.advance(is_final)
    }

    /// The nonce of the next segment, after checking its length and that the message is
    /// not finished.
    fn next_nonce(&self, len: usize, is_final: bool) -> Result<[u8; 12]> {
        let len_ok = if is_final {
            len < self.segment_size
        } else {
            len == self.segment_size
        };
        if self.finished || !len_ok {
            return Err(wrong_segment());
        }
        let kind = if is_final { NONCE_FINAL } else { NONCE_SEGMENT };
        Ok(nonce(self.counter, kind))
    }

    fn advance(&mut self, is_final: bool) -> Result<()> {
        self.counter = self.counter.checked_add(1).ok_or_else(counter_exhausted)?;
        self.finished = is_final;
        Ok(())
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
        Self::with_keys(
            MessageKeys::derive(data_key, header.version, &header.salt)?,
            header,
            context,
        )
    }

    /// As [`new`](Self::new), with the keys already derived from the data key (by the
    /// unwrap that checked them against the commitment): HKDF and the AES key schedule run
    /// once per message, not once to check the unwrapped key and again to open.
    pub(crate) fn with_keys(
        keys: MessageKeys,
        header: &EnvelopeHeader,
        context: &[u8],
    ) -> Result<Self> {
        keys.check_commitment(&header.commitment)?;
        let aad = header.tag_aad(context)?;
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
        let Ok((nonce, body_len, is_final)) = self.next_segment(segment.len()) else {
            segment.fill(0);
            return Err(auth_failed());
        };
        let (body, tag) = segment.split_at_mut(body_len);
        let tag = <[u8; TAG_LEN]>::try_from(&*tag).map_err(|_| auth_failed())?;
        self.keys
            .content
            .open(&nonce, &[], body, &tag)
            .map_err(|_| auth_failed())?;
        self.advance(is_final)?;
        Ok(body_len)
    }

    /// Decrypts one wire segment (ciphertext then tag) into the start of `plaintext`,
    /// returning the plaintext length (the wire length less 16), without copying the
    /// ciphertext first. Which segments are final is as for [`open`](Self::open). On
    /// failure that part of `plaintext` is zeroed: no plaintext is released.
    ///
    /// # Errors
    /// As [`open`](Self::open); `Crypto` also when `plaintext` is too short.
    pub fn open_to(&mut self, wire: &[u8], plaintext: &mut [u8]) -> Result<usize> {
        let (nonce, body_len, is_final) = self.next_segment(wire.len())?;
        let out = plaintext.get_mut(..body_len).ok_or_else(auth_failed)?;
        let (body, tag) = wire.split_at(body_len);
        let tag = <[u8; TAG_LEN]>::try_from(tag).map_err(|_| auth_failed())?;
        self.keys
            .content
            .open_out_of_place(&nonce, &[], body, &tag, out)
            .map_err(|_| auth_failed())?;
        self.advance(is_final)?;
        Ok(body_len)
    }

    /// For a wire segment of `wire` bytes: its nonce, its plaintext length and whether it
    /// is final; an error after the final segment or for a length no segment has.
    fn next_segment(&self, wire: usize) -> Result<([u8; 12], usize, bool)> {
        if self.finished || wire < TAG_LEN || wire > self.wire_segment_len() {
            return Err(auth_failed());
        }
        let is_final = wire < self.wire_segment_len();
        let kind = if is_final { NONCE_FINAL } else { NONCE_SEGMENT };
        Ok((nonce(self.counter, kind), wire - TAG_LEN, is_final))
    }

    fn advance(&mut self, is_final: bool) -> Result<()> {
        self.counter = self.counter.checked_add(1).ok_or_else(auth_failed)?;
        self.finished = is_final;
        Ok(())
    }

    /// Whether the final segment has been opened (a complete envelope).
    pub fn is_finished(&self) -> bool {
        self.finished
    }
}

/// Length of the segments of a `len`-byte plaintext on the wire, tags included.
pub(crate) fn wire_len(len: usize, segment_size: usize) -> Result<usize> {
    let segments = len / segment_size + 1;
    segments
        .checked_mul(TAG_LEN)
        .and_then(|tags| tags.checked_add(len))
        .ok_or_else(|| Error::new(ErrorKind::InvalidArgument, "envelope: message too long"))
}

/// Encrypts `plaintext` into `wire`, which must be exactly [`wire_len`] bytes: each segment
/// is sealed straight from `plaintext` into place, so `wire` never holds plaintext. On
/// error `wire` is zeroed.
pub(crate) fn seal_all(
    sealer: &mut SegmentSealer,
    plaintext: &[u8],
    wire: &mut [u8],
) -> Result<()> {
    let r = seal_segments(sealer, plaintext, wire);
    if r.is_err() {
        wire.fill(0);
    }
    r
}

fn seal_segments(sealer: &mut SegmentSealer, plaintext: &[u8], wire: &mut [u8]) -> Result<()> {
    let size = sealer.segment_size();
    if wire.len() != wire_len(plaintext.len(), size)? {
        return Err(wrong_segment());
    }
    let mut chunks = plaintext.chunks_exact(size);
    let mut outs = wire.chunks_exact_mut(size + TAG_LEN);
    for (chunk, out) in (&mut chunks).zip(&mut outs) {
        sealer.seal_to(chunk, out, false)?;
    }
    sealer.seal_to(chunks.remainder(), outs.into_remainder(), true)
}

/// Decrypts every segment of `body` straight into the returned buffer; the plaintext is
/// returned only when all of it, final segment included and nothing after it,
/// authenticated.
pub(crate) fn open_all(opener: &mut SegmentOpener, body: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let mut out = Zeroizing::new(Vec::new());
    open_all_into(opener, body, &mut out)?;
    Ok(out)
}

/// As [`open_all`], into `out`, reusing its allocation when it is large enough (so a hot
/// path neither allocates nor page-faults per message). `out` never reallocates while it
/// holds plaintext: a buffer too small is wiped and replaced first. On error `out` is wiped
/// and empty.
pub(crate) fn open_all_into(
    opener: &mut SegmentOpener,
    body: &[u8],
    out: &mut Zeroizing<Vec<u8>>,
) -> Result<()> {
    let r = open_segments(opener, body, out);
    if r.is_err() {
        out.zeroize();
    }
    r
}

fn open_segments(
    opener: &mut SegmentOpener,
    body: &[u8],
    out: &mut Zeroizing<Vec<u8>>,
) -> Result<()> {
    let wire = opener.wire_segment_len();
    // The final segment is the one shorter than a whole segment, so the remainder after
    // the whole ones must hold at least its tag: a body of whole segments lacks its
    // (possibly empty) final segment.
    let full = body.len() / wire;
    let last = body.len() % wire;
    if last < TAG_LEN {
        return Err(auth_failed());
    }
    let len = full * opener.segment_size() + (last - TAG_LEN);
    if out.capacity() < len {
        // Wiped (whole capacity) before the old allocation is freed.
        out.zeroize();
        **out = Vec::with_capacity(len);
    }
    // Within capacity: no reallocation, so no copy of plaintext is left behind.
    out.resize(len, 0);
    let mut at = 0;
    for chunk in body.chunks(wire) {
        let rest = out.get_mut(at..).ok_or_else(auth_failed)?;
        at += opener.open_to(chunk, rest)?;
    }
    if !opener.is_finished() || at != len {
        return Err(auth_failed());
    }
    Ok(())
}
