//! The pipeline's policies, applied in this fixed order (see [`Pipeline`](crate::Pipeline)):
//!
//! 1. [`request_id`]: `x-ms-client-request-id`, `User-Agent` and `api-version`, once per call;
//! 2. [`retry`]: the retry loop with its per-try timeout, around everything below;
//! 3. [`challenge_auth`]: challenge and bearer token, per try;
//! 4. [`logging`]: one event per request on the wire;
//! 5. the transport.

pub(crate) mod challenge_auth;
pub(crate) mod logging;
pub(crate) mod request_id;
pub(crate) mod retry;
