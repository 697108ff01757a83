#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub use kv_jwk as jwk;
pub use kv_protocol as protocol;
