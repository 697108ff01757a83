//! Managed HSM External Key Manager (EKM) connection (`/ekm`, `/ekm/create`, `/ekm/check`,
//! `/ekm/certificate`; api-version 2026-01-01-preview and later).
//!
//! Certificates are DER bytes, standard base64 on the wire (the spec's `bytes[]`; the
//! examples use `+` and `/`); they are accepted in either alphabet.

use serde::{Deserialize, Serialize};

use crate::ekm_private_endpoint::EkmConnectivityMode;

/// Standard-alphabet base64 of a list of DER certificates.
mod der_list {
    use base64ct::{Base64, Encoding};
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _, ser::SerializeSeq};

    pub fn serialize<S: Serializer>(certs: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(certs.len()))?;
        for c in certs {
            seq.serialize_element(&Base64::encode_string(c))?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<u8>>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|s| {
                Base64::decode_vec(s.trim())
                    .or_else(|_| kv_jwk::base64url::decode(s.trim()))
                    .map_err(|_| D::Error::custom("a certificate is not base64"))
            })
            .collect()
    }
}

/// The EKM connection (`EkmConnection`): where the EKM proxy is and which CAs to trust.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EkmConnection {
    /// The proxy's host name (`[a-zA-Z0-9.:-]`).
    pub host: String,
    /// Path prefix on the proxy, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_prefix: Option<String>,
    /// The CA chain that issued the proxy's server certificate (DER, one per entry).
    #[serde(with = "der_list")]
    pub server_ca_certificates: Vec<Vec<u8>>,
    /// The expected subject common name of the proxy's server certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_subject_common_name: Option<String>,
    /// How the proxy is reached (2026-07-01-preview; the service's default is `Public`).
    /// With `PrivateEndpoint`, `host` is the name of one of the pool's private endpoints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connectivity_mode: Option<EkmConnectivityMode>,
}

impl EkmConnection {
    /// Whether `host` has the shape the service accepts: non-empty, letters, digits,
    /// `-`, `.` and `:` only.
    pub fn is_valid_host(host: &str) -> bool {
        !host.is_empty()
            && host.len() <= 253
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b':'))
    }
}

/// The client certificate the HSM presents to the proxy (`EkmProxyClientCertificateInfo`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EkmProxyClientCertificateInfo {
    /// The client certificate's CA chain (DER, one per entry).
    #[serde(with = "der_list")]
    pub ca_certificates: Vec<Vec<u8>>,
    /// The client certificate's subject common name.
    pub subject_common_name: String,
}

/// What the proxy reports about itself (`EkmProxyInfo`), the answer of `/ekm/check`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EkmProxyInfo {
    /// The highest proxy interface version the proxy supports.
    pub api_version: String,
    /// The proxy's vendor.
    pub proxy_vendor: String,
    /// The proxy's product name and version.
    pub proxy_name: String,
    /// The external key manager's vendor.
    pub ekm_vendor: String,
    /// The external key manager's product name and version.
    pub ekm_product: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use proptest::prelude::*;

    #[test]
    fn wire_names() {
        let c: EkmConnection = serde_json::from_str(
            r#"{"host": "ekm.contoso.com", "path_prefix": "/api/v1", "server_ca_certificates": ["MIID+/8="]}"#,
        )
        .unwrap();
        assert_eq!(
            c.server_ca_certificates,
            [vec![0x30, 0x82, 0x03, 0xfb, 0xff]]
        );
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["server_ca_certificates"][0], "MIID+/8=");
        assert_eq!(v["path_prefix"], "/api/v1");
        assert!(EkmConnection::is_valid_host("ekm-proxy.contoso.com:8443"));
        assert!(!EkmConnection::is_valid_host("https://x/"));
        assert!(
            serde_json::from_str::<EkmConnection>(r#"{"host":"h","server_ca_certificates":["!"]}"#)
                .is_err()
        );
    }

    proptest! {
        #[test]
        fn round_trips(certs in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..3),
                       host in "[a-z0-9.-]{1,20}") {
            let c = EkmConnection { host, path_prefix: Some("/p".into()), server_ca_certificates: certs.clone(), ..Default::default() };
            prop_assert_eq!(round_trip(&c), c);
            let i = EkmProxyClientCertificateInfo { ca_certificates: certs, subject_common_name: "cn".into() };
            prop_assert_eq!(round_trip(&i), i);
        }
    }
}
