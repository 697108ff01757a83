"""An independent decoder of kv-envelope envelopes, written from FORMAT.md alone.

Uses only the `cryptography` package. Usage: python kven_decode.py FILE.json...
Each file holds {"vectors": [...]}, each vector with "keks" (key_id, algorithm, key: hex
AES key), "context" (hex), "store_context", "plaintext" (hex) and "envelope" (hex); when it
also names "data_key" and "salt", those are checked too. Every vector must open with each
of its keys alone, and must fail with a wrong context. Exit status 0 when all pass.
"""

import json
import struct
import sys

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap

MAGIC = b"KVEN"
SUITE = 1
TAG = 16
AES_KW = {"A128KW": 16, "A192KW": 24, "A256KW": 32, "CKM_AES_KEY_WRAP": None}


class Reject(Exception):
    """The envelope does not open (malformed, wrong key, wrong context, tampered)."""


class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, n):
        if self.pos + n > len(self.data):
            raise Reject("truncated")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def u8(self):
        return self.take(1)[0]

    def u16(self):
        return struct.unpack(">H", self.take(2))[0]

    def u32(self):
        return struct.unpack(">I", self.take(4))[0]


def parse_header(data):
    r = Reader(data)
    if r.take(4) != MAGIC:
        raise Reject("bad magic")
    version, suite = r.u8(), r.u8()
    if version not in (1, 2) or suite != SUITE or r.take(2) != b"\0\0":
        raise Reject("unknown version or suite")
    segment_size = r.u32()
    if not 1 <= segment_size <= 16 << 20:
        raise Reject("segment size")
    salt, commitment = r.take(32), r.take(32)
    ctx_len = r.u32()
    if ctx_len > 64 << 10:
        raise Reject("context length")
    stored_context = r.take(ctx_len)
    authenticated = data[:r.pos]  # magic through the stored context
    count = 1 if version == 1 else r.u8()
    if not 1 <= count <= 16:
        raise Reject("key section count")
    sections = []
    for _ in range(count):
        kid_len = r.u16()
        if not 1 <= kid_len <= 2048:
            raise Reject("key id length")
        kid = r.take(kid_len).decode("utf-8")
        alg_len = r.u8()
        if not 1 <= alg_len <= 32:
            raise Reject("algorithm length")
        alg = r.take(alg_len).decode("ascii")
        w_len = r.u16()
        if not 1 <= w_len <= 1024:
            raise Reject("wrapped key length")
        sections.append((kid, alg, r.take(w_len)))
    tag = r.take(TAG)
    return {
        "version": version, "segment_size": segment_size, "salt": salt,
        "commitment": commitment, "stored_context": stored_context,
        "authenticated": authenticated, "sections": sections, "tag": tag,
        "length": r.pos,
    }


def key_schedule(data_key, salt, version):
    suffix = bytes([version, SUITE])
    out = []
    for label in (b"KVEN content key", b"KVEN key commitment"):
        out.append(HKDF(hashes.SHA512(), 32, salt, label + suffix).derive(data_key))
    return out  # content key, commitment


def nonce(counter, kind):
    return b"\0\0\0" + struct.pack(">Q", counter) + bytes([kind])


def open_envelope(data, kek_id, kek, context):
    """Opens `data` with the AES key-encryption key `kek` named `kek_id`."""
    h = parse_header(data)
    if h["stored_context"]:
        if context is not None and context != h["stored_context"]:
            raise Reject("context differs from the stored one")
        context = h["stored_context"]
    context = context or b""
    for kid, alg, wrapped in h["sections"]:
        if kid != kek_id:
            continue
        if alg not in AES_KW:
            raise Reject("this decoder's keys are AES key-wrap keys")
        try:
            data_key = aes_key_unwrap(kek, wrapped)
        except Exception as e:
            raise Reject("unwrap failed") from e
        if len(data_key) != 32:
            raise Reject("data key length")
        ck, commitment = key_schedule(data_key, h["salt"], h["version"])
        if commitment != h["commitment"]:
            raise Reject("commitment")
        break
    else:
        raise Reject("no key section for this key")
    gcm = AESGCM(ck)
    aad = h["authenticated"] + (b"" if h["stored_context"] else context)
    try:
        gcm.decrypt(nonce(0, 2), h["tag"], aad)
    except Exception as e:
        raise Reject("header tag") from e
    body, wire = data[h["length"]:], h["segment_size"] + TAG
    out, counter, pos = [], 0, 0
    while True:
        seg = body[pos:pos + wire]
        final = len(seg) < wire
        if len(seg) < TAG:
            raise Reject("missing final segment")
        try:
            out.append(gcm.decrypt(nonce(counter, 1 if final else 0), seg, b""))
        except Exception as e:
            raise Reject("segment tag") from e
        pos += len(seg)
        counter += 1
        if final:
            break
    if pos != len(body):
        raise Reject("bytes after the final segment")
    return b"".join(out), data_key, h


def check(vector):
    data = bytes.fromhex(vector["envelope"])
    want = bytes.fromhex(vector["plaintext"])
    context = bytes.fromhex(vector["context"])
    supplied = None if vector["store_context"] else context
    for kek in vector["keks"]:
        pt, data_key, h = open_envelope(
            data, kek["key_id"], bytes.fromhex(kek["key"]), supplied)
        assert pt == want, (vector["name"], kek["key_id"], "plaintext")
        assert len(h["sections"]) == len(vector["keks"]), vector["name"]
        if "data_key" in vector:
            assert data_key.hex() == vector["data_key"], vector["name"]
            assert h["salt"].hex() == vector["salt"], vector["name"]
        if not vector["store_context"]:
            try:
                open_envelope(data, kek["key_id"], bytes.fromhex(kek["key"]), context + b"x")
            except Reject:
                pass
            else:
                raise AssertionError((vector["name"], "opened under a wrong context"))
        flipped = bytearray(data)
        flipped[-1] ^= 1
        try:
            open_envelope(bytes(flipped), kek["key_id"], bytes.fromhex(kek["key"]), supplied)
        except Reject:
            pass
        else:
            raise AssertionError((vector["name"], "opened a tampered envelope"))


def main(paths):
    total = 0
    for path in paths:
        with open(path) as f:
            for vector in json.load(f)["vectors"]:
                check(vector)
                total += 1
    print(f"kven_decode: {total} envelopes opened with every key")
    return 0 if total else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
