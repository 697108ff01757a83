//! The executor behind every blocking client: a private tokio runtime whose one worker
//! thread drives sockets and timers, while each call's future runs on the caller's thread.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::Duration;

use crate::error::{Error, ErrorKind, Result};

/// How long dropping the last handle waits for the runtime's threads (a DNS lookup in the
/// blocking pool, say) before it leaves them to finish on their own.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// What runs the async client's futures for a blocking client (public only so the sealed
/// wrapper trait can name it; not reachable by name outside the crate).
///
/// Clones share one runtime; the runtime shuts down when the last clone (client, pager or
/// poller) is dropped.
#[derive(Clone, Debug)]
pub enum Executor {
    /// A private runtime, for clients that talk to the service.
    Runtime(Arc<Owner>),
    /// No runtime at all: for local-only clients, whose futures never wait on I/O or
    /// timers, so polling them on the caller's thread is all they need.
    Local,
}

/// Owns the runtime and shuts it down on drop.
#[derive(Debug)]
pub struct Owner {
    runtime: Option<tokio::runtime::Runtime>,
    handle: tokio::runtime::Handle,
}

impl Drop for Owner {
    fn drop(&mut self) {
        let Some(runtime) = self.runtime.take() else {
            return;
        };
        if tokio::runtime::Handle::try_current().is_ok() {
            // Blocking is not allowed inside an async context (tokio would panic): let the
            // worker finish on its own. It holds nothing but idle connections by now.
            runtime.shutdown_background();
        } else {
            runtime.shutdown_timeout(SHUTDOWN_TIMEOUT);
        }
    }
}

impl Executor {
    /// A new private runtime: one worker thread named `kv-client-blocking`.
    ///
    /// # Errors
    /// `Transport` when the operating system refuses the thread or the I/O driver.
    pub(crate) fn new_runtime() -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("kv-client-blocking")
            .enable_all()
            .build()
            .map_err(|e| {
                Error::with_source(
                    ErrorKind::Transport,
                    "could not start the blocking client's runtime",
                    e,
                )
            })?;
        let handle = runtime.handle().clone();
        Ok(Self::Runtime(Arc::new(Owner {
            runtime: Some(runtime),
            handle,
        })))
    }

    /// An async client built by `build` inside a new private runtime (so that whatever it
    /// spawns finds the runtime), with the executor of that runtime: how every blocking
    /// client that talks to the service is constructed.
    ///
    /// # Errors
    /// `Transport` when the runtime cannot start; `build`'s own errors.
    pub(crate) fn start<C>(build: impl FnOnce() -> Result<C>) -> Result<(C, Self)> {
        let executor = Self::new_runtime()?;
        let client = executor.enter(build)?;
        Ok((client, executor))
    }

    /// Runs `f` to completion, blocking the current thread.
    ///
    /// # Errors
    /// `NotSupported` when called from inside an async runtime (see the module docs); the
    /// future's own errors.
    pub(crate) fn block_on<T>(&self, f: impl Future<Output = Result<T>>) -> Result<T> {
        self.run(f)?
    }

    /// Runs `f` to completion, blocking the current thread; fails only when blocking is
    /// refused.
    pub(crate) fn run<F: Future>(&self, f: F) -> Result<F::Output> {
        match self {
            Self::Runtime(owner) => {
                self.check()?;
                // The future runs here, on the caller's thread (local cryptography needs no
                // hand-off); the runtime's worker drives its sockets and timers.
                Ok(owner.handle.block_on(f))
            }
            Self::Local => Ok(park_until_ready(f)),
        }
    }

    /// Whether `self` and `other` run on the same runtime.
    #[cfg(test)]
    pub(crate) fn shares_runtime_with(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Runtime(a), Self::Runtime(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// Whether blocking calls may run here: `NotSupported` inside an async runtime (for an
    /// executor with a runtime).
    pub(crate) fn check(&self) -> Result<()> {
        match self {
            Self::Runtime(_) => refuse_inside_runtime(),
            Self::Local => Ok(()),
        }
    }

    /// Runs `f` with the runtime entered, so that whatever it builds finds the runtime.
    pub(crate) fn enter<R>(&self, f: impl FnOnce() -> R) -> R {
        match self {
            Self::Runtime(owner) => {
                let _guard = owner.handle.enter();
                f()
            }
            Self::Local => f(),
        }
    }
}

/// Blocking on an async runtime's thread would stall (or, on a single-threaded runtime,
/// deadlock) every task of that runtime, and tokio panics when asked to: refuse instead.
fn refuse_inside_runtime() -> Result<()> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::new(
            ErrorKind::NotSupported,
            "a blocking Key Vault client was called from inside an async runtime; \
             use the async client there (kv_client::KeyClient and the others), \
             or call the blocking one from a thread that runs no runtime",
        ));
    }
    Ok(())
}

/// Wakes a parked thread.
struct ThreadWaker(Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `f` on this thread, parking between polls until its waker fires.
fn park_until_ready<F: Future>(f: F) -> F::Output {
    let waker = Waker::from(Arc::new(ThreadWaker(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut f = pin!(f);
    loop {
        if let Poll::Ready(out) = f.as_mut().poll(&mut cx) {
            return out;
        }
        // A wake that came before this park makes it return at once (unpark is sticky).
        thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_io_and_timers_on_the_private_runtime() {
        let exec = Executor::new_runtime().unwrap();
        let out = exec
            .block_on(async {
                tokio::time::sleep(Duration::from_millis(1)).await;
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap();
                let accept = tokio::spawn(async move { listener.accept().await.is_ok() });
                tokio::net::TcpStream::connect(addr).await.unwrap();
                Ok(accept.await.unwrap())
            })
            .unwrap();
        assert!(out);
    }

    #[test]
    fn refuses_inside_an_async_runtime_without_panicking() {
        let exec = Executor::new_runtime().unwrap();
        let outer = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let err = outer
            .block_on(async { exec.block_on(async { Ok(1) }) })
            .unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::NotSupported);
        // Outside the runtime the same executor works, and dropping it inside one is fine.
        assert_eq!(exec.block_on(async { Ok(2) }).unwrap(), 2);
        outer.block_on(async move { drop(exec) });
    }

    #[test]
    fn local_executor_needs_no_runtime_and_works_anywhere() {
        let exec = Executor::Local;
        let lock = tokio::sync::Mutex::new(3);
        assert_eq!(exec.block_on(async { Ok(*lock.lock().await) }).unwrap(), 3);
        let outer = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        assert_eq!(
            outer
                .block_on(async { exec.block_on(async { Ok(4) }) })
                .unwrap(),
            4
        );
    }

    #[test]
    fn dropping_the_last_clone_shuts_the_runtime_down() {
        let exec = Executor::new_runtime().unwrap();
        let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
        let Executor::Runtime(owner) = &exec else {
            panic!("a runtime executor")
        };
        // A task that would run forever: shutdown must drop it.
        owner.handle.spawn(async move {
            let _tx = tx;
            std::future::pending::<()>().await;
        });
        let copy = exec.clone();
        drop(exec);
        assert_eq!(copy.block_on(async { Ok(5) }).unwrap(), 5);
        assert!(
            rx.try_recv()
                .is_err_and(|e| e == tokio::sync::oneshot::error::TryRecvError::Empty)
        );
        drop(copy);
        assert_eq!(
            rx.try_recv(),
            Err(tokio::sync::oneshot::error::TryRecvError::Closed),
            "the task was dropped by the shutdown"
        );
    }
}
