//! Synchronous, allocation-light cryptography on Key Vault JSON Web Keys.
#![warn(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]
