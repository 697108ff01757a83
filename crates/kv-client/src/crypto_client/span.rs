//! The span of each [`CryptographyClient`] method: the attributes of
//! [`KeyClient`](crate::KeyClient)'s spans (the Azure SDKs' distributed-tracing names; the
//! pipeline records the request ids and api-version when a request goes out) and
//! `keyvault.location`, recorded once the operation has run. Never a key, plaintext or
//! signature.

use tracing::field::Empty;
use tracing::level_filters::{LevelFilter, STATIC_MAX_LEVEL};
use tracing::{Level, Span, info_span};

use super::CryptographyClient;
use crate::routing::{CryptoOperation, OperationLocation};

/// A public method of the façade: it names the method's span and the operation it routes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Method {
    Encrypt,
    Decrypt,
    Sign,
    Verify,
    SignData,
    VerifyData,
    SignMlDsa,
    VerifyMlDsa,
    WrapKey,
    UnwrapKey,
}

impl Method {
    /// The operation [`route`](crate::routing::route) decides for this method.
    pub(super) fn operation(self) -> CryptoOperation {
        match self {
            Self::Encrypt => CryptoOperation::Encrypt,
            Self::Decrypt => CryptoOperation::Decrypt,
            Self::Sign | Self::SignData | Self::SignMlDsa => CryptoOperation::Sign,
            Self::Verify | Self::VerifyData | Self::VerifyMlDsa => CryptoOperation::Verify,
            Self::WrapKey => CryptoOperation::WrapKey,
            Self::UnwrapKey => CryptoOperation::UnwrapKey,
        }
    }

    /// This method's span for `client`.
    ///
    /// When no subscriber wants INFO it is [`Span::none`] after one atomic load: a disabled
    /// span from `info_span!` still carries its metadata, and creating and dropping it (with
    /// the `log` fallback checks) cost a sub-microsecond local operation several percent
    /// (`benches/performance.rs`, A256KW wrap). A span's name must be a literal, hence one
    /// `info_span!` per method.
    #[inline]
    pub(super) fn span(self, client: &CryptographyClient) -> Span {
        if enabled() {
            self.new_span(client)
        } else {
            Span::none()
        }
    }

    /// The span itself, out of line: its ten call sites would otherwise grow every
    /// operation's hot path.
    #[inline(never)]
    fn new_span(self, client: &CryptographyClient) -> Span {
        let address = &*client.inner.server_address;
        let key = &*client.inner.key_name;
        let ns = "Microsoft.KeyVault";
        match self {
            Self::Encrypt => info_span!(
                "CryptographyClient::encrypt",
                az.namespace = ns,
                server.address = address,
                key.name = key,
                api_version = Empty,
                az.client_request_id = Empty,
                az.service_request_id = Empty,
                keyvault.location = Empty
            ),
            Self::Decrypt => info_span!(
                "CryptographyClient::decrypt",
                az.namespace = ns,
                server.address = address,
                key.name = key,
                api_version = Empty,
                az.client_request_id = Empty,
                az.service_request_id = Empty,
                keyvault.location = Empty
            ),
            Self::Sign => info_span!(
                "CryptographyClient::sign",
                az.namespace = ns,
                server.address = address,
                key.name = key,
                api_version = Empty,
                az.client_request_id = Empty,
                az.service_request_id = Empty,
                keyvault.location = Empty
            ),
            Self::Verify => info_span!(
                "CryptographyClient::verify",
                az.namespace = ns,
                server.address = address,
                key.name = key,
                api_version = Empty,
                az.client_request_id = Empty,
                az.service_request_id = Empty,
                keyvault.location = Empty
            ),
            Self::SignData => info_span!(
                "CryptographyClient::sign_data",
                az.namespace = ns,
                server.address = address,
                key.name = key,
                api_version = Empty,
                az.client_request_id = Empty,
                az.service_request_id = Empty,
                keyvault.location = Empty
            ),
            Self::VerifyData => info_span!(
                "CryptographyClient::verify_data",
                az.namespace = ns,
                server.address = address,
                key.name = key,
                api_version = Empty,
                az.client_request_id = Empty,
                az.service_request_id = Empty,
                keyvault.location = Empty
            ),
            Self::SignMlDsa => info_span!(
                "CryptographyClient::sign_ml_dsa",
                az.namespace = ns,
                server.address = address,
                key.name = key,
                api_version = Empty,
                az.client_request_id = Empty,
                az.service_request_id = Empty,
                keyvault.location = Empty
            ),
            Self::VerifyMlDsa => info_span!(
                "CryptographyClient::verify_ml_dsa",
                az.namespace = ns,
                server.address = address,
                key.name = key,
                api_version = Empty,
                az.client_request_id = Empty,
                az.service_request_id = Empty,
                keyvault.location = Empty
            ),
            Self::WrapKey => info_span!(
                "CryptographyClient::wrap_key",
                az.namespace = ns,
                server.address = address,
                key.name = key,
                api_version = Empty,
                az.client_request_id = Empty,
                az.service_request_id = Empty,
                keyvault.location = Empty
            ),
            Self::UnwrapKey => info_span!(
                "CryptographyClient::unwrap_key",
                az.namespace = ns,
                server.address = address,
                key.name = key,
                api_version = Empty,
                az.client_request_id = Empty,
                az.service_request_id = Empty,
                keyvault.location = Empty
            ),
        }
    }
}

/// Whether a subscriber may want the operations' INFO spans: one atomic load.
#[inline]
pub(super) fn enabled() -> bool {
    Level::INFO <= STATIC_MAX_LEVEL && Level::INFO <= LevelFilter::current()
}

/// Records where the operation ran on its span; nothing (not even the field lookup) when
/// the span is disabled, so the local fast path stays as it was.
#[inline]
pub(super) fn record_location(span: &Span, location: OperationLocation) {
    if !span.is_disabled() {
        let location = match location {
            OperationLocation::Local => "local",
            OperationLocation::Remote => "remote",
        };
        span.record("keyvault.location", location);
    }
}
