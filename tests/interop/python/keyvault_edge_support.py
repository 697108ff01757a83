"""Helpers shared by the official-SDK edge-case tests (test_keys_edge.py, test_crypto_edge.py)."""

import base64
import os

from azure.core.rest import HttpRequest
from azure.keyvault.keys import (
    JsonWebKey,
    KeyCurveName,
    KeyType,
)
from azure.keyvault.keys.crypto import SignatureAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

CURVES = {
    KeyCurveName.p_256: (ec.SECP256R1(), SignatureAlgorithm.es256, hashes.SHA256()),
    KeyCurveName.p_256_k: (ec.SECP256K1(), SignatureAlgorithm.es256_k, hashes.SHA256()),
    KeyCurveName.p_384: (ec.SECP384R1(), SignatureAlgorithm.es384, hashes.SHA384()),
    KeyCurveName.p_521: (ec.SECP521R1(), SignatureAlgorithm.es512, hashes.SHA512()),
}


# The key tests run against a vault and, with KV_PERSONALITY=managedhsm, a Managed HSM.
ON_HSM = os.environ.get("KV_PERSONALITY") == "managedhsm"


def stored_type(kty: KeyType) -> KeyType:
    """The key type the service answers for a requested one: a Managed HSM keeps every
    key in its HSM (RSA -> RSA-HSM), a vault keeps what was asked for."""
    if not ON_HSM:
        return kty
    return {KeyType.rsa: KeyType.rsa_hsm, KeyType.ec: KeyType.ec_hsm, KeyType.oct: KeyType.oct_hsm}.get(kty, kty)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def int_bytes(value: int, length: int = 0) -> bytes:
    return value.to_bytes(max(length, (value.bit_length() + 7) // 8), "big")


def rsa_jwk(private, **kwargs) -> JsonWebKey:
    n = private.private_numbers()
    pub = n.public_numbers
    return JsonWebKey(
        kty=KeyType.rsa,
        n=int_bytes(pub.n),
        e=int_bytes(pub.e),
        d=int_bytes(n.d),
        p=int_bytes(n.p),
        q=int_bytes(n.q),
        dp=int_bytes(n.dmp1),
        dq=int_bytes(n.dmq1),
        qi=int_bytes(n.iqmp),
        **kwargs,
    )


def ec_jwk(private, crv, **kwargs) -> JsonWebKey:
    size = (private.curve.key_size + 7) // 8
    n = private.private_numbers()
    return JsonWebKey(
        kty=KeyType.ec,
        crv=crv,
        x=int_bytes(n.public_numbers.x, size),
        y=int_bytes(n.public_numbers.y, size),
        d=int_bytes(n.private_value, size),
        **kwargs,
    )


def raw(key_client, method: str, path: str, body=None):
    """Sends a request through the SDK pipeline without the SDK's local shortcuts."""
    response = key_client.send_request(HttpRequest(method, path, json=body))
    return response.status_code, (response.json() if response.content else None)


def error_code(err) -> str:
    return err.value.error.code if err.value.error else ""
