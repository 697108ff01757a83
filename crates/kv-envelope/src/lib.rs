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
//! # Format, version 1
//! All integers are big-endian. An envelope is a header followed by segments.
//!
//! | offset | length | field |
//! |---|---|---|
//! | 0 | 4 | magic `KVEN` (`4B 56 45 4E`) |
//! | 4 | 1 | format version, `01` (anything else: `Decode` error, "unknown format version") |
//! | 5 | 1 | suite, `01`: HKDF-SHA-512, key commitment, AES-256-GCM segments |
//! | 6 | 2 | reserved, `00 00` |
//! | 8 | 4 | segment size S: plaintext bytes per segment, 1 to 16 MiB |
//! | 12 | 32 | salt (random, unique per message) |
//! | 44 | 32 | key commitment |
//! | 76 | 4 | C: length of the stored encryption context, 0 to 64 KiB (0: not stored) |
//! | 80 | C | stored encryption context |
//! | 80+C | 2 | K: key id length, 1 to 2048 |
//! | 82+C | K | key id, UTF-8: the full versioned identifier `https://{vault}/keys/{name}/{version}` |
//! | 82+C+K | 1 | A: wrap algorithm name length, 1 to 32 |
//! | 83+C+K | A | wrap algorithm, ASCII JWA name (`RSA-OAEP-256`, `RSA-OAEP`, `A256KW`, `A192KW`, `A128KW`, `CKM_AES_KEY_WRAP`, `CKM_AES_KEY_WRAP_PAD`) |
//! | 83+C+K+A | 2 | W: wrapped data key length, 1 to 1024 |
//! | 85+C+K+A | W | wrapped data key |
//! | 85+C+K+A+W | 16 | header tag |
//!
//! Then the segments, each the AES-256-GCM ciphertext of its plaintext followed by its
//! 16-byte tag. Every segment but the last holds exactly S plaintext bytes (S+16 on the
//! wire); the last one, always present, holds 0 to S-1 bytes (so a reader knows it is the
//! last by its length). Nothing may follow it.
//!
//! **Keys.** The data key DK is 32 random bytes. HKDF-SHA-512 with the salt extracts from
//! DK; expanding with `info` = `"KVEN content key" || 01 || 01` gives the 32-byte content
//! key CK, and with `"KVEN key commitment" || 01 || 01` the 32-byte commitment stored at
//! offset 44. Decrypting derives both from the unwrapped key and compares the commitment in
//! constant time before anything else, so one ciphertext cannot open under two keys.
//!
//! **Nonces.** 12 bytes: `00 00 00`, a 64-bit counter, a kind byte (`00` segment, `01` the
//! final segment, `02` the header tag). Segment i has counter i. CK is unique per message,
//! so no nonce repeats under a key; the counter detects reordering, the final kind
//! truncation and extension.
//!
//! **Header tag.** AES-256-GCM under CK with nonce (0, `02`), an empty plaintext and as AAD
//! bytes 0 to 80+C of the header followed, when C is 0, by the caller's encryption context.
//! It covers everything but the key section (key id, algorithm, wrapped key): the key
//! section is what [`EnvelopeClient::rewrap`] replaces, and it needs no tag because any
//! change to it either fails to unwrap or unwraps to a key whose commitment differs. The
//! segments' AAD is empty: they are bound to the header through CK, which depends on the
//! salt.
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
