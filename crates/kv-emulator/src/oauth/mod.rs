//! `--auth strict`: the emulator as the OAuth issuer for itself.
//!
//! With `--auth any` (the default) any bearer token is accepted. With `--auth strict` the
//! emulator signs its own access tokens (RS256 JWTs, with an RSA key generated at start and
//! used through `kv-crypto-local`'s [`LocalKey`]) and every data-plane and `/_emulator`
//! request must carry one that verifies: the signature, `aud` equal to the challenge
//! resource of the request (the `resource` of its 401 challenge, trailing `/` ignored),
//! `exp`/`nbf` against real time (tokens follow the wall clock, not the movable clock, so
//! time travel does not expire them), and `tid` equal to the configured tenant. Otherwise the
//! answer is 401 `Unauthorized` with the service's error body and the challenge, whose
//! `authorization` then names the emulator itself (`https://HOST/TENANT`). With `--rbac`,
//! the principal is the `oid` of the verified token, so a forged `oid` is refused.
//!
//! # Getting a token
//! Both endpoints need no token themselves and answer 404 unless `--auth strict` is on.
//!
//! - **Client credentials** (as Microsoft Entra ID): `POST /{tenant}/oauth2/v2.0/token`, form
//!   `grant_type=client_credentials&client_id=ID&client_secret=ANY&scope=RESOURCE/.default`.
//!   The token's `oid` is the `client_id` (so `--rbac-admin ID` makes that client an
//!   administrator); any non-empty secret is accepted. Answers
//!   `{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"..."}`.
//!   `GET /{tenant}/v2.0/.well-known/openid-configuration` and
//!   `GET /{tenant}/discovery/v2.0/keys` (the signing key as a JWKS) are served too, so an
//!   MSAL-based credential given the emulator as its authority finds the token endpoint.
//! - **Managed identity** (as the instance metadata service):
//!   `GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=RESOURCE` with the
//!   header `Metadata: true`; `client_id=ID` (or `object_id`) picks the identity's `oid`,
//!   else it is [`MANAGED_IDENTITY_OID`]. Answers IMDS's shape (`access_token`,
//!   `expires_in`, `expires_on`, `not_before`, `resource`, `token_type`, as strings).
//!
//! Tokens carry `aud`, `iss` (`https://HOST/TENANT/v2.0`), `iat`, `nbf`, `exp` (one hour),
//! `tid`, `oid`, `sub` and `appid`. The signing key lives in memory only: tokens do not
//! survive a restart.

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use kv_crypto_local::LocalKey;
use kv_crypto_local::digest::sha256;
use kv_jwk::{JsonWebKey, SignatureAlgorithm, base64url};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::{ApiError, StartError};

mod endpoints;

pub(crate) use endpoints::router;

/// The lifetime of an issued token, in seconds.
pub const TOKEN_LIFETIME_SECS: i64 = 3_600;
/// The `oid` of the managed identity when the request names none.
pub const MANAGED_IDENTITY_OID: &str = "00000000-0000-0000-0000-00000000a11d";

/// How requests are authenticated (`--auth`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthMode {
    /// Any bearer token is accepted (the default).
    #[default]
    Any,
    /// Only tokens the emulator issued and that verify.
    Strict,
}

/// An `--auth` value other than `any` or `strict`.
#[derive(Debug, thiserror::Error)]
#[error("auth must be `any` or `strict`, got `{0}`")]
pub struct AuthModeError(String);

impl FromStr for AuthMode {
    type Err = AuthModeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "any" => Ok(Self::Any),
            "strict" => Ok(Self::Strict),
            _ => Err(AuthModeError(text.to_owned())),
        }
    }
}

impl fmt::Display for AuthMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Any => "any",
            Self::Strict => "strict",
        })
    }
}

/// The claims the emulator puts in (and reads from) its tokens.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// Audience: the resource the token is for.
    pub aud: String,
    /// Issuer: `https://HOST/TENANT/v2.0`.
    pub iss: String,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// Not before (Unix seconds).
    pub nbf: i64,
    /// Expiry (Unix seconds).
    pub exp: i64,
    /// Tenant.
    pub tid: String,
    /// The principal's object id.
    pub oid: String,
    /// Subject (the same as `oid`).
    pub sub: String,
    /// The client application id.
    pub appid: String,
}

/// Why a token was refused (the message of the 401).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// Not a compact JWS with RS256, or unreadable claims.
    Malformed,
    /// The signature does not verify under the emulator's key.
    Signature,
    /// `exp` has passed or `nbf` has not come.
    Expired,
    /// `aud` is not the challenge resource.
    Audience,
    /// `tid` is not the configured tenant.
    Tenant,
}

impl Refusal {
    /// The message answered in the 401 body.
    pub fn message(self) -> &'static str {
        match self {
            Self::Malformed => "The bearer token is not a JWT signed with RS256.",
            Self::Signature => "The bearer token's signature is not valid.",
            Self::Expired => "The bearer token has expired or is not valid yet.",
            Self::Audience => "AKV10022: Invalid audience.",
            Self::Tenant => "AKV10032: Invalid issuer.",
        }
    }
}

/// The emulator's token signer and verifier.
pub struct TokenIssuer {
    key: LocalKey,
    public: JsonWebKey,
    kid: String,
}

impl fmt::Debug for TokenIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenIssuer")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn trim_slash(s: &str) -> &str {
    s.trim_end_matches('/')
}

impl TokenIssuer {
    /// A new issuer with a fresh RSA 2048 signing key.
    ///
    /// # Errors
    /// [`StartError::Config`] if the key cannot be generated.
    pub fn generate() -> Result<Self, StartError> {
        let fail =
            |e: kv_crypto_local::Error| StartError::Config(format!("token signing key: {e}"));
        let private = kv_crypto_local::generate_rsa(2048, None).map_err(fail)?;
        let mut public = private.to_public();
        let kid = kv_crypto_local::digest::jwk_thumbprint_sha256_base64url(&public)
            .map_err(|e| StartError::Config(format!("token signing key: {e}")))?;
        public.kid = Some(kid.clone());
        Ok(Self {
            key: LocalKey::new(&private).map_err(fail)?,
            public,
            kid,
        })
    }

    /// The public signing key, as published in the JWKS.
    pub fn public_key(&self) -> &JsonWebKey {
        &self.public
    }

    /// Signs `claims` into a compact RS256 JWT.
    ///
    /// # Errors
    /// [`ApiError::Internal`] if signing fails.
    pub fn sign(&self, claims: &Claims) -> Result<String, ApiError> {
        let header = json!({"alg": "RS256", "typ": "JWT", "kid": self.kid});
        let claims = serde_json::to_value(claims).map_err(ApiError::internal)?;
        crate::release::token::sign(&self.key, &SignatureAlgorithm::Rs256, &header, &claims)
    }

    /// Claims for a token issued now to `oid` for `audience`, by the issuer at `base_url`.
    pub fn claims(&self, base_url: &str, tenant: &str, audience: &str, oid: &str) -> Claims {
        let now = unix_now();
        Claims {
            aud: trim_slash(audience).to_owned(),
            iss: format!("{base_url}/{tenant}/v2.0"),
            iat: now,
            nbf: now,
            exp: now.saturating_add(TOKEN_LIFETIME_SECS),
            tid: tenant.to_owned(),
            oid: oid.to_owned(),
            sub: oid.to_owned(),
            appid: oid.to_owned(),
        }
    }

    /// Verifies `token` for a request whose challenge resource is `audience`, in `tenant`.
    ///
    /// # Errors
    /// The [`Refusal`] of the first check that fails.
    pub fn verify(&self, token: &str, audience: &str, tenant: &str) -> Result<Claims, Refusal> {
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Refusal::Malformed);
        };
        let decode = |part: &str| base64url::decode(part).map_err(|_| Refusal::Malformed);
        let header: serde_json::Value =
            serde_json::from_slice(&decode(h)?).map_err(|_| Refusal::Malformed)?;
        if header.get("alg").and_then(serde_json::Value::as_str) != Some("RS256") {
            return Err(Refusal::Malformed);
        }
        let alg = SignatureAlgorithm::Rs256;
        let digest = sha256(format!("{h}.{p}").as_bytes());
        let signature = decode(s)?;
        if !self.key.verify(&alg, &digest, &signature).unwrap_or(false) {
            return Err(Refusal::Signature);
        }
        let claims: Claims = serde_json::from_slice(&decode(p)?).map_err(|_| Refusal::Malformed)?;
        let now = unix_now();
        if now >= claims.exp || now < claims.nbf {
            return Err(Refusal::Expired);
        }
        if trim_slash(&claims.aud) != trim_slash(audience) {
            return Err(Refusal::Audience);
        }
        if claims.tid != tenant {
            return Err(Refusal::Tenant);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_verify_and_tampering_is_refused() {
        let issuer = TokenIssuer::generate().unwrap();
        let tenant = "00000000-0000-0000-0000-0000000000aa";
        let aud = "https://vault.azure.net";
        let claims = issuer.claims(
            "https://127.0.0.1:1",
            tenant,
            "https://vault.azure.net/",
            "me",
        );
        let token = issuer.sign(&claims).unwrap();
        assert_eq!(issuer.verify(&token, aud, tenant).unwrap(), claims);
        assert_eq!(
            issuer.verify(&token, "https://other", tenant),
            Err(Refusal::Audience)
        );
        assert_eq!(
            issuer.verify(&token, aud, "other-tenant"),
            Err(Refusal::Tenant)
        );
        let expired = issuer
            .sign(&Claims {
                exp: claims.iat - 10,
                ..claims.clone()
            })
            .unwrap();
        assert_eq!(issuer.verify(&expired, aud, tenant), Err(Refusal::Expired));
        // Another key's signature, and a payload swapped under the original signature.
        let stranger = TokenIssuer::generate().unwrap();
        let foreign = stranger.sign(&claims).unwrap();
        assert_eq!(
            issuer.verify(&foreign, aud, tenant),
            Err(Refusal::Signature)
        );
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged_claims = serde_json::to_vec(&Claims {
            oid: "admin".into(),
            ..claims.clone()
        })
        .unwrap();
        let forged_payload = base64url::encode(&forged_claims);
        parts[1] = &forged_payload;
        assert_eq!(
            issuer.verify(&parts.join("."), aud, tenant),
            Err(Refusal::Signature)
        );
        assert_eq!(issuer.verify("abc", aud, tenant), Err(Refusal::Malformed));
        assert!(!format!("{issuer:?}").contains("\"d\""));
    }
}
