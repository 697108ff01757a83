//! Key Vault cryptographic operations performed by the service.
#![warn(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]
