//! Emulator-only endpoints, under paths the service never uses: the health check and the
//! clock.
//!
//! # `GET /healthz`
//! No authentication and no `api-version`: answers `200 {"status":"ok","version":"..."}`
//! once the store answers a transaction (`503 {"status":"unavailable"}` if it stops
//! answering). Meant for container health checks, for example in Docker Compose:
//! `healthcheck: {test: ["CMD", "curl", "-fsk", "https://localhost:8443/healthz"]}`.
//!
//! # `GET /_emulator/clock`, `POST /_emulator/clock`
//! Authenticated like every data-plane request (a bearer token; a verified one under
//! `--auth strict`), no `api-version`. `GET` answers
//! `{"now": UNIX_SECONDS, "offsetSeconds": N}`. `POST` with `{"advance": "P30D"}` (an
//! ISO-8601 duration) or `{"advance": 3600}` (seconds) moves the clock forward by that much
//! and runs one scheduler pass at once, so due rotations and purges have happened when it
//! answers: `{"now": ..., "offsetSeconds": ..., "purged": N, "rotated": N}`. The clock never
//! moves backward: a negative or malformed duration is a 400 `BadParameter`. Expiry and
//! `nbf`/`exp` checks read the clock on each request, so they follow at once too.
//! In-process, [`EmulatorHandle::travel`](crate::EmulatorHandle::travel) does the same.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use kv_protocol::Iso8601Duration;
use serde_json::json;

use crate::error::ApiError;
use crate::request::{parse_json, read_body};
use crate::state::AppState;
use crate::{auth, logging, scheduler};

/// The routes of this module, with their own middleware (the health check needs none; the
/// clock needs authentication but no `api-version`), to be merged into [`crate::router`].
pub fn router(state: AppState) -> Router<AppState> {
    let emulator = Router::new()
        .route("/_emulator/clock", get(get_clock).post(move_clock))
        .layer(from_fn_with_state(state, auth::challenge_auth));
    Router::new()
        .route("/healthz", get(health))
        .merge(emulator)
        .merge(crate::oauth::router())
        .merge(crate::release::test_service::router())
        .layer(from_fn(logging::log_request))
}

async fn health(State(state): State<AppState>) -> Response {
    match state.store().run(|_| Ok(())).await {
        Ok(()) => Json(json!({
            "status": "ok",
            "version": env!("CARGO_PKG_VERSION"),
        }))
        .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check: the store does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable"})),
            )
                .into_response()
        }
    }
}

fn clock_body(state: &AppState) -> serde_json::Map<String, serde_json::Value> {
    let mut body = serde_json::Map::new();
    body.insert("now".into(), state.clock().now().into());
    body.insert("offsetSeconds".into(), state.clock().offset_secs().into());
    body
}

async fn get_clock(State(state): State<AppState>) -> Response {
    Json(clock_body(&state)).into_response()
}

#[derive(serde::Deserialize)]
struct MoveClock {
    advance: serde_json::Value,
}

async fn move_clock(State(state): State<AppState>, request: Request) -> Result<Response, ApiError> {
    let body = read_body(request.into_body()).await?;
    let params: MoveClock = parse_json(&body)?;
    let by = forward_duration(&params.advance, state.clock().now())?;
    let (purged, rotated) = advance(&state, by).await?;
    let mut body = clock_body(&state);
    body.insert("purged".into(), purged.into());
    body.insert("rotated".into(), rotated.into());
    Ok(Json(body).into_response())
}

/// Reads `advance`: whole seconds (a number, or a string of digits) or an ISO-8601 duration
/// (`P30D`, `PT1H`, `P1M` counted from `now`). Anything negative or malformed is refused.
pub fn forward_duration(advance: &serde_json::Value, now: i64) -> Result<Duration, ApiError> {
    let refuse = || {
        ApiError::bad(
            "advance must be a forward duration: whole seconds or an ISO-8601 duration such as P30D; the clock never moves backward.",
        )
    };
    let seconds = match advance {
        serde_json::Value::Number(n) => n.as_u64().ok_or_else(refuse)?,
        serde_json::Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse::<u64>().map_err(|_| refuse())?
        }
        serde_json::Value::String(s) => {
            let duration = s.parse::<Iso8601Duration>().map_err(|_| refuse())?;
            let until = duration.checked_add_to(now).ok_or_else(refuse)?;
            u64::try_from(until.saturating_sub(now)).map_err(|_| refuse())?
        }
        _ => return Err(refuse()),
    };
    Ok(Duration::from_secs(seconds))
}

/// Moves the clock forward by `by` and runs one scheduler pass; returns how many keys were
/// purged and rotated by it.
///
/// # Errors
/// [`ApiError`] when the store fails during the pass.
pub async fn advance(state: &AppState, by: Duration) -> Result<(usize, usize), ApiError> {
    state.clock().advance(by);
    scheduler::tick(state).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let now = 1_700_000_000;
        let secs = |v: serde_json::Value| forward_duration(&v, now).map(|d| d.as_secs());
        assert_eq!(secs(json!(3600)).unwrap(), 3600);
        assert_eq!(secs(json!("3600")).unwrap(), 3600);
        assert_eq!(secs(json!("P30D")).unwrap(), 30 * 86_400);
        assert_eq!(secs(json!("PT1H30M")).unwrap(), 5400);
        for bad in [
            json!(-1),
            json!(1.5),
            json!("-P1D"),
            json!("soon"),
            json!(""),
            json!(null),
        ] {
            assert!(secs(bad.clone()).is_err(), "{bad}");
        }
    }
}
