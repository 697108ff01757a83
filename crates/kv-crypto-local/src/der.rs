//! A small, strict DER reader and writer: just the ASN.1 this crate reads and writes.
//!
//! The aws-lc backend hands generated RSA keys back as PKCS#8, and key release exports keys
//! as PKCS#8 (RSA inside PKCS#1, EC inside SEC1). Those few structures need six ASN.1 types
//! (SEQUENCE, INTEGER, OCTET STRING, BIT STRING, OBJECT IDENTIFIER, NULL) and two
//! context-specific tags, so this module replaces the `der`/`pkcs1`/`pkcs8`/`spki` stack in
//! the aws-lc build.
//!
//! [`Reader`] accepts DER only: one-byte tags, definite lengths in their shortest form (at
//! most four length octets), minimal INTEGERs, and nothing after the last element where
//! the caller calls [`Reader::finish`]. Every read checks its bounds and returns
//! [`Error::InvalidKey`] on malformed input; no input makes it panic. [`Writer`] builds
//! into a zeroizing buffer, since what it encodes is mostly private key material.
//!
//! ```
//! use kv_crypto_local::der::{Reader, Writer};
//! let mut w = Writer::new();
//! w.sequence(|w| {
//!     w.unsigned_integer(&[0x00, 0x80]);
//!     w.octet_string(b"hi");
//! });
//! let bytes = w.finish();
//! assert_eq!(&bytes[..], [0x30, 0x08, 0x02, 0x02, 0x00, 0x80, 0x04, 0x02, b'h', b'i']);
//!
//! let mut r = Reader::new(&bytes);
//! let mut seq = r.sequence()?;
//! assert_eq!(seq.unsigned_integer()?, [0x80]);
//! assert_eq!(seq.octet_string()?, b"hi");
//! seq.finish()?;
//! r.finish()?;
//! # Ok::<(), kv_crypto_local::Error>(())
//! ```

use zeroize::Zeroizing;

use crate::{Error, Result};

/// Universal tag of an INTEGER.
pub const INTEGER: u8 = 0x02;
/// Universal tag of a BIT STRING.
pub const BIT_STRING: u8 = 0x03;
/// Universal tag of an OCTET STRING.
pub const OCTET_STRING: u8 = 0x04;
/// Universal tag of a NULL.
pub const NULL: u8 = 0x05;
/// Universal tag of an OBJECT IDENTIFIER.
pub const OBJECT_IDENTIFIER: u8 = 0x06;
/// Universal tag of a SEQUENCE (constructed).
pub const SEQUENCE: u8 = 0x30;

/// The longest content this module reads or writes (four length octets).
const MAX_LEN: usize = u32::MAX as usize;

fn malformed(what: &'static str) -> Error {
    Error::InvalidKey(what)
}

/// The tag of an explicit context-specific, constructed field `[n]` (n < 31).
pub fn context_tag(n: u8) -> u8 {
    0xA0 | (n & 0x1F)
}

/// Reads DER elements one after another from a byte slice.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `input`.
    pub fn new(input: &'a [u8]) -> Self {
        Self { rest: input }
    }

    /// Whether every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The tag of the next element, without reading it.
    pub fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// Succeeds when nothing is left (trailing bytes are an error in DER).
    ///
    /// # Errors
    /// `InvalidKey` when bytes remain.
    pub fn finish(&self) -> Result<()> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(malformed("trailing bytes after a DER element"))
        }
    }

    /// Reads one element with tag `tag` and returns its contents.
    ///
    /// # Errors
    /// `InvalidKey` for another tag, a multi-byte tag, an indefinite or non-minimal length, or
    /// a length past the end of the input.
    pub fn element(&mut self, tag: u8) -> Result<&'a [u8]> {
        let (&found, rest) = self
            .rest
            .split_first()
            .ok_or_else(|| malformed("DER element expected, input ended"))?;
        if found & 0x1F == 0x1F {
            return Err(malformed("multi-byte DER tags are not supported"));
        }
        if found != tag {
            return Err(malformed("unexpected DER tag"));
        }
        let (&first, mut rest) = rest
            .split_first()
            .ok_or_else(|| malformed("DER length missing"))?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let count = usize::from(first & 0x7F);
            if count == 0 {
                return Err(malformed("indefinite DER length"));
            }
            if count > 4 {
                return Err(malformed("DER length too large"));
            }
            let octets = rest
                .get(..count)
                .ok_or_else(|| malformed("DER length truncated"))?;
            rest = &rest[count..];
            if octets[0] == 0 {
                return Err(malformed("non-minimal DER length"));
            }
            let len = octets
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            if len < 0x80 {
                return Err(malformed("non-minimal DER length"));
            }
            len
        };
        let content = rest
            .get(..len)
            .ok_or_else(|| malformed("DER element longer than its input"))?;
        self.rest = &rest[len..];
        Ok(content)
    }

    /// Reads a SEQUENCE and returns a reader over its contents.
    ///
    /// # Errors
    /// As [`Reader::element`].
    pub fn sequence(&mut self) -> Result<Reader<'a>> {
        self.element(SEQUENCE).map(Reader::new)
    }

    /// Reads an explicit context-specific field `[n]` and returns a reader over its contents.
    ///
    /// # Errors
    /// As [`Reader::element`].
    pub fn context(&mut self, n: u8) -> Result<Reader<'a>> {
        self.element(context_tag(n)).map(Reader::new)
    }

    /// Reads a non-negative INTEGER and returns its magnitude, big-endian, without the sign
    /// octet (zero is one `0x00`).
    ///
    /// # Errors
    /// `InvalidKey` for a negative, empty or non-minimally encoded INTEGER, and as
    /// [`Reader::element`].
    pub fn unsigned_integer(&mut self) -> Result<&'a [u8]> {
        let bytes = self.element(INTEGER)?;
        match bytes {
            [] => Err(malformed("empty DER INTEGER")),
            [b, ..] if b & 0x80 != 0 => Err(malformed("negative DER INTEGER")),
            [0] => Ok(bytes),
            [0, next, ..] if next & 0x80 == 0 => Err(malformed("non-minimal DER INTEGER")),
            [0, rest @ ..] => Ok(rest),
            _ => Ok(bytes),
        }
    }

    /// Reads a non-negative INTEGER that fits in a `u64` (versions).
    ///
    /// # Errors
    /// As [`Reader::unsigned_integer`], and `InvalidKey` when it is larger than `u64::MAX`.
    pub fn small_unsigned(&mut self) -> Result<u64> {
        let bytes = self.unsigned_integer()?;
        if bytes.len() > 8 {
            return Err(malformed("DER INTEGER too large"));
        }
        Ok(bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }

    /// Reads an OCTET STRING.
    ///
    /// # Errors
    /// As [`Reader::element`].
    pub fn octet_string(&mut self) -> Result<&'a [u8]> {
        self.element(OCTET_STRING)
    }

    /// Reads an OBJECT IDENTIFIER and returns its encoded contents (compare with a constant
    /// such as [`oid::RSA_ENCRYPTION`]).
    ///
    /// # Errors
    /// `InvalidKey` when empty or when a sub-identifier is not minimally encoded, and as
    /// [`Reader::element`].
    pub fn oid(&mut self) -> Result<&'a [u8]> {
        let bytes = self.element(OBJECT_IDENTIFIER)?;
        let last = bytes
            .last()
            .ok_or_else(|| malformed("empty DER OBJECT IDENTIFIER"))?;
        if last & 0x80 != 0 {
            return Err(malformed("truncated DER OBJECT IDENTIFIER"));
        }
        // A sub-identifier starts with 0x80 only if it is padded (non-minimal).
        let mut at_start = true;
        for &b in bytes {
            if at_start && b == 0x80 {
                return Err(malformed("non-minimal DER OBJECT IDENTIFIER"));
            }
            at_start = b & 0x80 == 0;
        }
        Ok(bytes)
    }

    /// Reads a NULL.
    ///
    /// # Errors
    /// `InvalidKey` when it has contents, and as [`Reader::element`].
    pub fn null(&mut self) -> Result<()> {
        if self.element(NULL)?.is_empty() {
            Ok(())
        } else {
            Err(malformed("DER NULL with contents"))
        }
    }

    /// Reads a BIT STRING without unused bits and returns its bytes.
    ///
    /// # Errors
    /// `InvalidKey` when empty or when it declares unused bits, and as [`Reader::element`].
    pub fn bit_string(&mut self) -> Result<&'a [u8]> {
        match self.element(BIT_STRING)? {
            [0, rest @ ..] => Ok(rest),
            _ => Err(malformed("DER BIT STRING with unused bits")),
        }
    }
}

/// Builds DER into a zeroizing buffer.
#[derive(Default)]
pub struct Writer {
    out: Zeroizing<Vec<u8>>,
}

impl core::fmt::Debug for Writer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The buffer usually holds private key material.
        f.debug_struct("Writer")
            .field("len", &self.out.len())
            .finish_non_exhaustive()
    }
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// The encoding written so far.
    pub fn finish(self) -> Zeroizing<Vec<u8>> {
        self.out
    }

    /// Writes an element with tag `tag` and `content`.
    ///
    /// # Panics
    /// When `content` is longer than 4 GiB, which no key encoding comes near.
    pub fn element(&mut self, tag: u8, content: &[u8]) {
        assert!(content.len() <= MAX_LEN, "DER content longer than 4 GiB");
        self.out.push(tag);
        let len = content.len();
        if len < 0x80 {
            self.out.push(len as u8);
        } else {
            let octets = (len as u32).to_be_bytes();
            let skip = octets.iter().take_while(|&&b| b == 0).count();
            self.out.push(0x80 | (4 - skip) as u8);
            self.out.extend_from_slice(&octets[skip..]);
        }
        self.out.extend_from_slice(content);
    }

    /// Writes an element with tag `tag` whose contents `build` writes (a SEQUENCE or an
    /// explicit context-specific field).
    pub fn constructed(&mut self, tag: u8, build: impl FnOnce(&mut Writer)) {
        let mut inner = Writer::new();
        build(&mut inner);
        self.element(tag, &inner.out);
    }

    /// Writes a SEQUENCE whose contents `build` writes.
    pub fn sequence(&mut self, build: impl FnOnce(&mut Writer)) {
        self.constructed(SEQUENCE, build);
    }

    /// Writes an explicit context-specific field `[n]` whose contents `build` writes.
    pub fn context(&mut self, n: u8, build: impl FnOnce(&mut Writer)) {
        self.constructed(context_tag(n), build);
    }

    /// Writes the non-negative INTEGER whose magnitude is `magnitude` (big-endian; leading
    /// zeros are dropped and a sign octet added where needed, so any fixed-width form works).
    pub fn unsigned_integer(&mut self, magnitude: &[u8]) {
        let start = magnitude
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(magnitude.len());
        let trimmed = &magnitude[start..];
        let mut content = Zeroizing::new(Vec::with_capacity(trimmed.len() + 1));
        if trimmed.first().is_none_or(|&b| b & 0x80 != 0) {
            content.push(0);
        }
        content.extend_from_slice(trimmed);
        self.element(INTEGER, &content);
    }

    /// Writes a small non-negative INTEGER (versions).
    pub fn small_unsigned(&mut self, value: u64) {
        self.unsigned_integer(&value.to_be_bytes());
    }

    /// Writes an OCTET STRING.
    pub fn octet_string(&mut self, bytes: &[u8]) {
        self.element(OCTET_STRING, bytes);
    }

    /// Writes an OBJECT IDENTIFIER from its encoded contents (one of the [`oid`] constants).
    pub fn oid(&mut self, encoded: &[u8]) {
        self.element(OBJECT_IDENTIFIER, encoded);
    }

    /// Writes a NULL.
    pub fn null(&mut self) {
        self.element(NULL, &[]);
    }

    /// Writes a BIT STRING of whole bytes (no unused bits).
    pub fn bit_string(&mut self, bytes: &[u8]) {
        let mut content = Vec::with_capacity(bytes.len() + 1);
        content.push(0);
        content.extend_from_slice(bytes);
        self.element(BIT_STRING, &content);
    }
}

/// The encoded contents of the object identifiers the key formats use.
pub mod oid {
    /// rsaEncryption, 1.2.840.113549.1.1.1 (PKCS#1).
    pub const RSA_ENCRYPTION: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];
    /// id-ecPublicKey, 1.2.840.10045.2.1 (RFC 5480).
    pub const EC_PUBLIC_KEY: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];
    /// secp256r1 (P-256), 1.2.840.10045.3.1.7.
    pub const SECP256R1: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
    /// secp256k1, 1.3.132.0.10.
    pub const SECP256K1: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x0A];
    /// secp384r1 (P-384), 1.3.132.0.34.
    pub const SECP384R1: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x22];
    /// secp521r1 (P-521), 1.3.132.0.35.
    pub const SECP521R1: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x23];
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn read_integer(bytes: &[u8]) -> Result<Vec<u8>> {
        let mut r = Reader::new(bytes);
        let out = r.unsigned_integer()?.to_vec();
        r.finish()?;
        Ok(out)
    }

    #[test]
    fn lengths_are_definite_minimal_and_bounded() {
        // Short form, long form from 128 on.
        let mut w = Writer::new();
        w.octet_string(&[7; 127]);
        w.octet_string(&[7; 128]);
        w.octet_string(&[7; 256]);
        let bytes = w.finish();
        assert_eq!(&bytes[..2], [0x04, 127]);
        assert_eq!(&bytes[129..132], [0x04, 0x81, 128]);
        assert_eq!(&bytes[260..264], [0x04, 0x82, 0x01, 0x00]);
        let mut r = Reader::new(&bytes);
        assert_eq!(r.octet_string().unwrap().len(), 127);
        assert_eq!(r.octet_string().unwrap().len(), 128);
        assert_eq!(r.octet_string().unwrap().len(), 256);
        r.finish().unwrap();

        for bad in [
            &[0x04, 0x80, 0x00, 0x00][..],               // indefinite
            &[0x04, 0x81, 0x01, 0x00],                   // long form for a short length
            &[0x04, 0x82, 0x00, 0x80],                   // leading zero length octet
            &[0x04, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00], // five length octets
            &[0x04, 0x02, 0x00],                         // past the end
            &[0x04, 0x82, 0x01],                         // length truncated
            &[0x04],                                     // length missing
            &[0x1F, 0x01, 0x00],                         // multi-byte tag
            &[],
        ] {
            assert!(Reader::new(bad).octet_string().is_err(), "{bad:02x?}");
        }
        assert!(Reader::new(&[0x04, 0x00, 0x00]).finish().is_err());
        assert!(Reader::new(&[0x05, 0x00]).octet_string().is_err());
    }

    #[test]
    fn integers_are_minimal_and_non_negative() {
        assert_eq!(read_integer(&[0x02, 0x01, 0x00]).unwrap(), [0]);
        assert_eq!(read_integer(&[0x02, 0x01, 0x7F]).unwrap(), [0x7F]);
        assert_eq!(read_integer(&[0x02, 0x02, 0x00, 0x80]).unwrap(), [0x80]);
        for bad in [
            &[0x02, 0x00][..],         // empty
            &[0x02, 0x01, 0x80],       // negative
            &[0x02, 0x02, 0x00, 0x7F], // superfluous zero
            &[0x02, 0x02, 0xFF, 0x80], // negative, superfluous 0xFF
            &[0x02, 0x03, 0x00, 0x00, 0x01],
        ] {
            assert!(read_integer(bad).is_err(), "{bad:02x?}");
        }
        let mut w = Writer::new();
        w.unsigned_integer(&[]);
        w.unsigned_integer(&[0, 0, 0]);
        w.unsigned_integer(&[0, 0x80]);
        w.small_unsigned(1);
        assert_eq!(
            &w.finish()[..],
            [0x02, 1, 0, 0x02, 1, 0, 0x02, 2, 0, 0x80, 0x02, 1, 1]
        );
        let nine = [0x02, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0];
        assert!(Reader::new(&nine).small_unsigned().is_err());
    }

    #[test]
    fn oids_nulls_and_bit_strings() {
        let mut w = Writer::new();
        w.oid(oid::RSA_ENCRYPTION);
        w.null();
        w.bit_string(&[4, 5]);
        w.context(1, |w| w.null());
        let bytes = w.finish();
        let mut r = Reader::new(&bytes);
        assert_eq!(r.oid().unwrap(), oid::RSA_ENCRYPTION);
        r.null().unwrap();
        assert_eq!(r.bit_string().unwrap(), [4, 5]);
        assert_eq!(r.peek_tag(), Some(0xA1));
        r.context(1).unwrap().null().unwrap();
        assert!(r.is_empty());
        for bad in [
            &[0x06, 0x00][..],
            &[0x06, 0x02, 0x2A, 0x86],
            &[0x06, 0x02, 0x80, 0x01],
        ] {
            assert!(Reader::new(bad).oid().is_err(), "{bad:02x?}");
        }
        assert!(Reader::new(&[0x05, 0x01, 0x00]).null().is_err());
        assert!(Reader::new(&[0x03, 0x02, 0x01, 0x80]).bit_string().is_err());
        assert!(Reader::new(&[0x03, 0x00]).bit_string().is_err());
    }

    #[test]
    fn writer_debug_shows_no_contents() {
        let mut w = Writer::new();
        w.octet_string(b"secret");
        assert!(!format!("{w:?}").contains("115"));
    }

    /// Reads whatever it can out of `bytes`, every way, and re-encodes what it accepts.
    fn read_everything(bytes: &[u8]) {
        let mut r = Reader::new(bytes);
        while let Some(tag) = r.peek_tag() {
            let ok = match tag {
                INTEGER => r.unsigned_integer().is_ok(),
                OCTET_STRING => r.octet_string().is_ok(),
                OBJECT_IDENTIFIER => r.oid().is_ok(),
                NULL => r.null().is_ok(),
                BIT_STRING => r.bit_string().is_ok(),
                SEQUENCE => r.sequence().map(|s| read_everything(s.rest)).is_ok(),
                t => r.element(t).is_ok(),
            };
            if !ok {
                break;
            }
        }
    }

    proptest! {
        #[test]
        fn arbitrary_input_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            read_everything(&bytes);
        }

        #[test]
        fn integers_round_trip(magnitude in proptest::collection::vec(any::<u8>(), 0..40)) {
            let mut w = Writer::new();
            w.unsigned_integer(&magnitude);
            let bytes = w.finish();
            let back = read_integer(&bytes).unwrap();
            let trimmed: Vec<u8> = magnitude.iter().copied().skip_while(|&b| b == 0).collect();
            prop_assert_eq!(back, if trimmed.is_empty() { vec![0] } else { trimmed });
        }

        #[test]
        fn lengths_round_trip(len in 0usize..70_000) {
            let content = vec![0xAB; len];
            let mut w = Writer::new();
            w.octet_string(&content);
            let bytes = w.finish();
            let mut r = Reader::new(&bytes);
            prop_assert_eq!(r.octet_string().unwrap(), &content[..]);
            prop_assert!(r.finish().is_ok());
        }
    }
}
