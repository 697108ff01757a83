//! Release policies (`anyOf`/`allOf` claim conditions): parsing and evaluation.

use kv_protocol::KeyReleasePolicy;
use serde::Deserialize;

use crate::error::ApiError;

/// A release policy document (the JSON inside `release_policy.data`).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyDocument {
    // The document's `version` (`1.0.0`) is not checked: serde skips it.
    /// Alternatives: the release is allowed if any one is satisfied.
    #[serde(default)]
    pub any_of: Vec<AuthorityRule>,
    /// Requirements that must all hold (some documents put them at the top level).
    #[serde(default)]
    pub all_of: Vec<AuthorityRule>,
}

/// Conditions on tokens from one attestation authority.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorityRule {
    /// The issuer (`iss`) the token must come from.
    #[serde(default)]
    pub authority: Option<String>,
    /// Conditions that must all hold.
    #[serde(default)]
    pub all_of: Vec<Condition>,
    /// Conditions of which at least one must hold.
    #[serde(default)]
    pub any_of: Vec<Condition>,
}

/// One claim condition.
#[derive(Clone, Debug, Deserialize)]
pub struct Condition {
    /// Dotted path of the claim in the token (`x-ms-sevsnpvm-is-debuggable`,
    /// `x-ms-runtime.keys`...).
    pub claim: String,
    /// The value the claim must equal.
    #[serde(default)]
    pub equals: Option<serde_json::Value>,
}

/// Parses and checks a release policy's document.
pub fn parse_policy(policy: &KeyReleasePolicy) -> Result<PolicyDocument, ApiError> {
    if let Some(content_type) = &policy.content_type {
        let base = content_type.split(';').next().unwrap_or_default().trim();
        if !base.eq_ignore_ascii_case("application/json") {
            return Err(ApiError::bad(
                "The release policy content type must be application/json.",
            ));
        }
    }
    let data = policy
        .encoded_policy
        .as_deref()
        .ok_or_else(|| ApiError::bad("The release policy has no data."))?;
    let doc: PolicyDocument = serde_json::from_slice(data)
        .map_err(|_| ApiError::bad("The release policy data is not a valid policy document."))?;
    if doc.any_of.is_empty() && doc.all_of.is_empty() {
        return Err(ApiError::bad(
            "The release policy must have anyOf or allOf rules.",
        ));
    }
    for rule in doc.any_of.iter().chain(&doc.all_of) {
        if rule.all_of.is_empty() && rule.any_of.is_empty() {
            return Err(ApiError::bad(
                "Every release policy rule needs allOf or anyOf claim conditions.",
            ));
        }
        if rule
            .all_of
            .iter()
            .chain(&rule.any_of)
            .any(|c| c.claim.is_empty() || c.equals.is_none())
        {
            return Err(ApiError::bad(
                "Every release policy condition needs a claim and an equals value.",
            ));
        }
    }
    Ok(doc)
}

/// A release policy as the service keeps and answers it once checked (when a key is
/// created, imported or updated): `immutable` is `false` unless set, and the document is
/// written again compactly. A vault writes the policy schema's members in the schema's
/// order, `version` first, `authority` before a rule's conditions, `claim` before `equals`
/// (.NET `KeyClientLiveTests/ReleaseCreatedKey`, Python `test_key_release`); a Managed HSM
/// sorts every object's members by name (.NET `ManagedHsmLiveTests/ReleaseCreatedKey`).
/// Members outside the schema follow the known ones, by name.
pub fn stored_policy(mut policy: KeyReleasePolicy) -> Result<KeyReleasePolicy, ApiError> {
    parse_policy(&policy)?;
    let data = policy.encoded_policy.as_deref().unwrap_or_default();
    let document: serde_json::Value = serde_json::from_slice(data)
        .map_err(|_| ApiError::bad("The release policy data is not a valid policy document."))?;
    let order = if crate::vaults::current_is_hsm() {
        &[][..]
    } else {
        SCHEMA_ORDER
    };
    let mut compact = Vec::with_capacity(data.len());
    write_ordered(&document, order, &mut compact)?;
    policy.encoded_policy = Some(compact);
    policy.immutable.get_or_insert(false);
    Ok(policy)
}

/// The policy schema's members in the order a vault writes them; each object holds a few.
const SCHEMA_ORDER: &[&str] = &["version", "authority", "claim", "equals", "anyOf", "allOf"];

/// Writes `value` as compact JSON, each object's members in `order` first, then by name.
fn write_ordered(
    value: &serde_json::Value,
    order: &[&str],
    out: &mut Vec<u8>,
) -> Result<(), ApiError> {
    match value {
        serde_json::Value::Object(members) => {
            let mut names: Vec<&String> = members.keys().collect();
            let rank = |name: &str| order.iter().position(|o| *o == name).unwrap_or(order.len());
            names.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
            out.push(b'{');
            for (i, name) in names.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                serde_json::to_writer(&mut *out, name).map_err(ApiError::internal)?;
                out.push(b':');
                write_ordered(&members[name.as_str()], order, out)?;
            }
            out.push(b'}');
        }
        serde_json::Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_ordered(item, order, out)?;
            }
            out.push(b']');
        }
        scalar => serde_json::to_writer(&mut *out, scalar).map_err(ApiError::internal)?,
    }
    Ok(())
}

fn claim<'a>(claims: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    if let Some(v) = claims.get(path) {
        return Some(v);
    }
    let mut current = claims;
    for part in path.split('.') {
        current = current.get(part)?;
    }
    Some(current)
}

fn holds(condition: &Condition, claims: &serde_json::Value) -> bool {
    let (Some(actual), Some(expected)) = (claim(claims, &condition.claim), &condition.equals)
    else {
        return false;
    };
    if actual == expected {
        return true;
    }
    // Policies often spell booleans and numbers as strings.
    match (actual, expected) {
        (serde_json::Value::String(a), e) => a == &e.to_string(),
        (a, serde_json::Value::String(e)) => &a.to_string() == e,
        _ => false,
    }
}

fn same_authority(rule: Option<&str>, issuer: Option<&str>) -> bool {
    match (rule, issuer) {
        (None, _) => true,
        (Some(rule), Some(issuer)) => rule
            .trim_end_matches('/')
            .eq_ignore_ascii_case(issuer.trim_end_matches('/')),
        (Some(_), None) => false,
    }
}

fn rule_holds(rule: &AuthorityRule, claims: &serde_json::Value) -> bool {
    let issuer = claims.get("iss").and_then(serde_json::Value::as_str);
    same_authority(rule.authority.as_deref(), issuer)
        && rule.all_of.iter().all(|c| holds(c, claims))
        && (rule.any_of.is_empty() || rule.any_of.iter().any(|c| holds(c, claims)))
}

impl PolicyDocument {
    /// Whether verified token `claims` satisfy the policy: one `anyOf` rule (if any) and
    /// every top-level `allOf` rule.
    pub fn allows(&self, claims: &serde_json::Value) -> bool {
        (self.any_of.is_empty() || self.any_of.iter().any(|r| rule_holds(r, claims)))
            && self.all_of.iter().all(|r| rule_holds(r, claims))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(value: serde_json::Value) -> PolicyDocument {
        parse_policy(&KeyReleasePolicy {
            content_type: None,
            immutable: None,
            encoded_policy: Some(serde_json::to_vec(&value).unwrap()),
        })
        .unwrap()
    }

    #[test]
    fn evaluation() {
        let policy = doc(
            json!({"version": "1.0.0", "anyOf": [{"authority": "https://att.example/", "allOf": [
                {"claim": "x-ms-attestation-type", "equals": "sevsnpvm"},
                {"claim": "x-ms-runtime.vm.debuggable", "equals": false}
            ]}]}),
        );
        let good = json!({"iss": "https://att.example", "x-ms-attestation-type": "sevsnpvm", "x-ms-runtime": {"vm": {"debuggable": false}}});
        assert!(policy.allows(&good));
        let wrong_issuer = json!({"iss": "https://other", "x-ms-attestation-type": "sevsnpvm", "x-ms-runtime": {"vm": {"debuggable": false}}});
        assert!(!policy.allows(&wrong_issuer));
        let wrong_claim = json!({"iss": "https://att.example", "x-ms-attestation-type": "tdx", "x-ms-runtime": {"vm": {"debuggable": false}}});
        assert!(!policy.allows(&wrong_claim));
        let missing = json!({"iss": "https://att.example", "x-ms-attestation-type": "sevsnpvm"});
        assert!(!policy.allows(&missing));
        let strings = doc(json!({"anyOf": [{"allOf": [{"claim": "n", "equals": "1"}]}]}));
        assert!(strings.allows(&json!({"n": 1})));
    }

    #[test]
    fn invalid_policies() {
        let bad = |v: serde_json::Value| {
            parse_policy(&KeyReleasePolicy {
                content_type: None,
                immutable: None,
                encoded_policy: Some(serde_json::to_vec(&v).unwrap()),
            })
            .is_err()
        };
        assert!(bad(json!({})));
        assert!(bad(json!({"anyOf": [{"authority": "a"}]})));
        assert!(bad(json!({"anyOf": [{"allOf": [{"claim": "c"}]}]})));
        assert!(parse_policy(&KeyReleasePolicy::default()).is_err());
    }
}
