//! A local HTTPS server speaking the Azure Key Vault and Managed HSM REST API.
#![warn(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]
