//! The parts of the performance report, one module per section.

pub mod alloc;
pub mod envelope;
pub mod local;
pub mod measure;
pub mod remote;
pub mod report;
