//! When the [`CryptographyClient`](crate::CryptographyClient) fetches key material: the
//! lazy-fetch rules as a small state machine with no I/O, so each rule is unit-tested.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
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

/// When the next fetch is due, as [`KeyCache::next_fetch_due`] answers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Due {
    /// Already.
    Now,
    /// From this moment on.
    At(Instant),
    /// Never again.
    Never,
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

    /// When [`should_fetch`](Self::should_fetch) next answers `true`, so callers can check
    /// a deadline instead of taking the lock that guards the cache.
    pub(crate) fn next_fetch_due(&self) -> Due {
        let after =
            |since: Instant, wait: Duration| since.checked_add(wait).map_or(Due::Never, Due::At);
        match &self.state {
            State::Empty => Due::Now,
            State::Forbidden => Due::Never,
            State::Failed(at) => after(*at, self.retry_interval),
            State::Held { .. } if self.pinned => Due::Never,
            State::Held { at, failed_at, .. } => {
                let refresh = after(*at, self.refresh_interval);
                match failed_at.map(|f| after(f, self.retry_interval)) {
                    None => refresh,
                    Some(retry) => refresh.max(retry),
                }
            }
        }
    }

    /// Whether a 403 made this client remote-only for good.
    #[cfg(test)]
    pub(crate) fn is_forbidden(&self) -> bool {
        matches!(self.state, State::Forbidden)
    }
}

/// `due` value meaning "never fetch again".
const NEVER: u64 = u64::MAX;

/// A [`KeyCache`] shared by every operation of a client, built so that the hot path takes
/// no lock: the material is published in a snapshot, and the moment the next fetch is due
/// in an atomic. Only an operation that finds the deadline passed takes the async mutex
/// (and fetches, once for all waiting operations).
pub(crate) struct SharedKeyCache<T> {
    /// The rules, and the lock held across a fetch.
    rules: tokio::sync::Mutex<KeyCache<T>>,
    /// The material once it can never change: read with one atomic load and no refcount.
    settled: OnceLock<Arc<T>>,
    /// The material to use until `due` (versionless clients between refreshes).
    current: RwLock<Option<Arc<T>>>,
    /// The origin of `due`.
    base: Instant,
    /// Nanoseconds after `base` from which a fetch is due; [`NEVER`] when none ever is.
    due: AtomicU64,
    /// `false` for clients that must never fetch (remote-only mode, no service).
    may_fetch: bool,
}

/// The material an operation runs with: borrowed from the cache once settled, otherwise
/// a reference taken under a read lock that is released at once (so a refresh never waits
/// for operations in flight).
pub(crate) enum Snapshot<'a, T> {
    /// Settled material.
    Settled(&'a T),
    /// The current material of a key that may still be refreshed.
    Current(Option<Arc<T>>),
}

impl<T> Snapshot<'_, T> {
    /// The material, if any.
    pub(crate) fn get(&self) -> Option<&T> {
        match self {
            Self::Settled(v) => Some(v),
            Self::Current(v) => v.as_deref(),
        }
    }
}

impl<T> SharedKeyCache<T> {
    /// Shares `rules`, which never fetch again when `may_fetch` is false.
    pub(crate) fn new(rules: KeyCache<T>, may_fetch: bool) -> Self {
        let base = Instant::now();
        let current = rules.current();
        let settled = OnceLock::new();
        if let (true, Some(value)) = (rules.is_settled(), &current) {
            let _ = settled.set(Arc::clone(value));
        }
        Self {
            due: AtomicU64::new(deadline(&rules, base, may_fetch)),
            rules: tokio::sync::Mutex::new(rules),
            settled,
            current: RwLock::new(current),
            base,
            may_fetch,
        }
    }

    /// Whether an operation must call [`refresh`](Self::refresh) before taking a
    /// [`snapshot`](Self::snapshot). Reads the clock only while a fetch may still be due.
    pub(crate) fn fetch_due(&self, clock: impl FnOnce() -> Instant) -> bool {
        let due = self.due.load(Ordering::Acquire);
        due != NEVER && self.nanos(clock()) >= due
    }

    /// The material once it can never change (no fetch is ever due again): one atomic load.
    #[inline]
    pub(crate) fn settled(&self) -> Option<&T> {
        self.settled.get().map(|v| &**v)
    }

    /// The material to use now. Takes no lock once the material is settled.
    pub(crate) fn snapshot(&self) -> Snapshot<'_, T> {
        match self.settled.get() {
            Some(v) => Snapshot::Settled(v),
            None => Snapshot::Current(
                self.current
                    .read()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone(),
            ),
        }
    }

    /// Takes the async lock and, when a fetch is still due at `clock()` (another operation
    /// may have fetched meanwhile), fetches with `fetch` and records the outcome; then
    /// publishes the material and the next deadline.
    pub(crate) async fn refresh<F, Fut>(&self, clock: impl Fn() -> Instant, fetch: F)
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, FetchFailure>>,
    {
        let mut rules = self.rules.lock().await;
        if self.may_fetch && rules.should_fetch(clock()) {
            // The lock is held across the fetch: concurrent operations wait for one fetch.
            match fetch().await {
                Ok(value) => rules.record_success(value, clock()),
                Err(failure) => rules.record_failure(failure, clock()),
            }
        }
        self.publish(&rules);
    }

    /// Makes `rules`' material and deadline visible to the lock-free path.
    fn publish(&self, rules: &KeyCache<T>) {
        let current = rules.current();
        if let (true, Some(value)) = (rules.is_settled(), &current) {
            let _ = self.settled.set(Arc::clone(value));
        }
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = current;
        self.due.store(
            deadline(rules, self.base, self.may_fetch),
            Ordering::Release,
        );
    }

    fn nanos(&self, at: Instant) -> u64 {
        nanos_since(self.base, at)
    }
}

/// The `due` value for `rules`: nanoseconds after `base`, or [`NEVER`].
fn deadline<T>(rules: &KeyCache<T>, base: Instant, may_fetch: bool) -> u64 {
    match rules.next_fetch_due() {
        _ if !may_fetch => NEVER,
        Due::Now => 0,
        Due::At(at) => nanos_since(base, at),
        Due::Never => NEVER,
    }
}

/// Nanoseconds from `base` to `at` (0 before it), always below [`NEVER`].
fn nanos_since(base: Instant, at: Instant) -> u64 {
    u64::try_from(at.saturating_duration_since(base).as_nanos())
        .unwrap_or(NEVER)
        .min(NEVER - 1)
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

    #[test]
    fn next_fetch_due_agrees_with_should_fetch() {
        let t0 = Instant::now();
        let mut held = versionless();
        held.record_success("v1", t0);
        let mut refresh_failed = versionless();
        refresh_failed.record_success("v1", t0);
        refresh_failed.record_failure(FetchFailure::Other, t0 + REFRESH + RETRY / 2);
        let mut failed = versionless();
        failed.record_failure(FetchFailure::Other, t0);
        let mut forbidden = versionless();
        forbidden.record_failure(FetchFailure::Forbidden, t0);
        let caches = [
            versionless(),
            held,
            refresh_failed,
            failed,
            forbidden,
            KeyCache::with_value("v1", t0, true, REFRESH, RETRY),
            KeyCache::with_value("v1", t0, false, Duration::MAX, RETRY),
        ];
        let step = Duration::from_secs(7);
        for (i, c) in caches.iter().enumerate() {
            let due = c.next_fetch_due();
            for n in 0..1200 {
                let t = t0 + step * n;
                let by_deadline = match due {
                    Due::Now => true,
                    Due::At(at) => t >= at,
                    Due::Never => false,
                };
                assert_eq!(c.should_fetch(t), by_deadline, "cache {i} at {n}");
            }
        }
    }

    /// A clock the test moves by hand.
    #[derive(Clone)]
    struct Clock(Arc<std::sync::Mutex<Instant>>);

    impl Clock {
        fn new() -> Self {
            Self(Arc::new(std::sync::Mutex::new(Instant::now())))
        }
        fn now(&self) -> Instant {
            *self.0.lock().unwrap()
        }
        fn advance(&self, by: Duration) {
            *self.0.lock().unwrap() += by;
        }
    }

    fn block_on<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    /// Refreshes `cache` at the clock's time with a fetch that answers `answer` and counts.
    async fn refresh(
        cache: &SharedKeyCache<&'static str>,
        clock: &Clock,
        fetches: &AtomicU64,
        answer: Result<&'static str, FetchFailure>,
    ) {
        let fetch = || async {
            fetches.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
            answer
        };
        cache.refresh(|| clock.now(), fetch).await;
    }

    fn current(cache: &SharedKeyCache<&'static str>) -> Option<&'static str> {
        cache.snapshot().get().copied()
    }

    #[test]
    fn versionless_snapshot_refetches_after_its_period() {
        block_on(async {
            let clock = Clock::new();
            let fetches = AtomicU64::new(0);
            let cache = SharedKeyCache::new(versionless(), true);
            assert!(cache.fetch_due(|| clock.now()), "empty: fetch on first use");
            assert_eq!(current(&cache), None);
            refresh(&cache, &clock, &fetches, Ok("v1")).await;
            assert_eq!(current(&cache), Some("v1"));
            assert!(matches!(cache.snapshot(), Snapshot::Current(_)));

            clock.advance(REFRESH - Duration::from_secs(1));
            assert!(!cache.fetch_due(|| clock.now()), "within the period");
            clock.advance(Duration::from_secs(1));
            assert!(cache.fetch_due(|| clock.now()), "the period is over");
            refresh(&cache, &clock, &fetches, Ok("v2")).await;
            assert_eq!(current(&cache), Some("v2"));
            assert!(!cache.fetch_due(|| clock.now()));
            assert_eq!(fetches.load(Ordering::SeqCst), 2);

            // An operation that saw the old deadline finds the key fresh under the lock.
            refresh(&cache, &clock, &fetches, Ok("v3")).await;
            assert_eq!(current(&cache), Some("v2"));
            assert_eq!(fetches.load(Ordering::SeqCst), 2);
        });
    }

    #[test]
    fn failed_refresh_serves_the_old_key_until_the_retry() {
        block_on(async {
            let clock = Clock::new();
            let fetches = AtomicU64::new(0);
            let cache = SharedKeyCache::new(versionless(), true);
            refresh(&cache, &clock, &fetches, Ok("v1")).await;
            clock.advance(REFRESH);
            refresh(&cache, &clock, &fetches, Err(FetchFailure::Other)).await;
            assert_eq!(current(&cache), Some("v1"));
            clock.advance(RETRY - Duration::from_secs(1));
            assert!(!cache.fetch_due(|| clock.now()));
            clock.advance(Duration::from_secs(1));
            assert!(cache.fetch_due(|| clock.now()));
            refresh(&cache, &clock, &fetches, Err(FetchFailure::Forbidden)).await;
            assert_eq!(current(&cache), None);
            assert!(!cache.fetch_due(|| panic!("no clock read once forbidden")));
        });
    }

    #[test]
    fn pinned_never_locks_nor_reads_the_clock() {
        let cache = SharedKeyCache::new(
            KeyCache::with_value("v1", Instant::now(), true, REFRESH, RETRY),
            true,
        );
        // Hold the async lock: the hot path must not need it.
        let _held = cache.rules.try_lock().unwrap();
        assert!(!cache.fetch_due(|| panic!("a pinned key never reads the clock")));
        assert!(matches!(cache.snapshot(), Snapshot::Settled(&"v1")));
    }

    #[test]
    fn pinned_settles_after_its_first_fetch() {
        block_on(async {
            let clock = Clock::new();
            let fetches = AtomicU64::new(0);
            let cache = SharedKeyCache::new(KeyCache::new(true, REFRESH, RETRY), true);
            assert!(cache.fetch_due(|| clock.now()));
            refresh(&cache, &clock, &fetches, Ok("v1")).await;
            let _held = cache.rules.try_lock().unwrap();
            assert!(!cache.fetch_due(|| panic!("settled: no clock read")));
            assert!(matches!(cache.snapshot(), Snapshot::Settled(&"v1")));
        });
    }

    #[test]
    fn a_client_that_may_not_fetch_never_does() {
        block_on(async {
            let clock = Clock::new();
            let fetches = AtomicU64::new(0);
            let cache = SharedKeyCache::new(versionless(), false);
            assert!(!cache.fetch_due(|| panic!("no clock read")));
            refresh(&cache, &clock, &fetches, Ok("v1")).await;
            assert_eq!(fetches.load(Ordering::SeqCst), 0);
            assert_eq!(current(&cache), None);
        });
    }

    #[test]
    fn concurrent_refreshes_fetch_once() {
        block_on(async {
            let clock = Clock::new();
            let fetches = AtomicU64::new(0);
            let cache = SharedKeyCache::new(versionless(), true);
            futures::join!(
                refresh(&cache, &clock, &fetches, Ok("v1")),
                refresh(&cache, &clock, &fetches, Ok("other")),
                refresh(&cache, &clock, &fetches, Ok("other")),
            );
            assert_eq!(fetches.load(Ordering::SeqCst), 1);
            assert_eq!(current(&cache), Some("v1"));
        });
    }
}
