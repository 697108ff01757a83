//! The long-running-operation protocol of backup and restore: a 202 with an
//! `Azure-AsyncOperation` status URL and `Retry-After`, then GETs of the status URL until
//! `Succeeded`, `Failed` or `Canceled`.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use kv_core::{ContinuationToken, Endpoint, Method, PollStep, Poller, PollerOptions, Response};
use kv_protocol::{ErrorBody, FullBackupOperation, OperationStatus};
use url::Url;

use crate::error::{Error, ErrorKind, Result, decode, invalid_argument};

/// Which operation a poller follows: names it in errors, picks the continuation-token
/// prefix and the status path used when the service sends no `Azure-AsyncOperation`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Operation {
    Backup,
    PreBackup,
    Restore,
    PreRestore,
}

impl Operation {
    fn token_prefix(self) -> &'static str {
        match self {
            Self::Backup => "backup:",
            Self::PreBackup => "prebackup:",
            Self::Restore => "restore:",
            Self::PreRestore => "prerestore:",
        }
    }

    /// The first segment of the status URL `/{it}/{jobId}/pending`.
    fn status_base(self) -> &'static str {
        match self {
            Self::Backup | Self::PreBackup => "backup",
            Self::Restore | Self::PreRestore => "restore",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Self::Backup => "full backup",
            Self::PreBackup => "pre-backup check",
            Self::Restore => "restore",
            Self::PreRestore => "pre-restore check",
        }
    }
}

/// Turns the final (`Succeeded`) status into the operation's result.
pub(crate) type Finish<T> = fn(FullBackupOperation) -> Result<T>;

/// A status the poller has in hand: from the 202 that started the operation, or a poll.
type Status = (FullBackupOperation, Option<Duration>);

/// Reads a status body. Restore statuses are the backup status without the folder URL,
/// so one type reads both.
fn read_status(response: &Response) -> Result<Status> {
    Ok((response.json()?, response.retry_after()))
}

/// The error of a `Failed` operation, with the service's code and message.
fn failed(op: Operation, error: Option<ErrorBody>) -> Error {
    let (code, message) = error.map(|e| (e.code, e.message)).unwrap_or((None, None));
    let message = message.unwrap_or_else(|| "no reason given".to_owned());
    let text = match &code {
        Some(code) => format!("the {} failed ({code}): {message}", op.describe()),
        None => format!("the {} failed: {message}", op.describe()),
    };
    let error = Error::new(ErrorKind::OperationFailed, text);
    match code {
        Some(code) => error.with_error_code(code),
        None => error,
    }
}

/// One poll's outcome: still running, done, or an error for `Failed` and `Canceled`.
pub(crate) fn step<T>(op: Operation, status: Status, finish: Finish<T>) -> Result<PollStep<T>> {
    let (body, retry_after) = status;
    match body.status.clone() {
        Some(OperationStatus::InProgress) => {
            Ok(PollStep::in_progress().with_retry_after(retry_after))
        }
        Some(OperationStatus::Succeeded) => Ok(PollStep::succeeded(finish(body)?)),
        Some(OperationStatus::Failed) => Err(failed(op, body.error)),
        Some(OperationStatus::Canceled) => Err(Error::new(
            ErrorKind::OperationFailed,
            format!("the {} was canceled", op.describe()),
        )),
        // The service's enum has no other values; polling on would never end.
        Some(other) => Err(decode(format!(
            "the {} reported an unknown status `{other}`",
            op.describe()
        ))),
        None => Err(decode(format!(
            "the {} status has no `status`",
            op.describe()
        ))),
    }
}

/// Where to poll: the `Azure-AsyncOperation` URL (on this HSM only, since the poll carries
/// the bearer token), else `{vault}/{backup|restore}/{jobId}/pending`.
fn status_url(
    endpoint: &Endpoint,
    op: Operation,
    response: &Response,
    job_id: Option<&str>,
) -> Result<Url> {
    let header = response
        .headers()
        .get("azure-asyncoperation")
        .and_then(|v| v.to_str().ok());
    if let Some(header) = header {
        let url = Url::parse(header)
            .map_err(|_| decode(format!("the {} status URL is not a URL", op.describe())))?;
        if !endpoint.is_same_origin(&url) {
            return Err(decode(format!(
                "the {} status URL points to another host than the Managed HSM",
                op.describe()
            )));
        }
        return Ok(url);
    }
    match job_id.filter(|j| !j.is_empty()) {
        Some(job) => Ok(endpoint.url([op.status_base(), job, "pending"])),
        None => Err(decode(format!(
            "the {} started without a status URL or job id",
            op.describe()
        ))),
    }
}

/// Sends the request that starts `op` and returns a poller that starts from its answer.
pub(crate) async fn start<T: Send + 'static>(
    endpoint: &Endpoint,
    op: Operation,
    method: Method,
    url: Url,
    body: &(impl serde::Serialize + ?Sized),
    options: PollerOptions,
    finish: Finish<T>,
) -> Result<Poller<T>> {
    let response = endpoint.send(method, url, Some(body)).await?;
    let first = read_status(&response)?;
    let url = status_url(endpoint, op, &response, first.0.job_id.as_deref())?;
    Ok(poller(endpoint, op, url, Some(first), options, finish))
}

/// A poller for `op` resumed from its continuation token.
///
/// # Errors
/// `InvalidArgument` for a token of another operation or of another HSM.
pub(crate) fn resume<T: Send + 'static>(
    endpoint: &Endpoint,
    op: Operation,
    token: &ContinuationToken,
    options: PollerOptions,
    finish: Finish<T>,
) -> Result<Poller<T>> {
    let not_ours = || {
        invalid_argument(format!(
            "not a {} continuation token of this client",
            op.describe()
        ))
    };
    let url = token
        .as_str()
        .strip_prefix(op.token_prefix())
        .and_then(|u| Url::parse(u).ok())
        .ok_or_else(not_ours)?;
    if !endpoint.is_same_origin(&url) {
        return Err(not_ours());
    }
    Ok(poller(endpoint, op, url, None, options, finish))
}

/// Polls `url`; the first step uses `first` (the start request's answer) when given.
fn poller<T: Send + 'static>(
    endpoint: &Endpoint,
    op: Operation,
    url: Url,
    first: Option<Status>,
    options: PollerOptions,
    finish: Finish<T>,
) -> Poller<T> {
    let token = ContinuationToken::new(format!("{}{url}", op.token_prefix()));
    let first = Arc::new(Mutex::new(first));
    let endpoint = endpoint.clone();
    Poller::new(token, options, move |_| {
        let first = first.lock().unwrap_or_else(PoisonError::into_inner).take();
        let endpoint = endpoint.clone();
        let url = url.clone();
        async move {
            let status = match first {
                Some(status) => status,
                None => read_status(&endpoint.send(Method::GET, url, None::<&()>).await?)?,
            };
            step(op, status, finish)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(json: &str) -> FullBackupOperation {
        serde_json::from_str(json).unwrap()
    }

    fn keep(op: FullBackupOperation) -> Result<FullBackupOperation> {
        Ok(op)
    }

    #[test]
    fn steps_follow_the_status() {
        let running = step(
            Operation::Backup,
            (
                status(r#"{"status":"InProgress","jobId":"j"}"#),
                Some(Duration::from_secs(3)),
            ),
            keep,
        )
        .unwrap();
        assert!(running.value.is_none());
        assert_eq!(running.retry_after, Some(Duration::from_secs(3)));

        let done = step(
            Operation::Restore,
            (status(r#"{"status":"Succeeded","endTime":5}"#), None),
            keep,
        )
        .unwrap();
        assert_eq!(done.value.unwrap().end_time, Some(5));

        let failed = step(
            Operation::Restore,
            (status(r#"{"status":"Failed","error":{"code":"InvalidSasToken","message":"The SAS token expired."}}"#), None),
            keep,
        )
        .unwrap_err();
        assert_eq!(failed.kind(), &ErrorKind::OperationFailed);
        assert_eq!(failed.error_code(), Some("InvalidSasToken"));
        assert!(
            failed.message().contains("The SAS token expired."),
            "{failed}"
        );
        assert!(failed.message().contains("restore"), "{failed}");

        let bare = step(
            Operation::PreBackup,
            (status(r#"{"status":"Failed"}"#), None),
            keep,
        )
        .unwrap_err();
        assert_eq!(bare.error_code(), None);

        let canceled = step(
            Operation::Backup,
            (status(r#"{"status":"Canceled"}"#), None),
            keep,
        )
        .unwrap_err();
        assert_eq!(canceled.kind(), &ErrorKind::OperationFailed);
        for odd in [r#"{"status":"Paused"}"#, r#"{"jobId":"j"}"#] {
            let e = step(Operation::Backup, (status(odd), None), keep).unwrap_err();
            assert_eq!(e.kind(), &ErrorKind::Decode, "{odd}");
        }
    }

    #[test]
    fn finish_errors_surface() {
        fn refuse(_: FullBackupOperation) -> Result<()> {
            Err(decode("no folder"))
        }
        let e = step(
            Operation::Backup,
            (status(r#"{"status":"Succeeded"}"#), None),
            refuse,
        )
        .unwrap_err();
        assert_eq!(e.kind(), &ErrorKind::Decode);
    }
}
