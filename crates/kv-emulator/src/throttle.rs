//! Throttling like the service: `--throttle service-limits` or `--throttle N/10s`.
//!
//! # `service-limits`
//! Key Vault's published limits (learn.microsoft.com, "Azure Key Vault service limits",
//! resource type vault): per vault, per 10-second window,
//!
//! | Key type              | HSM create | HSM other | Software create | Software other |
//! |-----------------------|-----------:|----------:|----------------:|---------------:|
//! | RSA 2048, every EC curve |      10 |     2,000 |              20 |          4,000 |
//! | RSA 3072              |         10 |       500 |              20 |          1,000 |
//! | RSA 4096              |         10 |       250 |              20 |            500 |
//!
//! The thresholds are weighted and enforced on their sum, as the service documents: each
//! request costs `4000 / limit` units of a 4,000-unit budget per vault and window (a
//! software RSA 2048 `get` costs 1, an HSM RSA 4096 `sign` 16, a software key `create`
//! 200), so 248 HSM RSA 4096 operations and 16 HSM RSA 2048 operations fill a window
//! exactly. Creating a key (and rotating one, which creates a version) uses the create
//! column of the new key's type; an operation on an existing key uses the other column of
//! its stored type; anything else (listing, `rng`, administration) costs 1, the vault's
//! overall cap of 4,000 transactions. `oct-HSM` keys count as HSM RSA 2048. A vault is a
//! host name (`a.vault.localhost` and `b.vault.localhost` are throttled apart).
//!
//! # `N/Ts`
//! One cap for every request: at most `N` requests per vault in each window of `T` seconds
//! (`500/10s`; a shorter window such as `100/1s` keeps tests fast).
//!
//! # The answer
//! A request over the budget gets the service's `429` with
//! `{"error":{"code":"Throttled","message":"Request was not processed because too many
//! requests were received. Reason: VaultRequestTypeLimitReached"}}` (or
//! `VaultOperationLimitReached` for the overall and custom caps) and `Retry-After` with the
//! whole seconds left in the window. As on the service, refused requests do not count.
//! The window is real time (not the movable clock). `/healthz`, `/_emulator/...` and the
//! token endpoints are never throttled.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kv_jwk::KeyType;

use crate::keymat::{KeySpec, Shape};
use crate::request::{MAX_BODY_BYTES, request_host};
use crate::state::AppState;

/// The service's window.
pub const SERVICE_WINDOW: Duration = Duration::from_secs(10);
/// Units in one vault's budget per window under `service-limits` (the RSA 2048 software
/// "other" limit, the cheapest operation, costs 1).
pub const SERVICE_BUDGET: u32 = 4_000;

/// What `--throttle` asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ThrottleSpec {
    /// The service's published per-vault limits, weighted by key type and operation.
    ServiceLimits,
    /// At most `requests` requests per vault in each `window`.
    Cap {
        /// Requests allowed per window.
        requests: u32,
        /// The window.
        window: Duration,
    },
}

/// A `--throttle` value that is neither `service-limits` nor `N/Ts`.
#[derive(Debug, thiserror::Error)]
#[error(
    "throttle must be `service-limits` or `N/Ts` such as `500/10s` (N and T at least 1), got `{0}`"
)]
pub struct ThrottleSpecError(String);

impl FromStr for ThrottleSpec {
    type Err = ThrottleSpecError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("service-limits") {
            return Ok(Self::ServiceLimits);
        }
        let fail = || ThrottleSpecError(text.to_owned());
        let (requests, window) = text.split_once('/').ok_or_else(fail)?;
        let requests: u32 = requests.trim().parse().map_err(|_| fail())?;
        let secs: u64 = window
            .trim()
            .strip_suffix('s')
            .ok_or_else(fail)?
            .parse()
            .map_err(|_| fail())?;
        if requests == 0 || secs == 0 {
            return Err(fail());
        }
        Ok(Self::Cap {
            requests,
            window: Duration::from_secs(secs),
        })
    }
}

impl fmt::Display for ThrottleSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ServiceLimits => f.write_str("service-limits"),
            Self::Cap { requests, window } => write!(f, "{requests}/{}s", window.as_secs()),
        }
    }
}

/// Requests a key type and operation may make per window under the published limits.
pub fn published_limit(kty: &KeyType, shape: &Shape, create: bool) -> u32 {
    let hsm = kty.is_hsm();
    if create {
        return if hsm { 10 } else { 20 };
    }
    let software = match shape {
        Shape::Rsa { bits, .. } if *bits >= 4096 => 500,
        Shape::Rsa { bits, .. } if *bits >= 3072 => 1_000,
        _ => 4_000,
    };
    if hsm { software / 2 } else { software }
}

/// What one request costs and which limit it counts against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cost {
    units: u32,
    key_limit: bool,
}

const OVERALL: Cost = Cost {
    units: 1,
    key_limit: false,
};

fn key_cost(spec: &KeySpec, create: bool) -> Cost {
    Cost {
        units: SERVICE_BUDGET / published_limit(&spec.kty, &spec.shape, create).max(1),
        key_limit: true,
    }
}

#[derive(Debug)]
struct Window {
    start: Instant,
    used: u32,
}

/// The throttle: one window per vault. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Throttle {
    spec: ThrottleSpec,
    windows: Arc<Mutex<HashMap<String, Window>>>,
    refused: Arc<AtomicU64>,
}

impl Throttle {
    /// A throttle for `spec`.
    pub fn new(spec: ThrottleSpec) -> Self {
        Self {
            spec,
            windows: Arc::default(),
            refused: Arc::default(),
        }
    }

    /// What this throttle applies.
    pub fn spec(&self) -> &ThrottleSpec {
        &self.spec
    }

    /// How many requests were refused with 429 so far.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    fn budget(&self) -> (u32, Duration) {
        match &self.spec {
            ThrottleSpec::ServiceLimits => (SERVICE_BUDGET, SERVICE_WINDOW),
            ThrottleSpec::Cap { requests, window } => (*requests, *window),
        }
    }

    /// Spends `units` of `vault`'s current window, or returns how long until it ends.
    fn spend(&self, vault: &str, units: u32, now: Instant) -> Result<(), Duration> {
        let (budget, length) = self.budget();
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let window = windows.entry(vault.to_owned()).or_insert(Window {
            start: now,
            used: 0,
        });
        let elapsed = now.saturating_duration_since(window.start);
        if elapsed >= length {
            window.start = now;
            window.used = 0;
        }
        match window.used.checked_add(units) {
            Some(used) if used <= budget => {
                window.used = used;
                Ok(())
            }
            _ => {
                self.refused.fetch_add(1, Ordering::Relaxed);
                Err(length.saturating_sub(now.saturating_duration_since(window.start)))
            }
        }
    }
}

/// The vault a request is for: its host without the port.
fn vault_of(request: &Request) -> String {
    let host = request_host(request).unwrap_or_default();
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host.as_str(),
    };
    name.to_ascii_lowercase()
}

/// Middleware state: the throttle and the application (to look up stored key types).
pub type ThrottleState = (Throttle, AppState);

/// Middleware: refuses a request over its vault's budget with the service's 429.
pub async fn limit(
    State((throttle, state)): State<ThrottleState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let exempt = path == "/healthz"
        || path.starts_with("/_emulator/")
        || path.contains("/oauth2/")
        || path.contains("/.well-known/")
        || path.contains("/discovery/")
        || path == "/generate-test-token"
        || path == "/certs";
    if exempt {
        return next.run(request).await;
    }
    let (request, cost) = match &throttle.spec {
        ThrottleSpec::Cap { .. } => (request, OVERALL),
        ThrottleSpec::ServiceLimits => match cost_of(&state, request).await {
            Ok(pair) => pair,
            Err(e) => return e.into_response(),
        },
    };
    match throttle.spend(&vault_of(&request), cost.units, Instant::now()) {
        Ok(()) => next.run(request).await,
        Err(left) => throttled(
            left,
            cost.key_limit && throttle.spec == ThrottleSpec::ServiceLimits,
        ),
    }
}

/// The cost of a request under the published limits; a create's body is read (and put
/// back) to learn the new key's type.
async fn cost_of(
    state: &AppState,
    request: Request,
) -> Result<(Request, Cost), crate::error::ApiError> {
    let segments: Vec<String> = request
        .uri()
        .path()
        .trim_matches('/')
        .split('/')
        .map(str::to_owned)
        .collect();
    let method = request.method().clone();
    let (name, rest) = match segments.as_slice() {
        [keys, name, rest @ ..] if keys == "keys" && !name.is_empty() => (name.clone(), rest),
        _ => return Ok((request, OVERALL)),
    };
    if method == Method::POST && rest.first().map(String::as_str) == Some("create") {
        let (parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
            .await
            .map_err(|_| crate::error::ApiError::bad("The request body is too large."))?;
        let cost = serde_json::from_slice::<kv_protocol::KeyCreateParameters>(&bytes)
            .ok()
            .and_then(|params| KeySpec::from_create(&params).ok())
            .map_or(OVERALL, |spec| key_cost(&spec, true));
        return Ok((Request::from_parts(parts, Body::from(bytes)), cost));
    }
    let create = method == Method::POST && rest.first().map(String::as_str) == Some("rotate");
    let stored = state
        .store()
        .run(move |tx| tx.latest(&name))
        .await
        .ok()
        .flatten()
        .and_then(|row| KeySpec::from_existing(&row.meta.public, row.meta.key_size).ok());
    let cost = stored.map_or(OVERALL, |spec| key_cost(&spec, create));
    Ok((request, cost))
}

fn throttled(left: Duration, key_limit: bool) -> Response {
    let reason = if key_limit {
        "VaultRequestTypeLimitReached"
    } else {
        "VaultOperationLimitReached"
    };
    let body = kv_protocol::KeyVaultError::new(
        "Throttled",
        format!(
            "Request was not processed because too many requests were received. Reason: {reason}"
        ),
    );
    let mut response = (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response();
    let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_and_print() {
        assert_eq!(
            "service-limits".parse::<ThrottleSpec>().unwrap(),
            ThrottleSpec::ServiceLimits
        );
        let cap: ThrottleSpec = "500/10s".parse().unwrap();
        assert_eq!(
            cap,
            ThrottleSpec::Cap {
                requests: 500,
                window: SERVICE_WINDOW
            }
        );
        assert_eq!(cap.to_string(), "500/10s");
        for bad in ["", "500", "0/10s", "5/0s", "5/10", "x/10s", "5/10m"] {
            assert!(bad.parse::<ThrottleSpec>().is_err(), "{bad}");
        }
    }

    #[test]
    fn published_weights() {
        let rsa = |bits| Shape::Rsa {
            bits,
            exponent: 65_537,
        };
        let cost = |kty: KeyType, shape: Shape, create: bool| {
            key_cost(&KeySpec { kty, shape }, create).units
        };
        assert_eq!(cost(KeyType::Rsa, rsa(2048), false), 1);
        assert_eq!(cost(KeyType::RsaHsm, rsa(2048), false), 2);
        assert_eq!(cost(KeyType::Rsa, rsa(3072), false), 4);
        assert_eq!(cost(KeyType::RsaHsm, rsa(3072), false), 8);
        assert_eq!(cost(KeyType::Rsa, rsa(4096), false), 8);
        assert_eq!(cost(KeyType::RsaHsm, rsa(4096), false), 16);
        assert_eq!(cost(KeyType::Rsa, rsa(4096), true), 200);
        assert_eq!(cost(KeyType::RsaHsm, rsa(2048), true), 400);
        // The documented example: 248 HSM RSA 4096 and 16 HSM RSA 2048 fill a window.
        assert_eq!(248 * 16 + 16 * 2, SERVICE_BUDGET);
    }

    #[test]
    fn windows_refill_per_vault() {
        let throttle = Throttle::new("3/10s".parse().unwrap());
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(throttle.spend("a", 1, t0).is_ok());
        }
        let left = throttle
            .spend("a", 1, t0 + Duration::from_secs(4))
            .unwrap_err();
        assert_eq!(left, Duration::from_secs(6));
        assert!(throttle.spend("b", 1, t0).is_ok(), "another vault");
        assert!(
            throttle.spend("a", 1, t0 + SERVICE_WINDOW).is_ok(),
            "next window"
        );
    }
}
