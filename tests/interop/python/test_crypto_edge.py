"""Cryptography edge cases of the official Python SDK (azure-keyvault-keys) against
kv-emulator: every algorithm through the service and the SDK's local paths, checked
against the `cryptography` package. The real service is the reference (see test_keys_edge.py).
"""

import hashlib
import os

import pytest
from azure.core.exceptions import HttpResponseError
from azure.keyvault.keys import (
    JsonWebKey,
    KeyCurveName,
    KeyOperation,
    KeyType,
)
from azure.keyvault.keys.crypto import EncryptionAlgorithm, SignatureAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import padding as sym_padding
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from keyvault_edge_support import CURVES, b64url, raw, rsa_jwk, unb64url


# --- cryptography ---------------------------------------------------------------------


def test_remote_rsa_encrypt_each_algorithm_decrypts_locally(key_client, unique):
    name = unique("rsaenc")
    private = rsa.generate_private_key(65537, 2048)
    key_client.import_key(name, rsa_jwk(private))
    for alg, pad in [
        ("RSA1_5", padding.PKCS1v15()),
        ("RSA-OAEP", padding.OAEP(padding.MGF1(hashes.SHA1()), hashes.SHA1(), None)),
        ("RSA-OAEP-256", padding.OAEP(padding.MGF1(hashes.SHA256()), hashes.SHA256(), None)),
    ]:
        for op in ["encrypt", "wrapkey"]:
            status, body = raw(key_client, "POST", f"/keys/{name}/{op}", {"alg": alg, "value": b64url(b"payload")})
            assert status == 200, (alg, op, body)
            assert body["kid"].endswith(f"/keys/{name}/" + body["kid"].rsplit("/", 1)[1])
            assert private.decrypt(unb64url(body["value"]), pad) == b"payload"
    status, body = raw(key_client, "POST", f"/keys/{name}/encrypt", {"alg": "A128GCM", "value": b64url(b"x")})
    assert status == 400, body
    assert body["error"]["code"] == "BadParameter"


@pytest.mark.parametrize(
    "alg,hash_alg,pad",
    [
        (SignatureAlgorithm.rs256, hashes.SHA256(), "pkcs1"),
        (SignatureAlgorithm.rs384, hashes.SHA384(), "pkcs1"),
        (SignatureAlgorithm.rs512, hashes.SHA512(), "pkcs1"),
        (SignatureAlgorithm.ps256, hashes.SHA256(), "pss"),
        (SignatureAlgorithm.ps384, hashes.SHA384(), "pss"),
        (SignatureAlgorithm.ps512, hashes.SHA512(), "pss"),
    ],
)
def test_rsa_sign_every_algorithm_and_digest_size(key_client, crypto_client, unique, alg, hash_alg, pad):
    key = key_client.create_rsa_key(unique("rsasig"))
    client = crypto_client(key.id)
    digest = hashlib.new(hash_alg.name, b"sign me").digest()
    signed = client.sign(alg, digest)
    assert signed.key_id == key.id
    public = rsa.RSAPublicNumbers(int.from_bytes(key.key.e, "big"), int.from_bytes(key.key.n, "big")).public_key()
    padder = padding.PKCS1v15() if pad == "pkcs1" else padding.PSS(padding.MGF1(hash_alg), hash_alg.digest_size)
    public.verify(signed.signature, digest, padder, utils.Prehashed(hash_alg))
    status, body = raw(
        key_client, "POST", f"/keys/{key.name}/verify", {"alg": alg.value, "digest": b64url(digest), "value": b64url(signed.signature)}
    )
    assert status == 200 and body["value"] is True
    # A digest of the wrong length is refused.
    status, body = raw(key_client, "POST", f"/keys/{key.name}/sign", {"alg": alg.value, "value": b64url(digest + b"x")})
    assert status == 400, body
    assert body["error"]["code"] == "BadParameter"


@pytest.mark.parametrize("crv", list(CURVES))
def test_ec_wrong_digest_size_and_wrong_curve_algorithm(key_client, unique, crv):
    _, alg, hash_alg = CURVES[crv]
    key = key_client.create_ec_key(unique("ecsig"), curve=crv)
    status, body = raw(key_client, "POST", f"/keys/{key.name}/sign", {"alg": alg.value, "value": b64url(bytes(hash_alg.digest_size + 1))})
    assert status == 400, body
    wrong = SignatureAlgorithm.es384 if alg != SignatureAlgorithm.es384 else SignatureAlgorithm.es256
    status, body = raw(key_client, "POST", f"/keys/{key.name}/sign", {"alg": wrong.value, "value": b64url(bytes(48 if wrong == SignatureAlgorithm.es384 else 32))})
    assert status == 400, body
    assert body["error"]["code"] == "BadParameter"


@pytest.mark.parametrize("size", [128, 192, 256])
def test_aes_modes_on_oct_hsm(key_client, crypto_client, unique, size):
    secret = os.urandom(size // 8)
    key = key_client.import_key(unique("aes"), JsonWebKey(kty=KeyType.oct_hsm, k=secret), hardware_protected=True)
    client = crypto_client(key)
    # GCM goes to the service through the SDK; the result decrypts locally.
    gcm = getattr(EncryptionAlgorithm, f"a{size}_gcm")
    aad = b"header"
    result = client.encrypt(gcm, b"gcm text", additional_authenticated_data=aad)
    assert len(result.iv) == 12 and len(result.tag) == 16
    assert AESGCM(secret).decrypt(result.iv, result.ciphertext + result.tag, aad) == b"gcm text"
    plain = client.decrypt(gcm, result.ciphertext, iv=result.iv, authentication_tag=result.tag, additional_authenticated_data=aad)
    assert plain.plaintext == b"gcm text"
    with pytest.raises(HttpResponseError) as err:
        client.decrypt(gcm, result.ciphertext, iv=result.iv, authentication_tag=result.tag, additional_authenticated_data=b"other")
    assert err.value.status_code == 400
    # CBC (no padding) through the SDK, checked locally.
    iv = os.urandom(16)
    cbc = getattr(EncryptionAlgorithm, f"a{size}_cbc")
    result = client.encrypt(cbc, b"sixteen byte msg", iv=iv)
    local = Cipher(algorithms.AES(secret), modes.CBC(iv)).encryptor()
    assert result.ciphertext == local.update(b"sixteen byte msg") + local.finalize()
    assert client.decrypt(cbc, result.ciphertext, iv=iv).plaintext == b"sixteen byte msg"
    # Not a whole number of blocks: Managed HSM fills the last block with zeros (issue 16).
    odd = client.encrypt(cbc, b"odd length", iv=iv)
    local = Cipher(algorithms.AES(secret), modes.CBC(iv)).encryptor()
    assert odd.ciphertext == local.update(b"odd length" + b"\0" * 6) + local.finalize()
    # CBCPAD and key wrap: the SDK would run them locally, so they go out directly.
    status, body = raw(key_client, "POST", f"/keys/{key.name}/encrypt", {"alg": f"A{size}CBCPAD", "value": b64url(b"odd length"), "iv": b64url(iv)})
    assert status == 200, body
    padder = sym_padding.PKCS7(128).padder()
    local = Cipher(algorithms.AES(secret), modes.CBC(iv)).encryptor()
    assert unb64url(body["value"]) == local.update(padder.update(b"odd length") + padder.finalize()) + local.finalize()
    status, body = raw(key_client, "POST", f"/keys/{key.name}/decrypt", {"alg": f"A{size}CBCPAD", "value": body["value"], "iv": b64url(iv)})
    assert status == 200 and unb64url(body["value"]) == b"odd length"
    # An algorithm for another key size is refused.
    other = 256 if size != 256 else 128
    status, body = raw(key_client, "POST", f"/keys/{key.name}/encrypt", {"alg": f"A{other}GCM", "value": b64url(b"x")})
    assert status == 400 and body["error"]["code"] == "BadParameter", body
    status, body = raw(key_client, "POST", f"/keys/{key.name}/wrapkey", {"alg": f"A{other}KW", "value": b64url(bytes(32))})
    assert status == 400 and body["error"]["code"] == "BadParameter", body


def test_crypto_client_from_id_with_and_without_version(key_client, crypto_client, unique):
    name = unique("cid")
    first = key_client.create_ec_key(name, curve=KeyCurveName.p_256)
    second = key_client.create_ec_key(name, curve=KeyCurveName.p_256)
    digest = hashlib.sha256(b"which").digest()
    versioned = crypto_client(first.id)
    signed = versioned.sign(SignatureAlgorithm.es256, digest)
    assert signed.key_id == first.id
    assert crypto_client(first).verify(SignatureAlgorithm.es256, digest, signed.signature).is_valid
    assert not crypto_client(second).verify(SignatureAlgorithm.es256, digest, signed.signature).is_valid
    versionless = crypto_client(first.id.rsplit("/", 1)[0])
    signed = versionless.sign(SignatureAlgorithm.es256, digest)
    assert signed.key_id == second.id


@pytest.mark.parametrize("size", [128, 192, 256])
def test_local_cbcpad_interoperates_with_imported_oct_key(key_client, crypto_client, unique, size):
    """As the SDKs' AES tests: encrypt locally with the JWK, decrypt remotely, and back."""
    from azure.keyvault.keys.crypto import CryptographyClient

    ops = [KeyOperation.encrypt, KeyOperation.decrypt, KeyOperation.wrap_key, KeyOperation.unwrap_key]
    jwk = JsonWebKey(kty=KeyType.oct, k=bytes(range(size // 8)), key_ops=ops)
    key = key_client.import_key(unique("octcbc"), jwk)
    local = CryptographyClient.from_jwk(jwk)
    alg = getattr(EncryptionAlgorithm, f"a{size}_cbcpad")
    iv = bytes(range(16))
    encrypted = local.encrypt(alg, b"local then remote", iv=iv)
    status, body = raw(
        key_client, "POST", f"/keys/{key.name}/decrypt", {"alg": alg.value, "value": b64url(encrypted.ciphertext), "iv": b64url(iv)}
    )
    assert status == 200 and unb64url(body["value"]) == b"local then remote", body
    status, body = raw(key_client, "POST", f"/keys/{key.name}/encrypt", {"alg": alg.value, "value": b64url(b"remote then local"), "iv": b64url(iv)})
    assert status == 200, body
    assert local.decrypt(alg, unb64url(body["value"]), iv=iv).plaintext == b"remote then local"
