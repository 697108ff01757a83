//! Envelope encryption under a key-encryption key: a fresh AES-256 data key per message,
//! the payload in AES-256-GCM segments, the data key wrapped by a [`KeyEncryptionKey`] — a
//! Key Vault or Managed HSM key (`kv_client::CryptographyClient`, `kv_client::envelope::
//! KeyVaultWrapper`), or a local key ([`LocalKeyEncryptionKey`]). The wrap algorithm
//! follows the key unless the options name one: RSA-OAEP-256 for RSA keys, AES key wrap of
//! the key's size for `oct` and `oct-HSM` keys.
//!
//! The crate's one job is the envelope: its format, key schedule, streaming and rewrap. It
//! knows nothing of HTTP; `kv-client` implements [`KeyEncryptionKey`] for its clients and
//! re-exports this crate as `kv_client::envelope` (and so `keyvault::envelope`).
//!
//! ```
//! # async fn demo() -> kv_envelope::Result<()> {
//! use kv_crypto_local::{LocalKey, generate_oct};
//! use kv_envelope::{EnvelopeClient, LocalKeyEncryptionKey};
//! let aes = LocalKey::new(&generate_oct(256).expect("keygen")).expect("an AES key");
//! let kek = LocalKeyEncryptionKey::new(aes, "recovery-key-1")?; // wraps with A256KW
//! let envelopes = EnvelopeClient::new(kek, None)?;
//! let sealed = envelopes.encrypt(b"attack at dawn", b"tenant=42").await?;
//! let opened = envelopes.decrypt(&sealed, Some(b"tenant=42")).await?;
//! assert_eq!(&opened[..], b"attack at dawn");
//! assert!(envelopes.decrypt(&sealed, Some(b"tenant=43")).await.is_err());
//! # Ok(()) }
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(demo()).unwrap();
//! ```
//!
//! Streaming: [`EnvelopeClient::encryptor`] then [`Encryptor::into_writer`] (`std::io::Write`)
//! or [`Encryptor::into_async_writer`] (`tokio::io::AsyncWrite`); to read,
//! [`EnvelopeHeader::read_from`] + [`EnvelopeClient::opener`] + [`DecryptingReader::new`], or
//! [`EnvelopeClient::decrypt_async_reader`]. Memory is one segment, whatever the size.
//! The one-shot functions seal and open each segment out of place, straight between the
//! caller's input and the output ([`SegmentSealer::seal_to`], [`SegmentOpener::open_to`]);
//! [`EnvelopeClient::encrypt_into`] reuses one output buffer across messages.
//! Across key rotation use `kv_client::envelope::KeyVaultWrapper`: it unwraps with the version the envelope
//! names and wraps with the newest, which [`EnvelopeClient::rewrap`] uses to move a
//! ciphertext to the newest version by rewriting only its header.
//!
//! # Format
//! Specified byte by byte in `FORMAT.md` beside this crate, with test vectors
//! (`tests/vectors/format.json`) and an independent Python decoder that opens them. In
//! short: a header (magic `KVEN`, version, suite, segment size, salt, key commitment,
//! optional stored context, then the key sections: one in version 1, 1 to 16 in version 2,
//! and a header tag), then AES-256-GCM segments. HKDF-SHA-512 derives the content key and
//! the commitment from the data key and salt; the commitment makes a key section that
//! wraps any other data key fail before anything is decrypted, so sections can be replaced
//! or added ([`EnvelopeClient::rewrap`], [`EnvelopeClient::rewrap_with`]) without touching
//! the payload, and never swapped.
//!
//! # Security
//! Every length is checked against its bound before anything it announces is read, so a
//! header costs at most [`MAX_HEADER_LEN`] bytes of memory. Decrypt failures are one opaque
//! `Crypto` error. [`EnvelopeClient::decrypt`] releases plaintext only after every segment
//! verified; the streaming readers release each segment after its own tag verified and
//! report the end only after the final one (see [`DecryptingReader`]). Data keys and
//! plaintext buffers are zeroized; none appear in `Debug` or errors.

#![warn(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]

mod async_io;
mod cache;
mod client;
mod encrypt_cache;
mod error;
mod format;
mod io;
mod kek;
mod keyring;
mod keys;
mod segment;

pub use async_io::{AsyncDecryptingReader, AsyncEncryptingWriter};
pub use cache::DataKeyCacheOptions;
pub use client::{DEFAULT_SEGMENT_SIZE, Encryptor, EnvelopeClient, EnvelopeOptions};
pub use encrypt_cache::{EncryptCacheOptions, MAX_MESSAGES_PER_DATA_KEY};
pub use error::{Error, ErrorKind, Result};
pub use format::{
    EnvelopeHeader, FORMAT_VERSION, FORMAT_VERSION_1, FORMAT_VERSION_2, MAGIC, MAX_ALGORITHM_LEN,
    MAX_HEADER_LEN, MAX_KEY_ID_LEN, MAX_KEY_SECTIONS, MAX_SEGMENT_SIZE, MAX_STORED_CONTEXT,
    MAX_WRAPPED_KEY_LEN,
};
pub use io::{DecryptingReader, EncryptingWriter};
pub use kek::{KeyEncryptionKey, LocalKeyEncryptionKey, WrappedDataKey, default_wrap_algorithm};
pub use keyring::KeyRing;
pub use segment::{SegmentOpener, SegmentSealer};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_compat;
#[cfg(test)]
mod tests_multikey;
#[cfg(test)]
mod tests_vectors;
