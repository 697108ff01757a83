//! `ApiVersion`: the `api-version` query parameter.

use crate::error::{Error, Result};

kv_jwk::string_enum! {
    /// A service `api-version`: every released version the Key Vault keys and Managed HSM
    /// administration SDKs send, and the 2026 previews whose features this workspace
    /// implements (secure key wrap, external keys and the EKM connection, ML-DSA), oldest
    /// first.
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
        /// Released 2025; the newest stable version the official stable SDKs default to.
        V2025_07_01 => "2025-07-01",
        /// Preview: external key references (`attributes.external_key`), the Managed HSM
        /// External Key Manager endpoints (`/ekm...`), secure key wrap/unwrap.
        V2026_01_01Preview => "2026-01-01-preview",
        /// Preview: as 2026-01-01-preview (`attributes.key_size`, `JsonWebKeyWrapAlgorithm`).
        V2026_03_01Preview => "2026-03-01-preview",
        /// Released 2026: key size, external keys, EKM and secure key wrap become stable.
        V2026_04_01 => "2026-04-01",
        /// Preview: adds ML-DSA post-quantum signature keys (FIPS 204).
        V2026_05_01Preview => "2026-05-01-preview",
        /// Preview: ML-DSA signing with a context or an external mu, EKM private endpoints.
        V2026_07_01Preview => "2026-07-01-preview",
    }
}

impl ApiVersion {
    /// The default version: the newest stable version the official stable SDKs send
    /// (see the crate README for why it is not 2026-04-01 yet).
    pub const LATEST: ApiVersion = ApiVersion::V2025_07_01;

    /// The newest stable version this crate knows (2026-04-01); opt in to it for the
    /// features it added (key size, external keys, EKM, secure key wrap).
    pub const NEWEST_STABLE: ApiVersion = ApiVersion::V2026_04_01;

    /// The default version (the same as [`ApiVersion::LATEST`]).
    pub fn latest() -> Self {
        Self::LATEST
    }

    /// Whether this is a preview version (`...-preview`).
    pub fn is_preview(&self) -> bool {
        self.as_str().ends_with("-preview")
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
                "2026-01-01-preview",
                "2026-03-01-preview",
                "2026-04-01",
                "2026-05-01-preview",
                "2026-07-01-preview",
            ]
        );
        assert!(ApiVersion::V2025_07_01 < ApiVersion::V2026_01_01Preview);
        assert!(ApiVersion::V2026_03_01Preview < ApiVersion::V2026_04_01);
        assert!(ApiVersion::V2026_04_01 < ApiVersion::V2026_05_01Preview);
        assert!(ApiVersion::V2026_03_01Preview.is_preview());
        assert!(!ApiVersion::NEWEST_STABLE.is_preview());
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
        assert_eq!(
            ApiVersion::parse_known("2026-04-01"),
            Ok(ApiVersion::V2026_04_01)
        );
        assert!(ApiVersion::parse_known("2026-02-01-preview").is_err());
        let unknown: ApiVersion = "2027-01-01".parse().unwrap();
        assert!(!unknown.is_known());
        assert_eq!(serde_json::to_string(&unknown).unwrap(), "\"2027-01-01\"");
    }
}
