//! The process default [`CryptoProvider`]: the one [`install_default`] installed, or else
//! the backend the crate features name, fixed on first use. Apart from the provider's
//! definitions (in [`provider`](crate::provider)), so those stay a leaf that the backends
//! import.

use std::sync::OnceLock;

use crate::Result;
use crate::provider::CryptoProvider;

static INSTALLED: OnceLock<&'static CryptoProvider> = OnceLock::new();

/// Installs `provider` as the process default used by [`LocalKey::new`](crate::LocalKey::new).
///
/// # Errors
/// Returns the provider back if a default was already installed or already used.
pub fn install_default(provider: CryptoProvider) -> core::result::Result<(), Box<CryptoProvider>> {
    let leaked: &'static CryptoProvider = Box::leak(Box::new(provider));
    INSTALLED.set(leaked).map_err(|_| Box::new(provider))
}

/// The process default: the installed provider, or else `default_provider()` (installed on
/// first use so it cannot change afterwards).
///
/// # Errors
/// [`Error::NoProvider`](crate::Error::NoProvider) when no backend feature is enabled and none was installed.
pub fn get_default() -> Result<&'static CryptoProvider> {
    if let Some(p) = INSTALLED.get() {
        return Ok(p);
    }
    #[cfg(any(feature = "rustcrypto", feature = "aws-lc"))]
    {
        static DEFAULT: OnceLock<CryptoProvider> = OnceLock::new();
        let p = DEFAULT.get_or_init(crate::dispatch::default_provider);
        Ok(*INSTALLED.get_or_init(|| p))
    }
    #[cfg(not(any(feature = "rustcrypto", feature = "aws-lc")))]
    {
        Err(crate::Error::NoProvider)
    }
}
