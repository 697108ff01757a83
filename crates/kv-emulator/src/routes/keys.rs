//! Key lifecycle: create, import, get, update, list, versions, delete, backup, restore.

use axum::Json;
use axum::response::{IntoResponse, Response};
use kv_jwk::{JsonWebKey, KeyOperation};
use kv_protocol::{
    BackupKeyResult, KeyAttributes, KeyCreateParameters, KeyImportParameters, KeyListResult,
    KeyReleasePolicy, KeyRestoreParameters, KeyUpdateParameters, Page, Tags,
};

use crate::error::ApiError;
use crate::keymat::{self, KeySpec};
use crate::names::{is_version_id, new_version_id, validate_key_name, validate_tags};
use crate::paging::{Cursor, PageRequest};
use crate::personality;
use crate::request::{RequestCtx, parse_json};
use crate::routes::view;
use crate::state::AppState;
use crate::store::{BackupContent, BackupVersion, KeyMeta, Purpose, Tx, VersionRow};

const BACKUP_FORMAT: u32 = 1;
const BACKUP_CONTEXT: &[u8] = b"kv-emulator key backup";

/// What a new version starts with (from create, import, rotate or restore).
pub(crate) struct NewVersion {
    pub key_ops: Option<Vec<KeyOperation>>,
    pub attributes: Option<KeyAttributes>,
    pub tags: Option<Tags>,
    pub release_policy: Option<KeyReleasePolicy>,
}

/// Builds the stored state of a new version of `private` at time `now`.
pub(crate) fn new_meta(
    private: &JsonWebKey,
    new: NewVersion,
    now: i64,
) -> Result<KeyMeta, ApiError> {
    validate_tags(new.tags.as_ref())?;
    let mut public = private.to_public();
    public.kid = None;
    let ops = match new.key_ops {
        Some(ops) => {
            if let Some(unknown) = ops.iter().find(|op| !personality::is_accepted_key_op(op)) {
                return Err(ApiError::bad(format!("Unknown key operation `{unknown}`.")));
            }
            ops
        }
        None => keymat::default_key_ops(private),
    };
    let given = new.attributes.unwrap_or_default();
    let exportable = given.exportable.unwrap_or(false);
    let secure_wrap =
        super::secure_wrap::check_new_key(&ops, exportable, new.release_policy.is_some())?;
    public.key_ops = Some(ops);
    if exportable && new.release_policy.is_none() {
        return Err(ApiError::bad(
            "An exportable key must have a release policy (release_policy).",
        ));
    }
    if new.release_policy.is_some() && !exportable && !secure_wrap {
        return Err(ApiError::bad(
            "A key with a release policy must be exportable (attributes.exportable).",
        ));
    }
    if let Some(policy) = &new.release_policy {
        crate::release::validate_policy(policy)?;
    }
    if let (Some(nbf), Some(exp)) = (given.nbf, given.exp)
        && nbf >= exp
    {
        return Err(ApiError::bad("The key's nbf must be earlier than its exp."));
    }
    Ok(KeyMeta {
        public,
        attributes: KeyAttributes {
            enabled: Some(given.enabled.unwrap_or(true)),
            nbf: given.nbf,
            exp: given.exp,
            created: Some(now),
            updated: Some(now),
            exportable: Some(exportable),
            ..Default::default()
        },
        tags: new.tags,
        release_policy: new.release_policy,
        key_size: keymat::key_size(private),
    })
}

/// Stores a new version and returns its row.
pub(crate) fn insert(
    tx: &Tx<'_>,
    name: &str,
    meta: &KeyMeta,
    private: &JsonWebKey,
) -> Result<VersionRow, ApiError> {
    let version = new_version_id();
    tx.insert_version(name, &version, meta, private)?;
    tx.version(name, &version)?
        .ok_or_else(|| ApiError::internal("inserted version not found"))
}

/// The row of `name`/`version` (latest when `version` is `None`), or `KeyNotFound`.
pub(crate) fn find(tx: &Tx<'_>, name: &str, version: Option<&str>) -> Result<VersionRow, ApiError> {
    let row = match version {
        None => tx.latest(name)?,
        Some(v) if is_version_id(v) => tx.version(name, &v.to_ascii_lowercase())?,
        Some(_) => None,
    };
    row.ok_or_else(|| ApiError::KeyNotFound(name.to_owned()))
}

/// `POST /keys/{name}/create`.
pub async fn create_key(
    state: AppState,
    ctx: RequestCtx,
    name: String,
    body: &[u8],
) -> Result<Response, ApiError> {
    validate_key_name(&name)?;
    if super::external::is_external_create(body) {
        return super::external::create_external_key(state, ctx, name, body).await;
    }
    let params: KeyCreateParameters = parse_json(body)?;
    validate_tags(params.tags.as_ref())?;
    let spec = KeySpec::from_create(&params)?;
    let mut private = tokio::task::spawn_blocking(move || keymat::generate(&spec))
        .await
        .map_err(ApiError::internal)??;
    personality::adopt(state.kind(), &mut private);
    let now = state.clock().now();
    let defaults = params.key_ops.is_none();
    let mut meta = new_meta(
        &private,
        NewVersion {
            key_ops: params.key_ops,
            attributes: params.attributes,
            tags: params.tags,
            release_policy: params.release_policy,
        },
        now,
    )?;
    if defaults {
        let extra = personality::extra_default_key_ops(state.kind(), &meta.public);
        meta.public
            .key_ops
            .get_or_insert_with(Vec::new)
            .extend(extra);
    }
    let row = state
        .store()
        .run(move |tx| insert(tx, &name, &meta, &private))
        .await?;
    Ok(Json(view::bundle(&ctx.base_url, &row, state.settings())).into_response())
}

/// `PUT /keys/{name}`.
pub async fn import_key(
    state: AppState,
    ctx: RequestCtx,
    name: String,
    body: &[u8],
) -> Result<Response, ApiError> {
    validate_key_name(&name)?;
    let params: KeyImportParameters = parse_json(body)?;
    let mut private = keymat::validate_import(params.key, params.hsm.unwrap_or(false))?;
    personality::adopt(state.kind(), &mut private);
    let key_ops = private.key_ops.clone();
    let now = state.clock().now();
    let meta = new_meta(
        &private,
        NewVersion {
            key_ops,
            attributes: params.attributes,
            tags: params.tags,
            release_policy: params.release_policy,
        },
        now,
    )?;
    let row = state
        .store()
        .run(move |tx| insert(tx, &name, &meta, &private))
        .await?;
    Ok(Json(view::bundle(&ctx.base_url, &row, state.settings())).into_response())
}

/// `GET /keys/{name}/{version}` (latest when `version` is `None`).
pub async fn get_key(
    state: AppState,
    ctx: RequestCtx,
    name: String,
    version: Option<String>,
) -> Result<Response, ApiError> {
    validate_key_name(&name)?;
    let row = state
        .store()
        .run(move |tx| find(tx, &name, version.as_deref()))
        .await?;
    Ok(Json(view::bundle(&ctx.base_url, &row, state.settings())).into_response())
}

/// `PATCH /keys/{name}/{version}`.
pub async fn update_key(
    state: AppState,
    ctx: RequestCtx,
    name: String,
    version: Option<String>,
    body: &[u8],
) -> Result<Response, ApiError> {
    validate_key_name(&name)?;
    let params: KeyUpdateParameters = parse_json(body)?;
    if let Some(policy) = &params.release_policy {
        crate::release::validate_policy(policy)?;
    }
    let now = state.clock().now();
    let row = state
        .store()
        .run(move |tx| {
            let mut row = find(tx, &name, version.as_deref())?;
            apply_update(&mut row.meta, params, now)?;
            tx.update_meta(&row.name, &row.version, &row.meta)?;
            Ok(row)
        })
        .await?;
    Ok(Json(view::bundle(&ctx.base_url, &row, state.settings())).into_response())
}

fn apply_update(meta: &mut KeyMeta, params: KeyUpdateParameters, now: i64) -> Result<(), ApiError> {
    if let Some(ops) = params.key_ops {
        if let Some(unknown) = ops.iter().find(|op| !op.is_known()) {
            return Err(ApiError::bad(format!("Unknown key operation `{unknown}`.")));
        }
        meta.public.key_ops = Some(ops);
    }
    if let Some(attrs) = params.attributes {
        if attrs.exportable.is_some() && attrs.exportable != meta.attributes.exportable {
            return Err(ApiError::bad(
                "The exportable attribute of a key cannot be changed.",
            ));
        }
        if let Some(enabled) = attrs.enabled {
            meta.attributes.enabled = Some(enabled);
        }
        if attrs.nbf.is_some() {
            meta.attributes.nbf = attrs.nbf;
        }
        if attrs.exp.is_some() {
            meta.attributes.exp = attrs.exp;
        }
        if let (Some(nbf), Some(exp)) = (meta.attributes.nbf, meta.attributes.exp)
            && nbf >= exp
        {
            return Err(ApiError::bad("The key's nbf must be earlier than its exp."));
        }
    }
    if let Some(tags) = params.tags {
        validate_tags(Some(&tags))?;
        meta.tags = Some(tags);
    }
    if let Some(policy) = params.release_policy {
        if meta.attributes.exportable != Some(true) {
            return Err(ApiError::bad(
                "A key with a release policy must be exportable (attributes.exportable).",
            ));
        }
        if meta
            .release_policy
            .as_ref()
            .is_some_and(|p| p.immutable == Some(true))
        {
            return Err(ApiError::Forbidden(
                "The key's release policy is immutable and cannot be changed.".into(),
            ));
        }
        meta.release_policy = Some(policy);
    }
    meta.attributes.updated = Some(now);
    Ok(())
}

/// `GET /keys`.
pub async fn list_keys(state: AppState, ctx: RequestCtx) -> Result<Response, ApiError> {
    let page = PageRequest::from_ctx(&ctx)?;
    let after = page.after_name()?.map(str::to_owned);
    let limit = page.max_results;
    let rows = state
        .store()
        .run(move |tx| tx.list_keys(after.as_deref(), limit + 1))
        .await?;
    let result: KeyListResult = paged(
        rows,
        limit,
        |rows| {
            rows.iter()
                .map(|r| view::item(&ctx.base_url, r, state.settings(), false))
                .collect()
        },
        |last| page.next_link(&ctx, "/keys", &Cursor::AfterName(last.name.clone())),
    );
    Ok(Json(result).into_response())
}

/// `GET /keys/{name}/versions` (an empty list when no active key has that name).
pub async fn list_versions(
    state: AppState,
    ctx: RequestCtx,
    name: String,
) -> Result<Response, ApiError> {
    validate_key_name(&name)?;
    let page = PageRequest::from_ctx(&ctx)?;
    let after = page.after_seq()?;
    let limit = page.max_results;
    let lookup = name.clone();
    // As the service: the versions of a name that holds no (active) key are an empty
    // list, not a 404.
    let rows = state
        .store()
        .run(move |tx| match tx.latest(&lookup)? {
            Some(latest) => tx.list_versions(&latest.name, after, limit + 1),
            None => Ok(Vec::new()),
        })
        .await?;
    let path = format!("/keys/{name}/versions");
    let result: KeyListResult = paged(
        rows,
        limit,
        |rows| {
            rows.iter()
                .map(|r| view::item(&ctx.base_url, r, state.settings(), true))
                .collect()
        },
        |last| page.next_link(&ctx, &path, &Cursor::AfterSeq(last.seq)),
    );
    Ok(Json(result).into_response())
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

/// Everything of key `name` (active) that a backup carries, private keys included.
pub(crate) fn backup_content(tx: &Tx<'_>, name: &str) -> Result<BackupContent, ApiError> {
    let latest = find(tx, name, None)?;
    let mut versions = Vec::new();
    for row in tx.all_versions(&latest.name)? {
        let private = tx.private(&row.name, &row.version)?;
        versions.push(BackupVersion {
            version: row.version,
            meta: row.meta,
            private,
        });
    }
    Ok(BackupContent {
        format: BACKUP_FORMAT,
        name: latest.name.clone(),
        versions,
        rotation_policy: tx.rotation_policy(&latest.name)?,
    })
}

/// Encrypts and authenticates a key's backup content (the same blob format serves the
/// single-key backup and each key of a full backup).
pub(crate) fn seal_backup(state: &AppState, content: &BackupContent) -> Result<Vec<u8>, ApiError> {
    let plain = zeroize::Zeroizing::new(serde_json::to_vec(content).map_err(ApiError::internal)?);
    state
        .store()
        .sealer()
        .seal(Purpose::Backup, BACKUP_CONTEXT, &plain)
        .map_err(ApiError::internal)
}

/// Authenticates, decrypts and checks a blob made by [`seal_backup`].
pub(crate) fn open_backup(state: &AppState, blob: &[u8]) -> Result<BackupContent, ApiError> {
    // The service's wording for a blob it cannot read (checked by the SDKs' own tests).
    let invalid = || ApiError::bad("Backup blob contains invalid or corrupt version.");
    let plain = state
        .store()
        .sealer()
        .open(Purpose::Backup, BACKUP_CONTEXT, blob)
        .map_err(|_| invalid())?;
    let content: BackupContent = serde_json::from_slice(&plain).map_err(|_| invalid())?;
    if content.format != BACKUP_FORMAT
        || content.versions.is_empty()
        || content.versions.iter().any(|v| !is_version_id(&v.version))
    {
        return Err(invalid());
    }
    validate_key_name(&content.name)?;
    Ok(content)
}

/// Writes a backed-up key into the store under its name, which must be unused.
pub(crate) fn insert_backup(tx: &Tx<'_>, content: &BackupContent) -> Result<(), ApiError> {
    for v in &content.versions {
        tx.insert_version(&content.name, &v.version, &v.meta, &v.private)?;
    }
    if let Some(policy) = &content.rotation_policy {
        tx.set_rotation_policy(&content.name, policy)?;
    }
    Ok(())
}

/// `POST /keys/{name}/backup`.
pub async fn backup_key(state: AppState, name: String) -> Result<Response, ApiError> {
    validate_key_name(&name)?;
    let content = state
        .store()
        .run(move |tx| backup_content(tx, &name))
        .await?;
    let blob = seal_backup(&state, &content)?;
    Ok(Json(BackupKeyResult { value: Some(blob) }).into_response())
}

/// `POST /keys/restore`.
pub async fn restore_key(
    state: AppState,
    ctx: RequestCtx,
    body: &[u8],
) -> Result<Response, ApiError> {
    let params: KeyRestoreParameters = parse_json(body)?;
    let content = open_backup(&state, &params.key_bundle_backup)?;
    let row = state
        .store()
        .run(move |tx| {
            if tx.name_state(&content.name)?.is_some() {
                return Err(ApiError::Conflict(format!(
                    "A key named {} already exists in this vault (possibly deleted); \
                     restore needs an unused name.",
                    content.name
                )));
            }
            insert_backup(tx, &content)?;
            find(tx, &content.name, None)
        })
        .await?;
    Ok(Json(view::bundle(&ctx.base_url, &row, state.settings())).into_response())
}
