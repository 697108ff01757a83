//! [`CachedKey`]: the key material a [`CryptographyClient`](super::CryptographyClient)
//! holds, parsed once, with the routing answers that cannot change while it is held.

use std::sync::OnceLock;

use kv_crypto_local::{Algorithm, LocalKey, PreparedOperation};
use kv_jwk::{EncryptionAlgorithm, JsonWebKey, KeyOperation, KeyWrapAlgorithm, SignatureAlgorithm};
use time::OffsetDateTime;

use crate::models::{KeyId, KeyVaultKey};
use crate::routing::{CryptoOperation, Route, RouteState, RoutingMode, route};

/// Key material held by the client, parsed once.
pub(super) struct CachedKey {
    pub(super) jwk: JsonWebKey,
    /// `None` when the local provider cannot load the key (then everything goes remote).
    pub(super) local: Option<LocalKey>,
    /// Interned (see [`KeyId`]): each result copies it, with no allocation and no shared count.
    pub(super) kid: Option<KeyId>,
    pub(super) not_before: Option<OffsetDateTime>,
    pub(super) expires_on: Option<OffsetDateTime>,
    /// The operations (bits of [`op_bit`]) that [`route`] sends to `local` whatever the
    /// time, asked once when the key is loaded so the hot path need not route again.
    local_ops: u8,
    /// `local`'s operations prepared per algorithm, built on the first local operation.
    prepared: OnceLock<PreparedTable>,
}

/// Every operation of a [`LocalKey`], [prepared](LocalKey::prepare) once for each algorithm
/// this library knows, indexed by the algorithm's `known_index()`: the fast path then skips
/// `LocalKey`'s per-call checks of `key_ops`, key type, size and curve, which cannot change
/// for the key. `None` where the key cannot run the pair locally: such calls take the
/// checked path, which says why.
#[derive(Default)]
pub(super) struct PreparedTable {
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

    fn find(row: &[Option<PreparedOperation>], index: Option<usize>) -> Option<&PreparedOperation> {
        row.get(index?)?.as_ref()
    }

    pub(super) fn sign(&self, alg: &SignatureAlgorithm) -> Option<&PreparedOperation> {
        Self::find(&self.sign, alg.known_index())
    }

    pub(super) fn verify(&self, alg: &SignatureAlgorithm) -> Option<&PreparedOperation> {
        Self::find(&self.verify, alg.known_index())
    }

    pub(super) fn encrypt(&self, alg: &EncryptionAlgorithm) -> Option<&PreparedOperation> {
        Self::find(&self.encrypt, alg.known_index())
    }

    pub(super) fn decrypt(&self, alg: &EncryptionAlgorithm) -> Option<&PreparedOperation> {
        Self::find(&self.decrypt, alg.known_index())
    }

    pub(super) fn wrap(&self, alg: &KeyWrapAlgorithm) -> Option<&PreparedOperation> {
        Self::find(&self.wrap, alg.known_index())
    }

    pub(super) fn unwrap(&self, alg: &KeyWrapAlgorithm) -> Option<&PreparedOperation> {
        Self::find(&self.unwrap, alg.known_index())
    }
}

/// Every operation, for computing [`CachedKey::local_ops`].
const ALL_OPERATIONS: [CryptoOperation; 6] = [
    CryptoOperation::Encrypt,
    CryptoOperation::Decrypt,
    CryptoOperation::Sign,
    CryptoOperation::Verify,
    CryptoOperation::WrapKey,
    CryptoOperation::UnwrapKey,
];

/// `op`'s bit in [`CachedKey::local_ops`].
fn op_bit(op: CryptoOperation) -> u8 {
    match op {
        CryptoOperation::Encrypt => 1,
        CryptoOperation::Decrypt => 1 << 1,
        CryptoOperation::Sign => 1 << 2,
        CryptoOperation::Verify => 1 << 3,
        CryptoOperation::WrapKey => 1 << 4,
        CryptoOperation::UnwrapKey => 1 << 5,
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
        self.local_ops = ALL_OPERATIONS
            .into_iter()
            .filter(|op| route(*op, &state) == Route::Local)
            .fold(0, |bits, op| bits | op_bit(op));
        self
    }

    /// Whether [`route`] is known to send `op` to the local key (see
    /// [`with_routes`](Self::with_routes)).
    pub(super) fn routes_locally(&self, op: CryptoOperation) -> bool {
        self.local_ops & op_bit(op) != 0
    }

    pub(super) fn from_jwk(
        jwk: JsonWebKey,
        not_before: Option<OffsetDateTime>,
        expires_on: Option<OffsetDateTime>,
    ) -> Self {
        let local = LocalKey::new(&jwk).ok();
        Self {
            kid: jwk.kid.as_deref().map(KeyId::interned),
            jwk,
            local,
            not_before,
            expires_on,
            local_ops: 0,
            prepared: OnceLock::new(),
        }
    }

    /// The prepared operations of `local` (see [`PreparedTable`]).
    #[inline]
    pub(super) fn prepared(&self, local: &LocalKey) -> &PreparedTable {
        self.prepared.get_or_init(|| PreparedTable::new(local))
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
