//! [`CachedKey`]: the key material a [`CryptographyClient`](super::CryptographyClient)
//! holds, parsed once, with the routing answers that cannot change while it is held.

use std::sync::OnceLock;

use kv_crypto_local::{
    Algorithm, DecryptParameters, EncryptParameters, EncryptResult, LocalKey, MlDsaInput,
    PreparedOperation,
};
use kv_jwk::{EncryptionAlgorithm, JsonWebKey, KeyOperation, KeyWrapAlgorithm, SignatureAlgorithm};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::models::{KeyId, KeyVaultKey};
use crate::routing::{CryptoOperation, Route, RouteState, RoutingMode, route};

/// Key material held by the client, parsed once.
pub(super) struct CachedKey {
    pub(super) jwk: JsonWebKey,
    /// `None` when the local provider cannot load the key (then everything goes remote).
    pub(super) local: Option<PreparedKey>,
    /// Interned (see [`KeyId`]): each result copies it, with no allocation and no shared count.
    pub(super) kid: Option<KeyId>,
    pub(super) not_before: Option<OffsetDateTime>,
    pub(super) expires_on: Option<OffsetDateTime>,
    /// The operations (bits of [`op_bit`]) that [`route`] sends to `local` whatever the
    /// time, asked once when the key is loaded so the hot path need not route again.
    local_ops: u8,
}

/// A [`LocalKey`] with its operations [prepared](LocalKey::prepare) once per algorithm:
/// the local form of every façade operation runs through it.
///
/// Why it exists: `LocalKey` checks `key_ops`, key type, size and curve on every call, and
/// none of that can change for a key the client holds. Preparing once removes about 110 of
/// the ~3,600 instructions of an A256KW wrap, which keeps the façade's `A256KW wrap` row of
/// `benches/performance.rs` within 5% of `LocalKey` (see benches/RESULTS.md). Each method
/// runs the prepared operation when there is one and `LocalKey`'s checked call otherwise
/// (an algorithm the key cannot run, or one this library does not know), which says why.
/// Its methods and the table's lookups are `#[inline]`, as are `LocalKey`'s
/// `wrap_key_prepared`/`unwrap_key_prepared`: called out of line they cost 30 more
/// instructions per A256KW wrap (3,685 against 3,655, callgrind, `LocalKey::wrap_key`
/// 3,641).
pub(super) struct PreparedKey {
    key: LocalKey,
    /// Built on the first local operation, so keys only ever used remotely never pay for it.
    table: OnceLock<PreparedTable>,
}

impl PreparedKey {
    fn new(key: LocalKey) -> Self {
        Self {
            key,
            table: OnceLock::new(),
        }
    }

    #[inline]
    fn table(&self) -> &PreparedTable {
        self.table.get_or_init(|| PreparedTable::new(&self.key))
    }

    /// [`LocalKey::encrypt`], prepared.
    #[inline]
    pub(super) fn encrypt(
        &self,
        alg: &EncryptionAlgorithm,
        plaintext: &[u8],
        params: &EncryptParameters,
    ) -> kv_crypto_local::Result<EncryptResult> {
        match self.table().encrypt(alg) {
            Some(prepared) => self.key.encrypt_prepared(prepared, plaintext, params),
            None => self.key.encrypt(alg, plaintext, params),
        }
    }

    /// [`LocalKey::decrypt`], prepared.
    #[inline]
    pub(super) fn decrypt(
        &self,
        alg: &EncryptionAlgorithm,
        ciphertext: &[u8],
        params: &DecryptParameters,
    ) -> kv_crypto_local::Result<Zeroizing<Vec<u8>>> {
        match self.table().decrypt(alg) {
            Some(prepared) => self.key.decrypt_prepared(prepared, ciphertext, params),
            None => self.key.decrypt(alg, ciphertext, params),
        }
    }

    /// [`LocalKey::sign`], prepared.
    #[inline]
    pub(super) fn sign(
        &self,
        alg: &SignatureAlgorithm,
        digest: &[u8],
    ) -> kv_crypto_local::Result<Vec<u8>> {
        match self.table().sign(alg) {
            Some(prepared) => self.key.sign_prepared(prepared, digest),
            None => self.key.sign(alg, digest),
        }
    }

    /// [`LocalKey::verify`], prepared.
    #[inline]
    pub(super) fn verify(
        &self,
        alg: &SignatureAlgorithm,
        digest: &[u8],
        signature: &[u8],
    ) -> kv_crypto_local::Result<bool> {
        match self.table().verify(alg) {
            Some(prepared) => self.key.verify_prepared(prepared, digest, signature),
            None => self.key.verify(alg, digest, signature),
        }
    }

    /// [`LocalKey::wrap_key`], prepared.
    #[inline]
    pub(super) fn wrap_key(
        &self,
        alg: &KeyWrapAlgorithm,
        key: &[u8],
    ) -> kv_crypto_local::Result<Vec<u8>> {
        match self.table().wrap(alg) {
            Some(prepared) => self.key.wrap_key_prepared(prepared, key),
            None => self.key.wrap_key(alg, key),
        }
    }

    /// [`LocalKey::unwrap_key`], prepared.
    #[inline]
    pub(super) fn unwrap_key(
        &self,
        alg: &KeyWrapAlgorithm,
        encrypted_key: &[u8],
    ) -> kv_crypto_local::Result<Zeroizing<Vec<u8>>> {
        match self.table().unwrap(alg) {
            Some(prepared) => self.key.unwrap_key_prepared(prepared, encrypted_key),
            None => self.key.unwrap_key(alg, encrypted_key),
        }
    }

    /// [`LocalKey::sign_ml_dsa`] (not prepared: its context makes each call its own).
    pub(super) fn sign_ml_dsa(
        &self,
        alg: &SignatureAlgorithm,
        input: &MlDsaInput<'_>,
    ) -> kv_crypto_local::Result<Vec<u8>> {
        self.key.sign_ml_dsa(alg, input)
    }

    /// [`LocalKey::verify_ml_dsa`] (not prepared, as [`sign_ml_dsa`](Self::sign_ml_dsa)).
    pub(super) fn verify_ml_dsa(
        &self,
        alg: &SignatureAlgorithm,
        input: &MlDsaInput<'_>,
        signature: &[u8],
    ) -> kv_crypto_local::Result<bool> {
        self.key.verify_ml_dsa(alg, input, signature)
    }
}

/// Every operation of a [`LocalKey`], [prepared](LocalKey::prepare) once for each algorithm
/// this library knows, indexed by the algorithm's `known_index()`. `None` where the key
/// cannot run the pair locally: such calls take the checked path, which says why.
struct PreparedTable {
    sign: Box<[Option<PreparedOperation>]>,
    verify: Box<[Option<PreparedOperation>]>,
    encrypt: Box<[Option<PreparedOperation>]>,
    decrypt: Box<[Option<PreparedOperation>]>,
    wrap: Box<[Option<PreparedOperation>]>,
    unwrap: Box<[Option<PreparedOperation>]>,
}

impl PreparedTable {
    fn new(local: &LocalKey) -> Self {
        let row = |op: KeyOperation, known: &[&str], alg: fn(&str) -> Algorithm| {
            known
                .iter()
                .map(|name| local.prepare(&op, alg(name)).ok())
                .collect()
        };
        let sig = |n: &str| Algorithm::Signature(SignatureAlgorithm::from(n));
        let enc = |n: &str| Algorithm::Encryption(EncryptionAlgorithm::from(n));
        let kw = |n: &str| Algorithm::KeyWrap(KeyWrapAlgorithm::from(n));
        Self {
            sign: row(KeyOperation::Sign, SignatureAlgorithm::KNOWN_VALUES, sig),
            verify: row(KeyOperation::Verify, SignatureAlgorithm::KNOWN_VALUES, sig),
            encrypt: row(
                KeyOperation::Encrypt,
                EncryptionAlgorithm::KNOWN_VALUES,
                enc,
            ),
            decrypt: row(
                KeyOperation::Decrypt,
                EncryptionAlgorithm::KNOWN_VALUES,
                enc,
            ),
            wrap: row(KeyOperation::WrapKey, KeyWrapAlgorithm::KNOWN_VALUES, kw),
            unwrap: row(KeyOperation::UnwrapKey, KeyWrapAlgorithm::KNOWN_VALUES, kw),
        }
    }

    #[inline]
    fn find(row: &[Option<PreparedOperation>], index: Option<usize>) -> Option<&PreparedOperation> {
        row.get(index?)?.as_ref()
    }

    #[inline]
    fn sign(&self, alg: &SignatureAlgorithm) -> Option<&PreparedOperation> {
        Self::find(&self.sign, alg.known_index())
    }

    #[inline]
    fn verify(&self, alg: &SignatureAlgorithm) -> Option<&PreparedOperation> {
        Self::find(&self.verify, alg.known_index())
    }

    #[inline]
    fn encrypt(&self, alg: &EncryptionAlgorithm) -> Option<&PreparedOperation> {
        Self::find(&self.encrypt, alg.known_index())
    }

    #[inline]
    fn decrypt(&self, alg: &EncryptionAlgorithm) -> Option<&PreparedOperation> {
        Self::find(&self.decrypt, alg.known_index())
    }

    #[inline]
    fn wrap(&self, alg: &KeyWrapAlgorithm) -> Option<&PreparedOperation> {
        Self::find(&self.wrap, alg.known_index())
    }

    #[inline]
    fn unwrap(&self, alg: &KeyWrapAlgorithm) -> Option<&PreparedOperation> {
        Self::find(&self.unwrap, alg.known_index())
    }
}

/// `op`'s bit in [`CachedKey::local_ops`].
fn op_bit(op: CryptoOperation) -> u8 {
    match op {
        CryptoOperation::Encrypt => 1,
        CryptoOperation::Decrypt => 1 << 1,
        CryptoOperation::Sign => 1 << 2,
        CryptoOperation::Verify => 1 << 3,
        CryptoOperation::WrapKey => 1 << 4,
        CryptoOperation::UnwrapKey => 1 << 5,
        // Not an operation of the façade: never settled locally.
        CryptoOperation::Release => 0,
    }
}

impl CachedKey {
    /// Asks [`route`] once per operation, for a client in `mode`, which operations run
    /// locally with this key. Only for keys without `nbf`/`exp`, whose answer cannot
    /// change with the clock; `LocalKey` still refuses an algorithm it cannot run.
    pub(super) fn with_routes(mut self, mode: RoutingMode, remote_available: bool) -> Self {
        if self.local.is_none() || self.not_before.is_some() || self.expires_on.is_some() {
            return self;
        }
        let state = RouteState {
            mode,
            key: Some(&self.jwk),
            locally_supported: true,
            not_before: None,
            expires_on: None,
            now: OffsetDateTime::UNIX_EPOCH,
            remote_available,
        };
        self.local_ops = CryptoOperation::ALL
            .into_iter()
            .filter(|op| route(*op, &state) == Route::Local)
            .fold(0, |bits, op| bits | op_bit(op));
        self
    }

    /// The local key when [`route`] is known to send `op` to it whatever the time (see
    /// [`with_routes`](Self::with_routes)); `None` when `op` must be routed in full.
    #[inline]
    pub(super) fn settled_local(&self, op: CryptoOperation) -> Option<&PreparedKey> {
        self.local
            .as_ref()
            .filter(|_| self.local_ops & op_bit(op) != 0)
    }

    pub(super) fn from_jwk(
        jwk: JsonWebKey,
        not_before: Option<OffsetDateTime>,
        expires_on: Option<OffsetDateTime>,
    ) -> Self {
        let local = LocalKey::new(&jwk).ok().map(PreparedKey::new);
        Self {
            kid: jwk.kid.as_deref().map(KeyId::interned),
            jwk,
            local,
            not_before,
            expires_on,
            local_ops: 0,
        }
    }

    pub(super) fn from_key(key: KeyVaultKey) -> Self {
        let KeyVaultKey {
            mut key,
            properties,
        } = key;
        key.kid.get_or_insert_with(|| properties.id.to_string());
        Self::from_jwk(key, properties.not_before, properties.expires_on)
    }
}
