//! Serde wire types of the Azure Key Vault keys and Managed HSM administration REST API
//! (api-version 2025-07-01 and earlier), shared by the client and the emulator so both
//! sides speak one vocabulary. No I/O.
#![warn(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]
