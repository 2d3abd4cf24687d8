"""An encrypted upload's key material, as the CLI creates, saves (to resume) and uses it."""

from __future__ import annotations

import base64
import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path

from cli.encryption import (
    SALT_BYTES,
    Encryptor,
    LinkKey,
    Records,
    ciphertext_size,
    input_keying_material,
    meta_prefix,
)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Sealed:
    """The link's key and the file's salt: together they fix every ciphertext byte."""

    key: LinkKey
    salt: bytes

    def saved(self) -> str:
        """`secret:salt[:p]`, kept in the local state file so a rerun resumes the same upload."""
        flag = ":p" if self.key.password_required else ""
        return f"{_b64(self.key.secret)}:{_b64(self.salt)}{flag}"

    @classmethod
    def restore(cls, saved: str) -> Sealed:
        secret, salt, *flag = saved.split(":")
        return cls(LinkKey(_unb64(secret), flag == ["p"]), _unb64(salt))

    def encryptor(self, path: Path, size: int, password: str | None) -> Encryptor:
        if self.key.password_required and password is None:
            raise OSError("this upload was begun with a password: give it again to resume")
        ikm = input_keying_material(self.key.secret, self.salt, password)

        def read(offset: int, length: int) -> bytes:
            with path.open("rb") as source:
                source.seek(offset)
                return source.read(length)

        return Encryptor(Records(ikm, self.salt), _prefix(path), read, size)


def new(password: bool) -> Sealed:
    return Sealed(LinkKey.new(password=password), os.urandom(SALT_BYTES))


def size_of(path: Path, size: int) -> int:
    """The ciphertext's length, which the server is told instead of the file's."""
    return ciphertext_size(len(_prefix(path)) + size)


def _prefix(path: Path) -> bytes:
    content_type = mimetypes.guess_type(path.name, strict=False)[0] or "application/octet-stream"
    return meta_prefix(path.name, content_type)
