//! The blocking [`KeyVaultAccessControlClient`]: each method forwards to
//! [`crate::admin::KeyVaultAccessControlClient`].

use crate::admin::{
    CreateRoleAssignmentOptions, KeyVaultAccessControlClientOptions, KeyVaultRoleAssignment,
    KeyVaultRoleDefinition, KeyVaultRoleScope, SetRoleDefinitionOptions,
};
use crate::blocking::Pager;
use crate::blocking::runtime::Executor;
use crate::error::Result;

/// Blocking Managed HSM local RBAC (role assignments and definitions): the methods of
/// [`admin::KeyVaultAccessControlClient`](crate::admin::KeyVaultAccessControlClient), with
/// the same names, options and errors, returning instead of awaiting.
///
/// Cheap to clone; clones share the pipeline and the runtime thread.
///
/// # Errors
/// As the async method of the same name; every method also returns `NotSupported` when
/// called from inside an async runtime (see [`blocking`](crate::blocking)).
#[derive(Clone, Debug)]
pub struct KeyVaultAccessControlClient {
    inner: crate::admin::KeyVaultAccessControlClient,
    executor: Executor,
}

impl KeyVaultAccessControlClient {
    super::blocking_admin_members!(
        KeyVaultAccessControlClient,
        KeyVaultAccessControlClientOptions
    );

    /// See [`admin::KeyVaultAccessControlClient::create_role_assignment`](crate::admin::KeyVaultAccessControlClient::create_role_assignment).
    ///
    /// # Errors
    /// See [`KeyVaultAccessControlClient`].
    pub fn create_role_assignment(
        &self,
        scope: &KeyVaultRoleScope,
        role_definition_id: &str,
        principal_id: &str,
        options: Option<CreateRoleAssignmentOptions>,
    ) -> Result<KeyVaultRoleAssignment> {
        self.executor.block_on(self.inner.create_role_assignment(
            scope,
            role_definition_id,
            principal_id,
            options,
        ))
    }

    /// See [`admin::KeyVaultAccessControlClient::get_role_assignment`](crate::admin::KeyVaultAccessControlClient::get_role_assignment).
    ///
    /// # Errors
    /// See [`KeyVaultAccessControlClient`].
    pub fn get_role_assignment(
        &self,
        scope: &KeyVaultRoleScope,
        name: &str,
    ) -> Result<KeyVaultRoleAssignment> {
        self.executor
            .block_on(self.inner.get_role_assignment(scope, name))
    }

    /// See [`admin::KeyVaultAccessControlClient::delete_role_assignment`](crate::admin::KeyVaultAccessControlClient::delete_role_assignment).
    ///
    /// # Errors
    /// See [`KeyVaultAccessControlClient`].
    pub fn delete_role_assignment(&self, scope: &KeyVaultRoleScope, name: &str) -> Result<()> {
        self.executor
            .block_on(self.inner.delete_role_assignment(scope, name))
    }

    /// See [`admin::KeyVaultAccessControlClient::list_role_assignments`](crate::admin::KeyVaultAccessControlClient::list_role_assignments).
    /// Nothing is fetched until the first item is asked for.
    pub fn list_role_assignments(
        &self,
        scope: &KeyVaultRoleScope,
    ) -> Pager<KeyVaultRoleAssignment> {
        Pager::new(
            self.inner.list_role_assignments(scope),
            self.executor.clone(),
        )
    }

    /// See [`admin::KeyVaultAccessControlClient::set_role_definition`](crate::admin::KeyVaultAccessControlClient::set_role_definition).
    ///
    /// # Errors
    /// See [`KeyVaultAccessControlClient`].
    pub fn set_role_definition(
        &self,
        scope: &KeyVaultRoleScope,
        options: Option<SetRoleDefinitionOptions>,
    ) -> Result<KeyVaultRoleDefinition> {
        self.executor
            .block_on(self.inner.set_role_definition(scope, options))
    }

    /// See [`admin::KeyVaultAccessControlClient::get_role_definition`](crate::admin::KeyVaultAccessControlClient::get_role_definition).
    ///
    /// # Errors
    /// See [`KeyVaultAccessControlClient`].
    pub fn get_role_definition(
        &self,
        scope: &KeyVaultRoleScope,
        name: &str,
    ) -> Result<KeyVaultRoleDefinition> {
        self.executor
            .block_on(self.inner.get_role_definition(scope, name))
    }

    /// See [`admin::KeyVaultAccessControlClient::delete_role_definition`](crate::admin::KeyVaultAccessControlClient::delete_role_definition).
    ///
    /// # Errors
    /// See [`KeyVaultAccessControlClient`].
    pub fn delete_role_definition(&self, scope: &KeyVaultRoleScope, name: &str) -> Result<()> {
        self.executor
            .block_on(self.inner.delete_role_definition(scope, name))
    }

    /// See [`admin::KeyVaultAccessControlClient::list_role_definitions`](crate::admin::KeyVaultAccessControlClient::list_role_definitions).
    /// Nothing is fetched until the first item is asked for.
    pub fn list_role_definitions(
        &self,
        scope: &KeyVaultRoleScope,
    ) -> Pager<KeyVaultRoleDefinition> {
        Pager::new(
            self.inner.list_role_definitions(scope),
            self.executor.clone(),
        )
    }
}
