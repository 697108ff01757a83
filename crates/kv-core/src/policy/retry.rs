//! Retries: which outcomes are retried, how long to wait, and the loop itself.

use std::{future::Future, time::Duration};

use tokio::time::Instant;

use crate::{
    Error, ErrorKind, Result, error::is_retryable_status, options::RetryOptions,
    transport::Response,
};

/// Exponential backoff for retry number `retry` (0-based): `initial * 2^retry`, capped at
/// `max_delay`, times a jitter factor in [0.8, 1.2).
pub(crate) fn backoff(options: &RetryOptions, retry: u32) -> Duration {
    let base = options
        .initial_delay
        .saturating_mul(2u32.saturating_pow(retry.min(31)))
        .min(options.max_delay);
    // Jitter only spreads clients apart; if the OS RNG fails, no jitter is fine.
    let r = getrandom::u32().unwrap_or(u32::MAX / 2);
    let factor = 0.8 + 0.4 * (f64::from(r) / (f64::from(u32::MAX) + 1.0));
    base.mul_f64(factor)
}

/// Whether a request may be sent again after it may have reached the service without an
/// answer (a reset connection, a timeout).
///
/// Key Vault's creating operations are not idempotent: a `create`, `rotate` or `import`
/// replayed after the service acted on it adds a second key version the caller never hears
/// of, and a replayed `recover` or `restore` turns a success into a `Conflict`. Those are
/// retried only when the service answered without acting (408, 429, 5xx) or the connection
/// was never made; otherwise the caller gets the transport error and decides (list the
/// versions, or retry knowingly). Reads, crypto operations (no state), updates, deletes and
/// PUTs that set a named resource to a given state are replayed as usual.
pub(crate) fn replay_safe(method: &http::Method, path: &str) -> bool {
    use http::Method;
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let last = segments
        .last()
        .copied()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match *method {
        Method::GET | Method::HEAD | Method::OPTIONS | Method::DELETE | Method::PATCH => true,
        Method::POST => match last.as_str() {
            "encrypt" | "decrypt" | "sign" | "verify" | "wrapkey" | "unwrapkey" | "rng"
            | "release" => true,
            // POST /keys/{name}/backup reads a key; POST /backup starts a full backup job.
            "backup" => segments.len() >= 3,
            _ => false,
        },
        Method::PUT => {
            last == "rotationpolicy"
                || segments
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case("Microsoft.Authorization"))
        }
        _ => false,
    }
}

/// Whether an outcome deserves another try, and the wait the service asked for.
fn assess(outcome: &Result<Response>, replay_safe: bool) -> (bool, Option<Duration>) {
    match outcome {
        Ok(response) => (
            is_retryable_status(response.status()),
            response.retry_after(),
        ),
        // Only failures to get any answer; never credential or challenge errors. A request
        // that may have reached the service is replayed only when that is harmless.
        Err(e) => (
            matches!(e.kind(), ErrorKind::Transport | ErrorKind::Timeout)
                && (replay_safe || e.is_connect()),
            None,
        ),
    }
}

/// Runs `try_once(n)` for n = 0, 1, ... until it succeeds, fails for good, or the budget in
/// `options` is spent. Each try is bounded by `options.try_timeout`. Returns the last
/// outcome and the number of retries made. With `replay_safe` false, a try that may have
/// reached the service (anything but a connect error) is not repeated.
pub(crate) async fn run<F, Fut>(
    options: &RetryOptions,
    replay_safe: bool,
    mut try_once: F,
) -> (Result<Response>, u32)
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<Response>>,
{
    let start = Instant::now();
    let mut retries = 0u32;
    loop {
        let outcome = match tokio::time::timeout(options.try_timeout, try_once(retries)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(Error::timeout(format!(
                "try timed out after {:?}",
                options.try_timeout
            ))),
        };
        let (retryable, asked) = assess(&outcome, replay_safe);
        if !retryable || retries >= options.max_retries {
            let outcome = match outcome {
                Err(e)
                    if !replay_safe
                        && !e.is_connect()
                        && matches!(e.kind(), ErrorKind::Transport | ErrorKind::Timeout) =>
                {
                    Err(e.with_note(
                        "; the service may have performed this non-idempotent request, \
                         so it was not retried",
                    ))
                }
                other => other,
            };
            return (outcome, retries);
        }
        let wait = asked.unwrap_or_else(|| backoff(options, retries));
        if start.elapsed().saturating_add(wait) > options.max_elapsed {
            tracing::debug!(
                wait_ms = wait.as_millis() as u64,
                "retry budget spent; giving up"
            );
            return (outcome, retries);
        }
        tracing::debug!(
            retry = retries + 1,
            wait_ms = wait.as_millis() as u64,
            from_service = asked.is_some(),
            "retrying"
        );
        tokio::time::sleep(wait).await;
        retries += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    use std::sync::atomic::{AtomicU32, Ordering};

    #[test]
    fn backoff_grows_with_jitter_and_cap() {
        let o = RetryOptions::default();
        for retry in 0..40 {
            let d = backoff(&o, retry);
            let base = o
                .initial_delay
                .saturating_mul(2u32.saturating_pow(retry.min(31)))
                .min(o.max_delay);
            assert!(
                d >= base.mul_f64(0.8) && d < base.mul_f64(1.2),
                "{retry}: {d:?}"
            );
        }
    }

    fn response(status: u16, headers: &[(&str, &str)]) -> Result<Response> {
        Ok(crate::test_util::response(status, headers, Bytes::new()))
    }

    #[tokio::test(start_paused = true)]
    async fn bounded_by_count_and_elapsed() {
        let tries = AtomicU32::new(0);
        let options = RetryOptions {
            max_retries: 2,
            ..Default::default()
        };
        let (outcome, retries) = run(&options, true, |_| {
            tries.fetch_add(1, Ordering::SeqCst);
            async { response(503, &[]) }
        })
        .await;
        assert_eq!(outcome.unwrap().status(), 503);
        assert_eq!((retries, tries.load(Ordering::SeqCst)), (2, 3));

        // A Retry-After longer than the budget is not waited for.
        let tries = AtomicU32::new(0);
        let start = Instant::now();
        let options = RetryOptions {
            max_elapsed: Duration::from_secs(10),
            ..Default::default()
        };
        let (_, retries) = run(&options, true, |_| {
            tries.fetch_add(1, Ordering::SeqCst);
            async { response(429, &[("retry-after", "30")]) }
        })
        .await;
        assert_eq!((retries, tries.load(Ordering::SeqCst)), (0, 1));
        assert_eq!(start.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn never_retries_client_errors_or_credential_failures() {
        for status in [400, 401, 403, 404, 409] {
            let tries = AtomicU32::new(0);
            let (_, retries) = run(&RetryOptions::default(), true, |_| {
                tries.fetch_add(1, Ordering::SeqCst);
                async move { response(status, &[]) }
            })
            .await;
            assert_eq!((retries, tries.load(Ordering::SeqCst)), (0, 1), "{status}");
        }
        let (outcome, retries) = run(&RetryOptions::default(), true, |_| async {
            Err(Error::new(ErrorKind::Credential, "no"))
        })
        .await;
        assert_eq!(
            (outcome.unwrap_err().kind(), retries),
            (&ErrorKind::Credential, 0)
        );
    }

    #[test]
    fn creating_requests_are_not_replay_safe() {
        use http::Method;
        for (method, path) in [
            (Method::POST, "/keys/k/create"),
            (Method::POST, "/keys/k/rotate"),
            (Method::PUT, "/keys/k"),
            (Method::POST, "/keys/restore"),
            (Method::POST, "/deletedkeys/k/recover"),
            (Method::POST, "/backup"),
            (Method::PUT, "/restore"),
            (Method::PUT, "/keys/k/restore"),
        ] {
            assert!(!replay_safe(&method, path), "{method} {path}");
        }
        for (method, path) in [
            (Method::GET, "/keys/k/"),
            (Method::DELETE, "/keys/k"),
            (Method::PATCH, "/keys/k/v"),
            (Method::POST, "/keys/k/v/sign"),
            (Method::POST, "/keys/k//unwrapkey"),
            (Method::POST, "/keys/k/backup"),
            (Method::POST, "/rng"),
            (Method::PUT, "/keys/k/rotationpolicy"),
            (
                Method::PUT,
                "//providers/Microsoft.Authorization/roleAssignments/x",
            ),
        ] {
            assert!(replay_safe(&method, path), "{method} {path}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn non_idempotent_requests_are_not_replayed_after_sending() {
        let tries = AtomicU32::new(0);
        let (outcome, retries) = run(&RetryOptions::default(), false, |_| {
            tries.fetch_add(1, Ordering::SeqCst);
            async { Err(Error::new(ErrorKind::Transport, "connection reset")) }
        })
        .await;
        let err = outcome.unwrap_err();
        assert_eq!((retries, tries.load(Ordering::SeqCst)), (0, 1));
        assert!(err.to_string().contains("not retried"), "{err}");
        // Never sent: safe to try again.
        let tries = AtomicU32::new(0);
        let (outcome, retries) = run(&RetryOptions::default(), false, |n| {
            tries.fetch_add(1, Ordering::SeqCst);
            async move {
                if n == 0 {
                    Err(Error::connect("connection refused", "refused"))
                } else {
                    response(200, &[])
                }
            }
        })
        .await;
        assert_eq!(outcome.unwrap().status(), 200);
        assert_eq!((retries, tries.load(Ordering::SeqCst)), (1, 2));
        // The service answered without acting: retried as usual.
        let (outcome, retries) = run(&RetryOptions::default(), false, |n| async move {
            response(if n == 0 { 503 } else { 200 }, &[])
        })
        .await;
        assert_eq!((outcome.unwrap().status().as_u16(), retries), (200, 1));
    }

    #[tokio::test(start_paused = true)]
    async fn per_try_timeout_is_retried() {
        let options = RetryOptions {
            try_timeout: Duration::from_secs(5),
            max_retries: 1,
            ..Default::default()
        };
        let start = Instant::now();
        let (outcome, retries) = run(&options, true, |n| async move {
            if n == 0 {
                tokio::time::sleep(Duration::from_secs(60)).await;
            }
            response(200, &[])
        })
        .await;
        assert_eq!(outcome.unwrap().status(), 200);
        assert_eq!(retries, 1);
        let elapsed = start.elapsed();
        assert!(
            elapsed >= Duration::from_secs(5) && elapsed < Duration::from_secs(7),
            "{elapsed:?}"
        );
    }
}
