//! EKM proxy private endpoints of a Managed HSM (api-version 2026-07-01-preview and later):
//! create and delete are long-running (202, an `Azure-AsyncOperation` status URL and
//! `Retry-After`, then GETs of `/ekm/privateendpoint/operations/{id}`), get and list are not.

use std::sync::{Arc, Mutex, PoisonError};

use kv_core::{ApiVersion, ContinuationToken, Method, PollStep, Poller, PollerOptions, Response};
use kv_protocol::{
    EkmPrivateEndpointCreateParameters, EkmPrivateEndpointListResult, OperationState,
    is_valid_private_endpoint_name,
};
use url::Url;

use super::KeyVaultEkmClient;
use kv_core::Endpoint;

use crate::admin::endpoint::check_segment;
use crate::error::{Error, ErrorKind, Result, decode, invalid_argument};

/// An EKM proxy private endpoint: its name, region, provisioning state, the Private Link
/// Service it connects to and the connection's approval state.
pub use kv_protocol::EkmPrivateEndpoint as KeyVaultEkmPrivateEndpoint;
/// A private endpoint create or delete operation and its state.
pub use kv_protocol::EkmPrivateEndpointOperation as KeyVaultEkmPrivateEndpointOperation;

/// Prefix of the continuation token of a private endpoint operation poller.
const TOKEN_PREFIX: &str = "ekmprivateendpoint:";

/// Fails with `InvalidArgument` unless `name` is a valid private endpoint name.
fn check_name(name: &str) -> Result<()> {
    if is_valid_private_endpoint_name(name) {
        Ok(())
    } else {
        Err(invalid_argument(format!(
            "`{name}` is not a private endpoint name: 2 to 24 letters, digits and hyphens, \
             starting and ending with a letter or digit"
        )))
    }
}

/// One poll's outcome: running, done (the final status), or an error for `Failed` and
/// `Canceled`.
fn step(
    operation: KeyVaultEkmPrivateEndpointOperation,
    retry_after: Option<std::time::Duration>,
) -> Result<PollStep<KeyVaultEkmPrivateEndpointOperation>> {
    match operation.status.clone() {
        Some(OperationState::NotStarted | OperationState::Running) => {
            Ok(PollStep::in_progress().with_retry_after(retry_after))
        }
        Some(OperationState::Succeeded) => Ok(PollStep::succeeded(operation)),
        Some(OperationState::Failed) => {
            let (code, message) = operation
                .error
                .map(|e| (e.code, e.message))
                .unwrap_or((None, None));
            let message = format!(
                "the private endpoint operation failed: {}",
                message.as_deref().unwrap_or("no reason given")
            );
            let error = Error::new(ErrorKind::OperationFailed, message);
            Err(match code {
                Some(code) => error.with_error_code(code),
                None => error,
            })
        }
        Some(OperationState::Canceled) => Err(Error::new(
            ErrorKind::OperationFailed,
            "the private endpoint operation was canceled",
        )),
        Some(other) => Err(decode(format!(
            "the private endpoint operation reported an unknown status `{other}`"
        ))),
        None => Err(decode(
            "the private endpoint operation status has no `status`",
        )),
    }
}

/// Where to poll: the `Azure-AsyncOperation` URL (on this HSM only, since the poll carries
/// the bearer token), else `{vault}/ekm/privateendpoint/operations/{jobId}`.
fn status_url(endpoint: &Endpoint, response: &Response, job_id: Option<&str>) -> Result<Url> {
    if let Some(header) = response
        .headers()
        .get("azure-asyncoperation")
        .and_then(|v| v.to_str().ok())
    {
        let url = Url::parse(header)
            .map_err(|_| decode("the private endpoint operation status URL is not a URL"))?;
        if !endpoint.is_same_origin(&url) {
            return Err(decode(
                "the private endpoint operation status URL points to another host than the \
                 Managed HSM",
            ));
        }
        return Ok(url);
    }
    match job_id.filter(|j| !j.is_empty()) {
        Some(job) => Ok(endpoint.url(["ekm", "privateendpoint", "operations", job])),
        None => Err(decode(
            "the private endpoint operation started without a status URL or job id",
        )),
    }
}

impl KeyVaultEkmClient {
    fn check_private_endpoint_version(&self, operation: &str) -> Result<()> {
        let version = self.pipeline().api_version();
        if version.is_known() && *version < ApiVersion::V2026_07_01Preview {
            return Err(invalid_argument(format!(
                "{operation} needs api-version 2026-07-01-preview or later, and this client \
                 sends {version}"
            )));
        }
        Ok(())
    }

    /// Starts creating the EKM proxy private endpoint `name` to the Private Link Service
    /// in `parameters`; await the poller for the finished operation. A Managed HSM has at
    /// most two private endpoints.
    ///
    /// # Errors
    /// `InvalidArgument` for an invalid name or an api-version older than
    /// 2026-07-01-preview; `Conflict` when the endpoint exists; the service's errors. The
    /// poller fails with `OperationFailed` when the operation fails.
    #[doc(alias = "begin_create_ekm_private_endpoint")]
    pub async fn create_ekm_private_endpoint(
        &self,
        name: &str,
        parameters: &EkmPrivateEndpointCreateParameters,
        options: Option<PollerOptions>,
    ) -> Result<Poller<KeyVaultEkmPrivateEndpointOperation>> {
        check_name(name)?;
        self.check_private_endpoint_version("create_ekm_private_endpoint")?;
        let url = self.endpoint.url(["ekm", "privateendpoint", name]);
        self.start_operation(Method::POST, url, Some(parameters), options)
            .await
    }

    /// Starts deleting the EKM proxy private endpoint `name`; await the poller for the
    /// finished operation. The service refuses while the EKM connection uses the endpoint.
    ///
    /// # Errors
    /// `InvalidArgument` for an invalid name or an api-version older than
    /// 2026-07-01-preview; `ResourceNotFound` when there is no such endpoint; the
    /// service's errors.
    #[doc(alias = "begin_delete_ekm_private_endpoint")]
    pub async fn delete_ekm_private_endpoint(
        &self,
        name: &str,
        options: Option<PollerOptions>,
    ) -> Result<Poller<KeyVaultEkmPrivateEndpointOperation>> {
        check_name(name)?;
        self.check_private_endpoint_version("delete_ekm_private_endpoint")?;
        let url = self.endpoint.url(["ekm", "privateendpoint", name]);
        self.start_operation(Method::DELETE, url, None::<&()>, options)
            .await
    }

    /// Gets the EKM proxy private endpoint `name`.
    ///
    /// # Errors
    /// `InvalidArgument` for an invalid name or an api-version older than
    /// 2026-07-01-preview; `ResourceNotFound` when there is no such endpoint; the
    /// service's errors.
    pub async fn get_ekm_private_endpoint(&self, name: &str) -> Result<KeyVaultEkmPrivateEndpoint> {
        check_name(name)?;
        self.check_private_endpoint_version("get_ekm_private_endpoint")?;
        let url = self.endpoint.url(["ekm", "privateendpoint", name]);
        self.endpoint.get_json(url).await
    }

    /// Lists the Managed HSM's EKM proxy private endpoints (one answer, not paged).
    ///
    /// # Errors
    /// `InvalidArgument` at an api-version older than 2026-07-01-preview; the service's
    /// errors.
    pub async fn list_ekm_private_endpoints(&self) -> Result<Vec<KeyVaultEkmPrivateEndpoint>> {
        self.check_private_endpoint_version("list_ekm_private_endpoints")?;
        let url = self.endpoint.url(["ekm", "privateendpoint"]);
        let list: EkmPrivateEndpointListResult = self.endpoint.get_json(url).await?;
        Ok(list.value)
    }

    /// Gets the status of the private endpoint create or delete operation `job_id`.
    ///
    /// # Errors
    /// `InvalidArgument` for an empty id or an api-version older than
    /// 2026-07-01-preview; `ResourceNotFound` for an unknown operation; the service's
    /// errors.
    pub async fn get_ekm_private_endpoint_operation_status(
        &self,
        job_id: &str,
    ) -> Result<KeyVaultEkmPrivateEndpointOperation> {
        check_segment("job_id", job_id)?;
        self.check_private_endpoint_version("get_ekm_private_endpoint_operation_status")?;
        let url = self
            .endpoint
            .url(["ekm", "privateendpoint", "operations", job_id]);
        self.endpoint.get_json(url).await
    }

    /// A private endpoint operation poller resumed from its continuation token.
    ///
    /// # Errors
    /// `InvalidArgument` for a token of another operation or of another HSM.
    pub fn resume_ekm_private_endpoint_operation(
        &self,
        token: &ContinuationToken,
        options: Option<PollerOptions>,
    ) -> Result<Poller<KeyVaultEkmPrivateEndpointOperation>> {
        let not_ours = || {
            invalid_argument("not a private endpoint operation continuation token of this client")
        };
        let url = token
            .as_str()
            .strip_prefix(TOKEN_PREFIX)
            .and_then(|u| Url::parse(u).ok())
            .ok_or_else(not_ours)?;
        if !self.endpoint.is_same_origin(&url) {
            return Err(not_ours());
        }
        Ok(self.poller(url, None, options.unwrap_or_default()))
    }

    /// Sends the request that starts the operation; the poller starts from its answer.
    async fn start_operation(
        &self,
        method: Method,
        url: Url,
        body: Option<&(impl serde::Serialize + ?Sized)>,
        options: Option<PollerOptions>,
    ) -> Result<Poller<KeyVaultEkmPrivateEndpointOperation>> {
        let response = self.endpoint.send(method, url, body).await?;
        let first: KeyVaultEkmPrivateEndpointOperation = response.json()?;
        let url = status_url(&self.endpoint, &response, first.job_id.as_deref())?;
        let first = (first, response.retry_after());
        Ok(self.poller(url, Some(first), options.unwrap_or_default()))
    }

    /// Polls `url`; the first step uses `first` (the start request's answer) when given.
    fn poller(
        &self,
        url: Url,
        first: Option<(
            KeyVaultEkmPrivateEndpointOperation,
            Option<std::time::Duration>,
        )>,
        options: PollerOptions,
    ) -> Poller<KeyVaultEkmPrivateEndpointOperation> {
        let token = ContinuationToken::new(format!("{TOKEN_PREFIX}{url}"));
        let first = Arc::new(Mutex::new(first));
        let endpoint = self.endpoint.clone();
        Poller::new(token, options, move |_| {
            let first = first.lock().unwrap_or_else(PoisonError::into_inner).take();
            let endpoint = endpoint.clone();
            let url = url.clone();
            async move {
                let (operation, retry_after) = match first {
                    Some(first) => first,
                    None => {
                        let response = endpoint.send(Method::GET, url, None::<&()>).await?;
                        (response.json()?, response.retry_after())
                    }
                };
                step(operation, retry_after)
            }
        })
    }
}

#[cfg(test)]
mod tests;
