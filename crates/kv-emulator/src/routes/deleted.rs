//! Soft delete routes: delete, deleted get/list, recover, purge, over
//! [`crate::service::deleted`].

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kv_protocol::DeletedKeyListResult;

use crate::error::ApiError;
use crate::paging::{Cursor, PageRequest, paged};
use crate::request::RequestCtx;
use crate::routes::view;
use crate::service::deleted;
use crate::state::AppState;

/// `DELETE /keys/{name}`: moves the key and all its versions to the deleted state.
pub async fn delete_key(
    state: AppState,
    ctx: RequestCtx,
    name: String,
) -> Result<Response, ApiError> {
    let row = deleted::delete(&state, name).await?;
    Ok(Json(view::deleted_bundle(&ctx.base_url, &row, state.settings())).into_response())
}

/// `GET /deletedkeys/{name}`.
pub async fn get_deleted_key(
    state: AppState,
    ctx: RequestCtx,
    name: String,
) -> Result<Response, ApiError> {
    let row = deleted::get(&state, name).await?;
    Ok(Json(view::deleted_bundle(&ctx.base_url, &row, state.settings())).into_response())
}

/// `GET /deletedkeys`.
pub async fn list_deleted_keys(state: AppState, ctx: RequestCtx) -> Result<Response, ApiError> {
    let page = PageRequest::from_ctx(&ctx)?;
    let after = page.after_name()?.map(str::to_owned);
    let limit = page.max_results;
    let rows = deleted::list(&state, after, limit + 1).await?;
    let result: DeletedKeyListResult = paged(
        rows,
        limit,
        |rows| {
            rows.iter()
                .map(|r| view::deleted_item(&ctx.base_url, r, state.settings()))
                .collect()
        },
        |last| {
            page.next_link(
                &ctx,
                "/deletedkeys",
                &Cursor::AfterName(last.latest.name.clone()),
            )
        },
    );
    Ok(Json(result).into_response())
}

/// `POST /deletedkeys/{name}/recover`: restores every version.
pub async fn recover_deleted_key(
    state: AppState,
    ctx: RequestCtx,
    name: String,
) -> Result<Response, ApiError> {
    let row = deleted::recover(&state, name).await?;
    Ok(super::keys::answer(&state, &ctx, &row))
}

/// `DELETE /deletedkeys/{name}`: removes the key for good (204).
pub async fn purge_deleted_key(state: AppState, name: String) -> Result<Response, ApiError> {
    deleted::purge(&state, name).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
