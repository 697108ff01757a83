"""azure-keyvault-administration against kv-emulator: role definitions and assignments,
full backup / restore / selective key restore through Azurite, and settings."""

import hashlib
import uuid

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.keyvault.administration import (
    KeyVaultDataAction,
    KeyVaultPermission,
    KeyVaultRoleScope,
    KeyVaultSetting,
    KeyVaultSettingType,
)
from azure.keyvault.keys.crypto import SignatureAlgorithm

CRYPTO_USER = "21dbd100-6940-42c2-9190-5d6cb909625b"
SETTING = "AllowKeyManagementOperationsThroughARM"


@pytest.fixture(scope="module")
def key_client(hsm_key_client):
    """Keys the administration tests back up and restore live in the Managed HSM."""
    return hsm_key_client


def test_built_in_and_custom_role_definitions(access_control_client):
    client = access_control_client
    definitions = list(client.list_role_definitions(KeyVaultRoleScope.GLOBAL))
    built_in = [d for d in definitions if d.role_type == "AKVBuiltInRole"]
    assert len(built_in) == 10  # with the Restore User and the EKM Administrator, as recorded
    crypto_user = client.get_role_definition(KeyVaultRoleScope.GLOBAL, CRYPTO_USER)
    assert crypto_user.role_name == "Managed HSM Crypto User"
    assert KeyVaultDataAction.SIGN_HSM_KEY in crypto_user.permissions[0].data_actions

    name = uuid.uuid4()
    permissions = [
        KeyVaultPermission(
            data_actions=[KeyVaultDataAction.SIGN_HSM_KEY],
            not_data_actions=[KeyVaultDataAction.PURGE_DELETED_HSM_KEY],
        )
    ]
    created = client.set_role_definition(
        KeyVaultRoleScope.GLOBAL, name=name, role_name="py signer", permissions=permissions
    )
    assert created.name == str(name)
    assert created.role_type == "CustomRole"
    client.set_role_definition(
        KeyVaultRoleScope.GLOBAL,
        name=name,
        role_name="py signer",
        description="updated",
        permissions=permissions,
    )
    fetched = client.get_role_definition(KeyVaultRoleScope.GLOBAL, name)
    assert fetched.description == "updated"
    assert fetched.permissions[0].not_data_actions == [KeyVaultDataAction.PURGE_DELETED_HSM_KEY]
    assert str(name) in [d.name for d in client.list_role_definitions(KeyVaultRoleScope.GLOBAL)]

    client.delete_role_definition(KeyVaultRoleScope.GLOBAL, name)
    client.delete_role_definition(KeyVaultRoleScope.GLOBAL, name)  # missing: no error
    with pytest.raises(ResourceNotFoundError):
        client.get_role_definition(KeyVaultRoleScope.GLOBAL, name)


def test_role_assignments(access_control_client):
    client = access_control_client
    definition = client.get_role_definition(KeyVaultRoleScope.GLOBAL, CRYPTO_USER)
    principal = str(uuid.uuid4())
    assignment = client.create_role_assignment(KeyVaultRoleScope.KEYS, definition.id, principal)
    assert assignment.properties.principal_id == principal
    assert assignment.properties.scope == KeyVaultRoleScope.KEYS

    fetched = client.get_role_assignment(KeyVaultRoleScope.KEYS, assignment.name)
    assert fetched.role_assignment_id == assignment.role_assignment_id
    assert fetched.properties.role_definition_id.endswith(CRYPTO_USER)
    listed = [a.name for a in client.list_role_assignments(KeyVaultRoleScope.KEYS)]
    assert assignment.name in listed

    named = uuid.uuid4()
    second = client.create_role_assignment(KeyVaultRoleScope.GLOBAL, definition.id, principal, name=named)
    assert second.name == str(named)

    for scope, name in [(KeyVaultRoleScope.KEYS, assignment.name), (KeyVaultRoleScope.GLOBAL, second.name)]:
        client.delete_role_assignment(scope, name)
        client.delete_role_assignment(scope, name)  # missing: no error
        with pytest.raises(ResourceNotFoundError):
            client.get_role_assignment(scope, name)


def _sign_verify(crypto_client, key):
    digest = hashlib.sha256(key.name.encode()).digest()
    client = crypto_client(key)
    signed = client.sign(SignatureAlgorithm.es256, digest)
    assert client.verify(SignatureAlgorithm.es256, digest, signed.signature).is_valid


def _delete_and_purge(key_client, name):
    key_client.begin_delete_key(name).wait()
    key_client.purge_deleted_key(name)
    with pytest.raises(ResourceNotFoundError):
        key_client.get_key(name)


def test_full_backup_restore_and_selective_restore(
    backup_client, key_client, crypto_client, azurite_container, unique
):
    container_url, sas = azurite_container
    names = [unique("pybackup"), unique("pybackup")]
    versions = {}
    for name in names:
        key_client.create_ec_key(name, curve="P-256")
        key_client.create_ec_key(name, curve="P-256")  # a second version
        versions[name] = sorted(p.version for p in key_client.list_properties_of_key_versions(name))
        assert len(versions[name]) == 2

    backup_client.begin_pre_backup(container_url, sas_token=sas).wait()
    result = backup_client.begin_backup(container_url, sas_token=sas).result()
    assert result.folder_url.startswith(container_url + "/")

    for name in names:
        _delete_and_purge(key_client, name)

    backup_client.begin_pre_restore(result.folder_url, sas_token=sas).wait()
    backup_client.begin_restore(result.folder_url, sas_token=sas).wait()
    for name in names:
        assert sorted(p.version for p in key_client.list_properties_of_key_versions(name)) == versions[name]
        for version in versions[name]:
            _sign_verify(crypto_client, key_client.get_key(name, version))

    _delete_and_purge(key_client, names[0])
    backup_client.begin_restore(result.folder_url, sas_token=sas, key_name=names[0]).wait()
    restored = key_client.get_key(names[0])
    assert restored.properties.version in versions[names[0]]
    _sign_verify(crypto_client, restored)


def test_settings(settings_client):
    listed = {s.name: s for s in settings_client.list_settings()}
    assert SETTING in listed
    setting = settings_client.get_setting(SETTING)
    assert setting.setting_type == KeyVaultSettingType.BOOLEAN
    original = setting.getboolean()
    try:
        updated = settings_client.update_setting(KeyVaultSetting(name=SETTING, value=not original))
        assert updated.getboolean() is (not original)
        assert settings_client.get_setting(SETTING).getboolean() is (not original)
    finally:
        settings_client.update_setting(KeyVaultSetting(name=SETTING, value=original))
    # The service answers an unknown name with 400 InvalidSetting (Go azadmin recording).
    with pytest.raises(HttpResponseError) as raised:
        settings_client.get_setting("NoSuchSetting")
    assert raised.value.status_code == 400
    assert raised.value.error.code == "InvalidSetting"
