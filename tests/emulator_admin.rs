//! Managed HSM administration against the in-process emulator over HTTPS: full backup to
//! a real Azure Storage emulator (Azurite, installed and started by the test itself),
//! purge, full restore, selective key restore; RBAC enforcement with `--rbac`; role
//! definitions and assignments; settings persisted across a restart.
//!
//! Azurite needs Node 20 and npm (the first run installs `azurite@3.35.0` under
//! `target/tmp/azurite`; set `AZURITE_BLOB` to an installed `azurite-blob` to skip it).

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64ct::{Base64UrlUnpadded, Encoding};
use kv_emulator::azurite::{Azurite, ContainerAccess};
use kv_emulator::rbac::builtin::{CRYPTO_USER, definition_id};
use kv_emulator::rbac::unsigned_token;
use kv_emulator::{Emulator, EmulatorBuilder, EmulatorHandle};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const API: &str = "api-version=2025-07-01";

struct Vault {
    emu: EmulatorHandle,
    http: reqwest::Client,
}

impl Vault {
    async fn start(builder: EmulatorBuilder) -> Self {
        // The administration APIs are a Managed HSM's; plain addresses answer as one.
        let emu = builder
            .kind(kv_emulator::vaults::VaultKind::ManagedHsm)
            .start()
            .await
            .expect("emulator starts");
        let mut http = reqwest::Client::builder();
        for cert in reqwest::Certificate::from_pem_bundle(emu.ca_pem().as_bytes()).unwrap() {
            http = http.add_root_certificate(cert);
        }
        Self {
            emu,
            http: http.build().unwrap(),
        }
    }

    /// Sends `method path` (a path or an absolute URL) as `token`'s bearer.
    async fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value, reqwest::header::HeaderMap) {
        let url = if path.starts_with("https://") {
            path.to_owned()
        } else {
            let sep = if path.contains('?') { '&' } else { '?' };
            format!("{}{path}{sep}{API}", self.emu.url())
        };
        let mut request = self.http.request(method, url).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value, headers)
    }

    async fn ok(&self, method: Method, path: &str, token: &str, body: Option<Value>) -> Value {
        let (status, value, _) = self.call(method.clone(), path, token, body).await;
        assert!(status.is_success(), "{method} {path}: {status} {value}");
        value
    }

    /// Starts a long-running operation and polls its Azure-AsyncOperation URL to the end.
    async fn run_job(&self, method: Method, path: &str, body: Value) -> Value {
        let (status, first, headers) = self.call(method, path, "t", Some(body)).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{path}: {first}");
        assert_eq!(first["status"], "InProgress", "{first}");
        assert!(first["startTime"].as_i64().is_some(), "{first}");
        assert!(headers.contains_key("retry-after"));
        let poll = headers["azure-asyncoperation"].to_str().unwrap().to_owned();
        assert!(poll.contains(first["jobId"].as_str().unwrap()), "{poll}");
        for _ in 0..600 {
            let (status, op, _) = self.call(Method::GET, &poll, "t", None).await;
            assert_eq!(status, StatusCode::OK, "{op}");
            if op["status"] != "InProgress" {
                return op;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("job {poll} did not finish");
    }
}

fn azurite_prefix() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("azurite")
}

async fn azurite() -> Azurite {
    tokio::task::spawn_blocking(|| Azurite::start(&azurite_prefix()))
        .await
        .unwrap()
        .expect("Azurite installs and starts (needs node and npm)")
}

fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// Signs a digest with `name/version` and verifies the signature with the same version.
async fn sign_and_verify(vault: &Vault, name: &str, version: &str, alg: &str) {
    let digest = b64(&[7u8; 32]);
    let sig = vault
        .ok(
            Method::POST,
            &format!("/keys/{name}/{version}/sign"),
            "t",
            Some(json!({"alg": alg, "value": digest})),
        )
        .await;
    let verified = vault
        .ok(
            Method::POST,
            &format!("/keys/{name}/{version}/verify"),
            "t",
            Some(json!({"alg": alg, "digest": digest, "value": sig["value"]})),
        )
        .await;
    assert_eq!(verified["value"], true, "{name}/{version}");
}

/// Every version of every key: (name, version, alg, public key JSON).
async fn inventory(vault: &Vault, names: &[(&str, &str)]) -> Vec<(String, String, String, Value)> {
    let mut out = Vec::new();
    for (name, alg) in names {
        let list = vault
            .ok(Method::GET, &format!("/keys/{name}/versions"), "t", None)
            .await;
        for item in list["value"].as_array().unwrap() {
            let kid = item["kid"].as_str().unwrap();
            let version = kid.rsplit('/').next().unwrap().to_owned();
            let key = vault
                .ok(Method::GET, &format!("/keys/{name}/{version}"), "t", None)
                .await;
            let public = json!([key["key"]["n"], key["key"]["x"], key["key"]["y"]]);
            out.push((name.to_string(), version, alg.to_string(), public));
        }
    }
    out.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    out
}

async fn delete_and_purge(vault: &Vault, name: &str) {
    vault
        .ok(Method::DELETE, &format!("/keys/{name}"), "t", None)
        .await;
    vault
        .ok(Method::DELETE, &format!("/deletedkeys/{name}"), "t", None)
        .await;
    let (status, _, _) = vault
        .call(Method::GET, &format!("/keys/{name}"), "t", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

fn sas_body(container: &ContainerAccess) -> Value {
    json!({"storageResourceUri": container.url, "token": container.sas})
}

#[tokio::test(flavor = "multi_thread")]
async fn full_backup_purge_full_restore_and_selective_restore() {
    let storage = azurite().await;
    let container = storage.create_container("hsm-backups").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::start(Emulator::builder().data_dir(dir.path()).retention_days(7)).await;

    let keys = [("bk-rsa", "RS256"), ("bk-ec", "ES256"), ("bk-ec2", "ES256")];
    for (name, alg) in keys {
        let body = if alg == "RS256" {
            json!({"kty": "RSA", "key_size": 2048})
        } else {
            json!({"kty": "EC", "crv": "P-256"})
        };
        vault
            .ok(
                Method::POST,
                &format!("/keys/{name}/create"),
                "t",
                Some(body),
            )
            .await;
    }
    vault
        .ok(Method::POST, "/keys/bk-rsa/rotate", "t", None)
        .await;
    vault
        .ok(Method::POST, "/keys/bk-ec2/rotate", "t", None)
        .await;
    vault
        .ok(Method::POST, "/keys/bk-ec2/rotate", "t", None)
        .await;
    let before = inventory(&vault, &keys).await;
    assert_eq!(before.len(), 6);

    // Pre-backup check, then the full backup.
    let pre = vault
        .run_job(Method::POST, "/prebackup", sas_body(&container))
        .await;
    assert_eq!(pre["status"], "Succeeded", "{pre}");
    let done = vault
        .run_job(Method::POST, "/backup", sas_body(&container))
        .await;
    assert_eq!(done["status"], "Succeeded", "{done}");
    assert!(done["endTime"].as_i64().unwrap() >= done["startTime"].as_i64().unwrap());
    let folder_url = done["azureStorageBlobContainerUri"]
        .as_str()
        .unwrap()
        .to_owned();
    let folder = folder_url
        .strip_prefix(&format!("{}/", container.url))
        .expect("the folder is inside the container")
        .to_owned();

    // The blobs are really in Azurite, and sealed: no JWK member in clear.
    let blobs = kv_emulator::blob::BlobContainer::new(&container.url, &container.sas).unwrap();
    let names = blobs.list_blobs(&format!("{folder}/")).await.unwrap();
    // One sealed blob per key, and the folder's manifest (counts only, no key material),
    // written last so a complete folder is recognisable.
    assert_eq!(names.len(), 4, "{names:?}");
    assert_eq!(
        names.iter().filter(|n| n.contains("/keys/")).count(),
        3,
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n.ends_with("/backup.json")),
        "{names:?}"
    );
    for blob in &names {
        let bytes = blobs.get_blob(blob).await.unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("\"kty\"") && !text.contains("\"d\""),
            "{blob} is not sealed"
        );
    }

    for (name, _) in keys {
        delete_and_purge(&vault, name).await;
    }

    let restore_body =
        json!({"sasTokenParameters": sas_body(&container), "folderToRestore": folder});
    let pre = vault
        .run_job(Method::PUT, "/prerestore", restore_body.clone())
        .await;
    assert_eq!(pre["status"], "Succeeded", "{pre}");
    let restored = vault.run_job(Method::PUT, "/restore", restore_body).await;
    assert_eq!(restored["status"], "Succeeded", "{restored}");
    assert!(restored["endTime"].as_i64().is_some());
    assert_eq!(
        inventory(&vault, &keys).await,
        before,
        "every key and version is back"
    );
    for (name, version, alg, _) in &before {
        sign_and_verify(&vault, name, version, alg).await;
    }

    // Selective restore brings back one key only.
    delete_and_purge(&vault, "bk-ec2").await;
    delete_and_purge(&vault, "bk-rsa").await;
    let selective = vault
        .run_job(
            Method::PUT,
            "/keys/bk-ec2/restore",
            json!({"sasTokenParameters": sas_body(&container), "folder": folder}),
        )
        .await;
    assert_eq!(selective["status"], "Succeeded", "{selective}");
    let ec2: Vec<_> = before.iter().filter(|k| k.0 == "bk-ec2").cloned().collect();
    assert_eq!(inventory(&vault, &[("bk-ec2", "ES256")]).await, ec2);
    for (name, version, alg, _) in &ec2 {
        sign_and_verify(&vault, name, version, alg).await;
    }
    let (status, _, _) = vault.call(Method::GET, "/keys/bk-rsa", "t", None).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "selective restore touched another key"
    );

    // A tampered blob fails authentication and the restore changes nothing.
    let victim = names.iter().find(|n| n.ends_with("/bk-rsa")).unwrap();
    let mut bytes = blobs.get_blob(victim).await.unwrap();
    if let Some(last) = bytes.last_mut() {
        *last ^= 1;
    }
    blobs.put_blob(victim, bytes).await.unwrap();
    let failed = vault
        .run_job(
            Method::PUT,
            "/restore",
            json!({"sasTokenParameters": sas_body(&container), "folderToRestore": folder}),
        )
        .await;
    assert_eq!(failed["status"], "Failed", "{failed}");
    assert_eq!(failed["error"]["code"], "InvalidBackup", "{failed}");
    let (status, _, _) = vault.call(Method::GET, "/keys/bk-rsa", "t", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A missing folder and a bad token fail the job; a managed identity is refused.
    let missing = vault
        .run_job(
            Method::PUT,
            "/restore",
            json!({"sasTokenParameters": sas_body(&container), "folderToRestore": "no-such-folder"}),
        )
        .await;
    assert_eq!(missing["error"]["code"], "BackupNotFound", "{missing}");
    let bad_sas = json!({"storageResourceUri": container.url,
        "token": "sv=2021-08-06&se=2099-01-01T00%3A00%3A00Z&sig=AAAA"});
    let denied = vault.run_job(Method::POST, "/backup", bad_sas).await;
    assert_eq!(denied["status"], "Failed", "{denied}");
    assert_eq!(denied["error"]["code"], "AuthorizationFailure", "{denied}");
    // A token without an expiry is refused before storage is reached, as the service does.
    let (status, body, _) = vault
        .call(
            Method::POST,
            "/backup",
            "t",
            Some(json!({"storageResourceUri": container.url, "token": "sv=2021-08-06&sig=AAAA"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "BadRequest", "{body}");
    assert_eq!(body["error"]["innererror"], Value::Null, "{body}");
    let (status, body, _) = vault
        .call(
            Method::POST,
            "/backup",
            "t",
            Some(json!({"storageResourceUri": container.url, "useManagedIdentity": true})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _, _) = vault
        .call(Method::GET, "/backup/nope/pending", "t", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    vault.emu.shutdown().await;
}

const ADMIN: &str = "00000000-0000-0000-0000-00000000ad01";
const USER: &str = "00000000-0000-0000-0000-0000000000u1";
const STRANGER: &str = "00000000-0000-0000-0000-0000000000s1";
const NARROW: &str = "00000000-0000-0000-0000-0000000000n1";

fn as_(principal: &str) -> String {
    unsigned_token(principal)
}

async fn assign(vault: &Vault, name: &str, scope: &str, role: &str, principal: &str) {
    let prefix = if scope == "/" { "/" } else { scope };
    vault
        .ok(
            Method::PUT,
            &format!("{prefix}/providers/Microsoft.Authorization/roleAssignments/{name}"),
            &as_(ADMIN),
            Some(json!({"properties": {"roleDefinitionId": definition_id(role), "principalId": principal}})),
        )
        .await;
}

async fn sign_status(vault: &Vault, key: &str, principal: &str) -> (StatusCode, Value) {
    let (status, body, _) = vault
        .call(
            Method::POST,
            &format!("/keys/{key}/sign"),
            &as_(principal),
            Some(json!({"alg": "ES256", "value": b64(&[1u8; 32])})),
        )
        .await;
    (status, body)
}

#[tokio::test(flavor = "multi_thread")]
async fn rbac_enforced_with_deny_winning_and_key_scopes() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::start(
        Emulator::builder()
            .data_dir(dir.path())
            .rbac(true)
            .rbac_admin(ADMIN),
    )
    .await;
    assign(
        &vault,
        "a7e1d9c0-0000-4000-8000-000000000001",
        "/keys",
        CRYPTO_USER,
        USER,
    )
    .await;
    for key in ["rb-1", "rb-2"] {
        vault
            .ok(
                Method::POST,
                &format!("/keys/{key}/create"),
                &as_(USER),
                Some(json!({"kty": "EC", "crv": "P-256"})),
            )
            .await;
    }
    // Crypto User signs; it may soft-delete (the documented role has keys/delete) but not
    // purge or recover (deletedKeys/delete, deletedKeys/recover).
    assert_eq!(sign_status(&vault, "rb-1", USER).await.0, StatusCode::OK);
    let (status, body, _) = vault
        .call(Method::DELETE, "/deletedkeys/rb-2", &as_(USER), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "ForbiddenByRbac");
    // The administrator manages roles but may not use keys.
    assert_eq!(
        sign_status(&vault, "rb-1", ADMIN).await.0,
        StatusCode::FORBIDDEN
    );

    // No assignment, or no principal at all: 403.
    let (status, body) = sign_status(&vault, "rb-1", STRANGER).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "ForbiddenByRbac");
    let (status, _, _) = vault
        .call(Method::GET, "/keys/rb-1", &as_(STRANGER), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = vault
        .call(Method::GET, "/keys/rb-1", "not-a-jwt", None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A custom role that denies signing wins over Crypto User's grant.
    let deny_role = "d0d0d0d0-0000-4000-8000-0000000000aa";
    let created = vault
        .ok(
            Method::PUT,
            &format!("/providers/Microsoft.Authorization/roleDefinitions/{deny_role}"),
            &as_(ADMIN),
            Some(json!({"properties": {
                "roleName": "No signing", "type": "CustomRole", "description": "deny sign",
                "permissions": [{"dataActions": [], "notDataActions": ["Microsoft.KeyVault/managedHsm/keys/sign/action"]}]
            }})),
        )
        .await;
    assert_eq!(created["properties"]["assignableScopes"], json!(["/"]));
    let deny_assignment = "a7e1d9c0-0000-4000-8000-000000000002";
    assign(&vault, deny_assignment, "/", deny_role, USER).await;
    assert_eq!(
        sign_status(&vault, "rb-1", USER).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, _, _) = vault
        .call(Method::GET, "/keys/rb-1", &as_(USER), None)
        .await;
    assert_eq!(status, StatusCode::OK, "only signing is denied");
    vault
        .ok(
            Method::DELETE,
            &format!("/providers/Microsoft.Authorization/roleAssignments/{deny_assignment}"),
            &as_(ADMIN),
            None,
        )
        .await;
    assert_eq!(sign_status(&vault, "rb-1", USER).await.0, StatusCode::OK);

    // An assignment at /keys/NAME reaches that key only.
    assign(
        &vault,
        "a7e1d9c0-0000-4000-8000-000000000003",
        "/keys/rb-1",
        CRYPTO_USER,
        NARROW,
    )
    .await;
    assert_eq!(sign_status(&vault, "rb-1", NARROW).await.0, StatusCode::OK);
    assert_eq!(
        sign_status(&vault, "rb-2", NARROW).await.0,
        StatusCode::FORBIDDEN
    );

    // Non-administrators cannot grant themselves roles.
    let (status, _, _) = vault
        .call(
            Method::PUT,
            "/providers/Microsoft.Authorization/roleAssignments/a7e1d9c0-0000-4000-8000-000000000009",
            &as_(USER),
            Some(json!({"properties": {"roleDefinitionId": definition_id(CRYPTO_USER), "principalId": USER}})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    vault.emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn role_definitions_assignments_and_settings() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::start(Emulator::builder().data_dir(dir.path())).await;
    let defs = "/providers/Microsoft.Authorization/roleDefinitions";
    let list = vault.ok(Method::GET, defs, "t", None).await;
    let builtins = list["value"].as_array().unwrap();
    assert_eq!(builtins.len(), 10);
    assert!(
        builtins
            .iter()
            .all(|d| d["properties"]["type"] == "AKVBuiltInRole")
    );
    let user = vault
        .ok(Method::GET, &format!("{defs}/{CRYPTO_USER}"), "t", None)
        .await;
    assert_eq!(user["properties"]["roleName"], "Managed HSM Crypto User");
    let (status, _, _) = vault
        .call(Method::DELETE, &format!("{defs}/{CRYPTO_USER}"), "t", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Custom definitions: create at /keys, update by name, list at and above, delete.
    let name = "c0c0c0c0-0000-4000-8000-000000000001";
    let keys_defs = format!("/keys{defs}");
    let body = |desc: &str| {
        json!({"properties": {"roleName": "Signer", "description": desc,
        "permissions": [{"dataActions": ["Microsoft.KeyVault/managedHsm/keys/sign/action"]}]}})
    };
    let (status, _, _) = vault
        .call(
            Method::PUT,
            &format!("{keys_defs}/{name}"),
            "t",
            Some(body("v1")),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    vault
        .ok(
            Method::PUT,
            &format!("{keys_defs}/{name}"),
            "t",
            Some(body("v2")),
        )
        .await;
    let got = vault
        .ok(Method::GET, &format!("{keys_defs}/{name}"), "t", None)
        .await;
    assert_eq!(got["properties"]["description"], "v2");
    // As the service's own example: a definition written at /keys without assignable
    // scopes is assignable at "/", so both listings show it (after the ten built-in roles;
    // the recorded list includes the Restore User and the EKM Administrator).
    assert_eq!(got["properties"]["assignableScopes"], json!(["/"]));
    let at_keys = vault.ok(Method::GET, &keys_defs, "t", None).await;
    assert_eq!(at_keys["value"].as_array().unwrap().len(), 11);
    let at_root = vault.ok(Method::GET, &format!("/{defs}"), "t", None).await;
    assert_eq!(at_root["value"].as_array().unwrap().len(), 11);
    let filtered = vault
        .ok(
            Method::GET,
            &format!("{keys_defs}?$filter=roleName%20eq%20'Signer'"),
            "t",
            None,
        )
        .await;
    assert_eq!(filtered["value"].as_array().unwrap().len(), 1);

    // Assignments: create (201), get, list by scope and principal, delete, delete again.
    let ra = "/keys/providers/Microsoft.Authorization/roleAssignments";
    let assignment = "b0b0b0b0-0000-4000-8000-000000000001";
    let (status, created, _) = vault
        .call(
            Method::PUT,
            &format!("{ra}/{assignment}"),
            "t",
            Some(json!({"properties": {"roleDefinitionId": got["id"], "principalId": "p-1"}})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["properties"]["scope"], "/keys");
    assert_eq!(created["type"], "Microsoft.Authorization/roleAssignments");
    let (status, conflict, _) = vault
        .call(
            Method::PUT,
            &format!("{ra}/{assignment}"),
            "t",
            Some(json!({"properties": {"roleDefinitionId": got["id"], "principalId": "p-1"}})),
        )
        .await;
    // As the service: 400 RoleAssignmentExists, not 409.
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(conflict["error"]["code"], "RoleAssignmentExists");
    let fetched = vault
        .ok(Method::GET, &format!("{ra}/{assignment}"), "t", None)
        .await;
    assert_eq!(fetched, created);
    let listed = vault
        .ok(
            Method::GET,
            &format!("{ra}?$filter=principalId%20eq%20'p-1'"),
            "t",
            None,
        )
        .await;
    assert_eq!(listed["value"].as_array().unwrap().len(), 1);
    let none = vault
        .ok(
            Method::GET,
            &format!("{ra}?$filter=principalId%20eq%20'p-2'"),
            "t",
            None,
        )
        .await;
    assert!(none["value"].as_array().unwrap().is_empty());
    vault
        .ok(Method::DELETE, &format!("{ra}/{assignment}"), "t", None)
        .await;
    let (status, body, _) = vault
        .call(Method::DELETE, &format!("{ra}/{assignment}"), "t", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "RoleAssignmentNotFound");
    vault
        .ok(Method::DELETE, &format!("{keys_defs}/{name}"), "t", None)
        .await;
    let (status, _, _) = vault
        .call(Method::GET, &format!("{keys_defs}/{name}"), "t", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Settings: list, get, update; the value survives a restart.
    let setting = "/settings/AllowKeyManagementOperationsThroughARM";
    let all = vault.ok(Method::GET, "/settings", "t", None).await;
    assert_eq!(all["settings"][0]["value"], "false");
    let updated = vault
        .ok(Method::PATCH, setting, "t", Some(json!({"value": "true"})))
        .await;
    assert_eq!(
        updated,
        json!({"name": "AllowKeyManagementOperationsThroughARM", "value": "true", "type": "boolean"})
    );
    let (status, _, _) = vault
        .call(Method::PATCH, setting, "t", Some(json!({"value": "maybe"})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // An unknown name is 400 InvalidSetting, as the service answers.
    let (status, body, _) = vault
        .call(Method::GET, "/settings/NoSuchSetting", "t", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "InvalidSetting");
    vault.emu.shutdown().await;
    let again = Vault::start(Emulator::builder().data_dir(dir.path())).await;
    assert_eq!(
        again.ok(Method::GET, setting, "t", None).await["value"],
        "true"
    );
    again.emu.shutdown().await;
}
