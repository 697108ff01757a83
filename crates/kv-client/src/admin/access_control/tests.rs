//! Unit tests of `KeyVaultAccessControlClient` against the fake HSM.

use std::sync::Arc;

use futures::TryStreamExt;
use serde_json::json;

use super::*;
use crate::admin::roles::{KeyVaultDataAction, KeyVaultPermission};
use crate::admin::test_hsm::{HSM, fake_hsm};
use kv_core::test_util::FakeTransport;

const PROVIDER: &str = "providers/Microsoft.Authorization";

fn assignment_json(name: &str, scope: &str) -> String {
    json!({
        "id": format!("{scope}/{PROVIDER}/roleAssignments/{name}"),
        "name": name,
        "type": "Microsoft.Authorization/roleAssignments",
        "properties": {"scope": scope, "roleDefinitionId": "rd-1", "principalId": "p-1"},
    })
    .to_string()
}

fn definition_json(name: &str) -> String {
    json!({
        "id": format!("/{PROVIDER}/roleDefinitions/{name}"),
        "name": name,
        "type": "Microsoft.Authorization/roleDefinitions",
        "properties": {
            "roleName": "Signer", "type": "CustomRole", "assignableScopes": ["/"],
            "permissions": [{"dataActions": ["Microsoft.KeyVault/managedHsm/keys/sign/action"]}],
        },
    })
    .to_string()
}

fn client(fake: &Arc<FakeTransport>) -> KeyVaultAccessControlClient {
    KeyVaultAccessControlClient::new(
        HSM,
        Arc::new(kv_core::StaticTokenCredential::new("t")),
        Some(KeyVaultAccessControlClientOptions {
            client_options: fake.options(),
        }),
    )
    .unwrap()
}

fn no_headers(_: &str, _: &str) -> Vec<(&'static str, String)> {
    Vec::new()
}

/// The last path segment, which must be a random (v4) GUID.
fn generated_name(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap().to_owned();
    let uuid = uuid::Uuid::parse_str(&name).unwrap();
    assert_eq!(uuid.get_version_num(), 4, "{name}");
    name
}

#[tokio::test]
async fn role_assignments_go_to_their_scope() {
    let fake = fake_hsm(
        |method, path, _| match method {
            "PUT" => (
                201,
                assignment_json(path.rsplit('/').next().unwrap(), "/keys"),
            ),
            _ => (200, assignment_json("a1", "/keys/k1")),
        },
        no_headers,
    );
    let c = client(&fake);
    let named = c
        .create_role_assignment(
            &KeyVaultRoleScope::GLOBAL,
            "rd-1",
            "p-1",
            Some(CreateRoleAssignmentOptions {
                name: Some("a1".into()),
            }),
        )
        .await
        .unwrap();
    assert_eq!(named.name, "a1");
    assert_eq!(named.properties.scope, Some(KeyVaultRoleScope::KEYS));
    let generated = c
        .create_role_assignment(&KeyVaultRoleScope::KEYS, "rd-1", "p-1", None)
        .await
        .unwrap();
    let got = c
        .get_role_assignment(&KeyVaultRoleScope::key("k1").unwrap(), "a1")
        .await
        .unwrap();
    assert_eq!(got.properties.principal_id, "p-1");
    assert_eq!(got.id, format!("/keys/k1/{PROVIDER}/roleAssignments/a1"));

    let paths = fake.paths();
    assert_eq!(paths[0], format!("PUT /{PROVIDER}/roleAssignments/a1"));
    assert!(paths[1].starts_with(&format!("PUT /keys/{PROVIDER}/roleAssignments/")));
    assert_eq!(generated.name, generated_name(&paths[1]));
    assert_eq!(
        paths[2],
        format!("GET /keys/k1/{PROVIDER}/roleAssignments/a1")
    );
    assert_eq!(
        fake.json_body(0),
        json!({"properties": {"roleDefinitionId": "rd-1", "principalId": "p-1"}})
    );
}

#[tokio::test]
async fn deleting_a_missing_role_is_not_an_error() {
    let fake = fake_hsm(
        |_, path, _| match path.rsplit('/').next() {
            Some("present") => (200, assignment_json("present", "/")),
            Some("missing") => (
                404,
                r#"{"error":{"code":"RoleAssignmentNotFound","message":"no"}}"#.into(),
            ),
            _ => (
                403,
                r#"{"error":{"code":"Forbidden","message":"denied"}}"#.into(),
            ),
        },
        no_headers,
    );
    let c = client(&fake);
    let g = &KeyVaultRoleScope::GLOBAL;
    c.delete_role_assignment(g, "present").await.unwrap();
    c.delete_role_assignment(g, "missing").await.unwrap();
    c.delete_role_definition(g, "missing").await.unwrap();
    let denied = c.delete_role_definition(g, "other").await.unwrap_err();
    assert_eq!(denied.kind(), &ErrorKind::Forbidden);
    let missing = c.get_role_assignment(g, "missing").await.unwrap_err();
    assert_eq!(missing.kind(), &ErrorKind::ResourceNotFound);
    assert_eq!(missing.error_code(), Some("RoleAssignmentNotFound"));
    assert_eq!(
        fake.paths(),
        [
            format!("DELETE /{PROVIDER}/roleAssignments/present"),
            format!("DELETE /{PROVIDER}/roleAssignments/missing"),
            format!("DELETE /{PROVIDER}/roleDefinitions/missing"),
            format!("DELETE /{PROVIDER}/roleDefinitions/other"),
            format!("GET /{PROVIDER}/roleAssignments/missing"),
        ]
    );
}

#[tokio::test]
async fn lists_follow_next_links() {
    let fake = fake_hsm(
        |_, path, _| {
            if path.ends_with("roleAssignments") {
                let page = json!({
                    "value": [serde_json::from_str::<serde_json::Value>(&assignment_json("a1", "/")).unwrap()],
                    "nextLink": format!("{HSM}/{PROVIDER}/roleAssignments/page2?$skiptoken=2"),
                });
                (200, page.to_string())
            } else if path.ends_with("page2") {
                let page = json!({"value": [
                    serde_json::from_str::<serde_json::Value>(&assignment_json("a2", "/")).unwrap(),
                    serde_json::from_str::<serde_json::Value>(&assignment_json("a3", "/")).unwrap(),
                ]});
                (200, page.to_string())
            } else {
                let d: serde_json::Value = serde_json::from_str(&definition_json("d1")).unwrap();
                (200, json!({"value": [d]}).to_string())
            }
        },
        no_headers,
    );
    let c = client(&fake);
    let names: Vec<String> = c
        .list_role_assignments(&KeyVaultRoleScope::GLOBAL)
        .map_ok(|a| a.name)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names, ["a1", "a2", "a3"]);
    let definitions: Vec<KeyVaultRoleDefinition> = c
        .list_role_definitions(&KeyVaultRoleScope::KEYS)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        definitions[0].permissions[0].data_actions,
        [KeyVaultDataAction::SignHsmKey]
    );
    assert_eq!(
        fake.paths(),
        [
            format!("GET /{PROVIDER}/roleAssignments"),
            format!("GET /{PROVIDER}/roleAssignments/page2"),
            format!("GET /keys/{PROVIDER}/roleDefinitions"),
        ]
    );
}

#[tokio::test]
async fn set_role_definition_sends_a_custom_role() {
    let fake = fake_hsm(
        |_, path, _| (201, definition_json(path.rsplit('/').next().unwrap())),
        no_headers,
    );
    let c = client(&fake);
    let created = c
        .set_role_definition(
            &KeyVaultRoleScope::GLOBAL,
            Some(SetRoleDefinitionOptions {
                role_name: Some("Signer".into()),
                permissions: vec![KeyVaultPermission {
                    data_actions: vec![KeyVaultDataAction::SignHsmKey],
                    not_data_actions: vec![KeyVaultDataAction::DeleteHsmKey],
                    ..Default::default()
                }],
                assignable_scopes: Some(vec![KeyVaultRoleScope::GLOBAL]),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
    let path = &fake.paths()[0];
    assert!(
        path.starts_with(&format!("PUT /{PROVIDER}/roleDefinitions/")),
        "{path}"
    );
    assert_eq!(created.name, generated_name(path));
    assert_eq!(
        fake.json_body(0),
        json!({"properties": {
            "roleName": "Signer",
            "type": "CustomRole",
            "permissions": [{
                "dataActions": ["Microsoft.KeyVault/managedHsm/keys/sign/action"],
                "notDataActions": ["Microsoft.KeyVault/managedHsm/keys/delete"],
            }],
            "assignableScopes": ["/"],
        }})
    );
    // Updating names the definition; absent members are not sent.
    c.set_role_definition(
        &KeyVaultRoleScope::GLOBAL,
        Some(SetRoleDefinitionOptions {
            name: Some("d1".into()),
            description: Some("updated".into()),
            ..Default::default()
        }),
    )
    .await
    .unwrap();
    let got = c
        .get_role_definition(&KeyVaultRoleScope::GLOBAL, "d1")
        .await
        .unwrap();
    assert_eq!(got.role_name, "Signer");
    assert_eq!(
        fake.paths()[1],
        format!("PUT /{PROVIDER}/roleDefinitions/d1")
    );
    assert_eq!(
        fake.json_body(1),
        json!({"properties": {"description": "updated", "type": "CustomRole", "permissions": []}})
    );
    assert_eq!(
        fake.paths()[2],
        format!("GET /{PROVIDER}/roleDefinitions/d1")
    );
}

#[tokio::test]
async fn bad_arguments_and_bad_answers() {
    let fake = fake_hsm(|_, _, _| (200, r#"{"name":"x"}"#.into()), no_headers);
    let c = client(&fake);
    let g = &KeyVaultRoleScope::GLOBAL;
    let named = |name: &str| {
        Some(CreateRoleAssignmentOptions {
            name: Some(name.into()),
        })
    };
    for e in [
        c.create_role_assignment(g, "", "p", None)
            .await
            .unwrap_err(),
        c.create_role_assignment(g, "rd", "", None)
            .await
            .unwrap_err(),
        c.create_role_assignment(g, "rd", "p", named("a/b"))
            .await
            .unwrap_err(),
        c.get_role_assignment(g, "").await.unwrap_err(),
        c.get_role_definition(g, "..").await.unwrap_err(),
        c.delete_role_assignment(g, "a?b").await.unwrap_err(),
    ] {
        assert_eq!(e.kind(), &ErrorKind::InvalidArgument, "{e}");
    }
    assert!(fake.paths().is_empty(), "nothing sent");
    let e = c.get_role_assignment(g, "x").await.unwrap_err();
    assert_eq!(
        e.kind(),
        &ErrorKind::Decode,
        "an assignment without id: {e}"
    );
    let e = KeyVaultAccessControlClient::new(
        "http://h",
        Arc::new(kv_core::StaticTokenCredential::new("t")),
        None,
    )
    .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::InvalidArgument);
}
