//! EKM proxy private endpoints of a Managed HSM (api-version 2026-07-01-preview), stored
//! in the instance's database beside its EKM connection.
//!
//! The emulator has no Private Link Service to connect to, so it records the endpoint and
//! completes the create or delete operation at once: the operation is `Succeeded` when the
//! 202 is sent, and its status route answers the same. A new endpoint is provisioned
//! (`Succeeded`) in region [`LOCATION`], its connection auto-approved (the test double's
//! stand-in for the Private Link Service owner). As the spec says, a pool has at most
//! [`MAX_ENDPOINTS`] endpoints and an endpoint the EKM connection uses cannot be deleted.

use kv_protocol::{
    EkmConnectivityMode, EkmPrivateEndpoint, EkmPrivateEndpointConnectionState,
    EkmPrivateEndpointConnectionStatus, EkmPrivateEndpointCreateParameters,
    EkmPrivateEndpointOperation, EkmPrivateEndpointOperationType, EkmPrivateEndpointProperties,
    EkmPrivateEndpointProvisioningState, OperationState, is_valid_private_endpoint_name,
};

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::Tx;

/// The private endpoints a Managed HSM pool may have (the spec's create operation).
pub(crate) const MAX_ENDPOINTS: usize = 2;
/// The region the emulator reports for its endpoints.
pub(crate) const LOCATION: &str = "local";

fn not_found(name: &str) -> ApiError {
    ApiError::NotFound(format!("The EKM private endpoint {name} was not found."))
}

fn check_name(name: &str) -> Result<(), ApiError> {
    if is_valid_private_endpoint_name(name) {
        Ok(())
    } else {
        Err(ApiError::bad(
            "The private endpoint name must be 2 to 24 letters, digits and hyphens, starting \
             and ending with a letter or digit.",
        ))
    }
}

/// A finished operation `kind` on `name`, recorded under a new job id.
fn finish(
    tx: &Tx<'_>,
    now: i64,
    name: &str,
    kind: EkmPrivateEndpointOperationType,
) -> Result<EkmPrivateEndpointOperation, ApiError> {
    let id = crate::names::new_version_id();
    let details = match kind {
        EkmPrivateEndpointOperationType::Delete => "Private endpoint deletion completed.",
        _ => "Private endpoint creation completed.",
    };
    let operation = EkmPrivateEndpointOperation {
        job_id: Some(id.clone()),
        private_endpoint_name: Some(name.to_owned()),
        operation_type: Some(kind),
        status: Some(OperationState::Succeeded),
        status_details: Some(details.into()),
        start_time: Some(now),
        end_time: Some(now),
        error: None,
    };
    tx.put_ekm_private_endpoint_operation(&id, &operation)?;
    Ok(operation)
}

/// Creates endpoint `name`: 409 when it exists, 400 past [`MAX_ENDPOINTS`].
pub(crate) async fn create(
    state: &AppState,
    name: String,
    parameters: EkmPrivateEndpointCreateParameters,
) -> Result<EkmPrivateEndpointOperation, ApiError> {
    check_name(&name)?;
    if parameters.private_link_service_id.trim().is_empty() {
        return Err(ApiError::bad("privateLinkServiceId is required."));
    }
    let now = state.clock().now();
    state
        .store()
        .run(move |tx| {
            if tx.ekm_private_endpoint(&name)?.is_some() {
                return Err(ApiError::Conflict(format!(
                    "The EKM private endpoint {name} already exists."
                )));
            }
            if tx.ekm_private_endpoints()?.len() >= MAX_ENDPOINTS {
                return Err(ApiError::bad(format!(
                    "A Managed HSM may have at most {MAX_ENDPOINTS} EKM private endpoints."
                )));
            }
            let endpoint = EkmPrivateEndpoint {
                name: Some(name.clone()),
                location: Some(LOCATION.into()),
                provisioning_state: Some(EkmPrivateEndpointProvisioningState::Succeeded),
                properties: Some(EkmPrivateEndpointProperties {
                    private_link_service_id: Some(parameters.private_link_service_id),
                    private_link_service_connection_name: Some(format!("{name}-connection")),
                }),
                private_link_service_connection_state: Some(EkmPrivateEndpointConnectionState {
                    status: Some(EkmPrivateEndpointConnectionStatus::Approved),
                    description: Some("Approved automatically by kv-emulator.".into()),
                    actions_required: Some("None".into()),
                }),
            };
            tx.put_ekm_private_endpoint(&name, &endpoint)?;
            finish(tx, now, &name, EkmPrivateEndpointOperationType::Create)
        })
        .await
}

/// Deletes endpoint `name`: 404 when absent, 409 while the EKM connection uses it.
pub(crate) async fn delete(
    state: &AppState,
    name: String,
) -> Result<EkmPrivateEndpointOperation, ApiError> {
    check_name(&name)?;
    let now = state.clock().now();
    state
        .store()
        .run(move |tx| {
            if tx.ekm_private_endpoint(&name)?.is_none() {
                return Err(not_found(&name));
            }
            if tx.ekm_connection()?.is_some_and(|c| uses(&c, &name)) {
                return Err(ApiError::Conflict(format!(
                    "The EKM connection uses private endpoint {name}; change or delete the \
                     connection first."
                )));
            }
            tx.delete_ekm_private_endpoint(&name)?;
            finish(tx, now, &name, EkmPrivateEndpointOperationType::Delete)
        })
        .await
}

/// Whether `connection` reaches its proxy through private endpoint `name`.
pub(crate) fn uses(connection: &kv_protocol::EkmConnection, name: &str) -> bool {
    connection.connectivity_mode == Some(EkmConnectivityMode::PrivateEndpoint)
        && connection.host.eq_ignore_ascii_case(name)
}

/// Endpoint `name`; 404 when absent.
pub(crate) async fn get(state: &AppState, name: String) -> Result<EkmPrivateEndpoint, ApiError> {
    check_name(&name)?;
    state
        .store()
        .run(move |tx| {
            tx.ekm_private_endpoint(&name)?
                .ok_or_else(|| not_found(&name))
        })
        .await
}

/// Every endpoint, ordered by name.
pub(crate) async fn list(state: &AppState) -> Result<Vec<EkmPrivateEndpoint>, ApiError> {
    state.store().run(|tx| tx.ekm_private_endpoints()).await
}

/// Operation `id`; 404 when unknown.
pub(crate) async fn operation(
    state: &AppState,
    id: String,
) -> Result<EkmPrivateEndpointOperation, ApiError> {
    state
        .store()
        .run(move |tx| {
            tx.ekm_private_endpoint_operation(&id)?.ok_or_else(|| {
                ApiError::NotFound(format!(
                    "The private endpoint operation {id} was not found."
                ))
            })
        })
        .await
}

/// Whether private endpoint `name` exists (an EKM connection in `PrivateEndpoint` mode
/// must name one).
pub(crate) fn exists(tx: &Tx<'_>, name: &str) -> Result<bool, ApiError> {
    Ok(tx.ekm_private_endpoint(name)?.is_some())
}
