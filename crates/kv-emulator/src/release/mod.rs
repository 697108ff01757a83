//! What secure key release is made of: release policies ([`policy`]), the attestation
//! tokens the emulator trusts ([`token`]) and the wrapping of a released key to the
//! token's runtime key ([`wrap`]). The release itself is [`crate::service::release`].

pub mod policy;
pub mod token;
pub mod wrap;

pub use policy::{parse_policy, validate_policy};
