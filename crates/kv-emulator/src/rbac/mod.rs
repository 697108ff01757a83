//! Managed HSM local RBAC: built-in roles, scopes, the principal of a request and the
//! access decision.
//!
//! Enforcement is off unless the emulator is started with `--rbac`
//! ([`EmulatorBuilder::rbac`](crate::EmulatorBuilder::rbac)). When on, every data-plane
//! request needs a role assignment for its principal, at the request's scope or above
//! (`/` covers `/keys`, which covers `/keys/NAME`), whose role grants the request's
//! [`DataAction`](kv_protocol::DataAction); a `notDataActions` entry of any applicable role denies the action even
//! when another role grants it. Otherwise the answer is 403 `ForbiddenByRbac`.
//!
//! # The principal
//!
//! The principal is the `oid` claim of the bearer token. With `--auth any` (the default)
//! it is read as an unverified JWT: the emulator checks no signature, issuer or expiry.
//! With `--auth strict` only tokens the emulator issued and verified reach this check
//! ([`crate::oauth`]), so the `oid` is a verified one and a forged token gets 401.
//! Tests mint a token as `base64url({"alg":"none","typ":"JWT"}) + "." +
//! base64url({"oid":"<principal id>"}) + "."` (any signature part is ignored); see
//! [`unsigned_token`]. A token without an `oid` has no principal and is refused.
//!
//! Principals named with `--rbac-admin OID` hold the Administrator role at `/` from the
//! start (like the administrators named when a Managed HSM is created); they use it to
//! create the other assignments. Those bootstrap grants are implicit and not listed.
//!
//! The settings and External Key Manager APIs need data actions the spec's enum does not
//! list; the built-in roles spell them as the service lists them (`settings/read/action`
//! and `settings/write/action` for the Administrator, `ekm/*` for the EKM Administrator).

pub mod builtin;
pub(crate) mod decision;

pub(crate) use decision::{Decision, decide};

use kv_jwk::base64url;

/// A scope as the emulator stores it: `/`, `/keys` or `/keys/NAME` (the name in lower
/// case, since key names compare case-insensitively).
pub fn normalize_scope(raw: &str) -> Option<String> {
    let trimmed = raw.trim_matches('/');
    if trimmed.is_empty() {
        return Some("/".to_owned());
    }
    let mut parts = trimmed.split('/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(k), None, None) if k.eq_ignore_ascii_case("keys") => Some("/keys".to_owned()),
        (Some(k), Some(name), None)
            if k.eq_ignore_ascii_case("keys") && crate::names::validate_key_name(name).is_ok() =>
        {
            Some(format!("/keys/{}", name.to_ascii_lowercase()))
        }
        _ => None,
    }
}

/// Whether an assignment at `assigned` applies to a request at `requested` (both
/// normalized): the same scope or an ancestor of it.
pub fn scope_covers(assigned: &str, requested: &str) -> bool {
    assigned == "/"
        || assigned == requested
        || requested
            .strip_prefix(assigned)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The `oid` claim of a bearer token read as an unverified JWT, or `None`.
pub fn principal_of(authorization: &str) -> Option<String> {
    let (scheme, token) = authorization.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let payload = token.trim().split('.').nth(1)?;
    let bytes = base64url::decode(payload).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims
        .get("oid")
        .and_then(serde_json::Value::as_str)
        .filter(|oid| !oid.is_empty())
        .map(str::to_owned)
}

/// An unsigned JWT (`alg: none`) whose `oid` claim is `principal`: what tests send as a
/// bearer token to act as that principal.
pub fn unsigned_token(principal: &str) -> String {
    let header = base64url::encode(br#"{"alg":"none","typ":"JWT"}"#);
    let claims = serde_json::json!({ "oid": principal });
    let body = base64url::encode(claims.to_string().as_bytes());
    format!("{header}.{body}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes() {
        assert_eq!(normalize_scope("/").as_deref(), Some("/"));
        assert_eq!(normalize_scope("").as_deref(), Some("/"));
        assert_eq!(normalize_scope("keys").as_deref(), Some("/keys"));
        assert_eq!(normalize_scope("/keys/").as_deref(), Some("/keys"));
        assert_eq!(
            normalize_scope("/keys/MyKey").as_deref(),
            Some("/keys/mykey")
        );
        assert_eq!(normalize_scope("/secrets"), None);
        assert_eq!(normalize_scope("/keys/a/b"), None);
        assert!(scope_covers("/", "/keys/k"));
        assert!(scope_covers("/keys", "/keys/k"));
        assert!(scope_covers("/keys/k", "/keys/k"));
        assert!(!scope_covers("/keys/k", "/keys/k2"));
        assert!(!scope_covers("/keys/k", "/keys"));
        assert!(!scope_covers("/keys", "/"));
    }

    #[test]
    fn principal_from_unsigned_and_signed_tokens() {
        let token = unsigned_token("0f0e-user");
        assert_eq!(
            principal_of(&format!("Bearer {token}")).as_deref(),
            Some("0f0e-user")
        );
        let signed = format!("{}sig-ignored", token);
        assert_eq!(
            principal_of(&format!("bearer {signed}")).as_deref(),
            Some("0f0e-user")
        );
        assert_eq!(principal_of("Bearer fake-token"), None);
        assert_eq!(principal_of("Basic abc"), None);
        let no_oid = format!("Bearer x.{}.", base64url::encode(br#"{"sub":"s"}"#));
        assert_eq!(principal_of(&no_oid), None);
    }
}
