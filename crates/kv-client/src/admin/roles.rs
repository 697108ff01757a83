//! Managed HSM local RBAC as the client shows it: [`KeyVaultRoleScope`],
//! [`KeyVaultRoleAssignment`], [`KeyVaultRoleDefinition`] and [`KeyVaultPermission`].

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use kv_protocol::{Permission, RoleAssignment, RoleDefinition, RoleScope};

use super::endpoint::check_segment;
use crate::error::{Error, Result, decode};
use crate::identifier::check_key_name;

/// A data-plane permission of a role definition (`Microsoft.KeyVault/managedHsm/...`).
pub use kv_protocol::DataAction as KeyVaultDataAction;
/// Whether a role definition is built in (`AKVBuiltInRole`) or custom (`CustomRole`).
pub use kv_protocol::RoleType as KeyVaultRoleType;

/// Where a role assignment or definition applies: the whole HSM ([`GLOBAL`](Self::GLOBAL),
/// `/`), all keys ([`KEYS`](Self::KEYS), `/keys`) or one key ([`key`](Self::key),
/// `/keys/{name}`).
///
/// Parsing normalises the text: a leading `/` is added, empty segments are dropped, so
/// `keys`, `/keys` and `/keys/` are the same scope.
///
/// ```
/// use kv_client::admin::KeyVaultRoleScope;
/// let scope: KeyVaultRoleScope = "keys/".parse()?;
/// assert_eq!(scope, KeyVaultRoleScope::KEYS);
/// let one = KeyVaultRoleScope::key("signing-key")?;
/// assert_eq!(one.as_str(), "/keys/signing-key");
/// assert_eq!(one.key_name(), Some("signing-key"));
/// # Ok::<(), kv_client::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyVaultRoleScope(Cow<'static, str>);

impl KeyVaultRoleScope {
    /// The whole Managed HSM (`/`).
    pub const GLOBAL: Self = Self(Cow::Borrowed("/"));
    /// Every key (`/keys`).
    pub const KEYS: Self = Self(Cow::Borrowed("/keys"));

    /// The scope of one key, `/keys/{name}`.
    ///
    /// # Errors
    /// `InvalidArgument` for an invalid key name.
    pub fn key(name: &str) -> Result<Self> {
        check_key_name(name)?;
        Ok(Self(Cow::Owned(format!("/keys/{name}"))))
    }

    /// Parses and normalises `scope`.
    ///
    /// # Errors
    /// `InvalidArgument` when a segment is `.` or `..` or holds `?`, `#`, `%`, `\`,
    /// whitespace or control characters.
    pub fn new(scope: &str) -> Result<Self> {
        let segments: Vec<&str> = scope.split('/').filter(|s| !s.is_empty()).collect();
        for segment in &segments {
            check_segment("role scope segment", segment)?;
        }
        Ok(match segments.as_slice() {
            [] => Self::GLOBAL,
            ["keys"] => Self::KEYS,
            _ => Self(Cow::Owned(format!("/{}", segments.join("/")))),
        })
    }

    /// The scope as the service writes it (`/`, `/keys`, `/keys/{name}`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key name of a `/keys/{name}` scope.
    pub fn key_name(&self) -> Option<&str> {
        self.0
            .strip_prefix("/keys/")
            .filter(|name| !name.is_empty() && !name.contains('/'))
    }

    /// The path segments, for building request URLs (none for `/`).
    pub(crate) fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/').filter(|s| !s.is_empty())
    }
}

impl FromStr for KeyVaultRoleScope {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::new(s)
    }
}

impl fmt::Display for KeyVaultRoleScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<RoleScope> for KeyVaultRoleScope {
    /// The service's scope, normalised when valid, else kept verbatim.
    fn from(scope: RoleScope) -> Self {
        Self::new(scope.as_str()).unwrap_or_else(|_| Self(Cow::Owned(scope.as_str().to_owned())))
    }
}

impl From<&KeyVaultRoleScope> for RoleScope {
    fn from(scope: &KeyVaultRoleScope) -> Self {
        RoleScope::from(scope.as_str())
    }
}

/// The principal, role and scope of a [`KeyVaultRoleAssignment`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyVaultRoleAssignmentProperties {
    /// The object id of the principal (user, service principal or group) holding the role.
    pub principal_id: String,
    /// The id of the assigned role definition.
    pub role_definition_id: String,
    /// Where the assignment applies, when the service says.
    pub scope: Option<KeyVaultRoleScope>,
}

/// A role assignment: a principal holds a role at a scope.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyVaultRoleAssignment {
    /// The assignment's full id.
    #[doc(alias = "role_assignment_id")]
    pub id: String,
    /// The assignment's name (a GUID).
    pub name: String,
    /// Who holds which role where.
    pub properties: KeyVaultRoleAssignmentProperties,
}

impl TryFrom<RoleAssignment> for KeyVaultRoleAssignment {
    type Error = Error;

    fn try_from(wire: RoleAssignment) -> Result<Self> {
        let missing = |field: &str| {
            decode(format!(
                "the service sent a role assignment without `{field}`"
            ))
        };
        let properties = wire.properties.ok_or_else(|| missing("properties"))?;
        Ok(Self {
            id: wire.id.ok_or_else(|| missing("id"))?,
            name: wire.name.ok_or_else(|| missing("name"))?,
            properties: KeyVaultRoleAssignmentProperties {
                principal_id: properties
                    .principal_id
                    .ok_or_else(|| missing("properties.principalId"))?,
                role_definition_id: properties
                    .role_definition_id
                    .ok_or_else(|| missing("properties.roleDefinitionId"))?,
                scope: properties.scope.map(KeyVaultRoleScope::from),
            },
        })
    }
}

/// The actions a role allows and excludes. Managed HSM uses the data actions; `actions`
/// and `not_actions` are kept for completeness.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyVaultPermission {
    /// Control-plane actions allowed.
    pub actions: Vec<String>,
    /// Control-plane actions excluded from `actions`.
    pub not_actions: Vec<String>,
    /// Data-plane actions allowed.
    pub data_actions: Vec<KeyVaultDataAction>,
    /// Data-plane actions excluded from `data_actions`: an exclusion wins over any grant.
    pub not_data_actions: Vec<KeyVaultDataAction>,
}

impl From<Permission> for KeyVaultPermission {
    fn from(p: Permission) -> Self {
        Self {
            actions: p.actions.unwrap_or_default(),
            not_actions: p.not_actions.unwrap_or_default(),
            data_actions: p.data_actions.unwrap_or_default(),
            not_data_actions: p.not_data_actions.unwrap_or_default(),
        }
    }
}

impl From<&KeyVaultPermission> for Permission {
    fn from(p: &KeyVaultPermission) -> Self {
        fn some<T: Clone>(v: &[T]) -> Option<Vec<T>> {
            (!v.is_empty()).then(|| v.to_vec())
        }
        Self {
            actions: some(&p.actions),
            not_actions: some(&p.not_actions),
            // Sent even when empty: a role with no data actions says so explicitly.
            data_actions: Some(p.data_actions.clone()),
            not_data_actions: Some(p.not_data_actions.clone()),
        }
    }
}

/// A role definition: a named set of permissions, built in or custom.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyVaultRoleDefinition {
    /// The definition's full id (what a role assignment refers to).
    pub id: String,
    /// The definition's name (a GUID).
    pub name: String,
    /// The display name, such as `Managed HSM Crypto User` (empty when unnamed).
    pub role_name: String,
    /// The description (empty when none).
    pub description: String,
    /// Built in or custom.
    pub role_type: Option<KeyVaultRoleType>,
    /// What the role allows and excludes.
    pub permissions: Vec<KeyVaultPermission>,
    /// The scopes the role can be assigned at.
    pub assignable_scopes: Vec<KeyVaultRoleScope>,
}

impl TryFrom<RoleDefinition> for KeyVaultRoleDefinition {
    type Error = Error;

    fn try_from(wire: RoleDefinition) -> Result<Self> {
        let missing = |field: &str| {
            decode(format!(
                "the service sent a role definition without `{field}`"
            ))
        };
        let properties = wire.properties.unwrap_or_default();
        Ok(Self {
            id: wire.id.ok_or_else(|| missing("id"))?,
            name: wire.name.ok_or_else(|| missing("name"))?,
            role_name: properties.role_name.unwrap_or_default(),
            description: properties.description.unwrap_or_default(),
            role_type: properties.role_type,
            permissions: properties
                .permissions
                .unwrap_or_default()
                .into_iter()
                .map(KeyVaultPermission::from)
                .collect(),
            assignable_scopes: properties
                .assignable_scopes
                .unwrap_or_default()
                .into_iter()
                .map(KeyVaultRoleScope::from)
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn scopes_normalise() {
        for (text, want) in [
            ("/", "/"),
            ("", "/"),
            ("//", "/"),
            ("keys", "/keys"),
            ("/keys/", "/keys"),
            ("/keys/k1", "/keys/k1"),
            ("keys//k1/", "/keys/k1"),
        ] {
            assert_eq!(
                KeyVaultRoleScope::new(text).unwrap().as_str(),
                want,
                "{text}"
            );
        }
        assert_eq!(
            "/".parse::<KeyVaultRoleScope>().unwrap(),
            KeyVaultRoleScope::GLOBAL
        );
        assert_eq!(KeyVaultRoleScope::GLOBAL.segments().count(), 0);
        assert_eq!(
            KeyVaultRoleScope::key("k1")
                .unwrap()
                .segments()
                .collect::<Vec<_>>(),
            ["keys", "k1"]
        );
        assert_eq!(KeyVaultRoleScope::KEYS.key_name(), None);
        for bad in ["/keys/a b", "/keys/..", "/keys?x", "/%2F"] {
            assert!(KeyVaultRoleScope::new(bad).is_err(), "{bad}");
        }
        assert!(KeyVaultRoleScope::key("a/b").is_err());
        assert!(KeyVaultRoleScope::key("").is_err());
    }

    #[test]
    fn wire_scopes_convert_both_ways() {
        assert_eq!(
            KeyVaultRoleScope::from(RoleScope::Keys),
            KeyVaultRoleScope::KEYS
        );
        assert_eq!(
            RoleScope::from(&KeyVaultRoleScope::GLOBAL),
            RoleScope::Global
        );
        let odd = KeyVaultRoleScope::from(RoleScope::Unknown("/weird scope".into()));
        assert_eq!(odd.as_str(), "/weird scope", "kept verbatim");
    }

    proptest! {
        #[test]
        fn key_scopes_round_trip(name in "[0-9a-zA-Z-]{1,40}") {
            let scope = KeyVaultRoleScope::key(&name).unwrap();
            prop_assert_eq!(scope.key_name(), Some(name.as_str()));
            let again: KeyVaultRoleScope = scope.to_string().parse().unwrap();
            prop_assert_eq!(&again, &scope);
            prop_assert_eq!(KeyVaultRoleScope::from(RoleScope::from(&scope)), scope);
        }
    }

    #[test]
    fn role_assignment_from_wire() {
        let wire: RoleAssignment = serde_json::from_str(
            r#"{"id":"/providers/Microsoft.Authorization/roleAssignments/a1","name":"a1","type":"Microsoft.Authorization/roleAssignments","properties":{"scope":"/keys","roleDefinitionId":"rd","principalId":"p1"}}"#,
        )
        .unwrap();
        let a = KeyVaultRoleAssignment::try_from(wire.clone()).unwrap();
        assert_eq!(
            (a.name.as_str(), a.properties.principal_id.as_str()),
            ("a1", "p1")
        );
        assert_eq!(a.properties.scope, Some(KeyVaultRoleScope::KEYS));
        let mut no_name = wire;
        no_name.name = None;
        let e = KeyVaultRoleAssignment::try_from(no_name).unwrap_err();
        assert_eq!(e.kind(), &crate::ErrorKind::Decode);
        assert!(e.message().contains("`name`"), "{e}");
    }

    #[test]
    fn role_definition_from_wire_and_permissions_back() {
        let wire: RoleDefinition = serde_json::from_str(
            r#"{"id":"/providers/Microsoft.Authorization/roleDefinitions/d1","name":"d1","type":"Microsoft.Authorization/roleDefinitions","properties":{"roleName":"Signer","type":"CustomRole","permissions":[{"dataActions":["Microsoft.KeyVault/managedHsm/keys/sign/action"],"notDataActions":["Microsoft.KeyVault/managedHsm/keys/delete"]}],"assignableScopes":["/"]}}"#,
        )
        .unwrap();
        let d = KeyVaultRoleDefinition::try_from(wire).unwrap();
        assert_eq!(d.role_name, "Signer");
        assert_eq!(d.description, "");
        assert_eq!(d.role_type, Some(KeyVaultRoleType::CustomRole));
        assert_eq!(d.assignable_scopes, [KeyVaultRoleScope::GLOBAL]);
        let p = &d.permissions[0];
        assert_eq!(p.data_actions, [KeyVaultDataAction::SignHsmKey]);
        assert_eq!(p.not_data_actions, [KeyVaultDataAction::DeleteHsmKey]);
        assert!(p.actions.is_empty());
        assert_eq!(
            serde_json::to_value(Permission::from(p)).unwrap(),
            serde_json::json!({
                "dataActions": ["Microsoft.KeyVault/managedHsm/keys/sign/action"],
                "notDataActions": ["Microsoft.KeyVault/managedHsm/keys/delete"],
            })
        );
        assert!(KeyVaultRoleDefinition::try_from(RoleDefinition::default()).is_err());
    }
}
