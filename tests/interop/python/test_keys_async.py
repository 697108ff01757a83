"""The official async Python SDK (azure.keyvault.keys.aio, over aiohttp) against kv-emulator."""

import asyncio
import hashlib
import os

import pytest
from keyvault_edge_support import ON_HSM
from azure.core.credentials import AccessToken
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.keyvault.keys import KeyCurveName, KeyRotationLifetimeAction, KeyRotationPolicy, KeyRotationPolicyAction, KeyType
from azure.keyvault.keys.crypto import EncryptionAlgorithm, KeyWrapAlgorithm, SignatureAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils


class AsyncFakeCredential:
    """An async TokenCredential with a static token (the emulator accepts any)."""

    async def get_token(self, *scopes, **kwargs):
        import time

        return AccessToken("fake-token", int(time.time()) + 3600)

    async def close(self):
        pass

    async def __aenter__(self):
        return self

    async def __aexit__(self, *args):
        pass


def run(coro):
    return asyncio.run(coro)


def clients(emulator):
    from azure.keyvault.keys.aio import KeyClient
    from azure.keyvault.keys.crypto.aio import CryptographyClient

    credential = AsyncFakeCredential()
    options = {"connection_verify": emulator.cert, "verify_challenge_resource": False}
    key_client = KeyClient(emulator.url, credential, **options)

    def crypto(key):
        return CryptographyClient(key, credential, **options)

    return key_client, crypto


def test_async_lifecycle_and_errors(emulator, unique):
    async def body():
        key_client, _ = clients(emulator)
        async with key_client:
            name = unique("alife")
            with pytest.raises(ResourceNotFoundError):
                await key_client.get_key(name)
            first = await key_client.create_rsa_key(name, size=2048, tags={"a": "1"})
            second = await key_client.create_rsa_key(name)
            assert (await key_client.get_key(name)).id == second.id
            assert (await key_client.get_key(name, first.properties.version)).id == first.id
            updated = await key_client.update_key_properties(name, enabled=False, tags={"b": "2"})
            assert updated.properties.enabled is False and updated.properties.tags == {"b": "2"}
            versions = [v async for v in key_client.list_properties_of_key_versions(name, max_page_size=1)]
            assert {v.version for v in versions} == {first.properties.version, second.properties.version}
            deleted = await key_client.delete_key(name)
            assert deleted.recovery_id.endswith(f"/deletedkeys/{name}")
            assert deleted.deleted_date is not None and deleted.scheduled_purge_date is not None
            with pytest.raises(ResourceExistsError):
                await key_client.create_ec_key(name, curve=KeyCurveName.p_256)
            with pytest.raises(ResourceNotFoundError):
                await key_client.delete_key(name)
            assert any([d.name == name async for d in key_client.list_deleted_keys(max_page_size=1)])
            recovered = await key_client.recover_deleted_key(name)
            assert recovered.id == second.id
            with pytest.raises(ResourceNotFoundError):
                await key_client.get_deleted_key(name)
            await key_client.delete_key(name)
            await key_client.purge_deleted_key(name)
            with pytest.raises(ResourceNotFoundError):
                await key_client.get_deleted_key(name)

    run(body())


def test_async_bad_requests(emulator, unique):
    async def body():
        key_client, _ = clients(emulator)
        async with key_client:
            with pytest.raises(HttpResponseError) as err:
                await key_client.create_rsa_key(unique("abad"), size=1000)
            assert err.value.status_code == 400 and err.value.error.code == "BadParameter"
            with pytest.raises(HttpResponseError) as err:
                await key_client.create_ec_key("bad_name", curve=KeyCurveName.p_256)
            assert err.value.status_code == 400
            with pytest.raises(HttpResponseError) as err:
                await key_client.get_random_bytes(129)
            assert err.value.status_code == 400
            assert len(await key_client.get_random_bytes(128)) == 128

    run(body())


def test_async_rotation_backup_restore(emulator, unique):
    async def body():
        key_client, _ = clients(emulator)
        async with key_client:
            name = unique("arot")
            key = await key_client.create_ec_key(name, curve=KeyCurveName.p_384)
            default = await key_client.get_key_rotation_policy(name)
            # A vault's default notifies 30 days before expiry; a Managed HSM's is empty.
            if ON_HSM:
                assert not default.lifetime_actions
            else:
                assert default.lifetime_actions[0].time_before_expiry == "P30D"
            actions = [KeyRotationLifetimeAction(KeyRotationPolicyAction.rotate, time_after_create="P90D")]
            policy = await key_client.update_key_rotation_policy(name, KeyRotationPolicy(lifetime_actions=actions, expires_in="P1Y"))
            # A vault adds the default Notify action; a Managed HSM does not.
            assert {a.action.lower() for a in policy.lifetime_actions} == ({"rotate"} if ON_HSM else {"rotate", "notify"})
            rotated = await key_client.rotate_key(name)
            assert rotated.properties.version != key.properties.version
            assert rotated.key.crv == key.key.crv and rotated.properties.expires_on is not None
            blob = await key_client.backup_key(name)
            with pytest.raises(ResourceExistsError):
                await key_client.restore_key_backup(blob)
            await key_client.delete_key(name)
            await key_client.purge_deleted_key(name)
            restored = await key_client.restore_key_backup(blob)
            assert restored.id == rotated.id

    run(body())


def test_async_crypto_operations(emulator, unique):
    async def body():
        key_client, crypto = clients(emulator)
        async with key_client:
            name = unique("acry")
            rsa_key = await key_client.create_rsa_key(name)
            public = rsa.RSAPublicNumbers(int.from_bytes(rsa_key.key.e, "big"), int.from_bytes(rsa_key.key.n, "big")).public_key()
            async with crypto(rsa_key.id) as client:
                digest = hashlib.sha384(b"async").digest()
                signed = await client.sign(SignatureAlgorithm.ps384, digest)
                public.verify(signed.signature, digest, padding.PSS(padding.MGF1(hashes.SHA384()), 48), utils.Prehashed(hashes.SHA384()))
                assert (await client.verify(SignatureAlgorithm.ps384, digest, signed.signature)).is_valid
                for alg in [EncryptionAlgorithm.rsa1_5, EncryptionAlgorithm.rsa_oaep, EncryptionAlgorithm.rsa_oaep_256]:
                    result = await client.encrypt(alg, b"async text")
                    assert (await client.decrypt(alg, result.ciphertext)).plaintext == b"async text"
                wrapped = await client.wrap_key(KeyWrapAlgorithm.rsa_oaep_256, os.urandom(32))
                unwrapped = await client.unwrap_key(KeyWrapAlgorithm.rsa_oaep_256, wrapped.encrypted_key)
                assert len(unwrapped.key) == 32

            oct_key = await key_client.create_oct_key(unique("aoct"), size=256, hardware_protected=True)
            assert oct_key.key_type == KeyType.oct_hsm
            async with crypto(oct_key) as client:
                result = await client.encrypt(EncryptionAlgorithm.a256_gcm, b"gcm", additional_authenticated_data=b"aad")
                plain = await client.decrypt(
                    EncryptionAlgorithm.a256_gcm, result.ciphertext, iv=result.iv, authentication_tag=result.tag, additional_authenticated_data=b"aad"
                )
                assert plain.plaintext == b"gcm"

            await key_client.update_key_properties(name, enabled=False)
            async with crypto(rsa_key.id) as client:
                with pytest.raises(HttpResponseError) as err:
                    await client.sign(SignatureAlgorithm.rs256, hashlib.sha256(b"x").digest())
                assert err.value.status_code == 403

    run(body())
