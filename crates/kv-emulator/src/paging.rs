//! List paging: `maxresults` and the opaque `$skiptoken` of `nextLink`.
//!
//! A token names the position after which the next page starts (the last key name, or the
//! last version's sequence number), so it stays valid across restarts and is unaffected
//! by keys created or deleted meanwhile.

use axum::Json;
use axum::response::{IntoResponse, Response};
use kv_jwk::base64url;
use kv_protocol::Page;

use crate::error::ApiError;
use crate::request::RequestCtx;

/// The largest and default page size.
pub const MAX_RESULTS: usize = 25;

/// Where a page starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cursor {
    /// After this key name (keys and deleted keys lists).
    AfterName(String),
    /// After this version sequence number (versions list).
    AfterSeq(i64),
}

impl Cursor {
    /// The opaque token for this cursor.
    pub fn to_token(&self) -> String {
        let raw = match self {
            Self::AfterName(name) => format!("n:{name}"),
            Self::AfterSeq(seq) => format!("s:{seq}"),
        };
        base64url::encode(raw.as_bytes())
    }

    /// Parses a token made by [`Cursor::to_token`].
    pub fn from_token(token: &str) -> Result<Self, ApiError> {
        let invalid = || ApiError::bad("The $skiptoken is invalid.");
        let raw = base64url::decode(token).map_err(|_| invalid())?;
        let raw = String::from_utf8(raw).map_err(|_| invalid())?;
        match raw.split_once(':') {
            Some(("n", name)) if !name.is_empty() => Ok(Self::AfterName(name.to_owned())),
            Some(("s", seq)) => seq.parse().map(Self::AfterSeq).map_err(|_| invalid()),
            _ => Err(invalid()),
        }
    }
}

/// Paging parameters of a list request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageRequest {
    /// Items per page (1 to 25).
    pub max_results: usize,
    /// Where to start, from `$skiptoken`.
    pub cursor: Option<Cursor>,
}

impl PageRequest {
    /// Reads `maxresults` and `$skiptoken` from the query.
    pub fn from_ctx(ctx: &RequestCtx) -> Result<Self, ApiError> {
        let max_results = match ctx.query("maxresults") {
            None | Some("") => MAX_RESULTS,
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_RESULTS).contains(n))
                .ok_or_else(|| {
                    ApiError::bad(format!(
                        "Invalid value for maxresults: it must be an integer between 1 and {MAX_RESULTS}."
                    ))
                })?,
        };
        let cursor = match ctx.query("$skiptoken") {
            None | Some("") => None,
            Some(token) => Some(Cursor::from_token(token)?),
        };
        Ok(Self {
            max_results,
            cursor,
        })
    }

    /// The name cursor, if any (an error for a sequence token).
    pub fn after_name(&self) -> Result<Option<&str>, ApiError> {
        match &self.cursor {
            None => Ok(None),
            Some(Cursor::AfterName(name)) => Ok(Some(name)),
            Some(Cursor::AfterSeq(_)) => Err(ApiError::bad("The $skiptoken is invalid.")),
        }
    }

    /// The sequence cursor, if any (an error for a name token).
    pub fn after_seq(&self) -> Result<Option<i64>, ApiError> {
        match &self.cursor {
            None => Ok(None),
            Some(Cursor::AfterSeq(seq)) => Ok(Some(*seq)),
            Some(Cursor::AfterName(_)) => Err(ApiError::bad("The $skiptoken is invalid.")),
        }
    }

    /// The `nextLink` for the page after `last`, on `path` (absolute path of the list).
    pub fn next_link(&self, ctx: &RequestCtx, path: &str, last: &Cursor) -> String {
        format!(
            "{}{path}?api-version={}&$skiptoken={}&maxresults={}",
            ctx.base_url,
            ctx.api_version(),
            last.to_token(),
            self.max_results
        )
    }
}

/// A list page as the instance answers it. A vault always names `nextLink`, `null` on the
/// last page (Go azkeys `TestListKeyVersions/KV.json`, `TestListDeletedKeys/KV.json`); a
/// Managed HSM leaves it out (`TestListDeletedKeys/MHSM.json`).
pub(crate) fn list_response<T: serde::Serialize>(page: Page<T>) -> Result<Response, ApiError> {
    let hsm = crate::vaults::current_is_hsm();
    let mut body = serde_json::to_value(&page).map_err(ApiError::internal)?;
    if let Some(object) = body.as_object_mut().filter(|_| !hsm) {
        object.entry("nextLink").or_insert(serde_json::Value::Null);
    }
    Ok(Json(body).into_response())
}

/// Cuts `rows` (fetched with one extra) to a page and adds `nextLink` when more follow.
pub(crate) fn paged<R, T>(
    mut rows: Vec<R>,
    limit: usize,
    items: impl FnOnce(&[R]) -> Vec<T>,
    next: impl FnOnce(&R) -> String,
) -> Page<T> {
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next_link = if more { rows.last().map(next) } else { None };
    Page::new(items(&rows), next_link)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn tokens_round_trip(name in "[0-9a-zA-Z-]{1,127}", seq in any::<i64>()) {
            for c in [Cursor::AfterName(name.clone()), Cursor::AfterSeq(seq)] {
                prop_assert_eq!(Cursor::from_token(&c.to_token()).unwrap(), c);
            }
        }
    }

    #[test]
    fn page_request_parsing() {
        let ctx = RequestCtx::new("h", Some("api-version=7.6&maxresults=3"));
        let p = PageRequest::from_ctx(&ctx).unwrap();
        assert_eq!(p.max_results, 3);
        for bad in ["0", "26", "x", "-1"] {
            let ctx = RequestCtx::new("h", Some(&format!("maxresults={bad}")));
            assert!(PageRequest::from_ctx(&ctx).is_err(), "{bad}");
        }
        let ctx = RequestCtx::new("h", Some("$skiptoken=%21%21"));
        assert!(PageRequest::from_ctx(&ctx).is_err());
        let link = p.next_link(&ctx, "/keys", &Cursor::AfterName("k".into()));
        assert!(
            link.starts_with("https://h/keys?api-version=2025-07-01&$skiptoken="),
            "{link}"
        );
    }
}
