"""The official Python SDK (azure-keyvault-keys) against kv-emulator, unmodified."""

import base64
import hashlib
import json
import os
import socket
import time

import pytest
from keyvault_edge_support import stored_type
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.keyvault.keys import (
    KeyClient,
    KeyCurveName,
    KeyRotationLifetimeAction,
    KeyRotationPolicy,
    KeyReleasePolicy,
    KeyRotationPolicyAction,
    KeyType,
)
from azure.keyvault.keys.crypto import EncryptionAlgorithm, KeyWrapAlgorithm, SignatureAlgorithm
from cryptography.hazmat.primitives import hashes, keywrap, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils


def rsa_public(key):
    return rsa.RSAPublicNumbers(int.from_bytes(key.key.e, "big"), int.from_bytes(key.key.n, "big")).public_key()


def ec_public(key):
    curves = {"P-256": ec.SECP256R1(), "P-256K": ec.SECP256K1(), "P-384": ec.SECP384R1(), "P-521": ec.SECP521R1()}
    numbers = ec.EllipticCurvePublicNumbers(
        int.from_bytes(key.key.x, "big"), int.from_bytes(key.key.y, "big"), curves[getattr(key.key.crv, "value", key.key.crv)]
    )
    return numbers.public_key()


def der_signature(raw: bytes) -> bytes:
    half = len(raw) // 2
    return utils.encode_dss_signature(int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big"))


@pytest.mark.parametrize("size", [2048, 3072, 4096])
def test_rsa_keys_and_every_rsa_operation(key_client, crypto_client, unique, size):
    key = key_client.create_rsa_key(unique("rsa"), size=size)
    assert key.key_type == stored_type(KeyType.rsa)
    assert rsa_public(key).key_size == size
    assert len(key.properties.version) == 32
    client = crypto_client(key)
    public = rsa_public(key)

    # A remote signature verifies locally with `cryptography`.
    message = b"interop message"
    for alg, hash_alg, pad in [
        (SignatureAlgorithm.rs256, hashes.SHA256(), padding.PKCS1v15()),
        (SignatureAlgorithm.ps256, hashes.SHA256(), padding.PSS(padding.MGF1(hashes.SHA256()), 32)),
        (SignatureAlgorithm.rs512, hashes.SHA512(), padding.PKCS1v15()),
        (SignatureAlgorithm.ps384, hashes.SHA384(), padding.PSS(padding.MGF1(hashes.SHA384()), 48)),
    ]:
        digest = hashes.Hash(hash_alg)
        digest.update(message)
        digest = digest.finalize()
        signed = client.sign(alg, digest)
        public.verify(signed.signature, digest, pad, utils.Prehashed(hash_alg))
        assert client.verify(alg, digest, signed.signature).is_valid
        assert not client.verify(alg, bytes(len(digest)), signed.signature).is_valid

    # A ciphertext made locally with the public key decrypts remotely.
    for alg, pad in [
        (EncryptionAlgorithm.rsa_oaep, padding.OAEP(padding.MGF1(hashes.SHA1()), hashes.SHA1(), None)),
        (EncryptionAlgorithm.rsa_oaep_256, padding.OAEP(padding.MGF1(hashes.SHA256()), hashes.SHA256(), None)),
        (EncryptionAlgorithm.rsa1_5, padding.PKCS1v15()),
    ]:
        local = public.encrypt(b"local plaintext", pad)
        assert client.decrypt(alg, local).plaintext == b"local plaintext"
        remote = client.encrypt(alg, b"remote plaintext")
        assert client.decrypt(alg, remote.ciphertext).plaintext == b"remote plaintext"

    for alg in [KeyWrapAlgorithm.rsa_oaep, KeyWrapAlgorithm.rsa_oaep_256, KeyWrapAlgorithm.rsa1_5]:
        wrapped = client.wrap_key(alg, b"k" * 32)
        assert client.unwrap_key(alg, wrapped.encrypted_key).key == b"k" * 32


@pytest.mark.parametrize(
    "curve,alg,hash_alg",
    [
        (KeyCurveName.p_256, SignatureAlgorithm.es256, hashes.SHA256()),
        (KeyCurveName.p_256_k, SignatureAlgorithm.es256_k, hashes.SHA256()),
        (KeyCurveName.p_384, SignatureAlgorithm.es384, hashes.SHA384()),
        (KeyCurveName.p_521, SignatureAlgorithm.es512, hashes.SHA512()),
    ],
)
def test_ec_keys_sign_and_verify(key_client, crypto_client, unique, curve, alg, hash_alg):
    key = key_client.create_ec_key(unique("ec"), curve=curve, hardware_protected=True)
    assert key.key_type == KeyType.ec_hsm
    assert key.key.crv == curve
    client = crypto_client(key)
    digest = hashes.Hash(hash_alg)
    digest.update(b"ec interop")
    digest = digest.finalize()
    signed = client.sign(alg, digest)
    ec_public(key).verify(der_signature(signed.signature), digest, ec.ECDSA(utils.Prehashed(hash_alg)))
    assert client.verify(alg, digest, signed.signature).is_valid


@pytest.mark.parametrize("size", [128, 192, 256])
def test_oct_hsm_keys_and_symmetric_operations(key_client, crypto_client, unique, size):
    key = key_client.create_oct_key(unique("oct"), size=size, hardware_protected=True)
    assert key.key_type == KeyType.oct_hsm
    client = crypto_client(key)

    gcm = getattr(EncryptionAlgorithm, f"a{size}_gcm")
    result = client.encrypt(gcm, b"gcm plaintext", additional_authenticated_data=b"aad")
    assert len(result.iv) == 12 and len(result.tag) == 16
    back = client.decrypt(
        gcm,
        result.ciphertext,
        iv=result.iv,
        authentication_tag=result.tag,
        additional_authenticated_data=b"aad",
    )
    assert back.plaintext == b"gcm plaintext"

    cbcpad = getattr(EncryptionAlgorithm, f"a{size}_cbcpad")
    iv = os.urandom(16)
    result = client.encrypt(cbcpad, b"cbc plaintext", iv=iv)
    assert client.decrypt(cbcpad, result.ciphertext, iv=iv).plaintext == b"cbc plaintext"

    kw = getattr(KeyWrapAlgorithm, f"aes_{size}")
    wrapped = client.wrap_key(kw, b"w" * 32)
    assert client.unwrap_key(kw, wrapped.encrypted_key).key == b"w" * 32


def test_disabled_key_is_refused(key_client, crypto_client, unique):
    name = unique("disabled")
    key = key_client.create_ec_key(name, curve=KeyCurveName.p_256)
    key_client.update_key_properties(name, enabled=False)
    with pytest.raises(HttpResponseError) as err:
        crypto_client(key).sign(SignatureAlgorithm.es256, hashlib.sha256(b"x").digest())
    assert err.value.status_code == 403


def test_paging_over_more_than_25_keys(key_client, unique):
    prefix = unique("page")
    names = {f"{prefix}-{i}" for i in range(30)}
    for name in names:
        key_client.create_ec_key(name, curve=KeyCurveName.p_256)
    listed = {k.name for k in key_client.list_properties_of_keys() if k.name.startswith(prefix)}
    assert listed == names
    pages = list(key_client.list_properties_of_keys().by_page())
    assert len(pages) >= 2
    for _ in range(2):
        key_client.create_ec_key(prefix + "-v", curve=KeyCurveName.p_256)
    versions = list(key_client.list_properties_of_key_versions(prefix + "-v"))
    assert len(versions) == 2


def test_delete_recover_purge(key_client, unique):
    name = unique("del")
    first = key_client.create_rsa_key(name)
    second = key_client.create_rsa_key(name)
    deleted = key_client.begin_delete_key(name).result()
    assert deleted.recovery_id.endswith(f"/deletedkeys/{name}")
    assert deleted.deleted_date is not None and deleted.scheduled_purge_date is not None
    with pytest.raises(ResourceNotFoundError):
        key_client.get_key(name)
    with pytest.raises(ResourceExistsError):
        key_client.create_rsa_key(name)
    assert any(d.name == name for d in key_client.list_deleted_keys())
    assert key_client.get_deleted_key(name).name == name

    recovered = key_client.begin_recover_deleted_key(name).result()
    assert recovered.id == second.id
    assert key_client.get_key(name, first.properties.version).id == first.id

    key_client.begin_delete_key(name).result()
    key_client.purge_deleted_key(name)
    with pytest.raises(ResourceNotFoundError):
        key_client.get_deleted_key(name)


def test_backup_restore(key_client, unique):
    name = unique("bak")
    key = key_client.create_ec_key(name, curve=KeyCurveName.p_384)
    blob = key_client.backup_key(name)
    with pytest.raises(ResourceExistsError):
        key_client.restore_key_backup(blob)
    key_client.begin_delete_key(name).result()
    key_client.purge_deleted_key(name)
    restored = key_client.restore_key_backup(blob)
    assert restored.id == key.id
    assert restored.key.x == key.key.x


def test_rotation_policy_and_rotate(key_client, unique):
    name = unique("rot")
    key = key_client.create_rsa_key(name)
    default = key_client.get_key_rotation_policy(name)
    # The default policy has no id (a vault) or an empty one (a Managed HSM), as recorded.
    assert not default.id
    actions = [KeyRotationLifetimeAction(KeyRotationPolicyAction.rotate, time_after_create="P90D")]
    policy = key_client.update_key_rotation_policy(
        name, KeyRotationPolicy(), lifetime_actions=actions, expires_in="P1Y"
    )
    assert policy.expires_in == "P1Y"
    # A vault spells it Rotate, a Managed HSM rotate.
    assert policy.lifetime_actions[0].action.lower() == KeyRotationPolicyAction.rotate.lower()
    assert policy.lifetime_actions[0].time_after_create == "P90D"
    fetched = key_client.get_key_rotation_policy(name)
    assert fetched.lifetime_actions[0].time_after_create == "P90D"
    rotated = key_client.rotate_key(name)
    assert rotated.id != key.id
    assert rotated.properties.expires_on is not None
    assert rsa_public(rotated).key_size == rsa_public(key).key_size


def test_random_bytes(key_client):
    value = key_client.get_random_bytes(32)
    assert len(value) == 32
    assert value != key_client.get_random_bytes(32)


def test_challenge_resource_check_left_on(emulator, credential, monkeypatch, unique):
    """With a vault host under a parent domain, the SDK's own resource check passes."""
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if isinstance(host, str) and host.endswith(".vault.localhost"):
            host = "127.0.0.1"
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    client = KeyClient(f"https://myvault.vault.localhost:{emulator.port}", credential, connection_verify=emulator.cert)
    key = client.create_ec_key(unique("host"), curve=KeyCurveName.p_256)
    assert key.id.startswith(f"https://myvault.vault.localhost:{emulator.port}/keys/")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def es256_jwt(signer, claims) -> str:
    head = b64(json.dumps({"alg": "ES256", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    der = signer.sign(f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
    r, s = utils.decode_dss_signature(der)
    return f"{head}.{body}.{b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def test_secure_key_release(key_client, attestation_signer, unique):
    policy = {
        "version": "1.0.0",
        "anyOf": [{"authority": "https://attest.example", "allOf": [{"claim": "x-ms-attestation-type", "equals": "sevsnpvm"}]}],
    }
    name = unique("rel")
    key = key_client.create_rsa_key(
        name,
        hardware_protected=True,
        exportable=True,
        release_policy=KeyReleasePolicy(json.dumps(policy).encode()),
    )
    assert key.properties.exportable

    runtime = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = runtime.public_key().public_numbers()
    runtime_jwk = {
        "kid": "TpmEphemeralEncryptionKey",
        "kty": "RSA",
        "key_ops": ["encrypt"],
        "n": b64(numbers.n.to_bytes(256, "big")),
        "e": b64(numbers.e.to_bytes(3, "big")),
    }
    claims = {
        "iss": "https://attest.example",
        "x-ms-attestation-type": "sevsnpvm",
        "x-ms-runtime": {"keys": [runtime_jwk]},
        "exp": int(time.time()) + 600,
    }
    result = key_client.release_key(name, es256_jwt(attestation_signer, claims))
    payload = json.loads(unb64(result.value.split(".")[1]))
    key_hsm = unb64(payload["response"]["key"]["key"]["key_hsm"])
    transport = runtime.decrypt(key_hsm[:256], padding.OAEP(padding.MGF1(hashes.SHA1()), hashes.SHA1(), None))
    pkcs8 = keywrap.aes_key_unwrap_with_padding(transport, key_hsm[256:])
    released = serialization.load_der_private_key(pkcs8, password=None)
    assert released.public_key().public_numbers().n == rsa_public(key).public_numbers().n

    wrong = dict(claims, **{"x-ms-attestation-type": "tdxvm"})
    with pytest.raises(HttpResponseError) as err:
        key_client.release_key(name, es256_jwt(attestation_signer, wrong))
    assert err.value.status_code == 403
    untrusted = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(HttpResponseError):
        key_client.release_key(name, es256_jwt(untrusted, claims))


def test_key_attestation(key_client, unique):
    name = unique("att")
    key_client.create_ec_key(name, curve=KeyCurveName.p_256, hardware_protected=True)
    attested = key_client.get_key_attestation(name)
    assert attested.name == name
