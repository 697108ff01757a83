//! Unit tests of `KeyVaultBackupClient` against the fake HSM: request URLs and bodies, the
//! long-running-operation protocol, resuming, and failures.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::TryStreamExt;
use kv_core::PollerStatus;
use serde_json::json;

use super::*;
use crate::admin::test_hsm::{HSM, fake_hsm};
use crate::error::ErrorKind;
use kv_core::test_util::FakeTransport;

const CONTAINER: &str = "https://account.blob.core.windows.net/backups";
const FOLDER: &str = "https://account.blob.core.windows.net/backups/mhsm-v-2026112409";

fn fast() -> Option<PollerOptions> {
    Some(PollerOptions {
        frequency: Duration::ZERO,
    })
}

fn sas() -> BlobStorageAccess {
    BlobStorageAccess::sas_token("?sv=2024-08-04&sr=c&sig=SECRETSIG")
}

fn client(fake: &Arc<FakeTransport>) -> KeyVaultBackupClient {
    KeyVaultBackupClient::new(
        HSM,
        Arc::new(kv_core::StaticTokenCredential::new("t")),
        Some(KeyVaultBackupClientOptions {
            client_options: fake.options(),
        }),
    )
    .unwrap()
}

fn in_progress(job: &str) -> String {
    json!({"status": "InProgress", "jobId": job, "startTime": 100, "endTime": null}).to_string()
}

fn succeeded(job: &str) -> String {
    json!({
        "status": "Succeeded", "jobId": job, "startTime": 100, "endTime": 160,
        "azureStorageBlobContainerUri": FOLDER,
    })
    .to_string()
}

/// Starts answer 202 with a status URL on the HSM; each status URL reports `InProgress`
/// for `polls_before_done` polls, then `Succeeded`.
fn lro_hsm(polls_before_done: usize) -> (Arc<FakeTransport>, Arc<AtomicUsize>) {
    let polls = Arc::new(AtomicUsize::new(0));
    let counter = polls.clone();
    let fake = fake_hsm(
        move |method, _, _| match method {
            "GET" if counter.fetch_add(1, Ordering::SeqCst) < polls_before_done => {
                (200, in_progress("job1"))
            }
            "GET" => (200, succeeded("job1")),
            _ => (202, in_progress("job1")),
        },
        |method, path| match (method, path) {
            ("POST", "/backup" | "/prebackup") => vec![
                ("azure-asyncoperation", format!("{HSM}/backup/job1/pending")),
                ("retry-after", "0".into()),
            ],
            ("PUT", _) => vec![
                (
                    "azure-asyncoperation",
                    format!("{HSM}/restore/job1/pending"),
                ),
                ("retry-after", "0".into()),
            ],
            _ => Vec::new(),
        },
    );
    (fake, polls)
}

#[tokio::test]
async fn backup_polls_the_status_url_to_completion() {
    let (fake, polls) = lro_hsm(2);
    let c = client(&fake);
    let poller = c.begin_backup(CONTAINER, &sas(), fast()).await.unwrap();
    let result = poller.await.unwrap();
    assert_eq!(result.folder_url.as_str(), FOLDER);
    assert_eq!(result.start_time.unwrap().unix_timestamp(), 100);
    assert_eq!(result.end_time.unwrap().unix_timestamp(), 160);
    assert_eq!(polls.load(Ordering::SeqCst), 3);
    assert_eq!(
        fake.paths(),
        [
            "POST /backup",
            "GET /backup/job1/pending",
            "GET /backup/job1/pending",
            "GET /backup/job1/pending",
        ]
    );
    assert_eq!(
        fake.json_body(0),
        json!({"storageResourceUri": CONTAINER, "token": "sv=2024-08-04&sr=c&sig=SECRETSIG"})
    );
}

#[tokio::test]
async fn the_poller_streams_each_status() {
    let (fake, _) = lro_hsm(1);
    let c = client(&fake);
    let poller = c
        .begin_backup(CONTAINER, &BlobStorageAccess::ManagedIdentity, fast())
        .await
        .unwrap();
    let statuses: Vec<PollerStatus> = poller.map_ok(|s| s.status).try_collect().await.unwrap();
    // The 202's own status, one poll in progress, then done.
    assert_eq!(
        statuses,
        [
            PollerStatus::InProgress,
            PollerStatus::InProgress,
            PollerStatus::Succeeded
        ]
    );
    assert_eq!(
        fake.json_body(0),
        json!({"storageResourceUri": CONTAINER, "useManagedIdentity": true})
    );
}

#[tokio::test]
async fn restores_full_and_selective() {
    let (fake, _) = lro_hsm(0);
    let c = client(&fake);
    let full = c.begin_restore(FOLDER, &sas(), None).await.unwrap();
    assert!(full.continuation_token().as_str().starts_with("restore:"));
    let options = RestoreOptions {
        key_name: Some("k1".into()),
        poller_options: PollerOptions {
            frequency: Duration::ZERO,
        },
    };
    let one = c
        .begin_restore(FOLDER, &sas(), Some(options))
        .await
        .unwrap();
    let done = one.await.unwrap();
    assert_eq!(done.end_time.unwrap().unix_timestamp(), 160);
    full.await.unwrap();
    let sas_json =
        json!({"storageResourceUri": CONTAINER, "token": "sv=2024-08-04&sr=c&sig=SECRETSIG"});
    assert_eq!(
        fake.json_body(0),
        json!({"sasTokenParameters": sas_json, "folderToRestore": "mhsm-v-2026112409"})
    );
    assert_eq!(
        fake.json_body(1),
        json!({"sasTokenParameters": sas_json, "folder": "mhsm-v-2026112409"})
    );
    assert_eq!(
        fake.paths(),
        [
            "PUT /restore",
            "PUT /keys/k1/restore",
            "GET /restore/job1/pending",
            "GET /restore/job1/pending",
        ]
    );
}

#[tokio::test]
async fn pre_checks_hit_their_endpoints() {
    let (fake, _) = lro_hsm(0);
    let c = client(&fake);
    c.begin_pre_backup(CONTAINER, &sas(), fast())
        .await
        .unwrap()
        .await
        .unwrap();
    let checked = c
        .begin_pre_restore(FOLDER, &BlobStorageAccess::ManagedIdentity, fast())
        .await
        .unwrap()
        .await
        .unwrap();
    assert_eq!(checked.start_time.unwrap().unix_timestamp(), 100);
    assert_eq!(
        fake.paths(),
        [
            "POST /prebackup",
            "GET /backup/job1/pending",
            "PUT /prerestore",
            "GET /restore/job1/pending",
        ]
    );
    assert_eq!(
        fake.json_body(0),
        json!({"storageResourceUri": CONTAINER, "token": "sv=2024-08-04&sr=c&sig=SECRETSIG"})
    );
    assert_eq!(
        fake.json_body(2),
        json!({
            "sasTokenParameters": {"storageResourceUri": CONTAINER, "useManagedIdentity": true},
            "folderToRestore": "mhsm-v-2026112409",
        })
    );
}

#[tokio::test]
async fn pollers_resume_from_their_continuation_token() {
    let (fake, polls) = lro_hsm(1);
    let c = client(&fake);
    let mut poller = c.begin_backup(CONTAINER, &sas(), fast()).await.unwrap();
    let first = poller.try_next().await.unwrap().unwrap();
    assert_eq!(first.status, PollerStatus::InProgress);
    let token = poller.continuation_token();
    drop(poller);
    assert_eq!(
        polls.load(Ordering::SeqCst),
        0,
        "the first status came with the 202"
    );
    assert_eq!(token.as_str(), format!("backup:{HSM}/backup/job1/pending"));

    // Another client (another process, say) picks it up.
    let other = client(&fake);
    let result = other.resume_backup(&token, fast()).unwrap().await.unwrap();
    assert_eq!(result.folder_url.as_str(), FOLDER);
    assert_eq!(polls.load(Ordering::SeqCst), 2);

    // Tokens are not interchangeable, and never send the bearer token elsewhere.
    assert!(other.resume_restore(&token, fast()).is_err());
    assert!(other.resume_pre_backup(&token, fast()).is_err());
    let elsewhere = ContinuationToken::new("backup:https://evil.example/backup/job1/pending");
    let e = other.resume_backup(&elsewhere, fast()).unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::InvalidArgument);
    assert!(
        other
            .resume_backup(&ContinuationToken::new("backup:not a url"), fast())
            .is_err()
    );
    let restore = ContinuationToken::new(format!("restore:{HSM}/restore/job9/pending"));
    other
        .resume_restore(&restore, fast())
        .unwrap()
        .await
        .unwrap();
    let pre = ContinuationToken::new(format!("prerestore:{HSM}/restore/job9/pending"));
    other
        .resume_pre_restore(&pre, fast())
        .unwrap()
        .await
        .unwrap();
    assert_eq!(
        fake.paths()[3..],
        ["GET /restore/job9/pending", "GET /restore/job9/pending"]
    );
}

#[tokio::test]
async fn a_failed_operation_is_an_error_with_the_service_code() {
    let fake = fake_hsm(
        |method, _, _| {
            match method {
            "GET" => (
                200,
                json!({"status": "Failed", "jobId": "job1", "statusDetails": "failed",
                       "error": {"code": "InvalidSasToken", "message": "The SAS token is not valid for the container."}})
                .to_string(),
            ),
            _ => (202, in_progress("job1")),
        }
        },
        |_, _| vec![("azure-asyncoperation", format!("{HSM}/backup/job1/pending"))],
    );
    let c = client(&fake);
    let e = c
        .begin_backup(CONTAINER, &sas(), fast())
        .await
        .unwrap()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::OperationFailed);
    assert_eq!(e.error_code(), Some("InvalidSasToken"));
    assert!(e.message().contains("The SAS token is not valid"), "{e}");
    let text = format!("{e} {e:?}");
    assert!(!text.contains("SECRETSIG"), "{text}");
}

#[tokio::test]
async fn start_answers_that_are_final_or_lack_a_header() {
    // Done at once: no poll at all. No Azure-AsyncOperation: the job id's status URL.
    let fake = fake_hsm(
        |method, path, _| match (method, path) {
            ("POST", "/backup") => (202, succeeded("job2")),
            ("PUT", _) => (202, in_progress("job3")),
            _ => (200, succeeded("job3")),
        },
        |_, _| Vec::new(),
    );
    let c = client(&fake);
    let done = c
        .begin_backup(CONTAINER, &sas(), fast())
        .await
        .unwrap()
        .await
        .unwrap();
    assert_eq!(done.folder_url.as_str(), FOLDER);
    c.begin_restore(FOLDER, &sas(), None).await.unwrap();
    let restore = c.begin_restore(FOLDER, &sas(), None).await.unwrap();
    assert_eq!(
        restore.continuation_token().as_str(),
        format!("restore:{HSM}/restore/job3/pending")
    );
    assert_eq!(
        fake.paths(),
        ["POST /backup", "PUT /restore", "PUT /restore"]
    );
}

#[tokio::test]
async fn status_urls_on_other_hosts_are_refused() {
    let fake = fake_hsm(
        |_, _, _| (202, in_progress("job1")),
        |_, _| {
            vec![(
                "azure-asyncoperation",
                "https://evil.example/backup/job1/pending".into(),
            )]
        },
    );
    let c = client(&fake);
    let e = c.begin_backup(CONTAINER, &sas(), fast()).await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Decode);
    let none = fake_hsm(
        |_, _, _| (202, r#"{"status":"InProgress"}"#.into()),
        |_, _| Vec::new(),
    );
    let e = client(&none)
        .begin_backup(CONTAINER, &sas(), fast())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Decode, "no status URL and no job id");
}

#[tokio::test]
async fn bad_arguments_fail_before_any_io() {
    let (fake, _) = lro_hsm(0);
    let c = client(&fake);
    let empty = BlobStorageAccess::sas_token("?");
    let key = |name: &str| {
        Some(RestoreOptions {
            key_name: Some(name.into()),
            ..Default::default()
        })
    };
    for e in [
        c.begin_backup(CONTAINER, &empty, None).await.unwrap_err(),
        c.begin_backup("https://account.blob.core.windows.net", &sas(), None)
            .await
            .unwrap_err(),
        c.begin_backup(&format!("{CONTAINER}?sig=SECRETSIG"), &sas(), None)
            .await
            .unwrap_err(),
        c.begin_pre_backup("nope", &sas(), None).await.unwrap_err(),
        c.begin_restore(CONTAINER, &sas(), None).await.unwrap_err(),
        c.begin_restore(FOLDER, &sas(), key("a/b"))
            .await
            .unwrap_err(),
        c.begin_restore(FOLDER, &sas(), key("")).await.unwrap_err(),
        c.begin_pre_restore(FOLDER, &empty, None).await.unwrap_err(),
    ] {
        assert_eq!(e.kind(), &ErrorKind::InvalidArgument, "{e}");
        assert!(!e.to_string().contains("SECRETSIG"), "{e}");
    }
    assert!(fake.paths().is_empty());
}

#[test]
fn the_sas_token_stays_out_of_debug() {
    let text = format!("{:?}", sas());
    assert!(!text.contains("SECRETSIG"), "{text}");
    assert!(text.contains("REDACTED"), "{text}");
}

#[tokio::test]
async fn retry_after_of_the_start_answer_paces_the_first_poll() {
    let fake = fake_hsm(
        |_, _, _| (202, in_progress("job1")),
        |_, _| {
            vec![
                ("azure-asyncoperation", format!("{HSM}/backup/job1/pending")),
                ("retry-after", "7".into()),
            ]
        },
    );
    let mut poller = client(&fake)
        .begin_backup(CONTAINER, &sas(), fast())
        .await
        .unwrap();
    let first = poller.try_next().await.unwrap().unwrap();
    assert_eq!(first.status, PollerStatus::InProgress);
    // The poller waits this long (not `frequency`, zero here) before polling.
    assert_eq!(first.retry_after, Some(Duration::from_secs(7)));
    assert_eq!(fake.paths(), ["POST /backup"]);
}
