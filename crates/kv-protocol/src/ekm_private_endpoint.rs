//! Managed HSM EKM proxy private endpoints (`/ekm/privateendpoint[/{peName}]`,
//! `/ekm/privateendpoint/operations/{operationId}`; api-version 2026-07-01-preview and
//! later): the create body, the endpoint, its list and the long-running operation status.
//!
//! Create and delete answer 202 with an [`EkmPrivateEndpointOperation`] and an
//! `Azure-AsyncOperation` header naming its status URL. Members are camelCase on the wire
//! (unlike the snake_case `EkmConnection`); times are Unix seconds.

use serde::{Deserialize, Serialize};

use crate::error::ErrorBody;

kv_jwk::string_enum! {
    /// How the EKM proxy is reached (`EkmConnectivityMode`).
    pub enum EkmConnectivityMode {
        /// Over the public internet; `host` is a DNS name or IP address (the default).
        Public => "Public",
        /// Through a private endpoint; `host` is the private endpoint's name (peName).
        PrivateEndpoint => "PrivateEndpoint",
    }
}

kv_jwk::string_enum! {
    /// The state of the private endpoint's connection to the Private Link Service.
    pub enum EkmPrivateEndpointConnectionStatus {
        /// Awaiting approval by the Private Link Service owner.
        Pending => "Pending",
        /// Approved by the owner.
        Approved => "Approved",
        /// Rejected by the owner.
        Rejected => "Rejected",
        /// Disconnected by the owner.
        Disconnected => "Disconnected",
    }
}

kv_jwk::string_enum! {
    /// The provisioning state of a private endpoint.
    pub enum EkmPrivateEndpointProvisioningState {
        /// Provisioned.
        Succeeded => "Succeeded",
        /// Provisioning failed.
        Failed => "Failed",
        /// Being updated.
        Updating => "Updating",
        /// Being deleted.
        Deleting => "Deleting",
    }
}

kv_jwk::string_enum! {
    /// What a private endpoint operation does.
    pub enum EkmPrivateEndpointOperationType {
        /// Creates a private endpoint.
        Create => "Create",
        /// Deletes a private endpoint.
        Delete => "Delete",
    }
}

kv_jwk::string_enum! {
    /// The state of a long-running operation (Azure Core's `OperationState`).
    pub enum OperationState {
        /// Accepted, not started.
        NotStarted => "NotStarted",
        /// Running; poll again.
        Running => "Running",
        /// Finished successfully.
        Succeeded => "Succeeded",
        /// Failed; `error` says why.
        Failed => "Failed",
        /// Cancelled.
        Canceled => "Canceled",
    }
}

impl OperationState {
    /// Whether polling can stop: anything but `NotStarted` and `Running` (an unknown state
    /// counts as terminal so a poller never spins on a value it cannot interpret).
    pub fn is_terminal(&self) -> bool {
        !matches!(self, Self::NotStarted | Self::Running)
    }
}

/// Body of CreateEkmPrivateEndpoint (`EkmPrivateEndpointCreateParameters`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EkmPrivateEndpointCreateParameters {
    /// Alias (or resource id) of the Private Link Service the endpoint connects to.
    pub private_link_service_id: String,
    /// A message shown to the Private Link Service owner asked to approve the connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_message: Option<String>,
}

/// What the private endpoint connects to (`EkmPrivateEndpointProperties`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EkmPrivateEndpointProperties {
    /// The Private Link Service the endpoint connects to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_link_service_id: Option<String>,
    /// The name of the private link service connection (chosen by the service).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_link_service_connection_name: Option<String>,
}

/// The connection's approval state (`EkmPrivateEndpointConnectionState`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EkmPrivateEndpointConnectionState {
    /// Pending, approved, rejected or disconnected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<EkmPrivateEndpointConnectionStatus>,
    /// A description of the state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// What the customer must do to keep the connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions_required: Option<String>,
}

/// An EKM proxy private endpoint (`EkmPrivateEndpoint`); every member is read-only.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EkmPrivateEndpoint {
    /// The endpoint's name (peName).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The Azure region it is provisioned in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Its provisioning state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<EkmPrivateEndpointProvisioningState>,
    /// What it connects to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<EkmPrivateEndpointProperties>,
    /// The connection's approval state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_link_service_connection_state: Option<EkmPrivateEndpointConnectionState>,
}

/// The answer of ListEkmPrivateEndpoints (`EkmPrivateEndpointListResult`; not paged).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EkmPrivateEndpointListResult {
    /// The pool's private endpoints (at most two).
    #[serde(default)]
    pub value: Vec<EkmPrivateEndpoint>,
}

/// A private endpoint create or delete operation (`EkmPrivateEndpointOperation`): the 202
/// answer of create/delete and the answer of the operation status route.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EkmPrivateEndpointOperation {
    /// The operation's id, the last segment of its status URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    /// The private endpoint it applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_endpoint_name: Option<String>,
    /// Create or delete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_type: Option<EkmPrivateEndpointOperationType>,
    /// The operation's state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OperationState>,
    /// A human-readable status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_details: Option<String>,
    /// Start time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<i64>,
    /// End time, once finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<i64>,
    /// Why the operation failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
}

/// Whether `name` is a valid peName: 2 to 24 letters, digits and hyphens, starting and
/// ending with a letter or digit (the spec's `^[a-zA-Z0-9][a-zA-Z0-9-]{0,22}[a-zA-Z0-9]$`).
pub fn is_valid_private_endpoint_name(name: &str) -> bool {
    let b = name.as_bytes();
    (2..=24).contains(&b.len())
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use proptest::prelude::*;

    #[test]
    fn private_endpoint_names() {
        for ok in ["my-ekm-pe", "a1", "A-b-C", &"x".repeat(24)] {
            assert!(is_valid_private_endpoint_name(ok), "{ok}");
        }
        for bad in ["", "a", "-ab", "ab-", "a_b", "a.b", &"x".repeat(25)] {
            assert!(!is_valid_private_endpoint_name(bad), "{bad}");
        }
    }

    #[test]
    fn operation_states() {
        assert!(!OperationState::Running.is_terminal());
        assert!(!OperationState::NotStarted.is_terminal());
        assert!(OperationState::Succeeded.is_terminal());
        assert!(OperationState::from("Later").is_terminal());
    }

    proptest! {
        #[test]
        fn round_trips(name in "[a-z0-9]{2,24}", pls in "[a-z0-9./-]{1,40}", t in 0i64..2_000_000_000) {
            let op = EkmPrivateEndpointOperation {
                job_id: Some("j1".into()),
                private_endpoint_name: Some(name.clone()),
                operation_type: Some(EkmPrivateEndpointOperationType::Create),
                status: Some(OperationState::Running),
                start_time: Some(t),
                ..Default::default()
            };
            prop_assert_eq!(round_trip(&op), op);
            let pe = EkmPrivateEndpoint {
                name: Some(name),
                properties: Some(EkmPrivateEndpointProperties {
                    private_link_service_id: Some(pls.clone()),
                    private_link_service_connection_name: None,
                }),
                ..Default::default()
            };
            prop_assert_eq!(round_trip(&pe), pe);
            let p = EkmPrivateEndpointCreateParameters { private_link_service_id: pls, request_message: None };
            prop_assert_eq!(round_trip(&p), p);
        }
    }
}
