//! Durable storage: SQLite for state, AES-256-GCM for key material at rest.

pub mod admin;
pub mod record;
pub mod schema;
pub mod seal;
pub mod sqlite;

pub use record::{BackupContent, BackupVersion, DeletedInfo, DeletedRow, KeyMeta, VersionRow};
pub use seal::Purpose;
pub use sqlite::{Store, Tx};
