"""The encrypted format (docs/encryption.md): round trips, and every alteration fails."""

from __future__ import annotations

import base64
import os

import pytest

from cli.encryption import (
    DATA_PER_RECORD,
    HEADER_BYTES,
    RECORD_SIZE,
    DecryptionError,
    Decryptor,
    Encryptor,
    LinkKey,
    Records,
    ciphertext_size,
    input_keying_material,
    meta_prefix,
)


def _encrypt(data: bytes, key: LinkKey, password: str | None = None) -> bytes:
    salt = os.urandom(16)
    records = Records(input_keying_material(key.secret, salt, password), salt)
    encryptor = Encryptor(
        records,
        meta_prefix("report.pdf", "application/pdf"),
        lambda offset, length: data[offset : offset + length],
        len(data),
    )
    return bytes(encryptor.read(0, encryptor.size))


def _decrypt(blob: bytes, key: LinkKey, password: str | None = None, step: int = 10_000) -> bytes:
    decryptor = Decryptor(key, password)
    out = bytearray()
    for at in range(0, len(blob), step):
        for piece in decryptor.feed(blob[at : at + step]):
            out += piece
    for piece in decryptor.finish():
        out += piece
    assert decryptor.name == "report.pdf"
    assert decryptor.content_type == "application/pdf"
    return bytes(out)


@pytest.mark.parametrize(
    "size", [0, 1, DATA_PER_RECORD - 30, DATA_PER_RECORD, 3 * DATA_PER_RECORD + 5, 300_001]
)
def test_roundtrip_any_size(size: int) -> None:
    data = os.urandom(size)
    key = LinkKey.new()
    blob = _encrypt(data, key)
    assert len(blob) == ciphertext_size(len(meta_prefix("report.pdf", "application/pdf")) + size)
    assert _decrypt(blob, key) == data
    assert data[:64] not in blob or size < 64


def test_ranges_are_deterministic_slices() -> None:
    data = os.urandom(5 * RECORD_SIZE)
    salt = os.urandom(16)
    key = LinkKey.new()
    encryptor = Encryptor(
        Records(input_keying_material(key.secret, salt, None), salt),
        b"\0\0\0\2{}",
        lambda offset, length: data[offset : offset + length],
        len(data),
    )
    whole = encryptor.read(0, encryptor.size)
    for start, end in [(0, 5), (3, HEADER_BYTES + 7), (100_000, 200_003), (HEADER_BYTES, 70_000)]:
        assert encryptor.read(start, end - start) == whole[start:end]


def test_password_is_needed_and_checked() -> None:
    data = os.urandom(1000)
    key = LinkKey.new(password=True)
    blob = _encrypt(data, key, "correct horse")
    assert _decrypt(blob, key, "correct horse") == data
    with pytest.raises(DecryptionError, match="failed authentication"):
        _decrypt(blob, key, "wrong")
    with pytest.raises(DecryptionError, match="needs its password"):
        Decryptor(key)


def test_truncation_at_a_record_boundary_fails() -> None:
    key = LinkKey.new()
    blob = _encrypt(os.urandom(3 * DATA_PER_RECORD), key)
    with pytest.raises(DecryptionError):
        _decrypt(blob[: HEADER_BYTES + 2 * RECORD_SIZE], key)
    with pytest.raises(DecryptionError, match="truncated"):
        _decrypt(blob[:10], key)


def test_reordered_records_fail() -> None:
    key = LinkKey.new()
    blob = _encrypt(os.urandom(3 * DATA_PER_RECORD), key)
    first = blob[HEADER_BYTES : HEADER_BYTES + RECORD_SIZE]
    second = blob[HEADER_BYTES + RECORD_SIZE : HEADER_BYTES + 2 * RECORD_SIZE]
    swapped = blob[:HEADER_BYTES] + second + first + blob[HEADER_BYTES + 2 * RECORD_SIZE :]
    with pytest.raises(DecryptionError, match="record 0 failed authentication"):
        _decrypt(swapped, key)


def test_a_tampered_byte_fails_without_yielding_that_record() -> None:
    key = LinkKey.new()
    data = os.urandom(2 * DATA_PER_RECORD)
    blob = bytearray(_encrypt(data, key))
    blob[HEADER_BYTES + RECORD_SIZE + 10] ^= 1
    decryptor = Decryptor(key)
    out = bytearray()

    def run() -> None:
        for piece in decryptor.feed(bytes(blob)):
            out.extend(piece)
        for piece in decryptor.finish():
            out.extend(piece)

    with pytest.raises(DecryptionError, match="record 1 failed authentication"):
        run()
    assert len(out) < DATA_PER_RECORD  # only what record 0 verified


def test_fragment_roundtrip() -> None:
    key = LinkKey.new(password=True)
    assert LinkKey.from_fragment("#" + key.fragment()) == key
    with pytest.raises(DecryptionError, match="missing or malformed"):
        LinkKey.from_fragment("k=short")


def test_records_match_the_rfc_8188_example() -> None:
    """RFC 8188 section 3.1 ("I am the walrus"): the same key schedule, nonce and delimiter."""

    def unb64(text: str) -> bytes:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

    records = Records(unb64("yqdlZ-tYemfogSmv7Ws5PQ"), unb64("I1BsxtFttlv3u_Oo94xnmw"))
    encoded = unb64("I1BsxtFttlv3u_Oo94xnmwAAEAAA-NAVub2qFgBEuQKRapoZu-IxkIva3MEB1PD-ly8Thjg")

    assert records.seal(0, b"I am the walrus", last=True) == encoded[HEADER_BYTES:]
    assert records.open(0, encoded[HEADER_BYTES:], last=True) == b"I am the walrus"
