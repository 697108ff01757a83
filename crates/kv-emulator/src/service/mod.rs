//! The service layer: what the emulator does, apart from how it is asked over HTTP.
//!
//! Route modules ([`crate::routes`]) parse a request, call one function here and write
//! its answer; the scheduler ([`crate::scheduler`]) calls the same functions. Nothing
//! here depends on a route module.

pub(crate) mod attestation;
pub(crate) mod backup;
pub(crate) mod crypto;
pub(crate) mod deleted;
pub(crate) mod ekm;
pub(crate) mod ekm_private_endpoint;
pub(crate) mod external;
pub(crate) mod key_backup;
pub(crate) mod keys;
pub(crate) mod release;
pub(crate) mod roles;
pub(crate) mod rotation;
pub(crate) mod secure_wrap;
pub(crate) mod settings;
