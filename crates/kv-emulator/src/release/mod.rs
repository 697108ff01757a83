//! What secure key release is made of: release policies ([`policy`]), the attestation
//! tokens the emulator trusts ([`token`]) and the wrapping of a released key to the
//! token's runtime key ([`wrap`]); [`test_service`] is the emulator as its own attestation
//! service for the SDKs' release tests. The release itself is [`crate::service::release`].

pub mod policy;
pub mod test_service;
pub mod token;
pub mod wrap;

pub use policy::{parse_policy, stored_policy};
