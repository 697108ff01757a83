//! `std::io` adapters: encrypt while writing, decrypt while reading, in constant memory
//! (one segment buffered).

use core::fmt;
use std::io::{self, Read, Write};

use zeroize::Zeroizing;

use crate::client::Encryptor;
use crate::error::{Error, ErrorKind, Result};
use crate::format::{EnvelopeHeader, MAX_HEADER_LEN, Progress, TAG_LEN, malformed, progress};
use crate::segment::{SegmentOpener, SegmentSealer};

/// An envelope error as an `io::Error` (`InvalidData`), for the adapters.
pub(crate) fn invalid_data(e: Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

fn io_failed(e: io::Error) -> Error {
    Error::with_source(
        ErrorKind::OperationFailed,
        "envelope: reading the header failed",
        e,
    )
}

impl EnvelopeHeader {
    /// Reads exactly one header from `reader` (never more than [`MAX_HEADER_LEN`] bytes,
    /// checking each length field before reading what it announces).
    ///
    /// # Errors
    /// `Decode` for a truncated or malformed header; `OperationFailed` for I/O errors.
    pub fn read_from<R: Read>(reader: &mut R) -> Result<Self> {
        let mut buf = Vec::new();
        while let Progress::Need(n) = progress(&buf)? {
            let start = buf.len();
            if start + n > MAX_HEADER_LEN {
                return Err(malformed("header too long"));
            }
            buf.resize(start + n, 0);
            reader.read_exact(&mut buf[start..]).map_err(|e| {
                if e.kind() == io::ErrorKind::UnexpectedEof {
                    malformed("truncated header")
                } else {
                    io_failed(e)
                }
            })?;
        }
        Ok(Self::parse(&buf)?.0)
    }
}

/// Seals a full plaintext segment in `buf` (or the final, shorter one) and appends its tag.
pub(crate) fn seal_buffer(
    sealer: &mut SegmentSealer,
    buf: &mut Zeroizing<Vec<u8>>,
    is_final: bool,
) -> Result<()> {
    let tag = sealer.seal(buf.as_mut_slice(), is_final)?;
    buf.extend_from_slice(&tag);
    Ok(())
}

/// Encrypts everything written to it into `inner`. Call [`finish`](Self::finish) at the end:
/// it writes the final segment, without which the envelope reads as truncated.
pub struct EncryptingWriter<W> {
    inner: W,
    sealer: SegmentSealer,
    header: Option<Vec<u8>>,
    buf: Zeroizing<Vec<u8>>,
    failed: bool,
}

impl<W> fmt::Debug for EncryptingWriter<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The buffer holds plaintext: never printed.
        f.debug_struct("EncryptingWriter")
            .field("sealer", &self.sealer)
            .field("buffered", &self.buf.len())
            .finish_non_exhaustive()
    }
}

impl Encryptor {
    /// A writer that writes the header and the segments into `inner`.
    pub fn into_writer<W: Write>(self, inner: W) -> EncryptingWriter<W> {
        let cap = self.sealer.segment_size() + TAG_LEN;
        EncryptingWriter {
            inner,
            sealer: self.sealer,
            header: Some(self.header),
            buf: Zeroizing::new(Vec::with_capacity(cap)),
            failed: false,
        }
    }
}

impl<W: Write> EncryptingWriter<W> {
    fn write_header(&mut self) -> io::Result<()> {
        if let Some(h) = self.header.take() {
            self.inner.write_all(&h)?;
        }
        Ok(())
    }

    fn check(&self) -> io::Result<()> {
        if self.failed {
            return Err(io::Error::other("envelope writer failed earlier"));
        }
        Ok(())
    }

    fn emit(&mut self, is_final: bool) -> io::Result<()> {
        self.failed = true;
        seal_buffer(&mut self.sealer, &mut self.buf, is_final).map_err(invalid_data)?;
        self.inner.write_all(&self.buf)?;
        self.buf.clear();
        self.failed = false;
        Ok(())
    }

    /// Writes the final segment, flushes and returns the inner writer.
    ///
    /// # Errors
    /// The inner writer's errors.
    pub fn finish(mut self) -> io::Result<W> {
        self.check()?;
        self.write_header()?;
        self.emit(true)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for EncryptingWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.check()?;
        if self.sealer.is_finished() {
            return Err(io::Error::other("envelope already finished"));
        }
        self.write_header()?;
        let size = self.sealer.segment_size();
        let take = (size - self.buf.len()).min(data.len());
        self.buf.extend_from_slice(&data[..take]);
        // A full segment goes out at once: the final one is always shorter.
        if self.buf.len() == size {
            self.emit(false)?;
        }
        Ok(take)
    }

    /// Flushes the inner writer; a partial segment stays buffered until it is full or
    /// [`finish`](EncryptingWriter::finish) is called.
    fn flush(&mut self) -> io::Result<()> {
        self.check()?;
        self.write_header()?;
        self.inner.flush()
    }
}

/// Decrypts an envelope's segments while reading. Each segment's plaintext is released only
/// after its tag verified; the end of the data is reported only after the final segment
/// verified and nothing followed it, so a truncated envelope ends in an error.
///
/// # Security
/// Streaming releases the verified segments before later ones are read: a consumer that
/// must not act on a truncated or tampered message should buffer until the read returns 0,
/// or use [`EnvelopeClient::decrypt`](crate::EnvelopeClient::decrypt).
pub struct DecryptingReader<R> {
    inner: R,
    state: ReadState,
}

/// The segment state shared by the sync and async readers.
pub(crate) struct ReadState {
    pub(crate) opener: SegmentOpener,
    /// One wire segment; after opening, `start..end` is unread plaintext.
    pub(crate) buf: Zeroizing<Vec<u8>>,
    pub(crate) filled: usize,
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) checking_trailing: bool,
    pub(crate) done: bool,
    pub(crate) failed: bool,
}

impl fmt::Debug for ReadState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The buffer holds plaintext: never printed.
        f.debug_struct("ReadState")
            .field("opener", &self.opener)
            .field("done", &self.done)
            .field("failed", &self.failed)
            .finish_non_exhaustive()
    }
}

impl ReadState {
    pub(crate) fn new(opener: SegmentOpener) -> Self {
        let wire = opener.wire_segment_len();
        Self {
            opener,
            buf: Zeroizing::new(vec![0; wire]),
            filled: 0,
            start: 0,
            end: 0,
            checking_trailing: false,
            done: false,
            failed: false,
        }
    }

    /// Copies unread plaintext into `out`.
    pub(crate) fn take(&mut self, out: &mut [u8]) -> usize {
        let n = (self.end - self.start).min(out.len());
        out[..n].copy_from_slice(&self.buf[self.start..self.start + n]);
        self.start += n;
        n
    }

    pub(crate) fn has_plaintext(&self) -> bool {
        self.start < self.end
    }

    pub(crate) fn fail(&mut self, e: Error) -> io::Error {
        self.failed = true;
        self.buf.fill(0);
        self.start = 0;
        self.end = 0;
        invalid_data(e)
    }

    pub(crate) fn failed_error() -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "envelope: decryption failed earlier",
        )
    }

    /// Opens the `filled` bytes (the inner reader is at EOF or the segment is full).
    pub(crate) fn open_filled(&mut self) -> io::Result<()> {
        let filled = self.filled;
        self.filled = 0;
        match self.opener.open(&mut self.buf[..filled]) {
            Ok(n) => {
                self.start = 0;
                self.end = n;
                self.checking_trailing = self.opener.is_finished();
                Ok(())
            }
            Err(e) => Err(self.fail(e)),
        }
    }

    pub(crate) fn trailing_data(&mut self) -> io::Error {
        self.fail(malformed("data after the final segment"))
    }
}

impl<R> fmt::Debug for DecryptingReader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecryptingReader")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl<R: Read> DecryptingReader<R> {
    /// A reader of the segments that follow the header in `inner`; `opener` comes from
    /// [`EnvelopeClient::opener`](crate::EnvelopeClient::opener).
    pub fn new(opener: SegmentOpener, inner: R) -> Self {
        Self {
            inner,
            state: ReadState::new(opener),
        }
    }

    /// The inner reader.
    pub fn into_inner(self) -> R {
        self.inner
    }
}

impl<R: Read> Read for DecryptingReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let s = &mut self.state;
        loop {
            if s.failed {
                return Err(ReadState::failed_error());
            }
            if s.has_plaintext() {
                return Ok(s.take(out));
            }
            if s.done || out.is_empty() {
                return Ok(0);
            }
            if s.checking_trailing {
                let mut probe = [0u8; 1];
                let n = loop {
                    match self.inner.read(&mut probe) {
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        r => break r?,
                    }
                };
                if n != 0 {
                    return Err(s.trailing_data());
                }
                s.done = true;
                continue;
            }
            let wire = s.buf.len();
            while s.filled < wire {
                match self.inner.read(&mut s.buf[s.filled..]) {
                    Ok(0) => break,
                    Ok(n) => s.filled += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            s.open_filled()?;
        }
    }
}
