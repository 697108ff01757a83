"""Edge cases of the official Python SDK (azure-keyvault-keys) against kv-emulator.

The real Key Vault service is the reference: status codes and error codes are the ones
the SDK maps to its exception types (404 -> ResourceNotFoundError, 409 ->
ResourceExistsError, others -> HttpResponseError).
"""

import datetime
import hashlib
import hmac
import json
import os

import pytest
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.keyvault.keys import (
    JsonWebKey,
    KeyCurveName,
    KeyOperation,
    KeyReleasePolicy,
    KeyRotationLifetimeAction,
    KeyRotationPolicy,
    KeyRotationPolicyAction,
    KeyType,
)
from azure.keyvault.keys.crypto import EncryptionAlgorithm, SignatureAlgorithm
from cryptography.hazmat.primitives import hashes, keywrap
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

from keyvault_edge_support import ON_HSM, CURVES, b64url, ec_jwk, error_code, raw, rsa_jwk, stored_type, unb64url


# --- errors ---------------------------------------------------------------------------


def test_missing_key_and_missing_version_are_404(key_client, unique):
    name = unique("missing")
    with pytest.raises(ResourceNotFoundError) as err:
        key_client.get_key(name)
    assert error_code(err) == "KeyNotFound"
    key_client.create_ec_key(name, curve=KeyCurveName.p_256)
    with pytest.raises(ResourceNotFoundError) as err:
        key_client.get_key(name, "0" * 32)
    assert error_code(err) == "KeyNotFound"
    with pytest.raises(ResourceNotFoundError):
        key_client.get_key(name, "not-a-version")


def test_deleted_state_errors(key_client, unique):
    name = unique("delstate")
    key_client.create_ec_key(name, curve=KeyCurveName.p_256)
    # Live key: no deleted key to get, recover or purge.
    with pytest.raises(ResourceNotFoundError):
        key_client.get_deleted_key(name)
    with pytest.raises(ResourceNotFoundError):
        key_client.begin_recover_deleted_key(name).result()
    with pytest.raises(ResourceNotFoundError):
        key_client.purge_deleted_key(name)
    key_client.begin_delete_key(name).result()
    # Soft-deleted: the name cannot be reused, deleting again finds nothing.
    with pytest.raises(ResourceExistsError) as err:
        key_client.create_ec_key(name, curve=KeyCurveName.p_256)
    assert err.value.status_code == 409
    with pytest.raises(ResourceExistsError):
        key_client.import_key(name, ec_jwk(ec.generate_private_key(ec.SECP256R1()), KeyCurveName.p_256))
    with pytest.raises(ResourceNotFoundError):
        key_client.begin_delete_key(name).result()
    key_client.purge_deleted_key(name)
    with pytest.raises(ResourceNotFoundError):
        key_client.purge_deleted_key(name)
    # Purged: the name is free again.
    key_client.create_ec_key(name, curve=KeyCurveName.p_256)


@pytest.mark.parametrize("name", ["bad_name", "bad.name", "a" * 128])
def test_invalid_key_names_are_400(key_client, name):
    with pytest.raises(HttpResponseError) as err:
        key_client.create_ec_key(name, curve=KeyCurveName.p_256)
    assert err.value.status_code == 400
    assert error_code(err) == "BadParameter"


def test_longest_valid_name(key_client):
    name = "n" + os.urandom(8).hex() + "-" * 110
    name = name[:127]
    key = key_client.create_ec_key(name, curve=KeyCurveName.p_256)
    assert key.name == name


@pytest.mark.parametrize(
    "kwargs",
    [
        {"key_type": KeyType.rsa, "size": 1000},
        {"key_type": KeyType.rsa, "size": 1024},
        {"key_type": KeyType.ec, "curve": "P-192"},
        {"key_type": KeyType.oct_hsm, "size": 100},
        {"key_type": "bogus"},
    ],
)
def test_bad_sizes_curves_types_are_400(key_client, unique, kwargs):
    with pytest.raises(HttpResponseError) as err:
        key_client.create_key(unique("badsize"), **kwargs)
    assert err.value.status_code == 400
    assert error_code(err) == "BadParameter"


def test_exportable_and_release_policy_go_together(key_client, unique):
    # As the service (and the SDKs' own tests): each needs the other, and the error says so.
    with pytest.raises(HttpResponseError) as err:
        key_client.create_rsa_key(unique("exp"), hardware_protected=True, exportable=True)
    assert err.value.status_code == 400
    assert "exportable" in err.value.message.lower()
    policy = KeyReleasePolicy(
        json.dumps({"anyOf": [{"allOf": [{"claim": "sdk-test", "equals": "true"}], "authority": "https://attest.test"}], "version": "1.0.0"}).encode()
    )
    with pytest.raises(HttpResponseError) as err:
        key_client.create_rsa_key(unique("pol"), hardware_protected=True, release_policy=policy)
    assert err.value.status_code == 400
    assert "exportable" in err.value.message.lower()


# --- import ---------------------------------------------------------------------------


@pytest.mark.parametrize("hsm", [False, True])
def test_import_rsa(key_client, crypto_client, unique, hsm):
    name = unique("imprsa")
    private = rsa.generate_private_key(65537, 2048)
    ops = [KeyOperation.sign, KeyOperation.verify, KeyOperation.decrypt]
    key = key_client.import_key(
        name, rsa_jwk(private, key_ops=ops), hardware_protected=hsm, tags={"origin": "py"}
    )
    assert key.key_type == (KeyType.rsa_hsm if hsm else stored_type(KeyType.rsa))
    assert sorted(key.key_operations) == sorted(ops)
    assert key.properties.tags == {"origin": "py"}
    assert key.key.d is None and key.key.p is None
    fetched = key_client.get_key(name)
    assert fetched.key_type == key.key_type
    assert sorted(fetched.key_operations) == sorted(ops)
    listed = [k for k in key_client.list_properties_of_keys() if k.name == name]
    assert len(listed) == 1 and listed[0].tags == {"origin": "py"}

    # The service holds the imported private key: its signature verifies locally, and it
    # decrypts what the local public key encrypted.
    client = crypto_client(key)
    digest = hashlib.sha256(b"imported").digest()
    signed = client.sign(SignatureAlgorithm.rs256, digest)
    private.public_key().verify(signed.signature, digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
    ct = private.public_key().encrypt(b"secret", padding.OAEP(padding.MGF1(hashes.SHA256()), hashes.SHA256(), None))
    assert client.decrypt(EncryptionAlgorithm.rsa_oaep_256, ct).plaintext == b"secret"
    # encrypt is not in key_ops: the service refuses it (403 KeyOperationForbidden).
    status, body = raw(key_client, "POST", f"/keys/{name}/encrypt", {"alg": "RSA-OAEP", "value": b64url(b"x")})
    assert status == 403, body
    assert body["error"]["code"] == "KeyOperationForbidden"


@pytest.mark.parametrize("crv", list(CURVES))
@pytest.mark.parametrize("hsm", [False, True])
def test_import_ec_each_curve(key_client, crypto_client, unique, crv, hsm):
    curve, alg, hash_alg = CURVES[crv]
    private = ec.generate_private_key(curve)
    key = key_client.import_key(unique("impec"), ec_jwk(private, crv), hardware_protected=hsm)
    assert key.key_type == (KeyType.ec_hsm if hsm else stored_type(KeyType.ec))
    assert key.key.crv == crv
    assert set(key.key_operations) == {"sign", "verify"}
    digest = hashlib.new(hash_alg.name, b"ec import").digest()
    signed = crypto_client(key).sign(alg, digest)
    half = len(signed.signature) // 2
    der = utils.encode_dss_signature(
        int.from_bytes(signed.signature[:half], "big"), int.from_bytes(signed.signature[half:], "big")
    )
    private.public_key().verify(der, digest, ec.ECDSA(utils.Prehashed(hash_alg)))


@pytest.mark.parametrize("size", [16, 24, 32])
def test_import_oct_hsm_and_wrap(key_client, unique, size):
    # The SDK's local provider cannot use an oct key without `k` (the service never returns
    # it), so the REST calls go out directly.
    secret = os.urandom(size)
    jwk = JsonWebKey(kty=KeyType.oct_hsm, k=secret, key_ops=[KeyOperation.wrap_key, KeyOperation.unwrap_key])
    key = key_client.import_key(unique("impoct"), jwk, hardware_protected=True)
    assert key.key_type == KeyType.oct_hsm
    assert key.key.k is None
    assert sorted(key.key_operations) == ["unwrapKey", "wrapKey"]
    alg = f"A{size * 8}KW"
    cek = os.urandom(32)
    status, body = raw(key_client, "POST", f"/keys/{key.name}/wrapkey", {"alg": alg, "value": b64url(cek)})
    assert status == 200, body
    assert unb64url(body["value"]) == keywrap.aes_key_wrap(secret, cek)
    status, body = raw(key_client, "POST", f"/keys/{key.name}/unwrapkey", {"alg": alg, "value": body["value"]})
    assert status == 200 and unb64url(body["value"]) == cek
    # encrypt is not in key_ops.
    status, body = raw(
        key_client, "POST", f"/keys/{key.name}/encrypt", {"alg": f"A{size * 8}CBCPAD", "value": b64url(b"x"), "iv": b64url(bytes(16))}
    )
    assert status == 403, body


@pytest.mark.parametrize(
    "alg, hash_name",
    [(SignatureAlgorithm.hs256, "sha256"), (SignatureAlgorithm.hs384, "sha384"), (SignatureAlgorithm.hs512, "sha512")],
)
def test_hmac_sign_and_verify_with_oct_keys(key_client, crypto_client, unique, alg, hash_name):
    # A Managed HSM signs with oct-HSM keys: HMAC of the digest under the key (.NET
    # ManagedHsmCryptographyClientLiveTests). The SDK sends these to the service.
    secret = os.urandom(32)
    jwk = JsonWebKey(kty=KeyType.oct_hsm, k=secret, key_ops=[KeyOperation.sign, KeyOperation.verify])
    key = key_client.import_key(unique("hmac"), jwk, hardware_protected=True)
    client = crypto_client(key)
    digest = hashlib.new(hash_name, b"hmac message").digest()
    signed = client.sign(alg, digest)
    assert signed.key_id == key.id
    assert signed.signature == hmac.new(secret, digest, hash_name).digest()
    assert client.verify(alg, digest, signed.signature).is_valid
    assert not client.verify(alg, digest, bytes(len(signed.signature))).is_valid
    with pytest.raises(HttpResponseError) as err:
        client.sign(alg, digest[:-1])  # a digest of the wrong length
    assert err.value.status_code == 400


def test_import_rejects_bad_material(key_client, unique):
    # A public-only key cannot be imported.
    private = ec.generate_private_key(ec.SECP256R1())
    jwk = ec_jwk(private, KeyCurveName.p_256)
    jwk.d = None
    with pytest.raises(HttpResponseError) as err:
        key_client.import_key(unique("imppub"), jwk)
    assert err.value.status_code == 400
    # An oct key of an unsupported length.
    with pytest.raises(HttpResponseError) as err:
        key_client.import_key(unique("impoct"), JsonWebKey(kty=KeyType.oct_hsm, k=os.urandom(20)), hardware_protected=True)
    assert err.value.status_code == 400


# --- update_key_properties and usage rules --------------------------------------------


def test_disabled_key_refuses_every_operation(key_client, unique):
    name = unique("disabled")
    key_client.create_rsa_key(name)
    updated = key_client.update_key_properties(name, enabled=False)
    assert updated.properties.enabled is False
    for op, body in [
        ("encrypt", {"alg": "RSA-OAEP", "value": b64url(b"x")}),
        ("sign", {"alg": "RS256", "value": b64url(bytes(32))}),
        ("verify", {"alg": "RS256", "digest": b64url(bytes(32)), "value": b64url(bytes(256))}),
        ("wrapkey", {"alg": "RSA-OAEP", "value": b64url(bytes(32))}),
    ]:
        status, body = raw(key_client, "POST", f"/keys/{name}/{op}", body)
        assert status == 403, (op, body)
        assert body["error"]["code"] == "Forbidden"
        assert "disabled" in body["error"]["message"]
    key_client.update_key_properties(name, enabled=True)
    status, _ = raw(key_client, "POST", f"/keys/{name}/encrypt", {"alg": "RSA-OAEP", "value": b64url(b"x")})
    assert status == 200


def test_expired_and_not_yet_valid_keys(key_client, unique):
    """Outside nbf/exp the service refuses encrypt, wrap and sign but still allows
    decrypt, unwrap and verify (so data made while the key was valid stays usable)."""
    name = unique("window")
    private = rsa.generate_private_key(65537, 2048)
    key_client.import_key(name, rsa_jwk(private))
    public = private.public_key()
    digest = hashlib.sha256(b"window").digest()
    signature = private.sign(digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
    ciphertext = public.encrypt(b"old data", padding.OAEP(padding.MGF1(hashes.SHA1()), hashes.SHA1(), None))
    now = datetime.datetime.now(datetime.timezone.utc)
    for attrs in [
        {"expires_on": now - datetime.timedelta(days=1)},
        {"not_before": now + datetime.timedelta(days=1), "expires_on": now + datetime.timedelta(days=2)},
    ]:
        key_client.update_key_properties(name, **attrs)
        status, body = raw(key_client, "POST", f"/keys/{name}/encrypt", {"alg": "RSA-OAEP", "value": b64url(b"x")})
        assert status == 403, body
        status, body = raw(key_client, "POST", f"/keys/{name}/sign", {"alg": "RS256", "value": b64url(digest)})
        assert status == 403, body
        status, body = raw(key_client, "POST", f"/keys/{name}/wrapkey", {"alg": "RSA-OAEP", "value": b64url(bytes(32))})
        assert status == 403, body
        status, body = raw(key_client, "POST", f"/keys/{name}/decrypt", {"alg": "RSA-OAEP", "value": b64url(ciphertext)})
        assert status == 200, body
        assert unb64url(body["value"]) == b"old data"
        status, body = raw(key_client, "POST", f"/keys/{name}/unwrapkey", {"alg": "RSA-OAEP", "value": b64url(ciphertext)})
        assert status == 200, body
        status, body = raw(
            key_client, "POST", f"/keys/{name}/verify", {"alg": "RS256", "digest": b64url(digest), "value": b64url(signature)}
        )
        assert status == 200 and body["value"] is True, body


def test_update_rejects_nbf_after_exp(key_client, unique):
    name = unique("nbfexp")
    key_client.create_ec_key(name, curve=KeyCurveName.p_256)
    now = datetime.datetime.now(datetime.timezone.utc)
    with pytest.raises(HttpResponseError) as err:
        key_client.update_key_properties(name, not_before=now + datetime.timedelta(days=2), expires_on=now)
    assert err.value.status_code == 400


def test_tags_replace_and_key_ops_narrowed(key_client, unique):
    name = unique("upd")
    key = key_client.create_rsa_key(name, tags={"a": "1", "b": "2"})
    updated = key_client.update_key_properties(name, tags={"c": "3"})
    assert updated.properties.tags == {"c": "3"}
    assert updated.properties.updated_on >= key.properties.updated_on
    # Other fields are untouched by a tags-only update.
    assert updated.properties.enabled is True
    assert sorted(updated.key_operations) == sorted(key.key_operations)
    narrowed = key_client.update_key_properties(name, key_operations=[KeyOperation.verify])
    assert narrowed.key_operations == ["verify"]
    assert narrowed.properties.tags == {"c": "3"}
    status, body = raw(key_client, "POST", f"/keys/{name}/sign", {"alg": "RS256", "value": b64url(bytes(32))})
    assert status == 403, body
    status, body = raw(key_client, "POST", f"/keys/{name}/decrypt", {"alg": "RSA-OAEP", "value": b64url(bytes(256))})
    assert status == 403, body
    # Updating one version leaves the others alone.
    second = key_client.create_rsa_key(name)
    assert sorted(second.key_operations) == sorted(key.key_operations)
    first = key_client.get_key(name, key.properties.version)
    assert first.key_operations == ["verify"]


def test_update_missing_key_is_404(key_client, unique):
    with pytest.raises(ResourceNotFoundError):
        key_client.update_key_properties(unique("nokey"), enabled=False)


# --- listing --------------------------------------------------------------------------


def test_list_paging_and_attributes(key_client, unique):
    prefix = unique("lst")
    for i in range(5):
        key_client.create_ec_key(f"{prefix}-{i}", curve=KeyCurveName.p_256)
    pages = [list(p) for p in key_client.list_properties_of_keys(max_page_size=2).by_page()]
    assert all(len(p) <= 2 for p in pages)
    mine = [k for p in pages for k in p if k.name.startswith(prefix)]
    assert sorted(k.name for k in mine) == [f"{prefix}-{i}" for i in range(5)]
    now = datetime.datetime.now(datetime.timezone.utc)
    for props in mine:
        assert props.managed is None
        assert props.enabled is True
        assert props.version is None  # the list shows the key, not a version
        assert abs((props.created_on - now).total_seconds()) < 600
        assert props.updated_on >= props.created_on
        assert props.recovery_level == "CustomizedRecoverable+Purgeable"
        assert props.recoverable_days == 7

    name = f"{prefix}-0"
    versions = {key_client.get_key(name).properties.version}
    for _ in range(4):
        versions.add(key_client.create_ec_key(name, curve=KeyCurveName.p_256).properties.version)
    pages = [list(p) for p in key_client.list_properties_of_key_versions(name, max_page_size=2).by_page()]
    assert len(pages) >= 3 and all(len(p) <= 2 for p in pages)
    assert {v.version for p in pages for v in p} == versions
    # As the service: a name with no key has no versions (an empty list, not a 404).
    assert list(key_client.list_properties_of_key_versions(unique("nokey"))) == []
    assert list(key_client.list_properties_of_key_versions(name.upper())) != []


def test_list_deleted_paging(key_client, unique):
    prefix = unique("ldel")
    for i in range(3):
        key_client.create_ec_key(f"{prefix}-{i}", curve=KeyCurveName.p_256)
        key_client.begin_delete_key(f"{prefix}-{i}").result()
    pages = [list(p) for p in key_client.list_deleted_keys(max_page_size=1).by_page()]
    assert all(len(p) <= 1 for p in pages)
    mine = [d for p in pages for d in p if d.name.startswith(prefix)]
    assert len(mine) == 3
    for deleted in mine:
        assert deleted.recovery_id.endswith(f"/deletedkeys/{deleted.name}")
        assert deleted.deleted_date is not None
        assert (deleted.scheduled_purge_date - deleted.deleted_date).days == 7
        assert deleted.properties.recovery_level == "CustomizedRecoverable+Purgeable"
    # Deleted keys are not listed as keys.
    assert not [k for k in key_client.list_properties_of_keys() if k.name.startswith(prefix)]


def test_delete_recover_pollers(key_client, unique):
    name = unique("poll")
    key = key_client.create_rsa_key(name, tags={"t": "v"})
    poller = key_client.begin_delete_key(name)
    deleted = poller.result()
    assert poller.done()
    assert deleted.id == key.id
    assert deleted.key.n == key.key.n
    assert deleted.properties.tags == {"t": "v"}
    assert deleted.recovery_id.endswith(f"/deletedkeys/{name}")
    assert deleted.scheduled_purge_date > deleted.deleted_date
    got = key_client.get_deleted_key(name)
    assert got.recovery_id == deleted.recovery_id
    poller = key_client.begin_recover_deleted_key(name)
    recovered = poller.result()
    assert poller.done()
    assert recovered.id == key.id
    assert key_client.get_key(name).properties.tags == {"t": "v"}


# --- rotation -------------------------------------------------------------------------


def test_default_rotation_policy(key_client, unique):
    name = unique("rotdef")
    key_client.create_ec_key(name, curve=KeyCurveName.p_256)
    policy = key_client.get_key_rotation_policy(name)
    if ON_HSM:
        # A Managed HSM answers an empty policy: empty id and expiryTime, zero times, no
        # actions (Java KeyAsyncClientManagedHsmTest recording, 2026).
        assert not policy.id
        assert not policy.expires_in
        assert not policy.lifetime_actions
    else:
        # A vault answers the default without an id and with "attributes": null (.NET and
        # JS recordings).
        assert policy.id is None
        assert policy.expires_in is None
        assert len(policy.lifetime_actions) == 1
        action = policy.lifetime_actions[0]
        assert action.action.lower() == "notify"
        assert action.time_before_expiry == "P30D"
    with pytest.raises(ResourceNotFoundError):
        key_client.get_key_rotation_policy(unique("nokey"))


def test_policy_without_notify_gets_the_default_notify(key_client, unique):
    """As a vault does: a policy set without a Notify action (even an empty one) comes
    back with "notify 30 days before expiry" added. A Managed HSM adds none."""
    name = unique("rotnot")
    key_client.create_ec_key(name, curve=KeyCurveName.p_256)
    policy = key_client.update_key_rotation_policy(name, KeyRotationPolicy())
    expected = [] if ON_HSM else [("notify", "P30D")]
    assert [(a.action.lower(), a.time_before_expiry) for a in policy.lifetime_actions] == expected
    created = policy.created_on
    actions = [KeyRotationLifetimeAction(KeyRotationPolicyAction.rotate, time_after_create="P2M")]
    policy = key_client.update_key_rotation_policy(name, KeyRotationPolicy(lifetime_actions=actions))
    got = [(a.action.lower(), a.time_after_create, a.time_before_expiry) for a in policy.lifetime_actions]
    default_notify = [] if ON_HSM else [("notify", None, "P30D")]
    assert got == [("rotate", "P2M", None)] + default_notify
    assert policy.created_on == created
    fetched = key_client.get_key_rotation_policy(name)
    assert len(fetched.lifetime_actions) == 1 + len(default_notify)
    actions = [KeyRotationLifetimeAction(KeyRotationPolicyAction.notify, time_before_expiry="P60D")]
    policy = key_client.update_key_rotation_policy(name, KeyRotationPolicy(lifetime_actions=actions, expires_in="P90D"))
    assert [(a.action.lower(), a.time_before_expiry) for a in policy.lifetime_actions] == [("notify", "P60D")]


def test_rotation_policy_rotate_and_notify(key_client, unique):
    name = unique("rotboth")
    key = key_client.create_rsa_key(name, size=3072, tags={"k": "v"}, key_operations=[KeyOperation.sign, KeyOperation.verify])
    actions = [
        KeyRotationLifetimeAction(KeyRotationPolicyAction.rotate, time_before_expiry="P30D"),
        KeyRotationLifetimeAction(KeyRotationPolicyAction.notify, time_before_expiry="P10D"),
    ]
    policy = key_client.update_key_rotation_policy(name, KeyRotationPolicy(lifetime_actions=actions, expires_in="P90D"))
    assert policy.expires_in == "P90D"
    assert policy.created_on is not None and policy.updated_on is not None
    got = {a.action.lower(): a.time_before_expiry for a in key_client.get_key_rotation_policy(name).lifetime_actions}
    assert got == {"rotate": "P30D", "notify": "P10D"}
    rotated = key_client.rotate_key(name)
    assert rotated.properties.version != key.properties.version
    assert rotated.key_type == key.key_type and len(rotated.key.n) == len(key.key.n)
    assert rotated.key.n != key.key.n
    assert rotated.properties.tags == {"k": "v"}
    assert sorted(rotated.key_operations) == ["sign", "verify"]
    # expires_in applies to the new version.
    assert rotated.properties.expires_on is not None
    span = rotated.properties.expires_on - rotated.properties.created_on
    assert abs(span.days - 90) <= 1
    assert key_client.get_key(name).properties.version == rotated.properties.version


@pytest.mark.parametrize(
    "actions,expires_in",
    [
        ([KeyRotationLifetimeAction(KeyRotationPolicyAction.notify, time_after_create="P30D")], None),
        ([KeyRotationLifetimeAction(KeyRotationPolicyAction.rotate, time_after_create="P1D")], None),
        ([KeyRotationLifetimeAction(KeyRotationPolicyAction.rotate, time_after_create="bogus")], None),
        ([KeyRotationLifetimeAction(KeyRotationPolicyAction.rotate, time_after_create="P30D", time_before_expiry="P30D")], None),
        ([KeyRotationLifetimeAction(KeyRotationPolicyAction.rotate, time_after_create="P30D")], "P1D"),
        ([KeyRotationLifetimeAction(KeyRotationPolicyAction.notify, time_before_expiry="P60D")], "P30D"),
    ],
)
def test_invalid_rotation_policies_are_400(key_client, unique, actions, expires_in):
    name = unique("rotbad")
    key_client.create_ec_key(name, curve=KeyCurveName.p_256)
    with pytest.raises(HttpResponseError) as err:
        key_client.update_key_rotation_policy(name, KeyRotationPolicy(lifetime_actions=actions, expires_in=expires_in))
    assert err.value.status_code == 400
    assert error_code(err) == "BadParameter"


def test_rotate_missing_key_is_404(key_client, unique):
    with pytest.raises(ResourceNotFoundError):
        key_client.rotate_key(unique("nokey"))


# --- misc -----------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 64, 128])
def test_random_bytes_counts(key_client, count):
    assert len(key_client.get_random_bytes(count)) == count


def test_random_bytes_out_of_range(key_client):
    with pytest.raises(ValueError):
        key_client.get_random_bytes(0)  # refused by the SDK itself
    for count in [0, 129]:
        status, body = raw(key_client, "POST", "/rng", {"count": count})
        assert status == 400 and body["error"]["code"] == "BadParameter", body
    with pytest.raises(HttpResponseError) as err:
        key_client.get_random_bytes(129)
    assert err.value.status_code == 400


def test_get_key_empty_version_and_trailing_slash(key_client, unique):
    name = unique("slash")
    key_client.create_ec_key(name, curve=KeyCurveName.p_256)
    latest = key_client.create_ec_key(name, curve=KeyCurveName.p_256)
    assert key_client.get_key(name, version="").id == latest.id
    status, body = raw(key_client, "GET", f"/keys/{name}/")
    assert status == 200 and body["key"]["kid"] == latest.id


def test_backup_restore_conflicts_and_versions(key_client, unique):
    name = unique("bakv")
    first = key_client.create_rsa_key(name)
    second = key_client.create_rsa_key(name)
    blob = key_client.backup_key(name)
    with pytest.raises(ResourceExistsError):
        key_client.restore_key_backup(blob)
    key_client.begin_delete_key(name).result()
    with pytest.raises(ResourceExistsError):
        key_client.restore_key_backup(blob)  # soft-deleted still holds the name
    key_client.purge_deleted_key(name)
    restored = key_client.restore_key_backup(blob)
    assert restored.id == second.id
    assert key_client.get_key(name, first.properties.version).key.n == first.key.n
    with pytest.raises(ResourceNotFoundError):
        key_client.backup_key(unique("nokey"))
    # A blob too short for its own header is "malformed" (.NET and Java recordings of
    # b"non-existing"); other unreadable blobs have an "invalid or corrupt version" (what
    # the JS tests assert for 8693 zero bytes).
    # A Managed HSM refuses both as made in another security domain (.NET ManagedHsmLiveTests).
    for blob, code, message in [
        (b"not a backup", "Malformed backup blob", "Backup blob is corrupt."),
        (bytes(8693), "Malformed backup blob", "Backup blob contains invalid or corrupt version."),
    ]:
        with pytest.raises(HttpResponseError) as err:
            key_client.restore_key_backup(blob)
        assert err.value.status_code == 400
        if ON_HSM:
            assert err.value.error.code == "MalformedBackupBlob"
            assert err.value.error.message.startswith(
                "Backup blob belongs to a different crypto domain and cannot be used with this instance. (Activity ID: "
            )
        else:
            assert err.value.error.code == code
            assert err.value.error.message == message


# --- more SDK surface -----------------------------------------------------------------


def test_create_with_attributes_and_public_exponent(key_client, unique):
    name = unique("attrs")
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    nbf, exp = now - datetime.timedelta(hours=1), now + datetime.timedelta(days=30)
    key = key_client.create_rsa_key(
        name, size=3072, public_exponent=65537, enabled=False, not_before=nbf, expires_on=exp, tags={"x": "y"}
    )
    assert key.properties.enabled is False
    assert key.properties.not_before == nbf and key.properties.expires_on == exp
    assert int.from_bytes(key.key.e, "big") == 65537
    assert len(key.key.n) == 384
    hsm = key_client.create_key(unique("hsm"), KeyType.rsa_hsm)
    assert hsm.key_type == KeyType.rsa_hsm and len(hsm.key.n) == 256
    ec_default = key_client.create_ec_key(unique("ecdef"))
    assert ec_default.key.crv == KeyCurveName.p_256
    ec_hsm = key_client.create_ec_key(unique("echsm"), curve=KeyCurveName.p_521, hardware_protected=True)
    assert ec_hsm.key_type == KeyType.ec_hsm and len(ec_hsm.key.x) == 66


def test_key_names_are_case_insensitive(key_client, unique):
    name = unique("Case").replace("case", "CaSe")
    key = key_client.create_ec_key(name, curve=KeyCurveName.p_256)
    fetched = key_client.get_key(name.lower())
    assert fetched.properties.version == key.properties.version
    second = key_client.create_ec_key(name.upper(), curve=KeyCurveName.p_256)
    versions = list(key_client.list_properties_of_key_versions(name))
    assert {v.version for v in versions} == {key.properties.version, second.properties.version}


def test_get_cryptography_client_from_key_client(key_client, unique):
    name = unique("getcc")
    first = key_client.create_ec_key(name, curve=KeyCurveName.p_384)
    second = key_client.create_ec_key(name, curve=KeyCurveName.p_384)
    digest = hashlib.sha384(b"cc").digest()
    latest = key_client.get_cryptography_client(name)
    assert latest.sign(SignatureAlgorithm.es384, digest).key_id == second.id
    pinned = key_client.get_cryptography_client(name, key_version=first.properties.version)
    signed = pinned.sign(SignatureAlgorithm.es384, digest)
    assert signed.key_id == first.id
    assert pinned.verify(SignatureAlgorithm.es384, digest, signed.signature).is_valid


def test_list_resumes_from_continuation_token(key_client, unique):
    prefix = unique("cont")
    for i in range(3):
        key_client.create_ec_key(f"{prefix}-{i}", curve=KeyCurveName.p_256)
    pager = key_client.list_properties_of_keys(max_page_size=1).by_page()
    first = list(next(pager))
    token = pager.continuation_token
    assert token
    resumed = key_client.list_properties_of_keys(max_page_size=1).by_page(continuation_token=token)
    rest = [k.name for page in resumed for k in page]
    assert first[0].name not in rest
    assert {f"{prefix}-{i}" for i in range(3)} <= set(rest) | {first[0].name}


def test_update_a_specific_version(key_client, unique):
    name = unique("updver")
    first = key_client.create_ec_key(name, curve=KeyCurveName.p_256)
    second = key_client.create_ec_key(name, curve=KeyCurveName.p_256)
    updated = key_client.update_key_properties(name, first.properties.version, enabled=False, tags={"old": "1"})
    assert updated.id == first.id and updated.properties.enabled is False
    assert key_client.get_key(name).properties.enabled is True
    assert key_client.get_key(name).id == second.id
    listed = {v.version: v for v in key_client.list_properties_of_key_versions(name)}
    assert listed[first.properties.version].enabled is False
    assert listed[first.properties.version].tags == {"old": "1"}
    assert listed[second.properties.version].enabled is True


def test_import_replaces_latest_version(key_client, unique):
    name = unique("impver")
    created = key_client.create_ec_key(name, curve=KeyCurveName.p_256)
    imported = key_client.import_key(name, ec_jwk(ec.generate_private_key(ec.SECP256R1()), KeyCurveName.p_256), enabled=False)
    assert imported.properties.version != created.properties.version
    assert imported.properties.enabled is False
    assert key_client.get_key(name).id == imported.id
