//! Managed HSM local RBAC: role definitions and role assignments
//! (`/{scope}/providers/Microsoft.Authorization/...`).

mod data_action;

pub use data_action::DataAction;

use serde::{Deserialize, Serialize};

use crate::paging::Page;

kv_jwk::string_enum! {
    /// The scope a role applies to.
    pub enum RoleScope {
        /// The whole HSM.
        Global => "/",
        /// All keys.
        Keys => "/keys",
    }
}

kv_jwk::string_enum! {
    /// Whether a role is built in or custom (`properties.type` of a role definition).
    pub enum RoleType {
        /// A built-in role.
        BuiltInRole => "AKVBuiltInRole",
        /// A custom role.
        CustomRole => "CustomRole",
    }
}

kv_jwk::string_enum! {
    /// The resource type of a role definition (`type`).
    pub enum RoleDefinitionType {
        /// The only value.
        RoleDefinition => "Microsoft.Authorization/roleDefinitions",
    }
}

/// The resource `type` of role assignments as the service returns it.
pub const ROLE_ASSIGNMENT_TYPE: &str = "Microsoft.Authorization/roleAssignments";

/// Allowed and denied actions of a role definition.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Permission {
    /// Control-plane actions (unused by Managed HSM, kept for completeness).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<String>>,
    /// Control-plane actions excluded from `actions`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_actions: Option<Vec<String>>,
    /// Data-plane actions the role grants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_actions: Option<Vec<DataAction>>,
    /// Data-plane actions excluded from `dataActions`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_data_actions: Option<Vec<DataAction>>,
}

/// The properties of a role definition.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleDefinitionProperties {
    /// The role name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_name: Option<String>,
    /// The role description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Built-in or custom (`type` on the wire).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub role_type: Option<RoleType>,
    /// The permissions the role grants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<Permission>>,
    /// The scopes the role can be assigned at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignable_scopes: Option<Vec<RoleScope>>,
}

/// A role definition: the answer of RoleDefinitions_Get, _CreateOrUpdate and _Delete.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleDefinition {
    /// The role definition id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The role definition name (a GUID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Always `Microsoft.Authorization/roleDefinitions` (`type` on the wire).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub definition_type: Option<RoleDefinitionType>,
    /// The role's properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<RoleDefinitionProperties>,
}

/// Body of RoleDefinitions_CreateOrUpdate.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleDefinitionCreateParameters {
    /// The role's properties.
    pub properties: RoleDefinitionProperties,
}

/// A page of RoleDefinitions_List (`RoleDefinitionListResult`).
pub type RoleDefinitionListResult = Page<RoleDefinition>;

/// The properties of a role assignment request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignmentProperties {
    /// The role definition id to assign.
    pub role_definition_id: String,
    /// The object id of the principal (user, service principal or security group).
    pub principal_id: String,
}

/// The properties of an existing role assignment, including its scope.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignmentPropertiesWithScope {
    /// The scope of the assignment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<RoleScope>,
    /// The assigned role definition id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_definition_id: Option<String>,
    /// The principal id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
}

/// A role assignment: the answer of RoleAssignments_Get, _Create and _Delete.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleAssignment {
    /// The role assignment id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The role assignment name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The resource type, [`ROLE_ASSIGNMENT_TYPE`] (`type` on the wire).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub assignment_type: Option<String>,
    /// The assignment's properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<RoleAssignmentPropertiesWithScope>,
}

/// Body of RoleAssignments_Create.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleAssignmentCreateParameters {
    /// The assignment's properties.
    pub properties: RoleAssignmentProperties,
}

/// A page of RoleAssignments_ListForScope (`RoleAssignmentListResult`).
pub type RoleAssignmentListResult = Page<RoleAssignment>;

/// The `$filter` of RoleAssignments_ListForScope as a model (`RoleAssignmentFilter`); it
/// travels in the query string as `principalId eq '{id}'`, not as a JSON body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignmentFilter {
    /// Only assignments of this principal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
}

/// The `$filter` of RoleDefinitions_List as a model (`RoleDefinitionFilter`); it travels
/// in the query string as `roleName eq '{name}'`, not as a JSON body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleDefinitionFilter {
    /// Only definitions with this role name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn role_definition_round_trips(v in arb_role_definition()) {
            prop_assert_eq!(&round_trip(&v), &v);
            if let Some(properties) = v.properties.clone() {
                let p = RoleDefinitionCreateParameters { properties };
                prop_assert_eq!(round_trip(&p), p);
            }
            let page = RoleDefinitionListResult::new(vec![v], Some("https://h/next".into()));
            prop_assert_eq!(round_trip(&page), page);
        }

        #[test]
        fn role_assignment_round_trips(v in arb_role_assignment(), principal in "[0-9a-f-]{1,36}") {
            prop_assert_eq!(&round_trip(&v), &v);
            let p = RoleAssignmentCreateParameters {
                properties: RoleAssignmentProperties {
                    role_definition_id: "/providers/Microsoft.Authorization/roleDefinitions/x".into(),
                    principal_id: principal.clone(),
                },
            };
            prop_assert_eq!(round_trip(&p), p);
            let page = RoleAssignmentListResult::new(vec![v], None);
            prop_assert_eq!(round_trip(&page), page);
            let f = RoleAssignmentFilter { principal_id: Some(principal) };
            prop_assert_eq!(round_trip(&f), f);
        }
    }

    #[test]
    fn wire_names_and_unknown_values() {
        let json = r#"{"id":"i","name":"n","type":"Microsoft.Authorization/roleDefinitions","properties":{"roleName":"r","type":"FutureRole","permissions":[{"dataActions":["Microsoft.KeyVault/managedHsm/keys/sign/action","Microsoft.KeyVault/managedHsm/future/action"],"notDataActions":[]}],"assignableScopes":["/","/keys/k1"]}}"#;
        let d: RoleDefinition = serde_json::from_str(json).unwrap();
        assert_eq!(d.definition_type, Some(RoleDefinitionType::RoleDefinition));
        let props = d.properties.as_ref().unwrap();
        assert_eq!(
            props.role_type,
            Some(RoleType::Unknown("FutureRole".into()))
        );
        let perms = props.permissions.as_ref().unwrap();
        let actions = perms[0].data_actions.as_ref().unwrap();
        assert_eq!(actions[0], DataAction::SignHsmKey);
        assert!(!actions[1].is_known());
        let scopes = props.assignable_scopes.as_ref().unwrap();
        assert_eq!(scopes[0], RoleScope::Global);
        assert!(!scopes[1].is_known());
        assert_eq!(
            serde_json::to_value(&d).unwrap(),
            serde_json::from_str::<serde_json::Value>(json).unwrap()
        );
    }

    #[test]
    fn create_requires_ids() {
        assert!(
            serde_json::from_str::<RoleAssignmentCreateParameters>(
                r#"{"properties":{"principalId":"p"}}"#
            )
            .is_err()
        );
        assert!(serde_json::from_str::<RoleDefinitionCreateParameters>("{}").is_err());
    }
}
