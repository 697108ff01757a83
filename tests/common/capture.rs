//! Capture for `secret_hygiene`: every `tracing` event (and `log` record) of the process at
//! TRACE into memory, a corpus of `Debug` output and error text, and a transport that
//! refuses every authorized request with 401.

use std::fmt::{Debug, Write as _};
use std::sync::{Arc, Mutex, OnceLock};

use kv_core::test_util::FakeTransport;
use kv_core::{ReqwestClient, Response};

/// Everything the subscriber wrote.
pub static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());

#[derive(Clone, Copy)]
struct LogWriter;

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().expect("log lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the global TRACE subscriber (and the `log` bridge) once.
pub fn capture_logs() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        use tracing_subscriber::util::SubscriberInitExt;
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_target(true)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
            .with_writer(|| LogWriter)
            .finish()
            .try_init()
            .expect("the only subscriber of this test binary");
    });
}

/// `Debug` output and error text of everything the workflow touched.
#[derive(Default)]
pub struct Corpus(pub Mutex<String>);

impl Corpus {
    pub fn debug(&self, label: &str, value: &dyn Debug) {
        let mut s = self.0.lock().expect("corpus lock");
        let _ = writeln!(s, "{label}: {value:?}");
        let _ = writeln!(s, "{label} (pretty): {value:#?}");
    }

    pub fn error(&self, label: &str, e: &(dyn std::error::Error + 'static)) {
        let mut s = self.0.lock().expect("corpus lock");
        let _ = writeln!(s, "{label}: {e} | {e:?} | {e:#?}");
        let mut source = e.source();
        while let Some(inner) = source {
            let _ = writeln!(s, "{label} caused by: {inner} | {inner:?}");
            source = inner.source();
        }
    }

    /// Records an outcome that must be an error.
    pub fn failure<T: Debug, E: std::error::Error + 'static>(
        &self,
        label: &str,
        outcome: Result<T, E>,
    ) -> E {
        match outcome {
            Ok(v) => panic!("{label}: expected an error, got {v:?}"),
            Err(e) => {
                self.error(label, &e);
                e
            }
        }
    }

    /// Records an outcome either way (the service decides).
    pub fn outcome<T: Debug, E: std::error::Error + 'static>(
        &self,
        label: &str,
        outcome: &Result<T, E>,
    ) {
        match outcome {
            Ok(v) => self.debug(label, v),
            Err(e) => self.error(label, e),
        }
    }
}

/// A transport that answers every authorized request with 401 (after sending it to the
/// emulator over TLS, so the token does travel), to drive the client's 401 path. The
/// recorded exchanges hold every request it saw.
pub fn reject_401(inner: ReqwestClient) -> FakeTransport {
    let challenge: Mutex<Option<http::HeaderValue>> = Mutex::new(None);
    FakeTransport::forward(Arc::new(inner)).map_responses(move |request, outcome| {
        let response = outcome?;
        if let Some(c) = response.headers().get(http::header::WWW_AUTHENTICATE) {
            *challenge.lock().expect("lock") = Some(c.clone());
        }
        if !request.headers().contains_key(http::header::AUTHORIZATION) {
            return Ok(response);
        }
        let mut headers = http::HeaderMap::new();
        if let Some(c) = challenge.lock().expect("lock").clone() {
            headers.insert(http::header::WWW_AUTHENTICATE, c);
        }
        let body = br#"{"error":{"code":"Unauthorized","message":"token rejected"}}"#;
        Ok(Response::new(
            http::StatusCode::UNAUTHORIZED,
            headers,
            bytes::Bytes::from_static(body),
        ))
    })
}
