"""Starts the kv-emulator binary for the interop tests and hands out SDK clients.

The binary comes from $KV_EMULATOR_BIN, else target/debug/kv-emulator (honouring
$CARGO_TARGET_DIR). The official SDK trusts the emulator through `connection_verify`
(DIR/tls/cert.pem) and authenticates with a static fake token.

One emulator process serves both personalities by host name: the key tests talk to
`pyvault.vault.localhost` (or, with KV_PERSONALITY=managedhsm, to
`pyhsm.managedhsm.localhost`), the administration tests to `pyhsm.managedhsm.localhost`.
Names under `.localhost` are resolved to 127.0.0.1 inside this test process, since not
every resolver does it.
"""

import base64
import json
import os
import pathlib
import socket
import subprocess
import tempfile
import time

import pytest
from azure.core.credentials import AccessToken
from cryptography.hazmat.primitives.asymmetric import ec

REPO = pathlib.Path(__file__).resolve().parents[3]

_real_getaddrinfo = socket.getaddrinfo


def _resolve_localhost_names(host, *args, **kwargs):
    if isinstance(host, str) and host.endswith(".localhost"):
        host = "127.0.0.1"
    return _real_getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _resolve_localhost_names

PERSONALITY = os.environ.get("KV_PERSONALITY", "vault")
assert PERSONALITY in ("vault", "managedhsm"), PERSONALITY


def emulator_binary() -> str:
    explicit = os.environ.get("KV_EMULATOR_BIN")
    if explicit:
        return explicit
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    return str(target / "debug" / "kv-emulator")


class FakeCredential:
    """A TokenCredential that always returns the same token (the emulator accepts any)."""

    def get_token(self, *scopes, **kwargs):
        return AccessToken("fake-token", int(time.time()) + 3600)

    def close(self):
        pass


class Emulator:
    def __init__(self, url: str, cert: str, data_dir: str):
        self.port = int(url.rsplit(":", 1)[1])
        self.cert = cert
        self.data_dir = data_dir
        self.vault_url = f"https://pyvault.vault.localhost:{self.port}"
        self.hsm_url = f"https://pyhsm.managedhsm.localhost:{self.port}"
        # The key tests' URL (KV_PERSONALITY); administration always goes to the HSM.
        self.url = self.hsm_url if PERSONALITY == "managedhsm" else self.vault_url
        self.admin_url = self.hsm_url


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture(scope="session")
def attestation_signer():
    """An EC P-256 key acting as the attestation service; the emulator trusts it."""
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="session")
def emulator(attestation_signer):
    data_dir = tempfile.mkdtemp(prefix="kv-emulator-py-")
    numbers = attestation_signer.public_key().public_numbers()
    jwks = {"keys": [{"kty": "EC", "crv": "P-256", "x": _b64(numbers.x.to_bytes(32, "big")), "y": _b64(numbers.y.to_bytes(32, "big"))}]}
    jwks_path = os.path.join(data_dir, "attestation-jwks.json")
    with open(jwks_path, "w") as f:
        json.dump(jwks, f)
    proc = subprocess.Popen(
        [
            emulator_binary(),
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            data_dir,
            "--retention-days",
            "7",
            "--attestation-jwks",
            jwks_path,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = proc.stdout.readline().strip()
        prefix = "kv-emulator listening on "
        assert line.startswith(prefix), f"unexpected first line: {line!r}"
        url = line[len(prefix):]
        yield Emulator(url, os.path.join(data_dir, "tls", "cert.pem"), data_dir)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def credential():
    return FakeCredential()


def make_key_client(url, credential, cert):
    from azure.keyvault.keys import KeyClient

    return KeyClient(url, credential, connection_verify=cert, verify_challenge_resource=False)


def make_crypto_client_factory(credential, cert):
    from azure.keyvault.keys.crypto import CryptographyClient

    def make(key):
        return CryptographyClient(key, credential, connection_verify=cert, verify_challenge_resource=False)

    return make


@pytest.fixture(scope="session")
def key_client(emulator, credential):
    return make_key_client(emulator.url, credential, emulator.cert)


@pytest.fixture
def crypto_client(emulator, credential):
    return make_crypto_client_factory(credential, emulator.cert)


@pytest.fixture(scope="session")
def key_client_for(emulator, credential):
    """KeyClient factory for any vault or Managed HSM URL on the emulator."""
    return lambda url: make_key_client(url, credential, emulator.cert)


@pytest.fixture(scope="session")
def hsm_key_client(emulator, credential):
    """A KeyClient on the Managed HSM, whatever KV_PERSONALITY says."""
    return make_key_client(emulator.hsm_url, credential, emulator.cert)


_counter = [0]


@pytest.fixture
def unique():
    def make(prefix: str) -> str:
        _counter[0] += 1
        return f"{prefix}-{os.getpid()}-{_counter[0]}-{int(time.time() * 1000) % 100000}"

    return make


# --- Managed HSM administration (test_admin*.py) ---------------------------------------


def _admin_client(cls, emulator, credential):
    return cls(
        emulator.admin_url,
        credential,
        connection_verify=emulator.cert,
        verify_challenge_resource=False,
    )


@pytest.fixture(scope="session")
def access_control_client(emulator, credential):
    from azure.keyvault.administration import KeyVaultAccessControlClient

    return _admin_client(KeyVaultAccessControlClient, emulator, credential)


@pytest.fixture(scope="session")
def backup_client(emulator, credential):
    from azure.keyvault.administration import KeyVaultBackupClient

    return _admin_client(KeyVaultBackupClient, emulator, credential)


@pytest.fixture(scope="session")
def settings_client(emulator, credential):
    from azure.keyvault.administration import KeyVaultSettingsClient

    return _admin_client(KeyVaultSettingsClient, emulator, credential)


@pytest.fixture(scope="session")
def azurite_container():
    """(container URL, container SAS) of an Azurite blob container.

    `cargo test -p kv-emulator --test python_interop` starts Azurite (installing the npm
    package on first use) and passes the container in $AZURITE_CONTAINER_URL and
    $AZURITE_SAS. Running pytest by hand needs the same variables; without them the
    backup tests fail rather than skip.
    """
    url = os.environ.get("AZURITE_CONTAINER_URL")
    sas = os.environ.get("AZURITE_SAS")
    if not url or not sas:
        pytest.fail("AZURITE_CONTAINER_URL and AZURITE_SAS must name a blob container (see conftest.py)")
    return url, sas
