"""`--auth strict`: the official credentials get tokens from the emulator itself.

ClientSecretCredential takes the emulator as its authority with instance discovery off
(MSAL then reads the emulator's OpenID configuration and calls its token endpoint);
ManagedIdentityCredential reaches the emulator's IMDS-style endpoint through
AZURE_POD_IDENTITY_AUTHORITY_HOST. A token the emulator did not issue is refused (401).
"""

import os
import subprocess
import tempfile

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import HttpResponseError
from azure.identity import ClientSecretCredential, ManagedIdentityCredential
from azure.keyvault.keys import KeyClient

from conftest import emulator_binary

TENANT = "00000000-0000-0000-0000-000000000000"


@pytest.fixture(scope="module")
def strict_emulator():
    data_dir = tempfile.mkdtemp(prefix="kv-emulator-py-strict-")
    proc = subprocess.Popen(
        [emulator_binary(), "--listen", "127.0.0.1:0", "--data-dir", data_dir, "--auth", "strict"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = proc.stdout.readline().strip()
        prefix = "kv-emulator listening on "
        assert line.startswith(prefix), f"unexpected first line: {line!r}"
        yield line[len(prefix):], os.path.join(data_dir, "tls", "ca.pem")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def key_client(url, ca, credential):
    return KeyClient(url, credential, verify_challenge_resource=False, connection_verify=ca)


def test_client_secret_credential_with_the_emulator_as_authority(strict_emulator):
    url, ca = strict_emulator
    credential = ClientSecretCredential(
        TENANT, "py-app", "any-secret", authority=url,
        disable_instance_discovery=True, connection_verify=ca,
    )
    client = key_client(url, ca, credential)
    created = client.create_ec_key("py-strict-secret")
    assert client.get_key("py-strict-secret").id == created.id


def test_managed_identity_credential(strict_emulator, monkeypatch):
    url, ca = strict_emulator
    monkeypatch.setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", url)
    credential = ManagedIdentityCredential(client_id="py-identity", connection_verify=ca)
    client = key_client(url, ca, credential)
    created = client.create_ec_key("py-strict-mi")
    assert created.name == "py-strict-mi"


class ForeignToken:
    def get_token(self, *scopes, **kwargs):
        return AccessToken("not-issued-by-the-emulator", 4102444800)

    def close(self):
        pass


def test_a_token_the_emulator_did_not_issue_is_refused(strict_emulator):
    url, ca = strict_emulator
    with pytest.raises(HttpResponseError) as refused:
        key_client(url, ca, ForeignToken()).create_ec_key("py-strict-refused")
    assert refused.value.status_code == 401
