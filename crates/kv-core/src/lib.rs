//! The HTTP pipeline of the Key Vault clients.
#![warn(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]
