//! `Debug` stand-ins for values that must not be printed (tokens, blobs, plaintext).

use core::fmt;

/// Prints `[REDACTED]` in place of a secret.
pub(crate) struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

/// Prints `<n bytes>` in place of an opaque blob.
pub(crate) struct ByteLen(pub(crate) usize);

impl fmt::Debug for ByteLen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes>", self.0)
    }
}
