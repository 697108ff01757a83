//! The blocking [`EnvelopeClient`]: each method forwards to
//! [`crate::envelope::EnvelopeClient`]. The streaming adapters
//! ([`Encryptor::into_writer`](crate::envelope::Encryptor::into_writer),
//! [`DecryptingReader`]) are synchronous already: only the data-key wrap and unwrap need
//! the runtime.

use std::fmt;
use std::future::Future;
use std::io::Read;

use kv_jwk::KeyWrapAlgorithm;
use zeroize::Zeroizing;

use super::runtime::Executor;
use super::{CryptographyClient, KeyClient};
use crate::envelope::{
    DecryptingReader, Encryptor, EnvelopeHeader, EnvelopeOptions, KeyEncryptionKey, SegmentOpener,
    WrappedDataKey,
};
use crate::error::Result;

mod sealed {
    /// The async wrapper behind a blocking one, and the executor that runs it.
    pub trait Sealed {
        /// The async wrapper.
        type Async: crate::envelope::DataKeyWrapper + 'static;
        /// Splits the blocking wrapper.
        fn into_parts(self) -> (Self::Async, super::Executor);
    }
}

/// What wraps the data keys of a blocking [`EnvelopeClient`]: a blocking
/// [`CryptographyClient`] (one key version) or a blocking [`KeyVaultWrapper`] (every
/// version of a key, for decrypting across rotation and for
/// [`rewrap`](EnvelopeClient::rewrap)). Sealed: the async
/// [`DataKeyWrapper`](crate::envelope::DataKeyWrapper) is the extension point.
pub trait DataKeyWrapper: sealed::Sealed {}

impl sealed::Sealed for CryptographyClient {
    type Async = crate::CryptographyClient;

    fn into_parts(self) -> (Self::Async, Executor) {
        CryptographyClient::into_parts(self)
    }
}

impl DataKeyWrapper for CryptographyClient {}

/// Every version of one Key Vault key (the blocking form of
/// [`envelope::KeyVaultWrapper`](crate::envelope::KeyVaultWrapper)): wraps with the newest
/// version, unwraps with the version the envelope names.
#[derive(Clone, Debug)]
pub struct KeyVaultWrapper {
    inner: crate::envelope::KeyVaultWrapper,
    executor: Executor,
}

impl KeyVaultWrapper {
    /// Wraps with the newest version of key `name` in `keys`' vault, sharing `keys`'
    /// pipeline and runtime thread.
    ///
    /// # Errors
    /// `InvalidArgument` for an invalid key name.
    pub fn new(keys: &KeyClient, name: &str) -> Result<Self> {
        let (inner, executor) = keys.parts();
        Ok(Self {
            inner: crate::envelope::KeyVaultWrapper::new(inner, name)?,
            executor: executor.clone(),
        })
    }
}

impl KeyVaultWrapper {
    /// Starts over with the newest version; see
    /// [`envelope::KeyVaultWrapper::refresh`](crate::envelope::KeyVaultWrapper::refresh).
    /// Clones share this state, so refreshing a clone kept aside also refreshes the one
    /// inside an [`EnvelopeClient`].
    ///
    /// # Errors
    /// `InvalidArgument` for an invalid key name (cannot happen after `new` succeeded).
    pub fn refresh(&self) -> Result<()> {
        self.inner.refresh()
    }
}

impl sealed::Sealed for KeyVaultWrapper {
    type Async = crate::envelope::KeyVaultWrapper;

    fn into_parts(self) -> (Self::Async, Executor) {
        (self.inner, self.executor)
    }
}

impl DataKeyWrapper for KeyVaultWrapper {}

/// Several key-encryption keys behind one (the blocking form of
/// [`envelope::KeyRing`](crate::envelope::KeyRing)): a message encrypted through it holds
/// one key section per key (format version 2) and opens with any of them. Decrypting tries
/// the sections whose key is in the ring, in the ring's order (the first key added is
/// preferred), stopping at the first that unwraps; a disabled or unreachable key is passed
/// over for the next.
///
/// Keys from different [`KeyClient`]s may be mixed: the ring keeps each one's runtime
/// alive, and calls run on the first key's that has one (a ring of
/// [`CryptographyClient::from_jwk`] keys only needs none).
///
/// ```
/// # fn demo() -> kv_client::Result<()> {
/// use kv_client::blocking::{CryptographyClient, EnvelopeClient, KeyRing};
/// let key = |n: u8| {
///     let mut jwk = kv_crypto_local::generate_oct(256).expect("keygen");
///     jwk.kid = Some(format!("https://region{n}.vault.azure.net/keys/kek/0123456789abcdef"));
///     CryptographyClient::from_jwk(jwk)
/// };
/// let (a, b) = (key(1)?, key(2)?);
/// let ring = KeyRing::new().with(a.clone()).with(b.clone());
/// let sealed = EnvelopeClient::new(ring, None)?.encrypt(b"attack at dawn", b"tenant=42")?;
/// // Either key alone opens it.
/// for alone in [a, b] {
///     let opened = EnvelopeClient::new(alone, None)?.decrypt(&sealed, Some(b"tenant=42"))?;
///     assert_eq!(&opened[..], b"attack at dawn");
/// }
/// # Ok(()) }
/// # demo().unwrap();
/// ```
#[derive(Clone, Default)]
pub struct KeyRing {
    inner: crate::envelope::KeyRing,
    /// The first key's executor that has a runtime (`None`: no key needs one yet).
    executor: Option<Executor>,
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("keys", &self.inner.len())
            .finish_non_exhaustive()
    }
}

impl KeyRing {
    /// An empty ring; add keys with [`with`](Self::with).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `key` (preferred after the keys already added). At most 16 keys can encrypt
    /// (format version 2 holds 16 key sections); see
    /// [`envelope::KeyRing::with`](crate::envelope::KeyRing::with).
    #[must_use]
    pub fn with<W: DataKeyWrapper>(self, key: W) -> Self {
        let (key, executor) = key.into_parts();
        let first = match (self.executor, &executor) {
            (Some(first), _) => Some(first),
            (None, Executor::Runtime(_)) => Some(executor.clone()),
            (None, Executor::Local) => None,
        };
        Self {
            inner: self.inner.with(KeepsRuntime {
                key,
                _executor: executor,
            }),
            executor: first,
        }
    }

    /// How many keys the ring holds.
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// Whether the ring holds no key.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }
}

impl sealed::Sealed for KeyRing {
    type Async = crate::envelope::KeyRing;

    fn into_parts(self) -> (Self::Async, Executor) {
        (self.inner, self.executor.unwrap_or(Executor::Local))
    }
}

impl DataKeyWrapper for KeyRing {}

/// A key of a blocking [`KeyRing`] with its own runtime, kept alive as long as the key is:
/// its connections may be registered with that runtime whichever runtime runs the call.
struct KeepsRuntime<K> {
    key: K,
    _executor: Executor,
}

impl<K: KeyEncryptionKey> KeyEncryptionKey for KeepsRuntime<K> {
    fn default_algorithm(&self) -> impl Future<Output = Result<KeyWrapAlgorithm>> + Send {
        self.key.default_algorithm()
    }

    fn wrap_data_key(
        &self,
        algorithm: &KeyWrapAlgorithm,
        data_key: &[u8],
    ) -> impl Future<Output = Result<WrappedDataKey>> + Send {
        self.key.wrap_data_key(algorithm, data_key)
    }

    fn unwrap_data_key(
        &self,
        key_id: &str,
        algorithm: &KeyWrapAlgorithm,
        encrypted_key: &[u8],
    ) -> impl Future<Output = Result<Zeroizing<Vec<u8>>>> + Send {
        self.key.unwrap_data_key(key_id, algorithm, encrypted_key)
    }

    fn preference(&self, key_id: &str) -> Option<usize> {
        self.key.preference(key_id)
    }

    fn wrap_data_key_sections(
        &self,
        algorithm: Option<&KeyWrapAlgorithm>,
        data_key: &[u8],
    ) -> impl Future<Output = Result<Vec<WrappedDataKey>>> + Send {
        self.key.wrap_data_key_sections(algorithm, data_key)
    }
}

/// Blocking envelope encryption (see [`crate::envelope`] for the format and its
/// guarantees): the methods of [`envelope::EnvelopeClient`](crate::envelope::EnvelopeClient),
/// with the same names, options and errors, returning instead of awaiting.
///
/// Cheap to clone; clones share the data-key cache and the wrapper's runtime thread.
///
/// # Errors
/// As the async method of the same name; a wrapper that talks to the service also returns
/// `NotSupported` when called from inside an async runtime (see [`blocking`](super)).
///
/// ```
/// # fn demo() -> kv_client::Result<()> {
/// use kv_client::blocking::{CryptographyClient, EnvelopeClient};
/// let mut jwk = kv_crypto_local::generate_rsa(2048, None).expect("keygen");
/// jwk.kid = Some("https://myvault.vault.azure.net/keys/data/0123456789abcdef".into());
/// let key = CryptographyClient::from_jwk(jwk)?; // in real use: KeyClient::get_cryptography_client
/// let envelopes = EnvelopeClient::new(key, None)?;
/// let sealed = envelopes.encrypt(b"attack at dawn", b"tenant=42")?;
/// let opened = envelopes.decrypt(&sealed, Some(b"tenant=42"))?;
/// assert_eq!(&opened[..], b"attack at dawn");
/// # Ok(()) }
/// # demo().unwrap();
/// ```
pub struct EnvelopeClient<W: DataKeyWrapper> {
    inner: crate::envelope::EnvelopeClient<W::Async>,
    executor: Executor,
}

impl<W: DataKeyWrapper> Clone for EnvelopeClient<W> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            executor: self.executor.clone(),
        }
    }
}

impl<W: DataKeyWrapper> fmt::Debug for EnvelopeClient<W>
where
    W::Async: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnvelopeClient")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<W: DataKeyWrapper> EnvelopeClient<W> {
    /// An envelope client wrapping data keys with `wrapper`; see
    /// [`envelope::EnvelopeClient::new`](crate::envelope::EnvelopeClient::new).
    ///
    /// # Errors
    /// `InvalidArgument` for a segment size out of range or an unsupported wrap algorithm.
    pub fn new(wrapper: W, options: Option<EnvelopeOptions>) -> Result<Self> {
        let (wrapper, executor) = wrapper.into_parts();
        Ok(Self {
            inner: crate::envelope::EnvelopeClient::new(wrapper, options)?,
            executor,
        })
    }

    /// Starts a message; see
    /// [`envelope::EnvelopeClient::encryptor`](crate::envelope::EnvelopeClient::encryptor).
    /// Write it with [`Encryptor::into_writer`].
    ///
    /// # Errors
    /// See [`EnvelopeClient`].
    pub fn encryptor(&self, context: &[u8]) -> Result<Encryptor> {
        self.executor.block_on(self.inner.encryptor(context))
    }

    /// See [`envelope::EnvelopeClient::encrypt`](crate::envelope::EnvelopeClient::encrypt).
    ///
    /// # Errors
    /// See [`EnvelopeClient`].
    pub fn encrypt(&self, plaintext: &[u8], context: &[u8]) -> Result<Vec<u8>> {
        self.executor
            .block_on(self.inner.encrypt(plaintext, context))
    }

    /// See [`envelope::EnvelopeClient::encrypt_into`](crate::envelope::EnvelopeClient::encrypt_into):
    /// the envelope is written into `out`, reusing its allocation.
    ///
    /// # Errors
    /// See [`EnvelopeClient`]; on error `out` is empty.
    pub fn encrypt_into(&self, plaintext: &[u8], context: &[u8], out: &mut Vec<u8>) -> Result<()> {
        let r = self
            .executor
            .block_on(self.inner.encrypt_into(plaintext, context, out));
        if r.is_err() {
            // Refused before the call ran: keep the promise of an empty `out`.
            out.clear();
        }
        r
    }

    /// See [`envelope::EnvelopeClient::opener`](crate::envelope::EnvelopeClient::opener).
    ///
    /// # Errors
    /// See [`EnvelopeClient`].
    pub fn opener(
        &self,
        header: &EnvelopeHeader,
        context: Option<&[u8]>,
        bytes: u64,
    ) -> Result<SegmentOpener> {
        self.executor
            .block_on(self.inner.opener(header, context, bytes))
    }

    /// See [`envelope::EnvelopeClient::decrypt`](crate::envelope::EnvelopeClient::decrypt).
    ///
    /// # Errors
    /// See [`EnvelopeClient`].
    pub fn decrypt(&self, ciphertext: &[u8], context: Option<&[u8]>) -> Result<Zeroizing<Vec<u8>>> {
        self.executor
            .block_on(self.inner.decrypt(ciphertext, context))
    }

    /// See [`envelope::EnvelopeClient::decrypt_into`](crate::envelope::EnvelopeClient::decrypt_into).
    ///
    /// # Errors
    /// See [`EnvelopeClient`].
    pub fn decrypt_into(
        &self,
        ciphertext: &[u8],
        context: Option<&[u8]>,
        out: &mut Zeroizing<Vec<u8>>,
    ) -> Result<()> {
        self.executor
            .block_on(self.inner.decrypt_into(ciphertext, context, out))
    }

    /// Reads the header from `reader`, unwraps the data key and returns a reader of the
    /// plaintext (the blocking form of
    /// [`decrypt_async_reader`](crate::envelope::EnvelopeClient::decrypt_async_reader)).
    ///
    /// # Errors
    /// As [`EnvelopeHeader::read_from`] and [`opener`](Self::opener).
    pub fn decrypt_reader<R: Read>(
        &self,
        mut reader: R,
        context: Option<&[u8]>,
    ) -> Result<DecryptingReader<R>> {
        // Refuse before consuming any of the caller's input.
        self.executor.check()?;
        let header = EnvelopeHeader::read_from(&mut reader)?;
        let opener = self.opener(&header, context, 0)?;
        Ok(DecryptingReader::new(opener, reader))
    }

    /// See [`envelope::EnvelopeClient::rewrap_header`](crate::envelope::EnvelopeClient::rewrap_header).
    ///
    /// # Errors
    /// See [`EnvelopeClient`].
    pub fn rewrap_header(&self, header: &EnvelopeHeader) -> Result<Vec<u8>> {
        self.executor.block_on(self.inner.rewrap_header(header))
    }

    /// A new header for `header` whose data key is also wrapped by `kek` (its key section
    /// added, or replacing the one of the same key); see
    /// [`envelope::EnvelopeClient::rewrap_header_with`](crate::envelope::EnvelopeClient::rewrap_header_with).
    ///
    /// # Errors
    /// See [`EnvelopeClient`].
    pub fn rewrap_header_with<K: DataKeyWrapper + Clone>(
        &self,
        header: &EnvelopeHeader,
        kek: &K,
    ) -> Result<Vec<u8>> {
        let (kek, _) = kek.clone().into_parts();
        self.executor
            .block_on(self.inner.rewrap_header_with(header, &kek))
    }

    /// See [`envelope::EnvelopeClient::rewrap`](crate::envelope::EnvelopeClient::rewrap).
    ///
    /// # Errors
    /// See [`EnvelopeClient`].
    pub fn rewrap(&self, ciphertext: &[u8]) -> Result<Vec<u8>> {
        self.executor.block_on(self.inner.rewrap(ciphertext))
    }

    /// Adds `kek`'s key section to `ciphertext` (or replaces the one of the same key); see
    /// [`envelope::EnvelopeClient::rewrap_with`](crate::envelope::EnvelopeClient::rewrap_with).
    ///
    /// # Errors
    /// See [`EnvelopeClient`].
    pub fn rewrap_with<K: DataKeyWrapper + Clone>(
        &self,
        ciphertext: &[u8],
        kek: &K,
    ) -> Result<Vec<u8>> {
        let (kek, _) = kek.clone().into_parts();
        self.executor
            .block_on(self.inner.rewrap_with(ciphertext, &kek))
    }
}
