// The official Azure SDK for JavaScript (@azure/keyvault-keys) against kv-emulator.
//
// Run by crates/kv-emulator/tests/js_interop.rs, which installs the pinned packages, starts
// the emulator and sets KV_EMULATOR_PORT and NODE_EXTRA_CA_CERTS (the emulator's
// certificate). KV_PERSONALITY picks the instance the tests talk to: `vault`
// (jsvault.vault.localhost) or `managedhsm` (jshsm.managedhsm.localhost); the emulator
// answers as the service's vault or Managed HSM by host name.
import assert from "node:assert/strict";
import { createHash, createPublicKey, generateKeyPairSync, randomUUID, verify } from "node:crypto";
import dns from "node:dns";
import { describe, it } from "node:test";

// Names under `.localhost` resolve to the loopback address here, whatever the resolver.
const realLookup = dns.lookup;
dns.lookup = (host, options, callback) =>
  realLookup(host.endsWith(".localhost") ? "127.0.0.1" : host, options, callback);

const { CryptographyClient, KeyClient, KnownKeyOperations, parseKeyVaultKeyIdentifier } =
  await import("@azure/keyvault-keys");

const PORT = process.env.KV_EMULATOR_PORT;
assert.ok(PORT, "KV_EMULATOR_PORT is set by the Rust runner");
const PERSONALITY = process.env.KV_PERSONALITY ?? "vault";
const HSM = PERSONALITY === "managedhsm";
const URL_ = HSM
  ? `https://jshsm.managedhsm.localhost:${PORT}`
  : `https://jsvault.vault.localhost:${PORT}`;

// The emulator accepts any bearer token; the SDK still runs its challenge handshake.
const credential = {
  getToken: async () => ({ token: "fake-token", expiresOnTimestamp: Date.now() + 3600_000 }),
};
// The challenge's resource is the public cloud's; the emulator's host is not under it.
const options = { disableChallengeResourceVerification: true };
const client = new KeyClient(URL_, credential, options);
const poll = { intervalInMs: 50 };

const unique = (prefix) => `${prefix}-${randomUUID().slice(0, 8)}`;
const sha256 = (data) => createHash("sha256").update(data).digest();

async function collect(iterable) {
  const out = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function deleteAndPurge(name) {
  const poller = await client.beginDeleteKey(name, poll);
  await poller.pollUntilDone();
  await client.purgeDeletedKey(name);
}

describe(`KeyClient against the emulator (${PERSONALITY})`, () => {
  it("creates, reads, updates and lists keys and versions", async () => {
    const name = unique("js-crud");
    const created = await client.createRsaKey(name, {
      keySize: 2048,
      tags: { team: "interop" },
      keyOps: ["sign", "verify"],
    });
    assert.equal(created.name, name);
    assert.equal(created.keyType, HSM ? "RSA-HSM" : "RSA");
    assert.deepEqual(created.keyOperations, ["sign", "verify"]);
    assert.equal(created.properties.enabled, true);
    assert.equal(created.properties.tags.team, "interop");
    assert.ok(created.properties.createdOn instanceof Date);
    assert.equal(created.key.n.length, 256);
    assert.ok(created.properties.recoveryLevel.includes("Recoverable"));

    const parsed = parseKeyVaultKeyIdentifier(created.id);
    assert.equal(parsed.name, name);
    assert.equal(parsed.version, created.properties.version);
    assert.equal(parsed.vaultUrl, URL_);

    const second = await client.createRsaKey(name);
    assert.notEqual(second.properties.version, created.properties.version);
    const latest = await client.getKey(name);
    assert.equal(latest.properties.version, second.properties.version);
    const first = await client.getKey(name, { version: created.properties.version });
    assert.equal(first.id, created.id);

    const expiresOn = new Date(Date.now() + 86_400_000);
    expiresOn.setMilliseconds(0);
    const updated = await client.updateKeyProperties(name, created.properties.version, {
      enabled: false,
      expiresOn,
      tags: { team: "changed" },
    });
    assert.equal(updated.properties.enabled, false);
    assert.equal(updated.properties.expiresOn.getTime(), expiresOn.getTime());
    assert.equal(updated.properties.tags.team, "changed");

    const versions = await collect(client.listPropertiesOfKeyVersions(name));
    assert.deepEqual(
      versions.map((v) => v.version).sort(),
      [created.properties.version, second.properties.version].sort(),
    );
    const all = await collect(client.listPropertiesOfKeys());
    assert.ok(all.some((p) => p.name === name));
    await deleteAndPurge(name);
  });

  it("pages through more keys than one page holds", async () => {
    const prefix = unique("js-page");
    const names = [];
    for (let i = 0; i < 30; i++) names.push(`${prefix}-${i}`);
    await Promise.all(names.map((n) => client.createEcKey(n, { curve: "P-256" })));
    const pages = [];
    for await (const page of client.listPropertiesOfKeys().byPage({ maxPageSize: 7 })) {
      pages.push(page);
    }
    const seen = pages.flat().map((p) => p.name).filter((n) => n.startsWith(prefix));
    assert.deepEqual(seen.sort(), [...names].sort());
    assert.ok(pages.length > 1, "more than one page");
    await Promise.all(names.map(deleteAndPurge));
  });

  it("deletes, lists deleted, recovers and purges", async () => {
    const name = unique("js-delete");
    const created = await client.createEcKey(name, { curve: "P-384" });
    const poller = await client.beginDeleteKey(name, poll);
    const deleted = await poller.pollUntilDone();
    assert.equal(deleted.name, name);
    assert.ok(deleted.properties.deletedOn instanceof Date);
    assert.ok(deleted.properties.scheduledPurgeDate instanceof Date);
    assert.ok(deleted.properties.recoveryId.endsWith(`/deletedkeys/${name}`));

    const fetched = await client.getDeletedKey(name);
    assert.equal(fetched.id, created.id);
    const listed = await collect(client.listDeletedKeys());
    assert.ok(listed.some((k) => k.name === name));

    await assert.rejects(client.getKey(name), (e) => e.statusCode === 404 && e.code === "KeyNotFound");
    // Deleting again while the key is deleted is a conflict, not a second deletion.
    await assert.rejects(client.createEcKey(name), (e) => e.statusCode === 409);

    const recover = await client.beginRecoverDeletedKey(name, poll);
    const recovered = await recover.pollUntilDone();
    assert.equal(recovered.id, created.id);
    assert.equal((await client.getKey(name)).id, created.id);

    await deleteAndPurge(name);
    await assert.rejects(client.getDeletedKey(name), (e) => e.statusCode === 404);
  });

  it("backs up a key and restores it after a purge", async () => {
    const name = unique("js-backup");
    const created = await client.createRsaKey(name);
    const blob = await client.backupKey(name);
    assert.ok(blob instanceof Uint8Array && blob.length > 100);
    await deleteAndPurge(name);
    const restored = await client.restoreKeyBackup(blob);
    assert.equal(restored.id, created.id);
    assert.deepEqual(restored.key.n, created.key.n);
    // Restoring over a live key is refused.
    await assert.rejects(client.restoreKeyBackup(blob), (e) => e.statusCode === 409);
    await deleteAndPurge(name);
  });

  it("rotates keys and keeps a rotation policy", async () => {
    const name = unique("js-rotate");
    const created = await client.createEcKey(name, { curve: "P-256" });
    const rotated = await client.rotateKey(name);
    assert.notEqual(rotated.properties.version, created.properties.version);
    assert.equal(rotated.keyType, created.keyType);

    const policy = await client.updateKeyRotationPolicy(name, {
      expiresIn: "P90D",
      lifetimeActions: [{ action: "Rotate", timeBeforeExpiry: "P30D" }],
    });
    assert.equal(policy.expiresIn, "P90D");
    const got = await client.getKeyRotationPolicy(name);
    assert.equal(got.expiresIn, "P90D");
    const rotate = got.lifetimeActions.find((a) => a.action === "Rotate");
    assert.equal(rotate.timeBeforeExpiry, "P30D");
    assert.ok(got.lifetimeActions.some((a) => a.action === "Notify") || HSM);
    await deleteAndPurge(name);
  });

  it("imports a key and refuses bad input with the service's errors", async () => {
    const name = unique("js-import");
    const source = await client.createEcKey(unique("js-src"), { curve: "P-256" });
    // An imported public key alone is refused: Key Vault needs the private part.
    await assert.rejects(
      client.importKey(name, { kty: "EC", crv: "P-256", x: source.key.x, y: source.key.y }),
      (e) => e.statusCode === 400,
    );
    await assert.rejects(client.createRsaKey("bad_name!"), (e) => e.statusCode === 400);
    await assert.rejects(client.getKey(unique("js-missing")), (e) => e.statusCode === 404);
    await assert.rejects(
      client.getKey(source.name, { version: "0123456789abcdef0123456789abcdef" }),
      (e) => e.statusCode === 404 && e.code === "KeyNotFound",
    );
    await deleteAndPurge(source.name);
  });

  it("imports RSA and EC private keys made by node and signs with them", async () => {
    const fromNode = (key) => {
      const jwk = key.export({ format: "jwk" });
      const bytes = {};
      for (const [k, v] of Object.entries(jwk)) {
        bytes[k] = ["kty", "crv"].includes(k) ? v : Buffer.from(v, "base64url");
      }
      return bytes;
    };
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const rsaName = unique("js-import-rsa");
    const imported = await client.importKey(rsaName, { ...fromNode(rsa.privateKey), keyOps: ["sign", "verify"] }, {
      hardwareProtected: HSM,
      tags: { from: "node" },
    });
    assert.equal(imported.keyType, HSM ? "RSA-HSM" : "RSA");
    assert.equal(imported.key.d, undefined, "the private part never comes back");
    assert.deepEqual(Buffer.from(imported.key.n), fromNode(rsa.publicKey).n);
    const digest = sha256("imported");
    const signed = await new CryptographyClient(imported.id, credential, options).sign("PS256", digest);
    assert.ok(
      verify("sha256", Buffer.from("imported"), {
        key: rsa.publicKey,
        padding: 6, // RSA_PKCS1_PSS_PADDING
        saltLength: 32,
      }, Buffer.from(signed.result)),
      "node verifies the service's PS256 signature",
    );

    const ec = generateKeyPairSync("ec", { namedCurve: "P-384" });
    const ecName = unique("js-import-ec");
    const ecKey = await client.importKey(ecName, fromNode(ec.privateKey));
    assert.equal(ecKey.key.crv, "P-384");
    const ecSig = await new CryptographyClient(ecKey.id, credential, options).sign("ES384", createHash("sha384").update("ec").digest());
    assert.ok(
      verify("sha384", Buffer.from("ec"), { key: ec.publicKey, dsaEncoding: "ieee-p1363" }, Buffer.from(ecSig.result)),
      "node verifies the service's ES384 signature",
    );
    // The public JWK the service returns is the imported key.
    const publicJwk = createPublicKey({ key: { kty: "EC", crv: "P-384", x: Buffer.from(ecKey.key.x).toString("base64url"), y: Buffer.from(ecKey.key.y).toString("base64url") }, format: "jwk" });
    assert.ok(publicJwk.equals(ec.publicKey));
    await deleteAndPurge(rsaName);
    await deleteAndPurge(ecName);
  });

  it("signs with secp256k1 keys", async () => {
    const name = unique("js-k1");
    const key = await client.createEcKey(name, { curve: "P-256K" });
    assert.equal(key.key.crv, "P-256K");
    const crypto = new CryptographyClient(key.id, credential, options);
    const signed = await crypto.sign("ES256K", sha256("k1"));
    assert.equal((await crypto.verify("ES256K", sha256("k1"), signed.result)).result, true);
    await deleteAndPurge(name);
  });

  it("signs and verifies through the service and locally", async () => {
    const name = unique("js-sign");
    const key = await client.createEcKey(name, { curve: "P-256" });
    const digest = sha256("hello");
    const remote = new CryptographyClient(key.id, credential, options);
    const signed = await remote.sign("ES256", digest);
    assert.equal(signed.algorithm, "ES256");
    assert.equal(signed.keyID, key.id);
    assert.equal(signed.result.length, 64);
    assert.equal((await remote.verify("ES256", digest, signed.result)).result, true);
    assert.equal((await remote.verify("ES256", sha256("other"), signed.result)).result, false);
    const data = await remote.signData("ES256", Buffer.from("data"));
    assert.equal((await remote.verifyData("ES256", Buffer.from("data"), data.result)).result, true);

    // The SDK verifies RSA PKCS#1 v1.5 signatures locally from the public JWK the emulator
    // returned. (Its local verifyData checks PS* signatures with PKCS#1 v1.5 padding too, so
    // they never verify there, whoever signed; digests are verified by the service.)
    const rsaName = unique("js-sign-rsa");
    const rsa = await client.createRsaKey(rsaName);
    const rsaRemote = new CryptographyClient(rsa.id, credential, options);
    const local = new CryptographyClient(rsa.key);
    for (const algorithm of ["RS256", "RS384", "RS512"]) {
      const s = await rsaRemote.signData(algorithm, Buffer.from("hello"));
      assert.equal((await local.verifyData(algorithm, Buffer.from("hello"), s.result)).result, true);
    }
    for (const [algorithm, hash] of [["PS256", "sha256"], ["PS384", "sha384"], ["PS512", "sha512"]]) {
      const digest = createHash(hash).update("hello").digest();
      const s = await rsaRemote.sign(algorithm, digest);
      assert.equal((await rsaRemote.verify(algorithm, digest, s.result)).result, true);
      const other = createHash(hash).update("other").digest();
      assert.equal((await rsaRemote.verify(algorithm, other, s.result)).result, false);
    }
    await deleteAndPurge(name);
    await deleteAndPurge(rsaName);
  });

  it("encrypts, decrypts, wraps and unwraps with RSA", async () => {
    const name = unique("js-rsa");
    const key = await client.createRsaKey(name, { keySize: 2048 });
    const crypto = client.getCryptographyClient(name, { keyVersion: key.properties.version });
    const plaintext = Buffer.from("a secret");
    for (const algorithm of ["RSA-OAEP", "RSA-OAEP-256", "RSA1_5"]) {
      const encrypted = await crypto.encrypt({ algorithm, plaintext });
      assert.equal(encrypted.result.length, 256);
      const decrypted = await crypto.decrypt({ algorithm, ciphertext: encrypted.result });
      assert.deepEqual(Buffer.from(decrypted.result), plaintext);
    }
    // A ciphertext made locally from the public key opens in the service.
    const local = new CryptographyClient(key.key);
    const sealed = await local.encrypt({ algorithm: "RSA-OAEP", plaintext });
    assert.deepEqual(Buffer.from((await crypto.decrypt({ algorithm: "RSA-OAEP", ciphertext: sealed.result })).result), plaintext);

    const cek = Buffer.alloc(32, 7);
    const wrapped = await crypto.wrapKey("RSA-OAEP-256", cek);
    assert.deepEqual(Buffer.from((await crypto.unwrapKey("RSA-OAEP-256", wrapped.result)).result), cek);
    await assert.rejects(
      crypto.decrypt({ algorithm: "RSA-OAEP", ciphertext: Buffer.alloc(256, 1) }),
      (e) => e.statusCode === 400,
    );
    await deleteAndPurge(name);
  });

  it("honours key operations and disabled keys", async () => {
    const name = unique("js-ops");
    const key = await client.createRsaKey(name, { keyOps: [KnownKeyOperations.Verify] });
    const crypto = new CryptographyClient(key.id, credential, options);
    // The SDK reads the key's operations from the emulator and refuses before sending.
    await assert.rejects(crypto.sign("RS256", sha256("x")), /Operation sign is not supported/);

    // A disabled key: the service refuses private-key operations with 403.
    const other = unique("js-disabled");
    const disabled = await client.createRsaKey(other);
    await client.updateKeyProperties(other, disabled.properties.version, { enabled: false });
    const remote = new CryptographyClient(disabled.id, credential, options);
    await assert.rejects(
      remote.decrypt({ algorithm: "RSA-OAEP", ciphertext: Buffer.alloc(256, 1) }),
      (e) => e.statusCode === 403,
    );
    await assert.rejects(client.getKey(other).then(() => remote.sign("RS256", sha256("x"))), (e) => e.statusCode === 403);
    await deleteAndPurge(name);
    await deleteAndPurge(other);
  });

  it("uses symmetric keys where the personality has them", { skip: !HSM }, async () => {
    const name = unique("js-oct");
    const key = await client.createOctKey(name, { keySize: 256, hsm: true });
    assert.equal(key.keyType, "oct-HSM");
    const crypto = new CryptographyClient(key.id, credential, options);
    const plaintext = Buffer.from("symmetric secret");
    const aad = Buffer.from("context");
    const gcm = await crypto.encrypt({ algorithm: "A256GCM", plaintext, additionalAuthenticatedData: aad });
    assert.equal(gcm.authenticationTag.length, 16);
    assert.equal(gcm.iv.length, 12);
    const opened = await crypto.decrypt({
      algorithm: "A256GCM",
      ciphertext: gcm.result,
      iv: gcm.iv,
      authenticationTag: gcm.authenticationTag,
      additionalAuthenticatedData: aad,
    });
    assert.deepEqual(Buffer.from(opened.result), plaintext);

    const iv = Buffer.alloc(16, 3);
    const cbc = await crypto.encrypt({ algorithm: "A256CBCPAD", plaintext, iv });
    assert.deepEqual(Buffer.from(cbc.iv), iv);
    const back = await crypto.decrypt({ algorithm: "A256CBCPAD", ciphertext: cbc.result, iv });
    assert.deepEqual(Buffer.from(back.result), plaintext);

    const wrapped = await crypto.wrapKey("A256KW", Buffer.alloc(32, 9));
    assert.equal(wrapped.result.length, 40);
    assert.deepEqual(Buffer.from((await crypto.unwrapKey("A256KW", wrapped.result)).result), Buffer.alloc(32, 9));
    await deleteAndPurge(name);
  });

  it("releases an exportable key for the emulator's own test attestation token", async () => {
    // As the SDK's own release tests: the token from `{attestation URL}/generate-test-token`,
    // the policy naming that URL as its authority and asking for `sdk-test`.
    const attestationUrl = URL_;
    const response = await fetch(`${attestationUrl}/generate-test-token`);
    assert.equal(response.status, 200);
    const { token } = await response.json();
    const policy = {
      anyOf: [{ anyOf: [{ claim: "sdk-test", equals: true }], authority: `${attestationUrl}/` }],
      version: "1.0.0",
    };
    const name = unique("js-release");
    const key = await client.createRsaKey(name, {
      exportable: true,
      hsm: true,
      releasePolicy: { encodedPolicy: new TextEncoder().encode(JSON.stringify(policy)) },
    });
    assert.equal(key.properties.exportable, true);
    assert.ok(key.properties.releasePolicy.encodedPolicy.length > 0);
    const released = await client.releaseKey(name, token);
    assert.ok(released.value.split(".").length === 3, "the release answer is a JWS");

    // A policy naming another authority refuses the same token.
    const other = unique("js-release-other");
    const otherPolicy = { ...policy, anyOf: [{ ...policy.anyOf[0], authority: "https://attest.example/" }] };
    await client.createRsaKey(other, {
      exportable: true,
      hsm: true,
      releasePolicy: { encodedPolicy: new TextEncoder().encode(JSON.stringify(otherPolicy)) },
    });
    await assert.rejects(client.releaseKey(other, token), (e) => e.statusCode === 403);
    await deleteAndPurge(name);
    await deleteAndPurge(other);
  });

  it("returns random bytes from a Managed HSM", { skip: !HSM }, async () => {
    const bytes = await client.getRandomBytes(32);
    assert.equal(bytes.length, 32);
    assert.notDeepEqual(Buffer.from(bytes), Buffer.alloc(32));
  });

  it("attests Managed HSM keys", { skip: !HSM }, async () => {
    const name = unique("js-attest");
    const key = await client.createRsaKey(name, { hsm: true });
    const attested = await client.getKeyAttestation(name, { version: key.properties.version });
    assert.equal(attested.id, key.id);
    const attestation = attested.properties.attestation;
    assert.ok(attestation, "the key carries its attestation");
    assert.ok(attestation.certificatePemFile.length > 0);
    assert.ok(attestation.privateKeyAttestation.length > 0);
    await deleteAndPurge(name);
  });
});
