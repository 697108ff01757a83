//! Keys: the checks a new version passes (key operations, exportability, release and
//! secure-wrap rules, validity window), lookup by name and version, lookup-and-check
//! before an operation, create, import and update.

use kv_jwk::{JsonWebKey, KeyOperation};
use kv_protocol::{
    KeyAttributes, KeyCreateParameters, KeyImportParameters, KeyReleasePolicy, KeyUpdateParameters,
    Tags,
};

use crate::error::{ApiError, with_activity_id};
use crate::keymat::{self, KeySpec};
use crate::names::{is_version_id, new_version_id, validate_key_name, validate_tags};
use crate::personality;
use crate::release::stored_policy;
use crate::state::AppState;
use crate::store::{KeyMeta, Tx, VersionRow};
use crate::usage::check_usable;

/// What a new version starts with (from create, import, rotate or restore).
pub(crate) struct NewVersion {
    pub(crate) key_ops: Option<Vec<KeyOperation>>,
    pub(crate) attributes: Option<KeyAttributes>,
    pub(crate) tags: Option<Tags>,
    pub(crate) release_policy: Option<KeyReleasePolicy>,
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
    let secure_wrap = check_new_key(&ops, exportable, new.release_policy.is_some())?;
    public.key_ops = Some(ops);
    if exportable && new.release_policy.is_none() {
        return Err(ApiError::bad(release_rule_message(
            "AKV.SKR.1004",
            "Exportable keys must have release policy",
        )));
    }
    if new.release_policy.is_some() && !exportable && !secure_wrap {
        return Err(ApiError::bad(non_exportable_with_policy()));
    }
    let release_policy = new.release_policy.map(stored_policy).transpose()?;
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
        release_policy,
        key_size: keymat::key_size(private),
    })
}

/// Whether `ops` make a key a secure-wrap key.
pub(crate) fn is_secure_wrap_key(ops: &[KeyOperation]) -> bool {
    ops.iter().any(|op| {
        matches!(
            op,
            KeyOperation::SecureWrapKey | KeyOperation::SecureUnwrapKey
        )
    })
}

/// Checks a new version's shape for secure wrap: with `secureWrapKey`/`secureUnwrapKey` it
/// needs a release policy and must not be exportable. Returns whether the key is a
/// secure-wrap key (which may then carry a release policy without being exportable).
///
/// # Errors
/// 400 when a secure-wrap key is exportable or has no release policy.
pub(crate) fn check_new_key(
    ops: &[KeyOperation],
    exportable: bool,
    has_policy: bool,
) -> Result<bool, ApiError> {
    if !is_secure_wrap_key(ops) {
        return Ok(false);
    }
    if exportable {
        return Err(ApiError::bad(
            "A key for secure wrap (secureWrapKey/secureUnwrapKey) must not be exportable.",
        ));
    }
    if !has_policy {
        return Err(ApiError::bad(
            "A key for secure wrap (secureWrapKey/secureUnwrapKey) must have a release policy \
             (release_policy).",
        ));
    }
    Ok(true)
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
    // The service names what was asked for: `name/version` when a version was (Go azkeys
    // `TestRecoverDeletedKey/KV.json`).
    row.ok_or_else(|| {
        ApiError::KeyNotFound(match version {
            Some(v) if !v.is_empty() => format!("{name}/{v}"),
            _ => name.to_owned(),
        })
    })
}

/// The version `name`/`version` (latest when `version` is `None`).
pub(crate) async fn get(
    state: &AppState,
    name: String,
    version: Option<String>,
) -> Result<VersionRow, ApiError> {
    validate_key_name(&name)?;
    state
        .store()
        .run(move |tx| find(tx, &name, version.as_deref()))
        .await
}

/// Loads the version and its private key after checking it may perform `op` now
/// (enabled, validity window, `key_ops`; see [`crate::usage`]).
pub(crate) async fn load_usable(
    state: &AppState,
    name: String,
    version: Option<String>,
    op: KeyOperation,
) -> Result<(VersionRow, JsonWebKey), ApiError> {
    validate_key_name(&name)?;
    let now = state.clock().now();
    state
        .store()
        .run(move |tx| {
            let row = find(tx, &name, version.as_deref())?;
            check_usable(&row.meta, &op, now)?;
            let mut private = tx.private(&row.name, &row.version)?;
            // `key_ops` is enforced above from the current (updatable) attributes; the local
            // key then runs the plain operation (a secure wrap is a plain wrap here).
            private.key_ops = None;
            Ok((row, private))
        })
        .await
}

/// Generates a key as `params` ask and stores it as a new version of `name`.
pub(crate) async fn create(
    state: &AppState,
    name: String,
    params: KeyCreateParameters,
) -> Result<VersionRow, ApiError> {
    validate_key_name(&name)?;
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
    state
        .store()
        .run(move |tx| insert(tx, &name, &meta, &private))
        .await
}

/// Stores an imported key as a new version of `name`.
pub(crate) async fn import(
    state: &AppState,
    name: String,
    params: KeyImportParameters,
) -> Result<VersionRow, ApiError> {
    validate_key_name(&name)?;
    let mut private = keymat::validate_import(params.key, params.hsm.unwrap_or(false))?;
    personality::adopt(state.kind(), &mut private);
    // A vault gives an import with `key_ops: []` the key type's defaults, as if none were
    // sent (Java `CryptographyClientTest.encryptDecryptRsa`, 7.4 and 7.5).
    let key_ops = private
        .key_ops
        .clone()
        .filter(|ops| !ops.is_empty() || state.kind().is_hsm());
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
    state
        .store()
        .run(move |tx| insert(tx, &name, &meta, &private))
        .await
}

/// Applies `params` to the version `name`/`version` (latest when `None`).
pub(crate) async fn update(
    state: &AppState,
    name: String,
    version: Option<String>,
    mut params: KeyUpdateParameters,
) -> Result<VersionRow, ApiError> {
    validate_key_name(&name)?;
    params.release_policy = params.release_policy.map(stored_policy).transpose()?;
    let now = state.clock().now();
    state
        .store()
        .run(move |tx| {
            let mut row = find(tx, &name, version.as_deref())?;
            apply_update(&mut row.meta, params, now)?;
            tx.update_meta(&row.name, &row.version, &row.meta)?;
            Ok(row)
        })
        .await
}

/// Up to `limit` active keys (their latest versions) after the name `after`, by name.
pub(crate) async fn list(
    state: &AppState,
    after: Option<String>,
    limit: usize,
) -> Result<Vec<VersionRow>, ApiError> {
    state
        .store()
        .run(move |tx| tx.list_keys(after.as_deref(), limit))
        .await
}

/// Up to `limit` versions of key `name` after sequence number `after`, oldest first. As
/// the service: the versions of a name that holds no (active) key are an empty list, not
/// a 404.
pub(crate) async fn list_versions(
    state: &AppState,
    name: String,
    after: Option<i64>,
    limit: usize,
) -> Result<Vec<VersionRow>, ApiError> {
    validate_key_name(&name)?;
    state
        .store()
        .run(move |tx| match tx.latest(&name)? {
            Some(latest) => tx.list_versions(&latest.name, after, limit),
            None => Ok(Vec::new()),
        })
        .await
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
            // .NET `ReleaseUpdatedKey` on both personalities.
            return Err(ApiError::bad(release_rule_message(
                "AKV.SKR.1014",
                "Cannot modify the exportable state of a key",
            )));
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
            return Err(ApiError::bad(non_exportable_with_policy()));
        }
        if meta
            .release_policy
            .as_ref()
            .is_some_and(|p| p.immutable == Some(true))
        {
            // JS `errors when updating an immutable release policy` (vault).
            return Err(ApiError::bad(release_rule_message(
                "AKV.SKR.1020",
                "Immutable Key Release Policy cannot be modified",
            )));
        }
        meta.release_policy = Some(policy);
    }
    meta.attributes.updated = Some(now);
    Ok(())
}

/// The service's words for a broken release-policy rule: a vault leads with the rule's
/// `AKV.SKR` code, a Managed HSM ends with an activity id ("Exportable keys must have release
/// policy", recorded by the JavaScript SDK's live tests on both).
fn release_rule_message(code: &str, message: &str) -> String {
    if crate::vaults::current_is_hsm() {
        with_activity_id(message)
    } else {
        format!("{code}: {message}.")
    }
}

/// A release policy on a key that is not exportable (`AKV.SKR.1005` on a vault).
fn non_exportable_with_policy() -> String {
    release_rule_message(
        "AKV.SKR.1005",
        "Non-exportable keys must not have release policy",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secure_wrap_key_rules() {
        let secure = [KeyOperation::SecureWrapKey, KeyOperation::SecureUnwrapKey];
        assert!(check_new_key(&secure, false, true).unwrap());
        assert!(check_new_key(&secure, true, true).is_err());
        assert!(check_new_key(&secure, false, false).is_err());
        assert!(!check_new_key(&[KeyOperation::WrapKey], true, true).unwrap());
    }
}
