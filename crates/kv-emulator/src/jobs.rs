//! Long-running backup and restore jobs: their status records and the Tokio tasks that
//! run them. The server owns the tasks; [`Jobs::shutdown`] aborts those still running
//! when the emulator stops.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;

use kv_protocol::{FullBackupOperation, RestoreOperation};
use tokio::task::JoinSet;

/// The status of one job, as its status endpoint answers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobStatus {
    /// A full backup or pre-backup check (`/backup/{jobId}/pending`).
    Backup(FullBackupOperation),
    /// A restore, selective restore or pre-restore check (`/restore/{jobId}/pending`).
    Restore(RestoreOperation),
}

/// The job table and the running tasks.
#[derive(Debug, Default)]
pub struct Jobs {
    status: Mutex<HashMap<String, JobStatus>>,
    tasks: Mutex<Option<JoinSet<()>>>,
}

impl Jobs {
    /// An empty table that accepts tasks.
    pub fn new() -> Self {
        Self {
            status: Mutex::new(HashMap::new()),
            tasks: Mutex::new(Some(JoinSet::new())),
        }
    }

    /// Records (or replaces) the status of job `id`.
    pub fn set(&self, id: &str, status: JobStatus) {
        // A poisoned lock only means another thread panicked mid-insert; the map is
        // still usable.
        let mut map = self.status.lock().unwrap_or_else(|p| p.into_inner());
        map.insert(id.to_owned(), status);
    }

    /// The status of job `id`.
    pub fn get(&self, id: &str) -> Option<JobStatus> {
        let map = self.status.lock().unwrap_or_else(|p| p.into_inner());
        map.get(id).cloned()
    }

    /// Runs `task` on the runtime, owned by this table. Returns `false` (and drops the
    /// task) after [`Jobs::shutdown`].
    pub fn spawn<F>(&self, task: F) -> bool
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let mut tasks = self.tasks.lock().unwrap_or_else(|p| p.into_inner());
        match tasks.as_mut() {
            Some(set) => {
                // Reap finished tasks so the set does not grow without bound.
                while set.try_join_next().is_some() {}
                set.spawn(task);
                true
            }
            None => false,
        }
    }

    /// Aborts every running job and refuses new ones.
    pub fn shutdown(&self) {
        let set = self.tasks.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(mut set) = set {
            set.abort_all();
            // Aborted tasks are dropped when the runtime next polls them.
            drop(set);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn shutdown_aborts_and_refuses() {
        let jobs = Jobs::new();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        assert!(jobs.spawn(async move {
            let _keep = tx;
            std::future::pending::<()>().await;
        }));
        jobs.shutdown();
        // The task was aborted, so its sender is dropped.
        assert!(rx.await.is_err());
        assert!(!jobs.spawn(async {}));
        jobs.set("j", JobStatus::Restore(RestoreOperation::default()));
        assert!(matches!(jobs.get("j"), Some(JobStatus::Restore(_))));
    }
}
