"""Encrypted-upload factories: ciphertext made with the CLI's format module, and key forms."""

from __future__ import annotations

import base64
import os

from cli.encryption import Encryptor, LinkKey, Records, input_keying_material, meta_prefix


def ciphertext(
    content: bytes, key: LinkKey, *, name: str = "secret.txt", password: str | None = None
) -> bytes:
    salt = os.urandom(16)
    encryptor = Encryptor(
        Records(input_keying_material(key.secret, salt, password), salt),
        meta_prefix(name, "text/plain"),
        lambda offset, length: content[offset : offset + length],
        len(content),
    )
    return bytes(encryptor.read(0, encryptor.size))


def key_forms(key: LinkKey) -> list[bytes]:
    """Every spelling of the secret that could leak: raw, base64 (both alphabets), hex."""
    raw = key.secret
    return [
        raw,
        base64.urlsafe_b64encode(raw).rstrip(b"="),
        base64.b64encode(raw).rstrip(b"="),
        raw.hex().encode(),
        key.fragment().encode(),
    ]
