//! `KeyClient`, the Managed HSM administration clients and the `CryptographyClient` façade.
#![warn(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]
