//! Long-running operations: a [`Poller`] you `.await` for the final value or iterate for
//! each status, resumable from a [`ContinuationToken`].

use std::{
    fmt,
    future::{Future, IntoFuture},
    pin::Pin,
    str::FromStr,
    sync::{Arc, Mutex, PoisonError},
    task::{Context, Poll},
    time::Duration,
};

use futures::{Stream, StreamExt, TryStreamExt, future::BoxFuture, stream::BoxStream};

use crate::{Error, ErrorKind, Result};

/// The state of a long-running operation, as the service words it (case-insensitive).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PollerStatus {
    /// Still running (`InProgress`, `Running`, `NotStarted`).
    InProgress,
    /// Finished well.
    Succeeded,
    /// Finished in failure.
    Failed,
    /// Canceled.
    Canceled,
    /// A status this library does not know; treated as still running.
    Unknown(String),
}

impl PollerStatus {
    /// The service's word.
    pub fn as_str(&self) -> &str {
        match self {
            Self::InProgress => "InProgress",
            Self::Succeeded => "Succeeded",
            Self::Failed => "Failed",
            Self::Canceled => "Canceled",
            Self::Unknown(s) => s,
        }
    }

    /// Whether the operation is over.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Canceled)
    }
}

impl FromStr for PollerStatus {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "inprogress" | "running" | "notstarted" => Self::InProgress,
            "succeeded" | "success" | "completed" => Self::Succeeded,
            "failed" => Self::Failed,
            "canceled" | "cancelled" => Self::Canceled,
            _ => Self::Unknown(s.to_owned()),
        })
    }
}

impl fmt::Display for PollerStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An opaque string from which a poller can be rebuilt (in another process, later).
///
/// The client that made the poller defines what is inside; hand it back to that client.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ContinuationToken(String);

impl ContinuationToken {
    /// Wraps `token`.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The token's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ContinuationToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One status update of a long-running operation.
#[derive(Clone, Debug)]
pub struct PollStep<T> {
    /// The status.
    pub status: PollerStatus,
    /// The value: required with `Succeeded`, optional otherwise (the latest state).
    pub value: Option<T>,
    /// How long the service asked to wait before the next poll (`Retry-After`).
    pub retry_after: Option<Duration>,
    /// A new continuation token, when the next poll needs another one.
    pub continuation_token: Option<ContinuationToken>,
}

impl<T> PollStep<T> {
    /// Still running.
    pub fn in_progress() -> Self {
        Self {
            status: PollerStatus::InProgress,
            value: None,
            retry_after: None,
            continuation_token: None,
        }
    }

    /// Done, with `value`.
    pub fn succeeded(value: T) -> Self {
        Self {
            status: PollerStatus::Succeeded,
            value: Some(value),
            ..Self::in_progress()
        }
    }

    /// This step with the service's requested wait.
    #[must_use]
    pub fn with_retry_after(mut self, retry_after: Option<Duration>) -> Self {
        self.retry_after = retry_after;
        self
    }
}

/// How a poller polls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PollerOptions {
    /// The wait between polls when the service names none (default 2 s; zero for tests).
    pub frequency: Duration,
}

impl Default for PollerOptions {
    fn default() -> Self {
        Self {
            frequency: Duration::from_secs(2),
        }
    }
}

/// A long-running operation: `.await` it for the final value, or use it as a `Stream` of
/// [`PollStep`]s that ends with the terminal one.
///
/// The first poll happens at once; each later one after the service's `Retry-After`, else
/// after [`PollerOptions::frequency`]. Dropping the poller stops polling.
///
/// ```
/// # async fn demo() -> kv_core::Result<()> {
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use kv_core::{ContinuationToken, PollStep, Poller, PollerOptions};
/// let polls = AtomicU32::new(0);
/// let poller = Poller::new(
///     ContinuationToken::new("op-1"),
///     PollerOptions { frequency: std::time::Duration::ZERO },
///     move |_token| {
///         let n = polls.fetch_add(1, Ordering::SeqCst);
///         async move { Ok(if n < 2 { PollStep::in_progress() } else { PollStep::succeeded("done") }) }
///     },
/// );
/// assert_eq!(poller.await?, "done");
/// # Ok(()) }
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(demo()).unwrap();
/// ```
pub struct Poller<T> {
    steps: BoxStream<'static, Result<PollStep<T>>>,
    token: Arc<Mutex<ContinuationToken>>,
}

impl<T> fmt::Debug for Poller<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Poller")
            .field("continuation_token", &self.continuation_token())
            .finish_non_exhaustive()
    }
}

struct State {
    token: ContinuationToken,
    wait: Option<Duration>,
    done: bool,
}

impl<T: Send + 'static> Poller<T> {
    /// A poller that calls `poll(token)` until it returns a terminal status. Start it with
    /// the token of a fresh operation, or with one saved from
    /// [`Poller::continuation_token`] to resume.
    pub fn new<F, Fut>(token: ContinuationToken, options: PollerOptions, poll: F) -> Self
    where
        F: Fn(ContinuationToken) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<PollStep<T>>> + Send + 'static,
    {
        let shared = Arc::new(Mutex::new(token.clone()));
        let latest = shared.clone();
        let state = State {
            token,
            wait: None,
            done: false,
        };
        let steps = futures::stream::try_unfold(state, move |state| {
            let next = (!state.done).then(|| (state.wait, poll(state.token.clone())));
            let frequency = options.frequency;
            let latest = latest.clone();
            async move {
                let Some((wait, next)) = next else {
                    return Ok(None);
                };
                if let Some(wait) = wait.filter(|w| !w.is_zero()) {
                    tokio::time::sleep(wait).await;
                }
                let step = next.await?;
                let token = match &step.continuation_token {
                    Some(t) => {
                        *latest.lock().unwrap_or_else(PoisonError::into_inner) = t.clone();
                        t.clone()
                    }
                    None => state.token,
                };
                let state = State {
                    token,
                    wait: Some(step.retry_after.unwrap_or(frequency)),
                    done: step.status.is_terminal(),
                };
                Ok(Some((step, state)))
            }
        });
        Self {
            steps: steps.boxed(),
            token: shared,
        }
    }

    async fn wait(mut self) -> Result<T> {
        while let Some(step) = self.steps.try_next().await? {
            match step.status {
                PollerStatus::Succeeded => {
                    return step.value.ok_or_else(|| {
                        Error::new(
                            ErrorKind::Decode,
                            "the operation succeeded without a result",
                        )
                    });
                }
                PollerStatus::Failed | PollerStatus::Canceled => {
                    return Err(Error::new(
                        ErrorKind::OperationFailed,
                        format!("the long-running operation ended: {}", step.status),
                    ));
                }
                _ => {}
            }
        }
        Err(Error::new(
            ErrorKind::OperationFailed,
            "the long-running operation ended without a final status",
        ))
    }
}

impl<T> Poller<T> {
    /// The token to resume this operation from, as of the latest poll.
    pub fn continuation_token(&self) -> ContinuationToken {
        self.token
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl<T> Stream for Poller<T> {
    type Item = Result<PollStep<T>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.steps.poll_next_unpin(cx)
    }
}

impl<T> Unpin for Poller<T> {}

impl<T: Send + 'static> IntoFuture for Poller<T> {
    type Output = Result<T>;
    type IntoFuture = BoxFuture<'static, Result<T>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.wait())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use tokio::time::Instant;

    /// An operation that finishes at its third poll; the token counts polls so a resumed
    /// poller continues where the first one stopped.
    fn counting_poller(start: ContinuationToken, calls: Arc<AtomicU32>) -> Poller<String> {
        Poller::new(start, PollerOptions::default(), move |token| {
            calls.fetch_add(1, Ordering::SeqCst);
            async move {
                let n: u32 = token
                    .as_str()
                    .trim_start_matches("op:")
                    .parse()
                    .unwrap_or(0)
                    + 1;
                let step = if n >= 3 {
                    PollStep::succeeded(format!("done after {n}"))
                } else {
                    PollStep::in_progress().with_retry_after(Some(Duration::from_secs(7)))
                };
                Ok(PollStep {
                    continuation_token: Some(ContinuationToken::new(format!("op:{n}"))),
                    ..step
                })
            }
        })
    }

    #[tokio::test(start_paused = true)]
    async fn awaits_to_completion_honouring_retry_after() {
        let calls = Arc::new(AtomicU32::new(0));
        let start = Instant::now();
        let value = counting_poller(ContinuationToken::new("op:0"), calls.clone())
            .await
            .unwrap();
        assert_eq!(value, "done after 3");
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert_eq!(
            start.elapsed(),
            Duration::from_secs(14),
            "two Retry-After waits"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn iterates_then_resumes_from_a_token() {
        let calls = Arc::new(AtomicU32::new(0));
        let mut poller = counting_poller(ContinuationToken::new("op:0"), calls.clone());
        let first = poller.try_next().await.unwrap().unwrap();
        assert_eq!(first.status, PollerStatus::InProgress);
        let token = poller.continuation_token();
        assert_eq!(token.as_str(), "op:1");
        drop(poller);

        let resumed = counting_poller(token, calls.clone());
        let statuses: Vec<PollerStatus> = resumed.map_ok(|s| s.status).try_collect().await.unwrap();
        assert_eq!(
            statuses,
            [PollerStatus::InProgress, PollerStatus::Succeeded]
        );
        assert_eq!(
            calls.load(Ordering::SeqCst),
            3,
            "no poll repeated after resuming"
        );
    }

    #[tokio::test]
    async fn failure_and_zero_interval() {
        let poller = Poller::<u8>::new(
            ContinuationToken::new("x"),
            PollerOptions {
                frequency: Duration::ZERO,
            },
            |_| async {
                Ok(PollStep {
                    status: "FAILED".parse().unwrap(),
                    ..PollStep::in_progress()
                })
            },
        );
        let err = poller.await.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::OperationFailed);
    }

    #[test]
    fn status_words() {
        assert_eq!(
            "inprogress".parse::<PollerStatus>().unwrap(),
            PollerStatus::InProgress
        );
        assert_eq!(
            "Succeeded".parse::<PollerStatus>().unwrap(),
            PollerStatus::Succeeded
        );
        let odd: PollerStatus = "Paused".parse().unwrap();
        assert_eq!(odd.as_str(), "Paused");
        assert!(!odd.is_terminal());
    }
}
