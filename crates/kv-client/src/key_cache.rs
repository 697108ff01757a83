//! When the [`CryptographyClient`](crate::CryptographyClient) fetches key material: the
//! lazy-fetch rules as a small state machine with no I/O, so each rule is unit-tested.

use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the cache knows about the key material.
#[derive(Debug)]
enum State<T> {
    /// Never fetched.
    Empty,
    /// Fetched at `at`; `retry_after` is set when a later refresh failed.
    Held {
        value: Arc<T>,
        at: Instant,
        failed_at: Option<Instant>,
    },
    /// The fetch answered 403: the caller may use the key but not read it. Remote only,
    /// for good.
    Forbidden,
    /// The last fetch failed for another reason at this moment.
    Failed(Instant),
}

/// How the last fetch went, as the cache needs to know it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FetchFailure {
    /// 403: never try again.
    Forbidden,
    /// Anything else: try again after the retry interval.
    Other,
}

/// The lazy-fetch rules.
#[derive(Debug)]
pub(crate) struct KeyCache<T> {
    state: State<T>,
    /// The client was built for one key version: the material never changes.
    pinned: bool,
    refresh_interval: Duration,
    retry_interval: Duration,
}

impl<T> KeyCache<T> {
    /// An empty cache for a client whose key id is pinned to a version or not.
    pub(crate) fn new(pinned: bool, refresh_interval: Duration, retry_interval: Duration) -> Self {
        Self {
            state: State::Empty,
            pinned,
            refresh_interval,
            retry_interval,
        }
    }

    /// A cache that starts with `value` (from `from_key`), fetched "now".
    pub(crate) fn with_value(
        value: T,
        now: Instant,
        pinned: bool,
        refresh_interval: Duration,
        retry_interval: Duration,
    ) -> Self {
        Self {
            state: State::Held {
                value: Arc::new(value),
                at: now,
                failed_at: None,
            },
            pinned,
            refresh_interval,
            retry_interval,
        }
    }

    /// Whether an operation starting at `now` should (re)fetch the key first.
    pub(crate) fn should_fetch(&self, now: Instant) -> bool {
        let elapsed = |since: Instant| now.saturating_duration_since(since);
        match &self.state {
            State::Empty => true,
            State::Forbidden => false,
            State::Failed(at) => elapsed(*at) >= self.retry_interval,
            State::Held { at, failed_at, .. } => {
                if self.pinned || elapsed(*at) < self.refresh_interval {
                    return false;
                }
                failed_at.is_none_or(|f| elapsed(f) >= self.retry_interval)
            }
        }
    }

    /// Whether the held material can never change (a pinned version, fetched): callers may
    /// keep it and skip the cache from then on.
    pub(crate) fn is_settled(&self) -> bool {
        self.pinned && matches!(self.state, State::Held { .. })
    }

    /// The material to use now, if any.
    pub(crate) fn current(&self) -> Option<Arc<T>> {
        match &self.state {
            State::Held { value, .. } => Some(Arc::clone(value)),
            _ => None,
        }
    }

    /// Records a successful fetch at `now`.
    pub(crate) fn record_success(&mut self, value: T, now: Instant) {
        self.state = State::Held {
            value: Arc::new(value),
            at: now,
            failed_at: None,
        };
    }

    /// Records a failed fetch at `now`. A 403 drops any material for good; another failure
    /// keeps material fetched earlier (a refresh that failed) and schedules a new try.
    pub(crate) fn record_failure(&mut self, failure: FetchFailure, now: Instant) {
        if failure == FetchFailure::Forbidden {
            self.state = State::Forbidden;
            return;
        }
        self.state = match std::mem::replace(&mut self.state, State::Empty) {
            State::Held { value, at, .. } => State::Held {
                value,
                at,
                failed_at: Some(now),
            },
            State::Forbidden => State::Forbidden,
            State::Empty | State::Failed(_) => State::Failed(now),
        };
    }

    /// Whether a 403 made this client remote-only for good.
    #[cfg(test)]
    pub(crate) fn is_forbidden(&self) -> bool {
        matches!(self.state, State::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REFRESH: Duration = Duration::from_secs(3600);
    const RETRY: Duration = Duration::from_secs(60);

    fn versionless() -> KeyCache<&'static str> {
        KeyCache::new(false, REFRESH, RETRY)
    }

    #[test]
    fn fetches_lazily_once() {
        let t0 = Instant::now();
        let mut c = versionless();
        assert!(c.should_fetch(t0));
        assert!(c.current().is_none());
        c.record_success("v1", t0);
        assert_eq!(c.current().as_deref(), Some(&"v1"));
        assert!(!c.should_fetch(t0 + Duration::from_secs(10)));
    }

    #[test]
    fn forbidden_means_remote_only_for_good() {
        let t0 = Instant::now();
        let mut c = versionless();
        c.record_failure(FetchFailure::Forbidden, t0);
        assert!(c.is_forbidden());
        assert!(!c.should_fetch(t0 + Duration::from_secs(100_000)));
        assert!(c.current().is_none());
        // Even a later "other" failure cannot undo it.
        c.record_failure(FetchFailure::Other, t0);
        assert!(c.is_forbidden());
    }

    #[test]
    fn other_failures_retry_later() {
        let t0 = Instant::now();
        let mut c = versionless();
        c.record_failure(FetchFailure::Other, t0);
        assert!(c.current().is_none());
        assert!(!c.should_fetch(t0 + Duration::from_secs(59)));
        assert!(c.should_fetch(t0 + RETRY));
        c.record_success("v1", t0 + RETRY);
        assert_eq!(c.current().as_deref(), Some(&"v1"));
    }

    #[test]
    fn versionless_refreshes_after_the_interval() {
        let t0 = Instant::now();
        let mut c = versionless();
        c.record_success("v1", t0);
        assert!(!c.should_fetch(t0 + REFRESH - Duration::from_secs(1)));
        assert!(c.should_fetch(t0 + REFRESH));
        c.record_success("v2", t0 + REFRESH);
        assert_eq!(c.current().as_deref(), Some(&"v2"));
    }

    #[test]
    fn failed_refresh_keeps_the_old_key_and_waits() {
        let t0 = Instant::now();
        let mut c = versionless();
        c.record_success("v1", t0);
        let t1 = t0 + REFRESH;
        c.record_failure(FetchFailure::Other, t1);
        assert_eq!(c.current().as_deref(), Some(&"v1"));
        assert!(!c.should_fetch(t1 + Duration::from_secs(1)));
        assert!(c.should_fetch(t1 + RETRY));
    }

    #[test]
    fn pinned_version_never_refreshes() {
        let t0 = Instant::now();
        let c = KeyCache::with_value("v1", t0, true, REFRESH, RETRY);
        assert!(!c.should_fetch(t0 + REFRESH * 100));
        assert_eq!(c.current().as_deref(), Some(&"v1"));
    }

    #[test]
    fn zero_refresh_interval_refetches_every_time() {
        let t0 = Instant::now();
        let c = KeyCache::with_value("v1", t0, false, Duration::ZERO, RETRY);
        assert!(c.should_fetch(t0));
    }
}
