"""Issue 16: what the service does that the emulator once did differently, through the
official SDK's sync and async clients (the Managed HSM personality, where these APIs live).

- AES-CBC without padding on a plaintext that is not a whole number of blocks: Managed
  HSM fills the last block with zeros (decrypt returns them).
- get_key_attestation: certificatePemFile, privateKeyAttestation, publicKeyAttestation and
  version, the same for every version of the key.
- A role assignment whose name exists: 400 RoleAssignmentExists (checked, sync and async,
  in test_admin_edge.py).
- JSON nested deeper than the service's reader allows: 400; a body sent as text/plain: 415.
"""

import asyncio
import time

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest
from azure.keyvault.keys.crypto import EncryptionAlgorithm

PLAINTEXT = b"seventeen bytes!!"
IV = bytes(range(16))


class _AsyncCredential:
    async def get_token(self, *scopes, **kwargs):
        return AccessToken("fake-token", int(time.time()) + 3600)

    async def close(self):
        pass

    async def __aenter__(self):
        return self

    async def __aexit__(self, *args):
        pass


def _async(cls, url, emulator):
    return cls(url, _AsyncCredential(), connection_verify=emulator.cert, verify_challenge_resource=False)


def _zero_filled(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 16)


def test_unpadded_cbc_zero_fills_sync(hsm_key_client, crypto_client, unique):
    key = hsm_key_client.create_oct_key(unique("cbc"), size=256, hardware_protected=True)
    client = crypto_client(key)
    encrypted = client.encrypt(EncryptionAlgorithm.a256_cbc, PLAINTEXT, iv=IV)
    assert len(encrypted.ciphertext) == 32
    decrypted = client.decrypt(EncryptionAlgorithm.a256_cbc, encrypted.ciphertext, iv=IV)
    assert decrypted.plaintext == _zero_filled(PLAINTEXT)


def test_unpadded_cbc_zero_fills_async(emulator, unique):
    from azure.keyvault.keys.aio import KeyClient
    from azure.keyvault.keys.crypto.aio import CryptographyClient

    async def body():
        async with _async(KeyClient, emulator.hsm_url, emulator) as keys:
            key = await keys.create_oct_key(unique("cbcaio"), size=256, hardware_protected=True)
            async with CryptographyClient(key, _AsyncCredential(), connection_verify=emulator.cert, verify_challenge_resource=False) as client:
                encrypted = await client.encrypt(EncryptionAlgorithm.a256_cbc, PLAINTEXT, iv=IV)
                decrypted = await client.decrypt(EncryptionAlgorithm.a256_cbc, encrypted.ciphertext, iv=IV)
                assert decrypted.plaintext == _zero_filled(PLAINTEXT)

    asyncio.run(body())


def _check_attestations(attestations):
    for attestation in attestations:
        assert attestation.certificate_pem_file
        assert attestation.private_key_attestation
        assert attestation.public_key_attestation
        assert attestation.version
    first = attestations[0]
    for other in attestations[1:]:
        assert other.certificate_pem_file == first.certificate_pem_file
        assert other.private_key_attestation == first.private_key_attestation
        assert other.public_key_attestation == first.public_key_attestation
        assert other.version == first.version


def test_key_attestation_sync(hsm_key_client, unique):
    name = unique("att")
    first = hsm_key_client.create_rsa_key(name, hardware_protected=True)
    second = hsm_key_client.rotate_key(name)
    attestations = [
        hsm_key_client.get_key_attestation(name, version=first.properties.version).properties.attestation,
        hsm_key_client.get_key_attestation(name, version=second.properties.version).properties.attestation,
        hsm_key_client.get_key_attestation(name).properties.attestation,
    ]
    _check_attestations(attestations)
    assert b"BEGIN CERTIFICATE" in attestations[0].certificate_pem_file


def test_key_attestation_async(emulator, unique):
    from azure.keyvault.keys.aio import KeyClient

    async def body():
        async with _async(KeyClient, emulator.hsm_url, emulator) as keys:
            name = unique("attaio")
            first = await keys.create_ec_key(name, curve="P-256", hardware_protected=True)
            await keys.rotate_key(name)
            got = [
                (await keys.get_key_attestation(name, version=first.properties.version)).properties.attestation,
                (await keys.get_key_attestation(name)).properties.attestation,
            ]
            _check_attestations(got)

    asyncio.run(body())


def _send(client, path, content, content_type):
    request = HttpRequest("POST", path, content=content, headers={"Content-Type": content_type})
    return client.send_request(request)


@pytest.mark.parametrize("personality", ["vault", "managedhsm"])
def test_deep_nesting_is_400_and_creates_nothing(emulator, key_client_for, personality, unique):
    client = key_client_for(emulator.vault_url if personality == "vault" else emulator.hsm_url)
    name = unique("deep")
    depth = 10_000
    body = '{"kty": "EC", "unknown": ' + "[" * depth + "]" * depth + "}"
    response = _send(client, f"/keys/{name}/create?api-version=7.6", body, "application/json")
    assert response.status_code == 400, response.text()
    assert response.json()["error"]["code"] == "BadParameter"
    assert client.send_request(HttpRequest("GET", f"/keys/{name}?api-version=7.6")).status_code == 404


@pytest.mark.parametrize("personality", ["vault", "managedhsm"])
def test_text_plain_body_is_415(emulator, key_client_for, personality, unique):
    client = key_client_for(emulator.vault_url if personality == "vault" else emulator.hsm_url)
    name = unique("plain")
    response = _send(client, f"/keys/{name}/create?api-version=7.6", '{"kty": "EC"}', "text/plain")
    assert response.status_code == 415, response.text()
    assert "text/plain" in response.json()["Message"]
    assert client.send_request(HttpRequest("GET", f"/keys/{name}?api-version=7.6")).status_code == 404


def test_personalities_are_isolated_and_a_vault_has_no_admin_apis(emulator, key_client_for, unique):
    vault = key_client_for(emulator.vault_url)
    other = key_client_for(f"https://pyother.vault.localhost:{emulator.port}")
    hsm = key_client_for(emulator.hsm_url)
    name = unique("iso")
    vault.create_ec_key(name, curve="P-256")
    for client in (other, hsm):
        status = client.send_request(HttpRequest("GET", f"/keys/{name}?api-version=7.6")).status_code
        assert status == 404
    settings = vault.send_request(HttpRequest("GET", "/settings?api-version=7.6"))
    assert settings.status_code == 404
    assert hsm.send_request(HttpRequest("GET", "/settings?api-version=7.6")).status_code == 200
