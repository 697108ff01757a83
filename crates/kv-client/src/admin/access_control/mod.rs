//! [`KeyVaultAccessControlClient`]: Managed HSM local RBAC, role assignments and role
//! definitions.

use kv_core::{Endpoint, Method, Pager};
use kv_protocol::{
    Permission, RoleAssignment, RoleAssignmentCreateParameters, RoleAssignmentProperties,
    RoleDefinition, RoleDefinitionCreateParameters, RoleDefinitionProperties, RoleScope,
};
use url::Url;

use super::endpoint::{check_segment, endpoint_members, new_guid};
use super::options::{
    CreateRoleAssignmentOptions, KeyVaultAccessControlClientOptions, SetRoleDefinitionOptions,
};
use super::roles::{KeyVaultRoleAssignment, KeyVaultRoleDefinition, KeyVaultRoleScope};
use crate::error::{ErrorKind, Result, invalid_argument};

const ASSIGNMENTS: &str = "roleAssignments";
const DEFINITIONS: &str = "roleDefinitions";

/// A client for the role assignments and role definitions of one Managed HSM.
///
/// Cheap to clone: clones share the pipeline (connections, token and challenge caches).
///
/// ```no_run
/// # async fn demo() -> kv_client::Result<()> {
/// use std::sync::Arc;
/// use futures::TryStreamExt;
/// use kv_client::StaticTokenCredential;
/// use kv_client::admin::{KeyVaultAccessControlClient, KeyVaultRoleScope};
///
/// let client = KeyVaultAccessControlClient::new(
///     "https://myhsm.managedhsm.azure.net",
///     Arc::new(StaticTokenCredential::new("token")),
///     None,
/// )?;
/// let user = client
///     .list_role_definitions(&KeyVaultRoleScope::GLOBAL)
///     .try_filter(|d| std::future::ready(d.role_name == "Managed HSM Crypto User"))
///     .try_next()
///     .await?
///     .expect("a built-in role");
/// let assignment = client
///     .create_role_assignment(&KeyVaultRoleScope::KEYS, &user.id, "principal-object-id", None)
///     .await?;
/// println!("{}", assignment.name);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct KeyVaultAccessControlClient {
    endpoint: Endpoint,
}

impl KeyVaultAccessControlClient {
    endpoint_members!(
        KeyVaultAccessControlClientOptions,
        "KeyVaultAccessControlClient::send_request"
    );

    /// `{vault}/{scope}/providers/Microsoft.Authorization/{kind}[/{name}]`; the scope's
    /// slashes stay path separators, as the service expects.
    fn url(&self, scope: &KeyVaultRoleScope, kind: &str, name: Option<&str>) -> Url {
        let tail = ["providers", "Microsoft.Authorization", kind];
        self.endpoint.url(scope.segments().chain(tail).chain(name))
    }

    /// Assigns the role `role_definition_id` (Python's `definition_id`: a definition's
    /// [`id`](KeyVaultRoleDefinition::id)) to `principal_id` at `scope`.
    ///
    /// # Errors
    /// `InvalidArgument` for an empty id or an invalid name; the service's errors
    /// (`BadRequest` for an unknown role, and with code `RoleAssignmentExists` for a name
    /// in use at that scope: the service answers 400, not 409).
    #[tracing::instrument(name = "KeyVaultAccessControlClient::create_role_assignment", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn create_role_assignment(
        &self,
        scope: &KeyVaultRoleScope,
        role_definition_id: &str,
        principal_id: &str,
        options: Option<CreateRoleAssignmentOptions>,
    ) -> Result<KeyVaultRoleAssignment> {
        if role_definition_id.is_empty() {
            return Err(invalid_argument("role definition id must not be empty"));
        }
        if principal_id.is_empty() {
            return Err(invalid_argument("principal id must not be empty"));
        }
        let name = options.unwrap_or_default().name.unwrap_or_else(new_guid);
        check_segment("role assignment name", &name)?;
        let body = RoleAssignmentCreateParameters {
            properties: RoleAssignmentProperties {
                role_definition_id: role_definition_id.to_owned(),
                principal_id: principal_id.to_owned(),
            },
        };
        let url = self.url(scope, ASSIGNMENTS, Some(&name));
        let wire: RoleAssignment = self
            .endpoint
            .send_json(Method::PUT, url, Some(&body))
            .await?;
        KeyVaultRoleAssignment::try_from(wire)
    }

    /// Gets role assignment `name` at `scope`.
    ///
    /// # Errors
    /// `InvalidArgument` for an invalid name; `ResourceNotFound` when there is none.
    #[tracing::instrument(name = "KeyVaultAccessControlClient::get_role_assignment", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn get_role_assignment(
        &self,
        scope: &KeyVaultRoleScope,
        name: &str,
    ) -> Result<KeyVaultRoleAssignment> {
        check_segment("role assignment name", name)?;
        let url = self.url(scope, ASSIGNMENTS, Some(name));
        let wire: RoleAssignment = self.endpoint.get_json(url).await?;
        KeyVaultRoleAssignment::try_from(wire)
    }

    /// Deletes role assignment `name` at `scope`. Deleting one that does not exist is not
    /// an error, as with the service and the other SDKs.
    ///
    /// # Errors
    /// `InvalidArgument` for an invalid name; the service's errors other than 404.
    #[tracing::instrument(name = "KeyVaultAccessControlClient::delete_role_assignment", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn delete_role_assignment(
        &self,
        scope: &KeyVaultRoleScope,
        name: &str,
    ) -> Result<()> {
        check_segment("role assignment name", name)?;
        self.delete(self.url(scope, ASSIGNMENTS, Some(name))).await
    }

    /// Lists the role assignments at `scope`, lazily.
    pub fn list_role_assignments(
        &self,
        scope: &KeyVaultRoleScope,
    ) -> Pager<KeyVaultRoleAssignment> {
        Pager::from_next_link_map(
            self.endpoint.pipeline().clone(),
            self.url(scope, ASSIGNMENTS, None),
            <KeyVaultRoleAssignment as TryFrom<RoleAssignment>>::try_from,
        )
    }

    /// Creates a custom role definition at `scope`, or updates the one named by
    /// `options.name`.
    ///
    /// # Errors
    /// `InvalidArgument` for an invalid name; the service's errors.
    #[tracing::instrument(name = "KeyVaultAccessControlClient::set_role_definition", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn set_role_definition(
        &self,
        scope: &KeyVaultRoleScope,
        options: Option<SetRoleDefinitionOptions>,
    ) -> Result<KeyVaultRoleDefinition> {
        let options = options.unwrap_or_default();
        let name = options.name.unwrap_or_else(new_guid);
        check_segment("role definition name", &name)?;
        let body = RoleDefinitionCreateParameters {
            properties: RoleDefinitionProperties {
                role_name: options.role_name,
                description: options.description,
                role_type: Some(kv_protocol::RoleType::CustomRole),
                permissions: Some(options.permissions.iter().map(Permission::from).collect()),
                assignable_scopes: options
                    .assignable_scopes
                    .map(|scopes| scopes.iter().map(RoleScope::from).collect()),
            },
        };
        let url = self.url(scope, DEFINITIONS, Some(&name));
        let wire: RoleDefinition = self
            .endpoint
            .send_json(Method::PUT, url, Some(&body))
            .await?;
        KeyVaultRoleDefinition::try_from(wire)
    }

    /// Gets role definition `name` at `scope`.
    ///
    /// # Errors
    /// `InvalidArgument` for an invalid name; `ResourceNotFound` when there is none.
    #[tracing::instrument(name = "KeyVaultAccessControlClient::get_role_definition", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn get_role_definition(
        &self,
        scope: &KeyVaultRoleScope,
        name: &str,
    ) -> Result<KeyVaultRoleDefinition> {
        check_segment("role definition name", name)?;
        let url = self.url(scope, DEFINITIONS, Some(name));
        let wire: RoleDefinition = self.endpoint.get_json(url).await?;
        KeyVaultRoleDefinition::try_from(wire)
    }

    /// Deletes custom role definition `name` at `scope`. Deleting one that does not exist
    /// is not an error.
    ///
    /// # Errors
    /// `InvalidArgument` for an invalid name; the service's errors other than 404 (a
    /// built-in role cannot be deleted).
    #[tracing::instrument(name = "KeyVaultAccessControlClient::delete_role_definition", skip_all, fields(az.namespace = "Microsoft.KeyVault", server.address = self.vault_url().host_str().unwrap_or_default(), api_version = tracing::field::Empty, az.client_request_id = tracing::field::Empty, az.service_request_id = tracing::field::Empty))]
    pub async fn delete_role_definition(
        &self,
        scope: &KeyVaultRoleScope,
        name: &str,
    ) -> Result<()> {
        check_segment("role definition name", name)?;
        self.delete(self.url(scope, DEFINITIONS, Some(name))).await
    }

    /// Lists the role definitions that apply at `scope` and above, lazily.
    pub fn list_role_definitions(
        &self,
        scope: &KeyVaultRoleScope,
    ) -> Pager<KeyVaultRoleDefinition> {
        Pager::from_next_link_map(
            self.endpoint.pipeline().clone(),
            self.url(scope, DEFINITIONS, None),
            <KeyVaultRoleDefinition as TryFrom<RoleDefinition>>::try_from,
        )
    }

    /// DELETE `url`, where 404 means there was nothing to delete.
    async fn delete(&self, url: Url) -> Result<()> {
        match self.endpoint.send(Method::DELETE, url, None::<&()>).await {
            Ok(_) => Ok(()),
            Err(e) if e.kind() == &ErrorKind::ResourceNotFound => Ok(()),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests;
