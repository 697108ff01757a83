//! Managed HSM administration clients.
