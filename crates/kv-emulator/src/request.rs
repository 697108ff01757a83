//! Reading requests: the vault URL the client used, the query, `api-version`, and bodies
//! (size limit and JSON parsing with the service's 400 answers).

use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kv_protocol::ApiVersion;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// The largest request body accepted (1 MiB); larger ones get 400.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// The deepest nesting of JSON arrays and objects accepted in a body. The service's JSON
/// reader stops at a small depth and answers 400; its exact limit is not published, so
/// the emulator uses the default of .NET's readers (System.Text.Json and Json.NET: 64).
/// Real bodies nest at most five levels (a rotation policy).
pub const MAX_JSON_DEPTH: usize = 64;

/// The host (with port) the client addressed: the URI authority (HTTP/2) or `Host`.
pub fn request_host<B>(request: &axum::http::Request<B>) -> Option<String> {
    host_of(request.uri(), request.headers())
}

/// `https://HOST[:PORT]` as the client addressed the emulator (`localhost` when the request
/// names no host): the issuer of the tokens the emulator signs for itself.
pub fn request_base_url<B>(request: &axum::http::Request<B>) -> String {
    let host = request_host(request).unwrap_or_else(|| "localhost".to_owned());
    format!("https://{host}")
}

fn host_of(uri: &axum::http::Uri, headers: &axum::http::HeaderMap) -> Option<String> {
    uri.authority()
        .map(|a| a.as_str().to_owned())
        .or_else(|| {
            headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_owned)
        })
        .filter(|h| !h.is_empty() && !h.contains(['/', '@', ' ']))
}

/// Per-request context: the vault's base URL as the client wrote it, and the query.
#[derive(Clone, Debug)]
pub struct RequestCtx {
    /// `https://host[:port]`, without a trailing slash.
    pub base_url: String,
    query: Vec<(String, String)>,
}

impl RequestCtx {
    /// Context for `host` and raw `query` (used by tests and the extractor).
    pub fn new(host: &str, query: Option<&str>) -> Self {
        Self {
            base_url: format!("https://{host}"),
            query: parse_query(query),
        }
    }

    /// The first value of query parameter `name`.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The `api-version` of the request (validated by [`check_api_version`]).
    pub fn api_version(&self) -> &str {
        self.query("api-version")
            .unwrap_or(ApiVersion::LATEST.as_str())
    }
}

fn parse_query(query: Option<&str>) -> Vec<(String, String)> {
    query
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

impl<S: Send + Sync> FromRequestParts<S> for RequestCtx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let host = host_of(&parts.uri, &parts.headers)
            .ok_or_else(|| ApiError::bad("The request has no valid Host header."))?;
        Ok(Self::new(&host, parts.uri.query()))
    }
}

/// Middleware: every request needs a known `api-version` (7.0 to 7.6, 2025-07-01, the 2026
/// previews and 2026-04-01); anything else is 400, as the service answers.
pub async fn check_api_version(request: Request, next: Next) -> Response {
    let query = parse_query(request.uri().query());
    let version = query
        .iter()
        .find(|(k, _)| k == "api-version")
        .map(|(_, v)| v);
    match version {
        None => ApiError::bad(
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
        .into_response(),
        Some(v) if ApiVersion::parse_known(v).is_err() => ApiError::bad(format!(
            "The specified version ({}) is not recognized. Consider using the latest supported \
             version ({}).",
            printable(v),
            ApiVersion::NEWEST_STABLE
        ))
        .into_response(),
        Some(_) => next.run(request).await,
    }
}

/// A value from the request made safe to echo: short and without control characters.
fn printable(value: &str) -> String {
    value.chars().filter(|c| !c.is_control()).take(40).collect()
}

fn body_too_large() -> ApiError {
    ApiError::bad(format!(
        "The request body is larger than the limit of {MAX_BODY_BYTES} bytes or could not be read."
    ))
}

/// Middleware: a request that declares a body over [`MAX_BODY_BYTES`] is refused before any
/// of it is read (bodies without a declared length are cut off by [`read_body`]).
pub async fn refuse_declared_oversized_body(request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(len) if len > MAX_BODY_BYTES as u64 => body_too_large().into_response(),
        _ => next.run(request).await,
    }
}

/// Reads a request body, refusing more than [`MAX_BODY_BYTES`].
pub async fn read_body(body: Body) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| body_too_large())
}

/// Parses a JSON body into `T`. The message says where the input is wrong without
/// echoing string values from it (they may be key material).
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad("The request body is required."));
    }
    // serde_json skips unknown members without a depth limit, so check it up front.
    if json_depth_exceeds(body, MAX_JSON_DEPTH) {
        return Err(ApiError::bad(format!(
            "The request body is not valid JSON: it is nested deeper than the maximum of \
             {MAX_JSON_DEPTH} levels."
        )));
    }
    serde_json::from_slice(body).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                "The request body is not valid JSON".to_owned()
            }
            _ => format!("Invalid request body: {}", redact_quoted(&e.to_string())),
        };
        ApiError::BadParameter(format!(
            "{what} (line {}, column {}).",
            e.line(),
            e.column()
        ))
    })
}

/// Whether `body` nests arrays and objects deeper than `max` (outside strings). Linear,
/// no recursion; malformed input is left for the parser to report.
fn json_depth_exceeds(body: &[u8], max: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in body {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Middleware: a request body must be declared as JSON. As the service (an ASP.NET
/// front end), a body with another media type or none is answered 415 with ASP.NET's
/// `{"Message": ...}` body, not the Key Vault error envelope. Empty bodies pass.
pub async fn require_json_content_type(request: Request, next: Next) -> Response {
    // An empty body (Content-Length 0, or none at all) needs no media type.
    let has_body = axum::body::HttpBody::size_hint(request.body()).exact() != Some(0);
    if !has_body {
        return next.run(request).await;
    }
    let media_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or_default().to_owned());
    let message = match media_type.as_deref() {
        None => "The request contains an entity body but no Content-Type header. The inferred \
                 media type 'application/octet-stream' is not supported for this resource."
            .to_owned(),
        Some(value) if is_json_media_type(value) => return next.run(request).await,
        Some(value) => format!(
            "The request entity's media type '{}' is not supported for this resource.",
            printable(value.split(';').next().unwrap_or_default().trim())
        ),
    };
    (
        axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
        axum::Json(serde_json::json!({ "Message": message })),
    )
        .into_response()
}

fn is_json_media_type(value: &str) -> bool {
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || essence == "text/json" || essence.ends_with("+json")
}

/// Removes double-quoted strings (values echoed by serde) and the trailing location.
fn redact_quoted(message: &str) -> String {
    let message = message
        .rsplit_once(" at line ")
        .map_or(message, |(head, _)| head);
    let mut out = String::with_capacity(message.len());
    let mut inside = false;
    for c in message.chars() {
        if c == '"' {
            if !inside {
                out.push_str("\"…\"");
            }
            inside = !inside;
        } else if !inside {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct T {
        count: u32,
    }

    #[test]
    fn json_errors_do_not_echo_values() {
        let err = parse_json::<T>(br#"{"count":"SECRETVALUE"}"#).unwrap_err();
        let msg = err.to_string();
        assert!(!msg.contains("SECRETVALUE"), "{msg}");
        assert!(msg.contains("line 1"), "{msg}");
        assert!(matches!(
            parse_json::<T>(b"{"),
            Err(ApiError::BadParameter(_))
        ));
        assert!(matches!(
            parse_json::<T>(b""),
            Err(ApiError::BadParameter(_))
        ));
        let missing = parse_json::<T>(b"{}").unwrap_err().to_string();
        assert!(missing.contains("count"), "{missing}");
    }

    #[test]
    fn deep_nesting_is_refused_even_inside_unknown_members() {
        let deep = format!(
            "{{\"count\":1,\"x\":{}{}}}",
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        let err = parse_json::<T>(deep.as_bytes()).unwrap_err();
        assert!(matches!(err, ApiError::BadParameter(_)), "{err}");
        let ok = format!("{{\"count\":1,\"x\":{}{}}}", "[".repeat(63), "]".repeat(63));
        assert!(parse_json::<T>(ok.as_bytes()).is_ok());
        // Brackets inside strings do not count.
        let quoted = format!("{{\"count\":1,\"x\":\"{}\\\"\"}}", "[".repeat(100));
        assert!(parse_json::<T>(quoted.as_bytes()).is_ok(), "{quoted}");
    }

    #[test]
    fn json_media_types() {
        assert!(is_json_media_type("application/json"));
        assert!(is_json_media_type("Application/JSON; charset=utf-8"));
        assert!(is_json_media_type("application/merge-patch+json"));
        assert!(!is_json_media_type("text/plain"));
        assert!(!is_json_media_type("application/octet-stream"));
    }

    #[test]
    fn query_and_base() {
        let ctx = RequestCtx::new(
            "v.localhost:1",
            Some("api-version=7.6&maxresults=5&%24skiptoken=a%2Bb"),
        );
        assert_eq!(ctx.base_url, "https://v.localhost:1");
        assert_eq!(ctx.api_version(), "7.6");
        assert_eq!(ctx.query("maxresults"), Some("5"));
        assert_eq!(ctx.query("$skiptoken"), Some("a+b"));
    }
}
