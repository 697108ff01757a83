//! `tokio::io` adapters: the same segment logic as the `std::io` ones, as poll functions.

use core::fmt;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};
use zeroize::Zeroizing;

use crate::client::{Encryptor, EnvelopeClient};
use crate::error::{Error, ErrorKind, Result};
use crate::format::{EnvelopeHeader, MAX_HEADER_LEN, Progress, TAG_LEN, malformed, progress};
use crate::io::{ReadState, invalid_data, seal_buffer};
use crate::kek::KeyEncryptionKey;
use crate::segment::{SegmentOpener, SegmentSealer};

impl EnvelopeHeader {
    /// Reads exactly one header from an async reader (never more than [`MAX_HEADER_LEN`] bytes).
    ///
    /// # Errors
    /// `Decode` for a truncated or malformed header; `OperationFailed` for I/O errors.
    pub async fn read_from_async<R: AsyncRead + Unpin>(reader: &mut R) -> Result<Self> {
        let mut buf = Vec::new();
        while let Progress::Need(n) = progress(&buf)? {
            let start = buf.len();
            if start + n > MAX_HEADER_LEN {
                return Err(malformed("header too long"));
            }
            buf.resize(start + n, 0);
            reader.read_exact(&mut buf[start..]).await.map_err(|e| {
                if e.kind() == io::ErrorKind::UnexpectedEof {
                    malformed("truncated header")
                } else {
                    Error::with_source(
                        ErrorKind::OperationFailed,
                        "envelope: reading the header failed",
                        e,
                    )
                }
            })?;
        }
        Ok(Self::parse(&buf)?.0)
    }
}

impl<W: KeyEncryptionKey> EnvelopeClient<W> {
    /// Reads the header from `reader`, unwraps the data key and returns a reader of the
    /// plaintext.
    ///
    /// # Errors
    /// As [`read_from_async`](EnvelopeHeader::read_from_async) and [`opener`](Self::opener).
    pub async fn decrypt_async_reader<R: AsyncRead + Unpin>(
        &self,
        mut reader: R,
        context: Option<&[u8]>,
    ) -> Result<AsyncDecryptingReader<R>> {
        let header = EnvelopeHeader::read_from_async(&mut reader).await?;
        let opener = self.opener(&header, context, 0).await?;
        Ok(AsyncDecryptingReader::new(opener, reader))
    }
}

/// Encrypts everything written to it into `inner`. `shutdown()` writes the final segment;
/// without it the envelope reads as truncated.
pub struct AsyncEncryptingWriter<W> {
    inner: W,
    sealer: SegmentSealer,
    /// Plaintext being collected, or (while `draining`) bytes going out from `out_pos`.
    buf: Zeroizing<Vec<u8>>,
    out_pos: usize,
    draining: bool,
    shutdown_started: bool,
}

impl<W> fmt::Debug for AsyncEncryptingWriter<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The buffer holds plaintext: never printed.
        f.debug_struct("AsyncEncryptingWriter")
            .field("sealer", &self.sealer)
            .field("buffered", &self.buf.len())
            .finish_non_exhaustive()
    }
}

impl Encryptor {
    /// An async writer that writes the header and the segments into `inner`.
    pub fn into_async_writer<W: AsyncWrite + Unpin>(self, inner: W) -> AsyncEncryptingWriter<W> {
        let mut buf = Zeroizing::new(self.header);
        buf.reserve(self.sealer.segment_size() + TAG_LEN);
        AsyncEncryptingWriter {
            inner,
            sealer: self.sealer,
            buf,
            out_pos: 0,
            draining: true,
            shutdown_started: false,
        }
    }
}

impl<W: AsyncWrite + Unpin> AsyncEncryptingWriter<W> {
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.draining {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.buf[self.out_pos..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.out_pos += n;
            if self.out_pos >= self.buf.len() {
                self.buf.clear();
                self.out_pos = 0;
                self.draining = false;
            }
        }
        Poll::Ready(Ok(()))
    }

    fn seal(&mut self, is_final: bool) -> io::Result<()> {
        seal_buffer(&mut self.sealer, &mut self.buf, is_final).map_err(invalid_data)?;
        self.draining = true;
        Ok(())
    }

    /// The inner writer.
    pub fn into_inner(self) -> W {
        self.inner
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for AsyncEncryptingWriter<W> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        if this.shutdown_started || this.sealer.is_finished() {
            return Poll::Ready(Err(io::Error::other("envelope already finished")));
        }
        let size = this.sealer.segment_size();
        let take = (size - this.buf.len()).min(data.len());
        this.buf.extend_from_slice(&data[..take]);
        if this.buf.len() == size {
            this.seal(false)?;
        }
        Poll::Ready(Ok(take))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        if !this.shutdown_started {
            this.shutdown_started = true;
            this.seal(true)?;
            ready!(this.poll_drain(cx))?;
        }
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

/// Decrypts an envelope's segments while reading asynchronously; the same guarantees as
/// [`DecryptingReader`](crate::DecryptingReader).
pub struct AsyncDecryptingReader<R> {
    inner: R,
    state: ReadState,
}

impl<R> fmt::Debug for AsyncDecryptingReader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncDecryptingReader")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl<R: AsyncRead + Unpin> AsyncDecryptingReader<R> {
    /// A reader of the segments that follow the header in `inner`.
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

impl<R: AsyncRead + Unpin> AsyncRead for AsyncDecryptingReader<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let s = &mut this.state;
        loop {
            if s.failed {
                return Poll::Ready(Err(ReadState::failed_error()));
            }
            if s.has_plaintext() {
                let n = s.take(out.initialize_unfilled());
                out.advance(n);
                return Poll::Ready(Ok(()));
            }
            if s.done || out.remaining() == 0 {
                return Poll::Ready(Ok(()));
            }
            if s.checking_trailing {
                let mut probe = [0u8; 1];
                let mut rb = ReadBuf::new(&mut probe);
                ready!(Pin::new(&mut this.inner).poll_read(cx, &mut rb))?;
                if !rb.filled().is_empty() {
                    return Poll::Ready(Err(s.trailing_data()));
                }
                s.done = true;
                continue;
            }
            let wire = s.buf.len();
            while s.filled < wire {
                let mut rb = ReadBuf::new(&mut s.buf[s.filled..]);
                ready!(Pin::new(&mut this.inner).poll_read(cx, &mut rb))?;
                let n = rb.filled().len();
                if n == 0 {
                    break;
                }
                s.filled += n;
            }
            s.open_filled()?;
        }
    }
}
