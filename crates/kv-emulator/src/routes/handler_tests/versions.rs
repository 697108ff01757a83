//! The 2026 api-versions through the router: key_size, secure key wrap, external key
//! references and the EKM connection.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::*;

impl TestApp {
    /// `call` at a given api-version, on the vault.
    async fn call_version(
        &self,
        version: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.call_version_at(HOST, version, method, path, body)
            .await
    }

    async fn ok_at(&self, version: &str, method: &str, path: &str, body: Option<Value>) -> Value {
        self.ok_on(HOST, version, method, path, body).await
    }

    async fn ok_on(
        &self,
        host: &str,
        version: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Value {
        let (status, value) = self
            .call_version_at(host, version, method, path, body)
            .await;
        assert_eq!(status, StatusCode::OK, "{method} {path}: {value}");
        value
    }
}

const V2026: &str = "2026-04-01";
const PREVIEW: &str = "2026-01-01-preview";

fn ekm_connection(host: &str) -> Value {
    // A DER SEQUENCE header is all the emulator checks of a CA certificate.
    json!({"host": host, "path_prefix": "/api/v1", "server_ca_certificates": ["MIIBAA=="]})
}

#[tokio::test]
async fn versions_are_accepted_and_unknown_ones_refused() {
    let app = TestApp::new();
    for v in [
        "2025-07-01",
        "2026-01-01-preview",
        "2026-03-01-preview",
        "2026-04-01",
        "2026-05-01-preview",
        "2026-07-01-preview",
    ] {
        app.ok_at(v, "GET", "/keys", None).await;
    }
    let (status, body) = app
        .call_version("2026-02-01-preview", "GET", "/keys", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2026-04-01")
    );
}

#[tokio::test]
async fn key_size_is_reported_at_every_version_and_on_a_vaults_deleted_keys() {
    let app = TestApp::new();
    let rsa = app
        .ok_at(
            V2026,
            "POST",
            "/keys/ks-rsa/create",
            Some(json!({"kty": "RSA", "key_size": 3072})),
        )
        .await;
    assert_eq!(rsa["attributes"]["key_size"], 3072);
    let oct = app
        .ok_at(
            V2026,
            "POST",
            "/keys/ks-oct/create",
            Some(json!({"kty": "oct-HSM", "key_size": 192})),
        )
        .await;
    assert_eq!(oct["attributes"]["key_size"], 192);
    let ec = app
        .ok_at(
            V2026,
            "POST",
            "/keys/ks-ec/create",
            Some(json!({"kty": "EC", "crv": "P-256"})),
        )
        .await;
    assert!(ec["attributes"].get("key_size").is_none(), "{ec}");
    // The live service does not strip newer members for older versions.
    for v in ["7.6", "2025-07-01"] {
        let got = app.ok_at(v, "GET", "/keys/ks-rsa", None).await;
        assert_eq!(got["attributes"]["key_size"], 3072, "{v}");
    }
    let list = app.ok_at("2025-07-01", "GET", "/keys", None).await;
    assert!(
        list["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["attributes"]["key_size"] == 3072)
    );
    // A vault's deleted keys keep key_size (JS recording, 2026); a Managed HSM's drop it
    // (Go azkeys TestExternalKeyReference).
    let deleted = app.ok_at(V2026, "DELETE", "/keys/ks-rsa", None).await;
    assert_eq!(deleted["attributes"]["key_size"], 3072, "{deleted}");
    let got = app.ok_at(V2026, "GET", "/deletedkeys/ks-rsa", None).await;
    assert_eq!(got["attributes"]["key_size"], 3072, "{got}");
    let (status, hsm_key) = app
        .call_version_at(
            HSM_HOST,
            V2026,
            "POST",
            "/keys/ks-hsm/create",
            Some(json!({"kty": "RSA-HSM", "key_size": 3072})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{hsm_key}");
    // A Managed HSM sends key_size for oct-HSM keys only (Java and Python, 2026).
    assert!(hsm_key["attributes"].get("key_size").is_none(), "{hsm_key}");
    let (status, hsm_oct) = app
        .call_version_at(
            HSM_HOST,
            V2026,
            "POST",
            "/keys/ks-hsm-oct/create",
            Some(json!({"kty": "oct-HSM", "key_size": 128})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{hsm_oct}");
    assert_eq!(hsm_oct["attributes"]["key_size"], 128, "{hsm_oct}");
    let (_, hsm_deleted) = app
        .call_version_at(HSM_HOST, V2026, "DELETE", "/keys/ks-hsm", None)
        .await;
    assert!(
        hsm_deleted["attributes"].get("key_size").is_none(),
        "{hsm_deleted}"
    );
}

fn secure_policy() -> Value {
    let policy = json!({"version": "1.0.0", "anyOf": [{"authority": "https://attest.test", "allOf": [
        {"claim": "x-ms-attestation-type", "equals": "sevsnpvm"}
    ]}]});
    json!({"contentType": "application/json; charset=utf-8", "immutable": true,
           "data": b64(&serde_json::to_vec(&policy).unwrap())})
}

#[tokio::test]
async fn secure_wrap_round_trip_needs_an_accepted_attestation_target() {
    let app = TestApp::new();
    let ops = json!(["secureWrapKey", "secureUnwrapKey"]);
    let (status, _) = app
        .call_version(
            V2026,
            "POST",
            "/keys/sw/create",
            Some(json!({"kty": "RSA-HSM", "key_ops": ops})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a secure-wrap key needs a release policy"
    );
    let (status, _) = app
        .call_version(
            V2026,
            "POST",
            "/keys/sw/create",
            Some(json!({"kty": "RSA-HSM", "key_ops": ops,
            "attributes": {"exportable": true}, "release_policy": secure_policy()})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a secure-wrap key is not exportable"
    );
    let ops = json!(["secureWrapKey", "secureUnwrapKey", "unwrapKey"]);
    let key = app
        .ok_at(
            V2026,
            "POST",
            "/keys/sw/create",
            Some(json!({"kty": "RSA-HSM", "key_ops": ops,
            "release_policy": secure_policy()})),
        )
        .await;
    assert_eq!(key["attributes"]["exportable"], false);
    assert_eq!(key["key"]["key_ops"], ops);

    // As recorded for the live Managed HSM: a key without secureWrapKey is refused with 403.
    app.ok_at(
        V2026,
        "POST",
        "/keys/plain/create",
        Some(json!({"kty": "RSA-HSM", "key_ops": ["wrapKey", "unwrapKey"]})),
    )
    .await;
    let (status, body) = app
        .call_version(
            V2026,
            "POST",
            "/keys/plain//securewrapkey",
            Some(json!({"alg": "RSA-OAEP-256"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("secureWrapKey")
    );

    let wrapped = app
        .ok_at(
            V2026,
            "POST",
            &format!("/keys/sw/{}/securewrapkey", version_of(&key)),
            Some(json!({"alg": "RSA-OAEP-256"})),
        )
        .await;
    assert_eq!(wrapped["alg"], "RSA-OAEP-256");
    assert_eq!(wrapped["kid"], key["key"]["kid"]);
    assert_eq!(unb64(&wrapped["value"]).len(), 256);

    // The target's runtime key, as key release uses it: the answer is encrypted to it.
    let runtime = kv_crypto_local::generate_rsa(2048, None).unwrap();
    let mut runtime_public = serde_json::to_value(runtime.to_public()).unwrap();
    runtime_public["key_ops"] = json!(["encrypt"]);
    let now = app.state.clock().now();
    let claims = |tee: &str| {
        json!({"iss": "https://attest.test", "x-ms-attestation-type": tee,
        "x-ms-runtime": {"keys": [runtime_public.clone()]}, "exp": now + 600})
    };
    let good = attestation_token(attestation_signer(), &claims("sevsnpvm"));
    let unwrap = |target: String| json!({"alg": "RSA-OAEP-256", "value": wrapped["value"], "target": target});
    let decrypt = |answer: &Value| {
        kv_crypto_local::LocalKey::new(&runtime)
            .unwrap()
            .decrypt(
                &kv_jwk::EncryptionAlgorithm::RsaOaep256,
                &unb64(&answer["value"]),
                &kv_crypto_local::DecryptParameters::default(),
            )
            .unwrap()
    };
    let first = app
        .ok_at(
            V2026,
            "POST",
            "/keys/sw/secureunwrapkey",
            Some(unwrap(good.clone())),
        )
        .await;
    assert_eq!(first["alg"], "RSA-OAEP-256");
    assert_eq!(first["kid"], key["key"]["kid"]);
    assert_eq!(
        unb64(&first["value"]).len(),
        256,
        "as recorded: RSA-OAEP-256 to a 2048-bit runtime key, not the plain key"
    );
    // The key also grants unwrapKey, so the plain unwrap shows the key secure wrap made.
    let original = app
        .ok_at(
            V2026,
            "POST",
            "/keys/sw/unwrapkey",
            Some(json!({"alg": "RSA-OAEP-256", "value": wrapped["value"]})),
        )
        .await;
    let original = unb64(&original["value"]);
    assert_eq!(original.len(), 32, "an AES-256 key");
    assert_eq!(*decrypt(&first), original);
    let again = app
        .ok_at(
            V2026,
            "POST",
            "/keys/sw/secureunwrapkey",
            Some(unwrap(good)),
        )
        .await;
    assert_ne!(first["value"], again["value"], "OAEP is randomized");
    assert_eq!(*decrypt(&again), original);

    // A trusted token that satisfies the policy but carries no RSA runtime key is refused
    // like any other bad target.
    let mut ec_public = serde_json::to_value(
        kv_crypto_local::generate_ec(&kv_jwk::KeyCurveName::P256)
            .unwrap()
            .to_public(),
    )
    .unwrap();
    ec_public["key_ops"] = json!(["encrypt"]);
    for runtime_claim in [json!(null), json!({"keys": [ec_public]})] {
        let mut no_runtime = claims("sevsnpvm");
        no_runtime["x-ms-runtime"] = runtime_claim;
        let target = attestation_token(attestation_signer(), &no_runtime);
        let (status, body) = app
            .call_version(
                V2026,
                "POST",
                "/keys/sw/secureunwrapkey",
                Some(unwrap(target)),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with("Target environment attestation statement cannot be verified")
                && message.contains("runtime"),
            "{body}"
        );
    }

    // Refused even with a runtime key: a claim the policy does not allow, an untrusted signer.
    let wrong_claim = attestation_token(attestation_signer(), &claims("tdx"));
    let (status, _) = app
        .call_version(
            V2026,
            "POST",
            "/keys/sw/secureunwrapkey",
            Some(unwrap(wrong_claim)),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let untrusted = kv_crypto_local::generate_ec(&kv_jwk::KeyCurveName::P256).unwrap();
    let forged = attestation_token(&untrusted, &claims("sevsnpvm"));
    let (status, _) = app
        .call_version(
            V2026,
            "POST",
            "/keys/sw/secureunwrapkey",
            Some(unwrap(forged)),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn ekm_connection_lifecycle_and_external_keys() {
    let app = TestApp::new();
    let (status, _) = app
        .call_version_at(HSM_HOST, PREVIEW, "GET", "/ekm", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .call_version_at(HSM_HOST, PREVIEW, "POST", "/ekm/check", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let external = json!({"attributes": {"external_key": {"id": "external-key-id"}}});
    let (status, _) = app
        .call_version_at(
            HSM_HOST,
            PREVIEW,
            "POST",
            "/keys/ext/create",
            Some(external.clone()),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "an external key needs an EKM connection"
    );

    let created = app
        .ok_on(
            HSM_HOST,
            PREVIEW,
            "POST",
            "/ekm/create",
            Some(ekm_connection("ekm.contoso.com")),
        )
        .await;
    assert_eq!(created, ekm_connection("ekm.contoso.com"));
    let (status, _) = app
        .call_version_at(
            HSM_HOST,
            PREVIEW,
            "POST",
            "/ekm/create",
            Some(ekm_connection("x.test")),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "already set up");
    let (status, _) = app
        .call_version_at(
            HSM_HOST,
            PREVIEW,
            "POST",
            "/ekm/create",
            Some(json!({"host": "bad/host", "server_ca_certificates": ["MIIBAA=="]})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an invalid host is 400");
    let updated = app
        .ok_on(
            HSM_HOST,
            V2026,
            "PATCH",
            "/ekm",
            Some(ekm_connection("ekm2.contoso.com")),
        )
        .await;
    assert_eq!(updated["host"], "ekm2.contoso.com");
    assert_eq!(
        app.ok_on(HSM_HOST, V2026, "GET", "/ekm", None).await,
        updated
    );
    let info = app.ok_on(HSM_HOST, V2026, "POST", "/ekm/check", None).await;
    assert_eq!(
        info["proxy_vendor"],
        crate::service::ekm::TEST_DOUBLE_VENDOR
    );
    let cert = app
        .ok_on(HSM_HOST, V2026, "GET", "/ekm/certificate", None)
        .await;
    assert_eq!(
        cert["subject_common_name"],
        crate::service::ekm::CLIENT_SUBJECT
    );
    assert!(!cert["ca_certificates"][0].as_str().unwrap().is_empty());

    // As recorded (Go azkeys TestExternalKeyReference): oct-HSM, 256 bits, wrap/unwrap.
    let key = app
        .ok_on(
            HSM_HOST,
            PREVIEW,
            "POST",
            "/keys/ext/create",
            Some(external),
        )
        .await;
    assert_eq!(key["key"]["kty"], "oct-HSM");
    assert_eq!(key["key"]["key_ops"], json!(["wrapKey", "unwrapKey"]));
    assert!(key["key"].get("k").is_none());
    assert_eq!(key["attributes"]["external_key"]["id"], "external-key-id");
    assert_eq!(key["attributes"]["key_size"], 256);
    assert_eq!(key["attributes"]["exportable"], false);
    let (status, _) = app
        .call_version_at(
            HSM_HOST,
            PREVIEW,
            "POST",
            "/keys/bad-ext/create",
            Some(json!({"attributes": {"external_key": {"id": "no spaces"}}})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app
        .call_version_at(
            HSM_HOST,
            PREVIEW,
            "POST",
            "/keys/bad-ext/create",
            Some(json!({"kty": "RSA", "attributes": {"external_key": {"id": "x"}}})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The emulator plays the external HSM: wrap and unwrap work on the reference.
    let wrapped = app
        .ok_on(
            HSM_HOST,
            PREVIEW,
            "POST",
            "/keys/ext//wrapkey",
            Some(json!({"alg": "A256KW", "value": b64(&[7u8; 32])})),
        )
        .await;
    let unwrapped = app
        .ok_on(
            HSM_HOST,
            PREVIEW,
            "POST",
            "/keys/ext//unwrapkey",
            Some(json!({"alg": "A256KW", "value": wrapped["value"]})),
        )
        .await;
    assert_eq!(unb64(&unwrapped["value"]), [7u8; 32]);
    let (status, _) = app
        .call_version_at(
            HSM_HOST,
            PREVIEW,
            "POST",
            "/keys/ext//encrypt",
            Some(json!({"alg": "A256GCM", "value": b64(b"x")})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, _) = app
        .call_version_at(HSM_HOST, PREVIEW, "POST", "/keys/ext/rotate", None)
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "external keys are not rotated by the service"
    );
    // A new version may point at another external key.
    let v2 = app
        .ok_on(
            HSM_HOST,
            PREVIEW,
            "POST",
            "/keys/ext/create",
            Some(json!({"attributes": {"external_key": {"id": "external-key-2"}}})),
        )
        .await;
    assert_ne!(version_of(&v2), version_of(&key));
    let v1 = app
        .ok_on(
            HSM_HOST,
            PREVIEW,
            "GET",
            &format!("/keys/ext/{}", version_of(&key)),
            None,
        )
        .await;
    assert_eq!(v1["attributes"]["external_key"]["id"], "external-key-id");

    let deleted = app
        .ok_on(HSM_HOST, PREVIEW, "DELETE", "/keys/ext", None)
        .await;
    assert_eq!(
        deleted["attributes"]["external_key"]["id"], "external-key-2",
        "the latest version"
    );
    assert!(deleted["attributes"].get("key_size").is_none());

    let gone = app.ok_on(HSM_HOST, V2026, "DELETE", "/ekm", None).await;
    assert_eq!(gone["host"], "ekm2.contoso.com");
    let (status, _) = app
        .call_version_at(HSM_HOST, V2026, "DELETE", "/ekm", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn ekm_connection_is_per_managed_hsm_and_survives_a_restart() {
    const OTHER_HSM: &str = "otherhsm.managedhsm.localhost:8443";
    let app = TestApp::new();
    let created = app
        .ok_on(
            HSM_HOST,
            V2026,
            "POST",
            "/ekm/create",
            Some(ekm_connection("ekm.contoso.com")),
        )
        .await;
    assert_eq!(created, ekm_connection("ekm.contoso.com"));
    let (status, _) = app
        .call_version_at(OTHER_HSM, V2026, "GET", "/ekm", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another HSM has its own");

    let app = app.restarted();
    let got = app.ok_on(HSM_HOST, V2026, "GET", "/ekm", None).await;
    assert_eq!(got, ekm_connection("ekm.contoso.com"));
    let (status, _) = app
        .call_version_at(OTHER_HSM, V2026, "GET", "/ekm", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The restored connection still backs external key references.
    let external = json!({"attributes": {"external_key": {"id": "after-restart"}}});
    app.ok_on(HSM_HOST, V2026, "POST", "/keys/ext/create", Some(external))
        .await;
}

#[tokio::test]
async fn ekm_routes_are_checked_with_the_ekm_data_actions() {
    use axum::http::{Request, header};
    use tower::ServiceExt;

    let app = TestApp::with(|settings| VaultSettings {
        rbac: true,
        rbac_admins: vec!["admin-app".into()],
        ..settings
    });
    let send =
        |oid: &'static str, method: &'static str, path: &'static str, body: Option<Value>| {
            let state = app.state.clone();
            async move {
                let mut req = Request::builder()
                    .method(method)
                    .uri(format!("{path}?api-version={V2026}"))
                    .header(header::HOST, HSM_HOST)
                    .header(
                        header::AUTHORIZATION,
                        format!("Bearer {}", crate::rbac::unsigned_token(oid)),
                    );
                let body = match body {
                    Some(b) => {
                        req = req.header(header::CONTENT_TYPE, "application/json");
                        axum::body::Body::from(b.to_string())
                    }
                    None => axum::body::Body::empty(),
                };
                let resp = crate::router(state)
                    .oneshot(req.body(body).unwrap())
                    .await
                    .unwrap();
                resp.status()
            }
        };
    let connection = || Some(ekm_connection("ekm.contoso.com"));
    let grant_ekm = || {
        Some(json!({"properties": {
            "roleDefinitionId": crate::rbac::builtin::definition_id(
                crate::rbac::builtin::EKM_ADMINISTRATOR
            ),
            "principalId": "ekm-app",
            "scope": "/",
        }}))
    };
    // In order: a principal with no role is refused every EKM action, and so is the
    // Administrator (the service's Administrator role lists no EKM action); the EKM
    // Administrator role grants them all.
    let steps = [
        ("nobody", "GET", "/ekm", None, StatusCode::FORBIDDEN),
        (
            "nobody",
            "GET",
            "/ekm/certificate",
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            "nobody",
            "POST",
            "/ekm/create",
            connection(),
            StatusCode::FORBIDDEN,
        ),
        (
            "admin-app",
            "POST",
            "/ekm/create",
            connection(),
            StatusCode::FORBIDDEN,
        ),
        (
            "admin-app",
            "PUT",
            "/providers/Microsoft.Authorization/roleAssignments/5b3c7a52-4a0c-4f39-9d0e-6b1f0f0e2d11",
            grant_ekm(),
            StatusCode::CREATED,
        ),
        (
            "ekm-app",
            "POST",
            "/ekm/create",
            connection(),
            StatusCode::OK,
        ),
        ("ekm-app", "POST", "/ekm/check", None, StatusCode::OK),
        ("nobody", "DELETE", "/ekm", None, StatusCode::FORBIDDEN),
        ("ekm-app", "DELETE", "/ekm", None, StatusCode::OK),
    ];
    for (oid, method, path, body, expected) in steps {
        assert_eq!(
            send(oid, method, path, body).await,
            expected,
            "{oid} {method} {path}"
        );
    }
}

#[tokio::test]
async fn ekm_private_endpoints_exist_from_2026_07_01_preview_per_hsm() {
    const PE_VERSION: &str = "2026-07-01-preview";
    const OTHER_HSM: &str = "otherhsm.managedhsm.localhost:8443";
    let app = TestApp::new();
    for version in ["2025-07-01", V2026] {
        let (status, body) = app
            .call_version_at(HSM_HOST, version, "GET", "/ekm/privateendpoint", None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{version}: {body}");
    }
    let params = json!({"privateLinkServiceId": "pls.eastus.azure.privatelinkservice"});
    let (status, op) = app
        .call_version_at(
            HSM_HOST,
            PE_VERSION,
            "POST",
            "/ekm/privateendpoint/my-ekm-pe",
            Some(params.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{op}");
    assert_eq!(op["operationType"], "Create");
    assert_eq!(op["status"], "Succeeded");
    let job = op["jobId"].as_str().unwrap().to_owned();
    let status_path = format!("/ekm/privateendpoint/operations/{job}");
    let polled = app
        .ok_on(HSM_HOST, PE_VERSION, "GET", &status_path, None)
        .await;
    assert_eq!(polled, op);
    let (status, _) = app
        .call_version_at(
            HSM_HOST,
            PE_VERSION,
            "POST",
            "/ekm/privateendpoint/-bad",
            Some(params.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app
        .call_version_at(
            OTHER_HSM,
            PE_VERSION,
            "GET",
            "/ekm/privateendpoint/my-ekm-pe",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another HSM has its own");

    let app = app.restarted();
    let pe = app
        .ok_on(
            HSM_HOST,
            PE_VERSION,
            "GET",
            "/ekm/privateendpoint/my-ekm-pe",
            None,
        )
        .await;
    assert_eq!(pe["name"], "my-ekm-pe");
    assert_eq!(pe["provisioningState"], "Succeeded");
    assert_eq!(
        pe["properties"]["privateLinkServiceId"],
        params["privateLinkServiceId"]
    );
    let list = app
        .ok_on(HSM_HOST, PE_VERSION, "GET", "/ekm/privateendpoint", None)
        .await;
    assert_eq!(list["value"], json!([pe]));
    let (status, _) = app
        .call_version_at(
            HSM_HOST,
            PE_VERSION,
            "DELETE",
            "/ekm/privateendpoint/my-ekm-pe",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, _) = app
        .call_version_at(
            HSM_HOST,
            PE_VERSION,
            "GET",
            "/ekm/privateendpoint/my-ekm-pe",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
