//! [`Poller`]: a long-running operation you [`wait`](Poller::wait) for, or step through one
//! status at a time with [`poll`](Poller::poll).

use std::fmt;

use kv_core::{ContinuationToken, PollStep};

use super::runtime::Executor;
use crate::error::Result;

/// A long-running operation (the blocking form of [`kv_client::Poller`](crate::Poller)).
///
/// [`wait`](Poller::wait) blocks until the final value; [`poll`](Poller::poll) (or the
/// [`Iterator`]) returns one [`PollStep`] per call, the last one terminal, waiting before
/// each later poll for the service's `Retry-After` or
/// [`PollerOptions::frequency`](crate::PollerOptions::frequency).
/// [`continuation_token`](Poller::continuation_token) resumes the operation with the
/// client's `resume_*` method, in this process or another. Dropping the poller stops polling.
///
/// # Errors
/// The service's errors; `OperationFailed` when the operation ends in failure;
/// `NotSupported` when called from inside an async runtime (see [`blocking`](super)).
pub struct Poller<T> {
    inner: kv_core::Poller<T>,
    executor: Executor,
}

impl<T> fmt::Debug for Poller<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Poller")
            .field("continuation_token", &self.inner.continuation_token())
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static> Poller<T> {
    pub(crate) fn new(inner: kv_core::Poller<T>, executor: Executor) -> Self {
        Self { inner, executor }
    }

    /// The blocking poller of what an async client's `begin_*` or `resume_*` method
    /// returned, on the client's `executor`.
    pub(crate) fn started(inner: Result<kv_core::Poller<T>>, executor: &Executor) -> Result<Self> {
        Ok(Self::new(inner?, executor.clone()))
    }

    /// Polls until the operation ends and returns its final value.
    ///
    /// # Errors
    /// See [`Poller`].
    pub fn wait(self) -> Result<T> {
        self.executor
            .block_on(std::future::IntoFuture::into_future(self.inner))
    }

    /// One status update: the first poll happens at once, each later one after the wait
    /// the service asked for. `None` once the terminal step has been returned.
    ///
    /// # Errors
    /// See [`Poller`].
    pub fn poll(&mut self) -> Option<Result<PollStep<T>>> {
        match self.executor.run(futures::StreamExt::next(&mut self.inner)) {
            Ok(step) => step,
            Err(e) => Some(Err(e)),
        }
    }
}

impl<T> Poller<T> {
    /// The token to resume this operation from, as of the latest poll.
    pub fn continuation_token(&self) -> ContinuationToken {
        self.inner.continuation_token()
    }
}

impl<T: Send + 'static> Iterator for Poller<T> {
    type Item = Result<PollStep<T>>;

    fn next(&mut self) -> Option<Self::Item> {
        self.poll()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PollerOptions;
    use crate::error::ErrorKind;
    use kv_core::PollerStatus;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::Duration;

    /// Succeeds at the third poll; the token records the polls made.
    fn counting(start: &str, calls: Arc<AtomicU32>) -> kv_core::Poller<String> {
        kv_core::Poller::new(
            ContinuationToken::new(start),
            PollerOptions {
                frequency: Duration::from_millis(1),
            },
            move |token| {
                calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    let n: u32 = token.as_str().parse().unwrap_or(0) + 1;
                    let step = if n >= 3 {
                        PollStep::succeeded(format!("done after {n}"))
                    } else {
                        PollStep::in_progress()
                    };
                    Ok(PollStep {
                        continuation_token: Some(ContinuationToken::new(n.to_string())),
                        ..step
                    })
                }
            },
        )
    }

    #[test]
    fn wait_returns_the_final_value() {
        let calls = Arc::new(AtomicU32::new(0));
        let poller = Poller::new(
            counting("0", calls.clone()),
            Executor::new_runtime().unwrap(),
        );
        assert_eq!(poller.wait().unwrap(), "done after 3");
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn poll_steps_then_resumes_from_the_token() {
        let calls = Arc::new(AtomicU32::new(0));
        let executor = Executor::new_runtime().unwrap();
        let mut poller = Poller::new(counting("0", calls.clone()), executor.clone());
        let first = poller.poll().unwrap().unwrap();
        assert_eq!(first.status, PollerStatus::InProgress);
        let token = poller.continuation_token();
        assert_eq!(token.as_str(), "1");
        drop(poller);

        let resumed = Poller::new(counting(token.as_str(), calls.clone()), executor);
        let statuses: Vec<PollerStatus> = resumed
            .map(|s| s.map(|s| s.status))
            .collect::<Result<_>>()
            .unwrap();
        assert_eq!(
            statuses,
            [PollerStatus::InProgress, PollerStatus::Succeeded]
        );
        assert_eq!(calls.load(Ordering::SeqCst), 3, "no poll repeated");
    }

    #[test]
    fn inside_a_runtime_wait_is_refused() {
        let poller = Poller::new(
            counting("0", Arc::default()),
            Executor::new_runtime().unwrap(),
        );
        let outer = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let err = outer.block_on(async { poller.wait() }).unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::NotSupported);
    }
}
