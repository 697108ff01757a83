//! Key attestation (`GET /keys/{name}/{version}/attestation`): what the emulator states
//! about its keys in place of an HSM's attestation.
//!
//! The service sends `certificatePemFile`, `privateKeyAttestation`,
//! `publicKeyAttestation` and `version`, the same for every version of the key. The
//! emulator has no HSM to vouch for its keys: the certificate file is the emulator's own
//! CA (see [`crate::tls`]) and the two blobs are JSON statements naming the key and
//! saying that no HSM attested it ([`emulator_attestation`]).

/// The attestation format version the emulator writes (the service's HSMs write their
/// vendor's, such as `MRVL-1`; the emulator's blobs are not in that format).
pub(crate) const ATTESTATION_VERSION: &str = "kv-emulator-1";

/// The attestation of the key `versionless_kid`: the same for every version, as the
/// service's.
pub(crate) fn emulator_attestation(
    versionless_kid: &str,
    ca_pem: &str,
) -> kv_protocol::KeyAttestation {
    let statement = |part: &str| {
        serde_json::json!({
            "key": versionless_kid,
            "part": part,
            "attestedBy": "kv-emulator: software keys, no HSM attests them",
        })
        .to_string()
        .into_bytes()
    };
    kv_protocol::KeyAttestation {
        // Empty only when a caller built the state without TLS material.
        certificate_pem_file: (!ca_pem.is_empty()).then(|| ca_pem.as_bytes().to_vec()),
        private_key_attestation: Some(statement("private")),
        public_key_attestation: Some(statement("public")),
        version: Some(ATTESTATION_VERSION.into()),
    }
}
