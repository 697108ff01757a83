"""Edge cases of azure-keyvault-administration (sync clients) against kv-emulator.

The expected wire shapes follow the service itself where it is on record (the SDK's
recorded sessions against a real Managed HSM, the REST spec examples): built-in role
definitions with `assignableScopes: ["/"]` and every permission list present, custom
definitions replaced (not merged) on update, `Microsoft.KeyVault/providers/...` role
definition ids in assignments, and long-running backup/restore jobs that end in a
clear failure instead of hanging.

The async clients (azure.keyvault.administration.aio) run over aiohttp, which
requirements.txt pins.
"""

import asyncio
import threading
import time
import uuid

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.keyvault.administration import (
    KeyVaultDataAction,
    KeyVaultPermission,
    KeyVaultRoleScope,
    KeyVaultSetting,
    KeyVaultSettingType,
)

DEFINITION_TYPE = "Microsoft.Authorization/roleDefinitions"
ID_PREFIX = "Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/"
SETTING = "AllowKeyManagementOperationsThroughARM"

BUILT_IN = {
    "a290e904-7015-4bba-90c8-60543313cdb4": "Managed HSM Administrator",
    "515eb02d-2335-4d2d-92f2-b1cbdf9c3778": "Managed HSM Crypto Officer",
    "21dbd100-6940-42c2-9190-5d6cb909625b": "Managed HSM Crypto User",
    "4bd23610-cdcf-4971-bdee-bdc562cc28e4": "Managed HSM Policy Administrator",
    "2c18b078-7c48-4d3a-af88-5a3a1b3f82b3": "Managed HSM Crypto Auditor",
    "33413926-3206-4cdd-b39a-83574fe37a17": "Managed HSM Crypto Service Encryption User",
    "7b127d3c-77bd-4e3e-bbe0-dbb8971fa7f8": "Managed HSM Backup User",
    "21dbd100-6940-42c2-9190-5d6cb909625c": "Managed HSM Crypto Service Release User",
}
CRYPTO_USER = "21dbd100-6940-42c2-9190-5d6cb909625b"
CRYPTO_OFFICER = "515eb02d-2335-4d2d-92f2-b1cbdf9c3778"
BACKUP_USER = "7b127d3c-77bd-4e3e-bbe0-dbb8971fa7f8"
ADMINISTRATOR = "a290e904-7015-4bba-90c8-60543313cdb4"

# Like the service, the emulator sends Retry-After only on the 202 that starts a job, so
# the SDK then polls at its own interval (5 s by default); 1 s keeps these tests quick.
FAST = {"_polling_interval": 1}
# Bounds a hang: every job here ends (succeeds or fails) well within it.
LRO_TIMEOUT = 60


# --- role definitions ------------------------------------------------------------------


@pytest.mark.parametrize("scope", [KeyVaultRoleScope.GLOBAL, KeyVaultRoleScope.KEYS])
def test_built_in_definitions_listed_at_global_and_keys(access_control_client, scope):
    listed = {d.name: d for d in access_control_client.list_role_definitions(scope)}
    for name, role_name in BUILT_IN.items():
        definition = listed[name]
        assert definition.role_name == role_name
        assert definition.id == ID_PREFIX + name
        assert definition.type == DEFINITION_TYPE
        assert definition.role_type == "AKVBuiltInRole"
        assert definition.assignable_scopes == [KeyVaultRoleScope.GLOBAL]
        assert len(definition.permissions) == 1
        permission = definition.permissions[0]
        assert permission.actions == []
        assert permission.not_actions == []
        assert permission.not_data_actions == []
        assert permission.data_actions


@pytest.fixture(scope="module")
def key_client(hsm_key_client):
    """Keys the administration tests back up and restore live in the Managed HSM."""
    return hsm_key_client


def test_built_in_definition_permissions(access_control_client):
    def actions(name):
        definition = access_control_client.get_role_definition(KeyVaultRoleScope.GLOBAL, name)
        assert definition.name == name
        assert definition.role_name == BUILT_IN[name]
        return set(definition.permissions[0].data_actions)

    user = actions(CRYPTO_USER)
    assert {KeyVaultDataAction.SIGN_HSM_KEY, KeyVaultDataAction.CREATE_HSM_KEY} <= user
    assert KeyVaultDataAction.PURGE_DELETED_HSM_KEY not in user
    officer = actions(CRYPTO_OFFICER)
    assert KeyVaultDataAction.PURGE_DELETED_HSM_KEY in officer
    assert KeyVaultDataAction.SIGN_HSM_KEY not in officer
    backup = actions(BACKUP_USER)
    assert {KeyVaultDataAction.START_HSM_BACKUP, KeyVaultDataAction.READ_HSM_BACKUP_STATUS} <= backup
    admin = actions(ADMINISTRATOR)
    assert KeyVaultDataAction.START_HSM_RESTORE in admin
    assert KeyVaultDataAction.WRITE_ROLE_ASSIGNMENT in admin
    assert KeyVaultDataAction.SIGN_HSM_KEY not in admin


def test_get_missing_role_definition_is_not_found(access_control_client):
    with pytest.raises(ResourceNotFoundError):
        access_control_client.get_role_definition(KeyVaultRoleScope.GLOBAL, uuid.uuid4())


def test_custom_definition_without_name_gets_a_guid_and_full_shape(access_control_client):
    client = access_control_client
    permissions = [KeyVaultPermission(data_actions=[KeyVaultDataAction.READ_HSM_KEY])]
    created = client.set_role_definition(KeyVaultRoleScope.GLOBAL, permissions=permissions)
    try:
        assert str(uuid.UUID(created.name)) == created.name
        assert created.id == ID_PREFIX + created.name
        assert created.type == DEFINITION_TYPE
        assert created.role_type == "CustomRole"
        assert created.assignable_scopes == [KeyVaultRoleScope.GLOBAL]
        # The service answers every permission list and empty strings for names left out.
        assert created.role_name == ""
        assert created.description == ""
        assert len(created.permissions) == 1
        permission = created.permissions[0]
        assert permission.data_actions == [KeyVaultDataAction.READ_HSM_KEY]
        assert permission.not_data_actions == []
        assert permission.actions == []
        assert permission.not_actions == []
    finally:
        client.delete_role_definition(KeyVaultRoleScope.GLOBAL, created.name)


def test_custom_definition_update_replaces_properties(access_control_client):
    client = access_control_client
    name = uuid.uuid4()
    created = client.set_role_definition(
        KeyVaultRoleScope.GLOBAL,
        name=name,
        role_name="py edge role",
        description="first",
        permissions=[
            KeyVaultPermission(
                data_actions=[KeyVaultDataAction.SIGN_HSM_KEY, KeyVaultDataAction.VERIFY_HSM_KEY],
                not_data_actions=[KeyVaultDataAction.PURGE_DELETED_HSM_KEY],
            )
        ],
        assignable_scopes=[KeyVaultRoleScope.GLOBAL, KeyVaultRoleScope.KEYS],
    )
    try:
        assert created.name == str(name)
        assert created.role_name == "py edge role"
        assert created.description == "first"
        assert created.assignable_scopes == [KeyVaultRoleScope.GLOBAL, KeyVaultRoleScope.KEYS]
        assert created.permissions[0].not_data_actions == [KeyVaultDataAction.PURGE_DELETED_HSM_KEY]

        updated = client.set_role_definition(
            KeyVaultRoleScope.GLOBAL,
            name=name,
            permissions=[KeyVaultPermission(data_actions=[], not_data_actions=[KeyVaultDataAction.READ_HSM_KEY])],
        )
        assert updated.id == created.id
        assert updated.role_name == ""
        assert updated.description == ""
        assert updated.permissions[0].data_actions == []
        assert updated.permissions[0].not_data_actions == [KeyVaultDataAction.READ_HSM_KEY]

        fetched = client.get_role_definition(KeyVaultRoleScope.GLOBAL, name)
        for field in ("id", "name", "role_name", "description", "role_type", "type", "assignable_scopes"):
            assert getattr(fetched, field) == getattr(updated, field)
        assert fetched.permissions[0].not_data_actions == [KeyVaultDataAction.READ_HSM_KEY]
        matching = [d for d in client.list_role_definitions(KeyVaultRoleScope.GLOBAL) if d.id == created.id]
        assert len(matching) == 1
    finally:
        client.delete_role_definition(KeyVaultRoleScope.GLOBAL, name)
    assert not [d for d in client.list_role_definitions(KeyVaultRoleScope.GLOBAL) if d.id == created.id]
    with pytest.raises(ResourceNotFoundError):
        client.get_role_definition(KeyVaultRoleScope.GLOBAL, name)
    client.delete_role_definition(KeyVaultRoleScope.GLOBAL, name)  # missing: the SDK returns None


def test_custom_definition_assignable_at_keys_is_listed_at_keys(access_control_client):
    client = access_control_client
    name = uuid.uuid4()
    client.set_role_definition(
        KeyVaultRoleScope.GLOBAL,
        name=name,
        role_name="py keys-only",
        permissions=[KeyVaultPermission(data_actions=[KeyVaultDataAction.READ_HSM_KEY])],
        assignable_scopes=[KeyVaultRoleScope.KEYS],
    )
    try:
        at_keys = [d.name for d in client.list_role_definitions(KeyVaultRoleScope.KEYS)]
        assert str(name) in at_keys
    finally:
        client.delete_role_definition(KeyVaultRoleScope.GLOBAL, name)


def test_built_in_definitions_cannot_be_changed_or_deleted(access_control_client):
    client = access_control_client
    with pytest.raises(HttpResponseError) as raised:
        client.set_role_definition(
            KeyVaultRoleScope.GLOBAL,
            name=CRYPTO_USER,
            role_name="hijacked",
            permissions=[KeyVaultPermission(data_actions=[KeyVaultDataAction.PURGE_DELETED_HSM_KEY])],
        )
    assert raised.value.status_code in (400, 403)
    with pytest.raises(HttpResponseError) as raised:
        client.delete_role_definition(KeyVaultRoleScope.GLOBAL, CRYPTO_USER)
    assert raised.value.status_code in (400, 403)
    assert client.get_role_definition(KeyVaultRoleScope.GLOBAL, CRYPTO_USER).role_name == BUILT_IN[CRYPTO_USER]


# --- role assignments ------------------------------------------------------------------


def _definition_id(name):
    return ID_PREFIX + name


def test_assignment_without_name_and_its_wire_shape(access_control_client):
    client = access_control_client
    principal = str(uuid.uuid4())
    created = client.create_role_assignment(KeyVaultRoleScope.GLOBAL, _definition_id(CRYPTO_USER), principal)
    try:
        assert str(uuid.UUID(created.name)) == created.name
        assert created.role_assignment_id == f"/providers/Microsoft.Authorization/roleAssignments/{created.name}"
        assert created.properties.scope == KeyVaultRoleScope.GLOBAL
        assert created.properties.principal_id == principal
        assert created.properties.role_definition_id == _definition_id(CRYPTO_USER)
        assert created.type == "Microsoft.Authorization/roleAssignments"
        fetched = client.get_role_assignment(KeyVaultRoleScope.GLOBAL, created.name)
        assert fetched.role_assignment_id == created.role_assignment_id
        assert fetched.properties.role_definition_id == created.properties.role_definition_id
    finally:
        client.delete_role_assignment(KeyVaultRoleScope.GLOBAL, created.name)


def test_assignment_scopes_and_listing(access_control_client, unique):
    client = access_control_client
    principal = str(uuid.uuid4())
    key_scope = f"/keys/{unique('pyscope')}"
    other_key_scope = f"/keys/{unique('pyother')}"
    at_keys = client.create_role_assignment(KeyVaultRoleScope.KEYS, _definition_id(CRYPTO_USER), principal)
    at_key = client.create_role_assignment(key_scope, _definition_id(CRYPTO_USER), principal, name=uuid.uuid4())
    try:
        # The id never names the scope (.NET CreateKeysRoleAssignment recording).
        assert at_keys.role_assignment_id == f"/providers/Microsoft.Authorization/roleAssignments/{at_keys.name}"
        assert at_keys.properties.scope == KeyVaultRoleScope.KEYS
        assert at_key.properties.scope == key_scope
        listed_keys = {a.name for a in client.list_role_assignments(KeyVaultRoleScope.KEYS)}
        assert at_keys.name in listed_keys
        listed_key = {a.name for a in client.list_role_assignments(key_scope)}
        assert at_key.name in listed_key
        listed_other = {a.name for a in client.list_role_assignments(other_key_scope)}
        assert at_key.name not in listed_other
        fetched = client.get_role_assignment(key_scope, at_key.name)
        assert fetched.properties.scope == key_scope
    finally:
        client.delete_role_assignment(KeyVaultRoleScope.KEYS, at_keys.name)
        client.delete_role_assignment(key_scope, at_key.name)
    assert at_keys.name not in {a.name for a in client.list_role_assignments(KeyVaultRoleScope.KEYS)}


def test_assignment_to_custom_definition(access_control_client):
    client = access_control_client
    definition = client.set_role_definition(
        KeyVaultRoleScope.GLOBAL,
        role_name="py assignable",
        permissions=[KeyVaultPermission(data_actions=[KeyVaultDataAction.READ_HSM_KEY])],
    )
    assignment = client.create_role_assignment(KeyVaultRoleScope.GLOBAL, definition.id, str(uuid.uuid4()))
    try:
        assert assignment.properties.role_definition_id == definition.id
    finally:
        client.delete_role_assignment(KeyVaultRoleScope.GLOBAL, assignment.name)
        client.delete_role_definition(KeyVaultRoleScope.GLOBAL, definition.name)


def test_assignment_name_conflict(access_control_client):
    client = access_control_client
    name = uuid.uuid4()
    first = client.create_role_assignment(
        KeyVaultRoleScope.GLOBAL, _definition_id(CRYPTO_USER), str(uuid.uuid4()), name=name
    )
    try:
        # The service answers 400 RoleAssignmentExists, not 409.
        with pytest.raises(HttpResponseError) as conflict:
            client.create_role_assignment(
                KeyVaultRoleScope.GLOBAL, _definition_id(CRYPTO_OFFICER), str(uuid.uuid4()), name=name
            )
        assert conflict.value.status_code == 400
        assert conflict.value.error.code == "RoleAssignmentExists"
        # The first assignment is untouched.
        kept = client.get_role_assignment(KeyVaultRoleScope.GLOBAL, name)
        assert kept.properties.role_definition_id == _definition_id(CRYPTO_USER)
        assert kept.properties.principal_id == first.properties.principal_id
    finally:
        client.delete_role_assignment(KeyVaultRoleScope.GLOBAL, name)


def test_assignment_with_unknown_definition_is_refused(access_control_client):
    client = access_control_client
    name = uuid.uuid4()
    with pytest.raises(HttpResponseError) as raised:
        client.create_role_assignment(
            KeyVaultRoleScope.GLOBAL, _definition_id(str(uuid.uuid4())), str(uuid.uuid4()), name=name
        )
    assert raised.value.status_code in (400, 404)
    with pytest.raises(ResourceNotFoundError):
        client.get_role_assignment(KeyVaultRoleScope.GLOBAL, name)


def test_missing_assignment(access_control_client):
    client = access_control_client
    name = uuid.uuid4()
    with pytest.raises(ResourceNotFoundError):
        client.get_role_assignment(KeyVaultRoleScope.GLOBAL, name)
    assert client.delete_role_assignment(KeyVaultRoleScope.GLOBAL, name) is None


# --- backup and restore ----------------------------------------------------------------


def _result(poller):
    result = poller.result(timeout=LRO_TIMEOUT)
    assert poller.done(), "the operation did not finish in time"
    return result


def test_backup_poller_status_result_and_continuation(backup_client, key_client, azurite_container, unique):
    container_url, sas = azurite_container
    key_client.create_ec_key(unique("pyedgebackup"), curve="P-256")
    poller = backup_client.begin_backup(container_url, sas_token=sas, **FAST)
    token = poller.continuation_token()
    assert token
    # Resumed at once, as the SDK's own test_full_backup_and_restore does: the job is still
    # running (the emulator holds even a quick job InProgress for a moment, as the
    # service's jobs take seconds), so the resumed poller polls and builds the result.
    rehydrated = backup_client.begin_backup(container_url, sas_token=sas, continuation_token=token, **FAST)
    result = _result(poller)
    assert _result(rehydrated).folder_url == result.folder_url
    assert poller.status() == "Succeeded"
    assert result.folder_url.startswith(container_url + "/")
    folder = result.folder_url[len(container_url) + 1 :]
    assert folder and "/" not in folder

    # Rehydrating from the token resumes the same job. (When that job has already
    # finished, azure-keyvault-administration 4.7.2 with azure-core 1.41 cannot
    # deserialize the result from the token's stored response, against any server, so
    # only the poller's state is checked here.)
    resumed = backup_client.begin_backup(container_url, sas_token=sas, continuation_token=token, **FAST)
    resumed.wait(timeout=LRO_TIMEOUT)
    assert resumed.done()
    assert resumed.status() == "Succeeded"


def test_restore_continuation_and_selective_restore(backup_client, key_client, azurite_container, unique):
    container_url, sas = azurite_container
    name = unique("pyedgerestore")
    created = key_client.create_ec_key(name, curve="P-256")
    folder_url = _result(backup_client.begin_backup(container_url, sas_token=sas, **FAST)).folder_url

    key_client.begin_delete_key(name).wait()
    key_client.purge_deleted_key(name)
    poller = backup_client.begin_restore(folder_url, sas_token=sas, key_name=name, **FAST)
    token = poller.continuation_token()
    resumed = backup_client.begin_restore(folder_url, sas_token=sas, continuation_token=token, **FAST)
    assert _result(resumed) is None
    _result(poller)
    assert key_client.get_key(name).properties.version == created.properties.version

    # A key name the backup does not hold fails the job rather than succeeding silently.
    missing = backup_client.begin_restore(folder_url, sas_token=sas, key_name=unique("pynotinbackup"), **FAST)
    with pytest.raises(HttpResponseError):
        missing.result(timeout=LRO_TIMEOUT)
    assert missing.status() == "Failed"


def test_restore_from_missing_folder_fails_cleanly(backup_client, azurite_container):
    container_url, sas = azurite_container
    poller = backup_client.begin_restore(f"{container_url}/mhsm-no-such-folder", sas_token=sas, **FAST)
    with pytest.raises(HttpResponseError):
        poller.result(timeout=LRO_TIMEOUT)
    assert poller.done()
    assert poller.status() == "Failed"


def test_restore_from_missing_container_fails_cleanly(backup_client, azurite_container):
    container_url, sas = azurite_container
    account_url = container_url.rsplit("/", 1)[0]
    poller = backup_client.begin_restore(f"{account_url}/no-such-container-{uuid.uuid4().hex[:8]}/f", sas_token=sas, **FAST)
    with pytest.raises(HttpResponseError):
        poller.result(timeout=LRO_TIMEOUT)
    assert poller.status() == "Failed"


def test_backup_with_bad_sas_fails_cleanly(backup_client, azurite_container):
    container_url, _ = azurite_container
    bad = "sv=2021-08-06&sr=c&sp=racwdl&se=2099-01-01T00%3A00%3A00Z&spr=https%2Chttp&sig=AAAA"
    poller = backup_client.begin_backup(container_url, sas_token=bad, **FAST)
    with pytest.raises(HttpResponseError):
        poller.result(timeout=LRO_TIMEOUT)
    assert poller.status() == "Failed"
    pre = backup_client.begin_pre_backup(container_url, sas_token=bad, **FAST)
    with pytest.raises(HttpResponseError):
        pre.result(timeout=LRO_TIMEOUT)


def test_pre_restore_of_missing_folder_fails(backup_client, azurite_container):
    container_url, sas = azurite_container
    poller = backup_client.begin_pre_restore(f"{container_url}/mhsm-no-such-folder", sas_token=sas, **FAST)
    with pytest.raises(HttpResponseError):
        poller.result(timeout=LRO_TIMEOUT)


def test_backup_with_managed_identity_is_refused_up_front(backup_client, azurite_container):
    # The emulator has no managed identity to reach storage with: it refuses at once
    # (the service would need one configured on the HSM) rather than starting a job.
    container_url, _ = azurite_container
    with pytest.raises(HttpResponseError) as raised:
        backup_client.begin_backup(container_url, use_managed_identity=True)
    assert raised.value.status_code == 400


def test_concurrent_backups_each_finish(backup_client, azurite_container):
    container_url, sas = azurite_container
    pollers = [backup_client.begin_backup(container_url, sas_token=sas, **FAST) for _ in range(3)]
    results = [None] * len(pollers)

    def wait(i):
        results[i] = pollers[i].result(timeout=LRO_TIMEOUT)

    threads = [threading.Thread(target=wait, args=(i,)) for i in range(len(pollers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(LRO_TIMEOUT + 10)
    assert all(p.status() == "Succeeded" for p in pollers)
    folders = [r.folder_url for r in results]
    assert len(set(folders)) == len(folders)


# --- settings --------------------------------------------------------------------------


def test_settings_list_get_and_update_both_ways(settings_client):
    listed = {s.name: s for s in settings_client.list_settings()}
    assert listed[SETTING].setting_type == KeyVaultSettingType.BOOLEAN
    assert listed[SETTING].value in ("true", "false")
    original = settings_client.get_setting(SETTING).getboolean()
    try:
        for value in (True, False, True):
            updated = settings_client.update_setting(KeyVaultSetting(name=SETTING, value=value))
            assert updated.name == SETTING
            assert updated.value == str(value).lower()
            assert updated.getboolean() is value
            assert settings_client.get_setting(SETTING).getboolean() is value
            assert {s.name: s for s in settings_client.list_settings()}[SETTING].getboolean() is value
    finally:
        settings_client.update_setting(KeyVaultSetting(name=SETTING, value=original))


def test_unknown_setting_and_bad_value(settings_client):
    with pytest.raises(HttpResponseError):
        settings_client.update_setting(KeyVaultSetting(name="NoSuchSetting", value=True))
    with pytest.raises(HttpResponseError) as raised:
        settings_client.update_setting(KeyVaultSetting(name=SETTING, value="maybe"))
    assert raised.value.status_code == 400
    assert settings_client.get_setting(SETTING).value in ("true", "false")


# --- async clients (azure.keyvault.administration.aio over aiohttp) ---------------------


class _AsyncCredential:
    """An async TokenCredential with a static token (the emulator accepts any)."""

    async def get_token(self, *scopes, **kwargs):
        return AccessToken("fake-token", int(time.time()) + 3600)

    async def close(self):
        pass

    async def __aenter__(self):
        return self

    async def __aexit__(self, *args):
        pass


def _async_client(cls, emulator):
    return cls(
        emulator.admin_url,
        _AsyncCredential(),
        connection_verify=emulator.cert,
        verify_challenge_resource=False,
    )


def test_async_access_control(emulator):
    from azure.keyvault.administration.aio import KeyVaultAccessControlClient

    async def body():
        async with _async_client(KeyVaultAccessControlClient, emulator) as client:
            names = {d.name async for d in client.list_role_definitions(KeyVaultRoleScope.KEYS)}
            assert set(BUILT_IN) <= names
            with pytest.raises(ResourceNotFoundError):
                await client.get_role_definition(KeyVaultRoleScope.GLOBAL, uuid.uuid4())

            definition = await client.set_role_definition(
                KeyVaultRoleScope.GLOBAL,
                role_name="py async role",
                permissions=[KeyVaultPermission(data_actions=[KeyVaultDataAction.SIGN_HSM_KEY])],
            )
            assert definition.role_type == "CustomRole"
            assert definition.permissions[0].not_data_actions == []
            principal = str(uuid.uuid4())
            assignment = await client.create_role_assignment(KeyVaultRoleScope.KEYS, definition.id, principal)
            assert assignment.properties.role_definition_id == definition.id
            # The service answers 400 RoleAssignmentExists, not 409.
            with pytest.raises(HttpResponseError) as conflict:
                await client.create_role_assignment(
                    KeyVaultRoleScope.KEYS, definition.id, principal, name=assignment.name
                )
            assert conflict.value.status_code == 400
            assert conflict.value.error.code == "RoleAssignmentExists"
            fetched = await client.get_role_assignment(KeyVaultRoleScope.KEYS, assignment.name)
            assert fetched.properties.principal_id == principal
            listed = {a.name async for a in client.list_role_assignments(KeyVaultRoleScope.KEYS)}
            assert assignment.name in listed

            await client.delete_role_assignment(KeyVaultRoleScope.KEYS, assignment.name)
            await client.delete_role_assignment(KeyVaultRoleScope.KEYS, assignment.name)  # missing: None
            with pytest.raises(ResourceNotFoundError):
                await client.get_role_assignment(KeyVaultRoleScope.KEYS, assignment.name)
            await client.delete_role_definition(KeyVaultRoleScope.GLOBAL, definition.name)
            with pytest.raises(ResourceNotFoundError):
                await client.get_role_definition(KeyVaultRoleScope.GLOBAL, definition.name)

    asyncio.run(body())


def test_async_backup_restore_and_failure(emulator, key_client, azurite_container, unique):
    from azure.keyvault.administration.aio import KeyVaultBackupClient

    container_url, sas = azurite_container
    name = unique("pyasyncbackup")
    created = key_client.create_ec_key(name, curve="P-256")

    async def body():
        async with _async_client(KeyVaultBackupClient, emulator) as client:
            poller = await client.begin_backup(container_url, sas_token=sas, **FAST)
            result = await asyncio.wait_for(poller.result(), LRO_TIMEOUT)
            assert result.folder_url.startswith(container_url + "/")
            assert poller.status() == "Succeeded"

            key_client.begin_delete_key(name).wait()
            key_client.purge_deleted_key(name)
            restore = await client.begin_restore(result.folder_url, sas_token=sas, key_name=name, **FAST)
            assert await asyncio.wait_for(restore.result(), LRO_TIMEOUT) is None

            missing = await client.begin_restore(f"{container_url}/mhsm-no-such-folder", sas_token=sas, **FAST)
            with pytest.raises(HttpResponseError):
                await asyncio.wait_for(missing.result(), LRO_TIMEOUT)
            assert missing.status() == "Failed"

    asyncio.run(body())
    assert key_client.get_key(name).properties.version == created.properties.version


def test_async_settings(emulator):
    from azure.keyvault.administration.aio import KeyVaultSettingsClient

    async def body():
        async with _async_client(KeyVaultSettingsClient, emulator) as client:
            listed = {s.name: s async for s in client.list_settings()}
            assert listed[SETTING].setting_type == KeyVaultSettingType.BOOLEAN
            original = (await client.get_setting(SETTING)).getboolean()
            try:
                updated = await client.update_setting(KeyVaultSetting(name=SETTING, value=not original))
                assert updated.getboolean() is (not original)
                assert (await client.get_setting(SETTING)).getboolean() is (not original)
            finally:
                await client.update_setting(KeyVaultSetting(name=SETTING, value=original))
            # 400 InvalidSetting, as the service answers (Go azadmin recording).
            with pytest.raises(HttpResponseError) as raised:
                await client.get_setting("NoSuchSetting")
            assert raised.value.status_code == 400

    asyncio.run(body())
