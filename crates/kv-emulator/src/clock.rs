//! The emulator's movable clock.
//!
//! Every time the emulator reads (`created`, `updated`, `nbf`/`exp` checks, deletion and purge
//! dates, rotation schedules) comes from one [`Clock`]: the system time plus an offset that
//! tests move forward with [`Clock::advance`] (or the `--clock-offset` flag of the binary)
//! instead of sleeping. Moving the clock wakes the background scheduler at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::Notify;
use tokio::sync::futures::Notified;

/// Shared, cheaply cloneable clock: system time plus a movable offset in seconds.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    inner: Arc<ClockInner>,
}

#[derive(Debug, Default)]
struct ClockInner {
    offset_secs: AtomicI64,
    moved: Notify,
}

impl Clock {
    /// A clock that starts `offset_secs` away from the system time.
    pub fn with_offset(offset_secs: i64) -> Self {
        let clock = Self::default();
        clock.inner.offset_secs.store(offset_secs, Ordering::SeqCst);
        clock
    }

    /// Current time in Unix seconds.
    pub fn now(&self) -> i64 {
        let system = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        system.saturating_add(self.inner.offset_secs.load(Ordering::SeqCst))
    }

    /// Moves the clock forward by `by` and wakes everything waiting on [`Clock::moved`].
    pub fn advance(&self, by: Duration) {
        let secs = i64::try_from(by.as_secs()).unwrap_or(i64::MAX);
        self.inner.offset_secs.fetch_add(secs, Ordering::SeqCst);
        self.inner.moved.notify_waiters();
    }

    /// The current offset from the system time, in seconds.
    pub fn offset_secs(&self) -> i64 {
        self.inner.offset_secs.load(Ordering::SeqCst)
    }

    /// A future that resolves the next time the clock is moved. It catches every move made
    /// after this call returns, even before it is first polled.
    pub fn moved(&self) -> Notified<'_> {
        self.inner.moved.notified()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_moves_now() {
        let clock = Clock::default();
        let before = clock.now();
        clock.advance(Duration::from_secs(86_400));
        let after = clock.now();
        assert!(after - before >= 86_400 && after - before < 86_400 + 5);
        assert_eq!(clock.offset_secs(), 86_400);
    }

    #[test]
    fn offset_start() {
        let clock = Clock::with_offset(-100);
        assert_eq!(clock.offset_secs(), -100);
    }
}
