//! Fault injection (`--faults SPEC`, [`EmulatorBuilder::faults`](crate::EmulatorBuilder::faults)):
//! a deterministic share of requests is throttled, refused, cut off or slowed down, so
//! clients' retry and idempotency behaviour can be tested.
//!
//! A spec is a comma-separated list of `name=value` pairs; shares are fractions of all
//! requests (their sum must not exceed 1):
//!
//! | name             | meaning                                                                 |
//! |------------------|-------------------------------------------------------------------------|
//! | `seed`           | seed of the decision sequence (default 0)                               |
//! | `429`            | share answered `429 Too Many Requests` with `Retry-After`               |
//! | `503`            | share answered `503 Service Unavailable` (no `Retry-After`)             |
//! | `reset-before`   | share whose connection is dropped before the handler runs               |
//! | `reset-after`    | share whose connection is dropped after the handler ran (the operation took effect, the client never sees the answer) |
//! | `latency`        | share delayed by `latency-ms` before being handled normally             |
//! | `latency-ms`     | added latency in milliseconds (default 100)                             |
//! | `retry-after-ms` | the wait asked for by a 429 (default 1000): sent as `x-ms-retry-after-ms`, and rounded up to whole seconds in `Retry-After` |
//!
//! Example: `--faults seed=7,429=0.05,503=0.05,reset-before=0.03,reset-after=0.03,latency=0.04,latency-ms=20,retry-after-ms=50`.
//!
//! Decision `n` (the n-th request the server sees, counting from 0) depends only on the
//! seed and `n`, so a sequential client sees the same faults on every run. Every injected
//! fault is recorded ([`Faults::log`]) so tests can compare what the client was told with
//! what happened.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode};
use tokio::sync::Notify;

/// What to inject and how often; parsed from the `--faults` syntax (see the module docs).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaultSpec {
    /// Seed of the decision sequence.
    pub seed: u64,
    /// Share of requests answered 429 with a retry-after.
    pub throttle: f64,
    /// Share of requests answered 503.
    pub unavailable: f64,
    /// Share of requests whose connection is dropped before the handler runs.
    pub reset_before: f64,
    /// Share of requests whose connection is dropped after the handler ran.
    pub reset_after: f64,
    /// Share of requests delayed by `latency_ms`.
    pub latency: f64,
    /// Added latency in milliseconds.
    pub latency_ms: u64,
    /// The wait a 429 asks for, in milliseconds.
    pub retry_after_ms: u64,
}

/// A `--faults` spec that does not parse or whose shares are out of range.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid fault spec: {0}")]
pub struct FaultSpecError(String);

impl FromStr for FaultSpec {
    type Err = FaultSpecError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut spec = FaultSpec {
            latency_ms: 100,
            retry_after_ms: 1000,
            ..Default::default()
        };
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| FaultSpecError(format!("`{part}` is not name=value")))?;
            let share = || -> Result<f64, FaultSpecError> {
                match value.trim().parse::<f64>() {
                    Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
                    _ => Err(FaultSpecError(format!(
                        "`{name}` must be a share between 0 and 1"
                    ))),
                }
            };
            let number = || -> Result<u64, FaultSpecError> {
                value
                    .trim()
                    .parse::<u64>()
                    .map_err(|_| FaultSpecError(format!("`{name}` must be a whole number")))
            };
            match name.trim() {
                "seed" => spec.seed = number()?,
                "429" => spec.throttle = share()?,
                "503" => spec.unavailable = share()?,
                "reset-before" => spec.reset_before = share()?,
                "reset-after" => spec.reset_after = share()?,
                "latency" => spec.latency = share()?,
                "latency-ms" => spec.latency_ms = number()?,
                "retry-after-ms" => spec.retry_after_ms = number()?,
                other => return Err(FaultSpecError(format!("unknown fault `{other}`"))),
            }
        }
        spec.validate()?;
        Ok(spec)
    }
}

impl FaultSpec {
    /// Checks that every share is in `[0, 1]` and that they sum to at most 1.
    ///
    /// # Errors
    /// [`FaultSpecError`] naming the problem.
    pub fn validate(&self) -> Result<(), FaultSpecError> {
        let shares = self.shares();
        if shares.iter().any(|s| !(0.0..=1.0).contains(s)) {
            return Err(FaultSpecError("shares must be between 0 and 1".into()));
        }
        if shares.iter().sum::<f64>() > 1.0 + 1e-9 {
            return Err(FaultSpecError("shares add up to more than 1".into()));
        }
        Ok(())
    }

    /// The total share of requests that get a fault.
    pub fn total(&self) -> f64 {
        self.shares().iter().sum()
    }

    fn shares(&self) -> [f64; 5] {
        [
            self.throttle,
            self.unavailable,
            self.reset_before,
            self.reset_after,
            self.latency,
        ]
    }

    /// The fault for decision `n`, if any.
    pub fn decide(&self, n: u64) -> Option<Fault> {
        let draw = unit(splitmix64(self.seed ^ splitmix64(n)));
        let mut bound = 0.0;
        for (share, fault) in self.shares().into_iter().zip(Fault::ALL) {
            bound += share;
            if draw < bound {
                return Some(fault);
            }
        }
        None
    }
}

/// One kind of injected fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fault {
    /// Answered 429 with a retry-after.
    Throttle,
    /// Answered 503.
    Unavailable,
    /// Connection dropped before the handler ran: nothing happened.
    ResetBefore,
    /// Connection dropped after the handler ran: the operation took effect unseen.
    ResetAfter,
    /// Delayed, then handled normally.
    Latency,
}

impl Fault {
    const ALL: [Fault; 5] = [
        Fault::Throttle,
        Fault::Unavailable,
        Fault::ResetBefore,
        Fault::ResetAfter,
        Fault::Latency,
    ];
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Fault::Throttle => "429",
            Fault::Unavailable => "503",
            Fault::ResetBefore => "reset-before",
            Fault::ResetAfter => "reset-after",
            Fault::Latency => "latency",
        })
    }
}

/// One injected fault, as recorded in [`Faults::log`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultRecord {
    /// The decision number (request order as the server saw it).
    pub seq: u64,
    /// The request's method.
    pub method: String,
    /// The request's path (no query).
    pub path: String,
    /// What was injected.
    pub fault: Fault,
}

/// The fault injector shared by all connections: the spec, the decision counter and the
/// log of injected faults.
#[derive(Debug)]
pub struct Faults {
    spec: FaultSpec,
    next: AtomicU64,
    log: Mutex<Vec<FaultRecord>>,
}

impl Faults {
    /// An injector for `spec`, starting at decision 0.
    pub fn new(spec: FaultSpec) -> Arc<Self> {
        Arc::new(Self {
            spec,
            next: AtomicU64::new(0),
            log: Mutex::new(Vec::new()),
        })
    }

    /// The spec in use.
    pub fn spec(&self) -> &FaultSpec {
        &self.spec
    }

    /// How many requests were seen (faulted or not).
    pub fn requests(&self) -> u64 {
        self.next.load(Ordering::SeqCst)
    }

    /// Every fault injected so far, in order.
    pub fn log(&self) -> Vec<FaultRecord> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    fn record(&self, record: FaultRecord) {
        if let Ok(mut log) = self.log.lock() {
            log.push(record);
        }
    }
}

/// The kill switch of the connection a request arrived on; the server puts it in the
/// request's extensions. Notifying it makes the server drop the connection without an
/// answer.
#[derive(Clone, Debug, Default)]
pub struct ConnectionKill(pub Arc<Notify>);

/// Middleware: injects the fault decided for this request (outermost layer).
pub async fn inject(State(faults): State<Arc<Faults>>, request: Request, next: Next) -> Response {
    let seq = faults.next.fetch_add(1, Ordering::SeqCst);
    let Some(fault) = faults.spec.decide(seq) else {
        return next.run(request).await;
    };
    faults.record(FaultRecord {
        seq,
        method: request.method().to_string(),
        path: request.uri().path().to_owned(),
        fault,
    });
    tracing::debug!(seq, %fault, "injecting fault");
    let kill = request.extensions().get::<ConnectionKill>().cloned();
    match fault {
        Fault::Throttle => throttled(faults.spec.retry_after_ms),
        Fault::Unavailable => error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "Injected fault: service unavailable.",
        ),
        Fault::Latency => {
            tokio::time::sleep(Duration::from_millis(faults.spec.latency_ms)).await;
            next.run(request).await
        }
        Fault::ResetBefore => drop_connection(kill).await,
        Fault::ResetAfter => {
            // The handler runs to completion (its effects are committed) before the
            // answer is thrown away.
            let _performed = next.run(request).await;
            drop_connection(kill).await
        }
    }
}

/// Drops the connection: through its kill switch when served by the emulator, otherwise
/// (an in-process router without a socket) with a body that fails.
async fn drop_connection(kill: Option<ConnectionKill>) -> Response {
    match kill {
        Some(ConnectionKill(notify)) => {
            notify.notify_one();
            // The server drops this future together with the connection.
            std::future::pending::<Response>().await
        }
        None => {
            let failing = futures::stream::once(async {
                Err::<bytes::Bytes, _>(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "injected connection reset",
                ))
            });
            Response::new(Body::from_stream(failing))
        }
    }
}

fn throttled(retry_after_ms: u64) -> Response {
    let mut response = error_response(
        StatusCode::TOO_MANY_REQUESTS,
        "Throttled",
        "Injected fault: too many requests.",
    );
    let secs = retry_after_ms.div_ceil(1000);
    let headers = response.headers_mut();
    headers.insert(http::header::RETRY_AFTER, HeaderValue::from(secs));
    headers.insert("x-ms-retry-after-ms", HeaderValue::from(retry_after_ms));
    response
}

fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({"error": {"code": code, "message": message}});
    (status, axum::Json(body)).into_response()
}

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A draw in `[0, 1)` from the top 53 bits.
fn unit(x: u64) -> f64 {
    (x >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        let spec: FaultSpec = "seed=7, 429=0.05,503=0.05,reset-before=0.03,reset-after=0.03,latency=0.04,latency-ms=20,retry-after-ms=50"
            .parse()
            .unwrap();
        assert_eq!(spec.seed, 7);
        assert_eq!(spec.latency_ms, 20);
        assert_eq!(spec.retry_after_ms, 50);
        assert!((spec.total() - 0.2).abs() < 1e-9);
        let defaults: FaultSpec = "".parse().unwrap();
        assert_eq!((defaults.latency_ms, defaults.retry_after_ms), (100, 1000));
        for bad in [
            "429",
            "429=1.5",
            "429=-0.1",
            "429=0.6,503=0.6",
            "boom=0.1",
            "seed=x",
            "latency-ms=1.5",
        ] {
            assert!(bad.parse::<FaultSpec>().is_err(), "{bad}");
        }
    }

    #[test]
    fn decisions_are_deterministic_and_near_the_shares() {
        let spec: FaultSpec = "seed=3,429=0.1,503=0.1,reset-before=0.05,reset-after=0.05"
            .parse()
            .unwrap();
        let first: Vec<_> = (0..10_000).map(|n| spec.decide(n)).collect();
        let again: Vec<_> = (0..10_000).map(|n| spec.decide(n)).collect();
        assert_eq!(first, again);
        let count = |f: Fault| first.iter().filter(|d| **d == Some(f)).count();
        for (fault, expected) in [
            (Fault::Throttle, 1000),
            (Fault::Unavailable, 1000),
            (Fault::ResetBefore, 500),
            (Fault::ResetAfter, 500),
        ] {
            let n = count(fault);
            assert!(n.abs_diff(expected) < expected / 5, "{fault}: {n}");
        }
        assert_eq!(count(Fault::Latency), 0);
        let other: FaultSpec = "seed=4,429=0.1,503=0.1,reset-before=0.05,reset-after=0.05"
            .parse()
            .unwrap();
        assert_ne!(
            first,
            (0..10_000).map(|n| other.decide(n)).collect::<Vec<_>>()
        );
        let none = FaultSpec::default();
        assert!((0..1000).all(|n| none.decide(n).is_none()));
    }

    fn app(spec: &str, hits: Arc<AtomicU64>) -> (axum::Router, Arc<Faults>) {
        let faults = Faults::new(spec.parse().unwrap());
        let app = axum::Router::new()
            .route(
                "/op",
                axum::routing::post(move || async move {
                    hits.fetch_add(1, Ordering::SeqCst);
                    "done"
                }),
            )
            .layer(axum::middleware::from_fn_with_state(faults.clone(), inject));
        (app, faults)
    }

    async fn call(
        app: axum::Router,
    ) -> (
        StatusCode,
        http::HeaderMap,
        Result<bytes::Bytes, axum::Error>,
    ) {
        use tower::ServiceExt;
        let request = Request::builder()
            .method("POST")
            .uri("/op")
            .body(Body::empty())
            .unwrap();
        let response = app.oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        (
            parts.status,
            parts.headers,
            axum::body::to_bytes(body, 1 << 16).await,
        )
    }

    #[tokio::test]
    async fn middleware_injects_each_fault() {
        let hits = Arc::new(AtomicU64::new(0));
        let (throttle, faults) = app("429=1,retry-after-ms=1500", hits.clone());
        let (status, headers, _) = call(throttle).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(headers["retry-after"], "2");
        assert_eq!(headers["x-ms-retry-after-ms"], "1500");
        assert_eq!(faults.log()[0].fault, Fault::Throttle);
        assert_eq!(faults.log()[0].path, "/op");

        let (unavailable, _) = app("503=1", hits.clone());
        assert_eq!(call(unavailable).await.0, StatusCode::SERVICE_UNAVAILABLE);
        let (before, _) = app("reset-before=1", hits.clone());
        assert!(call(before).await.2.is_err());
        assert_eq!(hits.load(Ordering::SeqCst), 0, "no handler ran yet");

        // Reset after: the handler ran, but the answer never arrives whole.
        let (after, _) = app("reset-after=1", hits.clone());
        assert!(call(after).await.2.is_err());
        assert_eq!(hits.load(Ordering::SeqCst), 1);
        let (slow, faults) = app("latency=1,latency-ms=1", hits.clone());
        let (status, _, body) = call(slow).await;
        assert_eq!(
            (status, body.unwrap().as_ref()),
            (StatusCode::OK, &b"done"[..])
        );
        assert_eq!((faults.requests(), faults.log().len()), (1, 1));
        let (none, faults) = app("", hits.clone());
        assert_eq!(call(none).await.0, StatusCode::OK);
        assert_eq!((faults.requests(), faults.log().len()), (1, 0));
        assert_eq!(hits.load(Ordering::SeqCst), 3);
    }
}
