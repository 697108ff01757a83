//! `ApiVersion`: the `api-version` query parameter.

use crate::error::{Error, Result};

kv_jwk::string_enum! {
    /// A service `api-version`: every released (non-preview) version the Key Vault keys and
    /// Managed HSM administration SDKs send, oldest first, and the previews whose features
    /// this crate implements.
    ///
    /// Values the library does not know parse to `Unknown` (clients may pass them through);
    /// [`ApiVersion::parse_known`] rejects them, as the service answers an unknown version
    /// with 400. 7.6 and 2025-07-01 have the same keys surface for practical purposes.
    /// Known versions order oldest first (`Ord`); unknown values sort after all of them.
    pub enum ApiVersion {
        /// Released 2018.
        V7_0 => "7.0",
        /// Released 2019.
        V7_1 => "7.1",
        /// Released 2020.
        V7_2 => "7.2",
        /// Released 2021 (key rotation, release policies).
        V7_3 => "7.3",
        /// Released 2023.
        V7_4 => "7.4",
        /// Released 2023.
        V7_5 => "7.5",
        /// Released 2025.
        V7_6 => "7.6",
        /// Released 2025; the version this crate's types follow.
        V2025_07_01 => "2025-07-01",
        /// Preview: adds ML-DSA (`AKP`) keys and sign/verify with `context` and `external_mu`.
        V2026_05_01Preview => "2026-05-01-preview",
    }
}

impl ApiVersion {
    /// The newest version this crate knows, and the one its types follow.
    pub const LATEST: ApiVersion = ApiVersion::V2025_07_01;

    /// The newest known version (the same as [`ApiVersion::LATEST`]).
    pub fn latest() -> Self {
        Self::LATEST
    }

    /// Every known version, oldest first.
    pub fn known() -> impl Iterator<Item = ApiVersion> {
        Self::KNOWN_VALUES.iter().map(|v| ApiVersion::from(*v))
    }

    /// Parses `s` and accepts only a known version.
    ///
    /// # Errors
    /// [`Error::UnknownApiVersion`] for any other value (including previews).
    pub fn parse_known(s: &str) -> Result<Self> {
        let v = Self::from(s);
        if v.is_known() {
            Ok(v)
        } else {
            Err(Error::UnknownApiVersion(s.to_owned()))
        }
    }
}

impl Default for ApiVersion {
    fn default() -> Self {
        Self::LATEST
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_versions() {
        let all: Vec<String> = ApiVersion::known().map(|v| v.to_string()).collect();
        assert_eq!(
            all,
            [
                "7.0",
                "7.1",
                "7.2",
                "7.3",
                "7.4",
                "7.5",
                "7.6",
                "2025-07-01",
                "2026-05-01-preview"
            ]
        );
        assert_eq!(ApiVersion::latest().as_str(), "2025-07-01");
        assert_eq!(ApiVersion::default(), ApiVersion::LATEST);
        // Known versions are ordered oldest first.
        assert!(ApiVersion::V7_6 < ApiVersion::V2025_07_01);
        assert!(ApiVersion::V7_0 < ApiVersion::V7_1);
    }

    #[test]
    fn parse_known_rejects_others() {
        assert_eq!(ApiVersion::parse_known("7.4"), Ok(ApiVersion::V7_4));
        assert_eq!(
            ApiVersion::parse_known("7.6-preview.2"),
            Err(Error::UnknownApiVersion("7.6-preview.2".into()))
        );
        assert!(ApiVersion::parse_known("").is_err());
        let unknown: ApiVersion = "2026-04-01".parse().unwrap();
        assert!(!unknown.is_known());
        assert_eq!(serde_json::to_string(&unknown).unwrap(), "\"2026-04-01\"");
    }
}
