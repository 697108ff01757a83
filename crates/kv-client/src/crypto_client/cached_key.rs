//! [`CachedKey`]: the key material a [`CryptographyClient`](super::CryptographyClient)
//! holds, parsed once, with the routing answers that cannot change while it is held.

use kv_crypto_local::LocalKey;
use kv_jwk::JsonWebKey;
use time::OffsetDateTime;

use crate::models::{KeyId, KeyVaultKey};
use crate::routing::{CryptoOperation, Route, RouteState, RoutingMode, route};

/// Key material held by the client, parsed once.
pub(super) struct CachedKey {
    pub(super) jwk: JsonWebKey,
    /// `None` when the local provider cannot load the key (then everything goes remote).
    pub(super) local: Option<LocalKey>,
    /// Shared with every result: naming the key costs no allocation.
    pub(super) kid: Option<KeyId>,
    pub(super) not_before: Option<OffsetDateTime>,
    pub(super) expires_on: Option<OffsetDateTime>,
    /// The operations (bits of [`op_bit`]) that [`route`] sends to `local` whatever the
    /// time, asked once when the key is loaded so the hot path need not route again.
    local_ops: u8,
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
