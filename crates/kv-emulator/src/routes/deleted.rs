//! Soft delete routes: delete, deleted get/list, recover, purge, over
//! [`crate::service::deleted`].

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kv_protocol::DeletedKeyListResult;

use crate::error::ApiError;
use crate::paging::{Cursor, PageRequest, list_response, paged};
use crate::request::RequestCtx;
use crate::routes::key_request::KeyRequest;
use crate::routes::view;
use crate::service::deleted;
use crate::state::AppState;
use crate::store::DeletedRow;

/// `DELETE /keys/{name}`: moves the key and all its versions to the deleted state.
pub(crate) async fn delete_key(req: KeyRequest<'_>) -> Result<Response, ApiError> {
    let row = deleted::delete(&req.state, req.name.clone()).await?;
    Ok(deleted_answer(&req, &row))
}

/// `GET /deletedkeys/{name}`.
pub(crate) async fn get_deleted_key(req: KeyRequest<'_>) -> Result<Response, ApiError> {
    let row = deleted::get(&req.state, req.name.clone()).await?;
    Ok(deleted_answer(&req, &row))
}

/// The answer for a deleted key: its deleted key bundle.
fn deleted_answer(req: &KeyRequest<'_>, row: &DeletedRow) -> Response {
    Json(view::deleted_bundle(
        &req.ctx.base_url,
        row,
        req.state.settings(),
    ))
    .into_response()
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
    list_response(result)
}

/// `POST /deletedkeys/{name}/recover`: restores every version.
pub(crate) async fn recover_deleted_key(req: KeyRequest<'_>) -> Result<Response, ApiError> {
    let row = deleted::recover(&req.state, req.name.clone()).await?;
    Ok(req.bundle(&row))
}

/// `DELETE /deletedkeys/{name}`: removes the key for good (204).
pub(crate) async fn purge_deleted_key(req: KeyRequest<'_>) -> Result<Response, ApiError> {
    deleted::purge(&req.state, req.name).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
