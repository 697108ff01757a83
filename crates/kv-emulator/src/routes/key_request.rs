//! [`KeyRequest`]: what every handler of one key (`/keys/{name}[/{version}]/...`,
//! `/deletedkeys/{name}/...`) starts from, and the steps they share.

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::names::validate_key_name;
use crate::request::{RequestCtx, parse_json};
use crate::routes::view;
use crate::state::AppState;
use crate::store::VersionRow;

/// A request on one key: the state, the request's context, the key's name and version from
/// the path (`None`: the latest, or no version in the path) and the body.
pub(crate) struct KeyRequest<'a> {
    /// The emulator's state.
    pub(crate) state: AppState,
    /// The base URL and query.
    pub(crate) ctx: RequestCtx,
    /// `{name}`, as the path spells it (not yet checked).
    pub(crate) name: String,
    /// `{version}`.
    pub(crate) version: Option<String>,
    /// The request body (empty for a GET).
    pub(crate) body: &'a [u8],
}

impl KeyRequest<'_> {
    /// Refuses a key name the service refuses (400), before anything else is read.
    pub(crate) fn check_name(&self) -> Result<(), ApiError> {
        validate_key_name(&self.name)
    }

    /// The body as `T` (400 when it is not).
    pub(crate) fn params<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        parse_json(self.body)
    }

    /// The body as `T` under a valid name: a bad name is refused before a bad body, as the
    /// handlers that write a key answer.
    pub(crate) fn named_params<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        self.check_name()?;
        self.params()
    }

    /// The versioned id of `row` at the address the client used.
    pub(crate) fn kid(&self, row: &VersionRow) -> String {
        view::kid(&self.ctx.base_url, &row.name, &row.version)
    }

    /// The answer for a version: its key bundle ([`answer`]).
    pub(crate) fn bundle(&self, row: &VersionRow) -> Response {
        answer(&self.state, &self.ctx, row)
    }
}

/// The answer for a version: its key bundle (create, import, get, update, restore,
/// rotate, recover).
pub(crate) fn answer(state: &AppState, ctx: &RequestCtx, row: &VersionRow) -> Response {
    Json(view::bundle(&ctx.base_url, row, state.settings())).into_response()
}
