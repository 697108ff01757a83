//! W3C Trace Context: the `traceparent` header that carries the caller's trace to the
//! service (<https://www.w3.org/TR/trace-context/>), off unless the user gives a
//! [`TraceContextSource`] in [`ClientOptions::trace_context`](crate::ClientOptions::trace_context).
//!
//! The clients' own spans are `tracing` spans, which carry no W3C ids; the ids live in the
//! user's tracing set-up (OpenTelemetry through `tracing-opentelemetry`, most often). So the
//! pipeline asks a source for the current span's context once per call and writes it as
//! `traceparent: 00-{trace id}-{parent id}-{flags}`. `azure_core`'s
//! `InstrumentationOptions::tracer_provider` was not taken as this edge: it has the SDK
//! start and end spans of its own through the user's tracer and write headers into
//! `azure_core`'s request type, a second span system beside `tracing`.
//!
//! With OpenTelemetry, the source is a few lines over the current `tracing` span:
//!
//! ```ignore
//! use opentelemetry::trace::TraceContextExt as _;
//! use tracing_opentelemetry::OpenTelemetrySpanExt as _;
//!
//! let source = || {
//!     let context = tracing::Span::current().context();
//!     let span = context.span();
//!     let ids = span.span_context();
//!     TraceContext::new(
//!         ids.trace_id().to_bytes(),
//!         ids.span_id().to_bytes(),
//!         ids.trace_flags().to_u8(),
//!     )
//! };
//! let options = ClientOptions { trace_context: Some(Arc::new(source)), ..Default::default() };
//! ```

use std::fmt::{self, Write as _};

use http::{HeaderName, HeaderValue};

use crate::transport::Request;

/// The `traceparent` header.
pub(crate) const TRACEPARENT: HeaderName = HeaderName::from_static("traceparent");

/// The ids of a W3C trace context: what one `traceparent` header carries.
///
/// Both ids are non-zero (the specification's rule for a valid context), so every value
/// formats as a valid version-`00` header.
///
/// ```
/// use kv_core::TraceContext;
/// let trace_id = [0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6,
///                 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36];
/// let parent_id = [0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7];
/// let context = TraceContext::new(trace_id, parent_id, TraceContext::SAMPLED).expect("non-zero ids");
/// assert_eq!(
///     context.traceparent(),
///     "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
/// );
/// assert_eq!(TraceContext::from_traceparent(&context.traceparent()), Some(context));
/// assert_eq!(TraceContext::new([0; 16], parent_id, 0), None);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TraceContext {
    trace_id: [u8; 16],
    parent_id: [u8; 8],
    flags: u8,
}

impl TraceContext {
    /// The `sampled` flag: the caller may have recorded its span.
    pub const SAMPLED: u8 = 0x01;

    /// A context with `trace_id`, `parent_id` (the id of the caller's current span) and
    /// `flags` ([`SAMPLED`](Self::SAMPLED) or 0, plus any flag a later version defines).
    /// `None` when an id is all zeros, which the specification declares invalid.
    pub fn new(trace_id: [u8; 16], parent_id: [u8; 8], flags: u8) -> Option<Self> {
        (trace_id != [0; 16] && parent_id != [0; 8]).then_some(Self {
            trace_id,
            parent_id,
            flags,
        })
    }

    /// Parses a version-`00` `traceparent` value (for example one received by a server,
    /// to pass on). `None` for anything the specification calls invalid: another length,
    /// uppercase or non-hex digits, version `ff`, all-zero ids.
    pub fn from_traceparent(value: &str) -> Option<Self> {
        let mut parts = value.split('-');
        let (version, trace_id, parent_id, flags) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        // A later version may append fields; version 00 has exactly four.
        if version != "00" || parts.next().is_some() {
            return None;
        }
        Self::new(hex(trace_id)?, hex(parent_id)?, hex::<1>(flags)?[0])
    }

    /// The trace id: the whole distributed trace.
    pub fn trace_id(&self) -> [u8; 16] {
        self.trace_id
    }

    /// The parent id: the caller's span, under which the service's work is recorded.
    pub fn parent_id(&self) -> [u8; 8] {
        self.parent_id
    }

    /// The trace flags.
    pub fn flags(&self) -> u8 {
        self.flags
    }

    /// Whether the [`SAMPLED`](Self::SAMPLED) flag is set.
    pub fn is_sampled(&self) -> bool {
        self.flags & Self::SAMPLED != 0
    }

    /// The header value: `00-{32 hex}-{16 hex}-{2 hex}`, lowercase.
    pub fn traceparent(&self) -> String {
        let mut out = String::with_capacity(55);
        out.push_str("00-");
        push_hex(&mut out, &self.trace_id);
        out.push('-');
        push_hex(&mut out, &self.parent_id);
        out.push('-');
        push_hex(&mut out, &[self.flags]);
        out
    }
}

impl fmt::Display for TraceContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.traceparent())
    }
}

impl fmt::Debug for TraceContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TraceContext")
            .field(&self.traceparent())
            .finish()
    }
}

fn push_hex(out: &mut String, bytes: &[u8]) {
    for b in bytes {
        // Writing to a String cannot fail.
        let _ = write!(out, "{b:02x}");
    }
}

/// `N` bytes from exactly `2N` lowercase hex digits.
fn hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let digits = text.as_bytes();
    if digits.len() != 2 * N {
        return None;
    }
    let nibble = |d: u8| match d {
        b'0'..=b'9' => Some(d - b'0'),
        b'a'..=b'f' => Some(d - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; N];
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        *byte = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(out)
}

/// Where the pipeline reads the trace context of the current span: the user's tracing
/// set-up. Any `Fn() -> Option<TraceContext>` closure is one.
pub trait TraceContextSource: Send + Sync {
    /// The current span's context; `None` outside any trace (no header is sent then).
    fn current(&self) -> Option<TraceContext>;
}

impl<F> TraceContextSource for F
where
    F: Fn() -> Option<TraceContext> + Send + Sync,
{
    fn current(&self) -> Option<TraceContext> {
        self()
    }
}

/// Adds `traceparent` from `source`, unless the caller set one on the request.
pub(crate) fn apply(request: &mut Request, source: &dyn TraceContextSource) {
    if request.headers().contains_key(&TRACEPARENT) {
        return;
    }
    if let Some(context) = source.current() {
        // Always ASCII hex and dashes, so always a valid header value.
        if let Ok(value) = HeaderValue::from_str(&context.traceparent()) {
            request.headers_mut().insert(TRACEPARENT, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    const EXAMPLE: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn formats_and_parses_the_specification_example() {
        let context = TraceContext::from_traceparent(EXAMPLE).expect("valid");
        assert_eq!(context.traceparent(), EXAMPLE);
        assert_eq!(context.to_string(), EXAMPLE);
        assert!(context.is_sampled());
        assert_eq!(
            context.parent_id(),
            [0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7]
        );
        assert_eq!(context.trace_id()[0], 0x4b);
        let unsampled = TraceContext::new(context.trace_id(), context.parent_id(), 0).unwrap();
        assert!(unsampled.traceparent().ends_with("-00"));
        assert!(!unsampled.is_sampled());
    }

    #[test]
    fn refuses_what_the_specification_calls_invalid() {
        for bad in [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "00-4bf92f3577b34da6a3ce929d0e0e47zz-00f067aa0ba902b7-01",
        ] {
            assert_eq!(TraceContext::from_traceparent(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_value_is_a_valid_version_00_header() {
        let shape = |s: &str| {
            let parts: Vec<&str> = s.split('-').collect();
            parts.len() == 4
                && parts[0] == "00"
                && [32, 16, 2].iter().zip(&parts[1..]).all(|(n, p)| {
                    p.len() == *n && p.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
                })
        };
        for (t, p, f) in [(1u8, 1u8, 0u8), (0xff, 0xff, 0xff), (0xa5, 0x0c, 0x01)] {
            let context = TraceContext::new([t; 16], [p; 8], f).unwrap();
            assert!(shape(&context.traceparent()), "{context:?}");
            assert_eq!(
                TraceContext::from_traceparent(&context.traceparent()),
                Some(context)
            );
        }
    }

    /// A pipeline over a fake vault, with `source` (if any), and the fake.
    fn pipeline(
        source: Option<Arc<dyn TraceContextSource>>,
    ) -> (crate::Pipeline, Arc<crate::test_util::FakeTransport>) {
        let fake = Arc::new(crate::test_util::FakeTransport::default());
        let options = crate::ClientOptions {
            trace_context: source,
            ..fake.options()
        };
        let credential = Arc::new(crate::StaticTokenCredential::new("t"));
        (crate::Pipeline::new(credential, options).unwrap(), fake)
    }

    fn get() -> Request {
        Request::new(
            http::Method::GET,
            "https://v.vault.azure.net/keys/k".parse().unwrap(),
        )
    }

    fn traceparents(fake: &crate::test_util::FakeTransport) -> Vec<Option<String>> {
        fake.exchanges()
            .iter()
            .map(|e| {
                let value = e.request.headers().get(&TRACEPARENT)?;
                value.to_str().ok().map(str::to_owned)
            })
            .collect()
    }

    #[tokio::test]
    async fn sent_only_when_enabled_and_a_context_exists() {
        let (off, fake) = pipeline(None);
        off.send(get()).await.unwrap();
        assert_eq!(traceparents(&fake), [None]);

        let context = TraceContext::from_traceparent(EXAMPLE).unwrap();
        let (on, fake) = pipeline(Some(Arc::new(move || Some(context))));
        on.send(get()).await.unwrap();
        assert_eq!(traceparents(&fake), [Some(EXAMPLE.to_owned())]);

        // A caller's own header wins; no context, no header.
        let mut own = get();
        let theirs = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";
        own.headers_mut()
            .insert(TRACEPARENT, HeaderValue::from_static(theirs));
        on.send(own).await.unwrap();
        let (empty, empty_fake) = pipeline(Some(Arc::new(|| None)));
        empty.send(get()).await.unwrap();
        assert_eq!(traceparents(&fake)[1].as_deref(), Some(theirs));
        assert_eq!(traceparents(&empty_fake), [None]);
    }

    #[tokio::test]
    async fn the_parent_is_the_span_current_at_the_call() {
        use tracing::Instrument as _;
        let _subscriber = tracing::subscriber::set_default(tracing_subscriber::registry());
        // A stand-in for an OpenTelemetry bridge: the parent id is the current span's id.
        let source = || {
            let id = tracing::Span::current().id()?;
            TraceContext::new(
                [0x5a; 16],
                id.into_u64().to_be_bytes(),
                TraceContext::SAMPLED,
            )
        };
        let (on, fake) = pipeline(Some(Arc::new(source)));
        let caller = tracing::info_span!("caller");
        let id = caller.id().unwrap().into_u64();
        on.send(get()).instrument(caller).await.unwrap();
        on.send(get()).await.unwrap();
        let expected = format!("00-{}-{id:016x}-01", "5a".repeat(16));
        assert_eq!(traceparents(&fake), [Some(expected), None]);
    }
}
