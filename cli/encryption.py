"""End-to-end encryption: RFC 8188 `aes128gcm` records around a small encrypted name header.

The byte layout, key derivation and fragment format are in docs/encryption.md; web/crypto.js is
the same format on WebCrypto. Everything cryptographic is `cryptography`'s (HKDF, PBKDF2,
AES-GCM); this module only frames records. Records are numbered, and each one's nonce is the
HKDF nonce XOR its number, so a ciphertext byte range can be produced from the matching
plaintext range alone: a resumed upload re-creates exactly the blocks it has not stored.
"""

from __future__ import annotations

import base64
import json
import os
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

RECORD_SIZE = 65536  # rs: one sealed record, tag and delimiter included
TAG = 16
DATA_PER_RECORD = RECORD_SIZE - TAG - 1  # plaintext bytes in every record but the last
SALT_BYTES = 16
HEADER_BYTES = SALT_BYTES + 4 + 1  # salt, rs (uint32 BE), idlen = 0
SECRET_BYTES = 16
PASSWORD_ITERATIONS = 600_000
MAX_META_BYTES = 4096
STORED_NAME = "encrypted.bin"  # what the server is told the file is called
_CEK_INFO = b"Content-Encoding: aes128gcm\x00"
_NONCE_INFO = b"Content-Encoding: nonce\x00"
_NOT_LAST, _LAST = 1, 2
_RECORDS_PER_READ = 16  # 1 MiB of plaintext per read while sealing a block


class DecryptionError(ValueError):
    """The ciphertext is not what was encrypted with this key: nothing of it may be used."""


@dataclass(frozen=True)
class LinkKey:
    """What the link's fragment carries: the random secret, and whether a password is mixed in."""

    secret: bytes
    password_required: bool = False

    @classmethod
    def new(cls, *, password: bool = False) -> LinkKey:
        return cls(os.urandom(SECRET_BYTES), password)

    def fragment(self) -> str:
        """`k=<base64url secret>`, plus `&p=1` when a password is needed too."""
        key = base64.urlsafe_b64encode(self.secret).rstrip(b"=").decode("ascii")
        return f"k={key}&p=1" if self.password_required else f"k={key}"

    @classmethod
    def from_fragment(cls, fragment: str) -> LinkKey:
        fields = dict(part.partition("=")[::2] for part in fragment.lstrip("#").split("&"))
        raw = fields.get("k", "")
        try:
            secret = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        except ValueError:
            secret = b""
        if len(secret) != SECRET_BYTES:
            raise DecryptionError("the link's key (#k=...) is missing or malformed")
        return cls(secret, fields.get("p") == "1")


def input_keying_material(secret: bytes, salt: bytes, password: str | None) -> bytes:
    """The secret alone, or the secret followed by PBKDF2-SHA256(password, salt, 600,000)."""
    if password is None:
        return secret
    stretched = PBKDF2HMAC(
        algorithm=hashes.SHA256(), length=32, salt=salt, iterations=PASSWORD_ITERATIONS
    ).derive(password.encode("utf-8"))
    return secret + stretched


class Records:
    """The content-encryption key and nonce of one file (RFC 8188 section 2.2 and 2.3)."""

    def __init__(self, ikm: bytes, salt: bytes) -> None:
        self.salt = salt
        self._aead = AESGCM(_hkdf(ikm, salt, _CEK_INFO, 16))
        self._nonce = int.from_bytes(_hkdf(ikm, salt, _NONCE_INFO, 12), "big")

    def header(self) -> bytes:
        return self.salt + struct.pack(">IB", RECORD_SIZE, 0)

    def _iv(self, index: int) -> bytes:
        return (self._nonce ^ index).to_bytes(12, "big")

    def seal(self, index: int, data: bytes | memoryview, *, last: bool) -> bytes:
        padded = bytearray(len(data) + 1)  # one copy of the data: records are most of the CPU
        padded[:-1] = data
        padded[-1] = _LAST if last else _NOT_LAST
        return self._aead.encrypt(self._iv(index), padded, None)

    def open(self, index: int, sealed: bytes | memoryview, *, last: bool) -> bytes:
        """The record's data; DecryptionError if it was altered, moved, or ends the stream
        where it should not (or does not where it should)."""
        try:
            padded = self._aead.decrypt(self._iv(index), sealed, None)
        except InvalidTag:
            raise DecryptionError(
                f"record {index} failed authentication: the file was altered, truncated or "
                "reordered, or the key or password is wrong"
            ) from None
        if padded and padded[-1] == 0:  # RFC 8188 padding (never written here): strip it
            padded = padded.rstrip(b"\x00")
        if not padded or padded[-1] != (_LAST if last else _NOT_LAST):
            raise DecryptionError(
                "the encrypted file is truncated"
                if last
                else "the encrypted file goes on past its last record"
            )
        return padded[:-1]


def _hkdf(ikm: bytes, salt: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def meta_prefix(name: str, content_type: str) -> bytes:
    """The plaintext that precedes the file: a 4-byte length, then JSON {name, type}."""
    meta = json.dumps({"name": name, "type": content_type}, ensure_ascii=False).encode("utf-8")
    if len(meta) > MAX_META_BYTES:
        raise ValueError("the file name is too long to encrypt")
    return struct.pack(">I", len(meta)) + meta


def ciphertext_size(plaintext_size: int) -> int:
    """Header, data, and 17 bytes per record; the last record may hold no data at all."""
    records = plaintext_size // DATA_PER_RECORD + 1
    return HEADER_BYTES + plaintext_size + records * (TAG + 1)


class Encryptor:
    """Ciphertext of any byte range of `prefix + file`, computed from the plaintext it covers."""

    def __init__(
        self,
        records: Records,
        prefix: bytes,
        read_file: Callable[[int, int], bytes],
        file_size: int,
    ) -> None:
        self.records = records
        self.prefix = prefix
        self.read_file = read_file  # (offset, length) -> bytes of the file
        self.plain_size = len(prefix) + file_size
        self.size = ciphertext_size(self.plain_size)
        self._last = self.plain_size // DATA_PER_RECORD

    def _plain(self, start: int, end: int) -> bytes:
        head = self.prefix[start:end] if start < len(self.prefix) else b""
        from_file = max(start, len(self.prefix)) - len(self.prefix)
        length = end - len(self.prefix) - from_file
        tail = self.read_file(from_file, length) if length > 0 else b""
        if len(tail) != max(0, length):
            raise OSError("the file changed while it was being encrypted")
        return head + tail

    def read(self, offset: int, length: int) -> bytearray:
        """`length` ciphertext bytes from `offset`, sealed from the plaintext records they cover,
        read a few records at a time: memory stays at about the size asked for."""
        start, end = offset, min(offset + length, self.size)
        out = bytearray()
        if start < HEADER_BYTES:
            out += self.records.header()[start:end]
        if end <= HEADER_BYTES:
            return out
        first = max(0, start - HEADER_BYTES) // RECORD_SIZE
        last = min((end - 1 - HEADER_BYTES) // RECORD_SIZE, self._last)
        for group in range(first, last + 1, _RECORDS_PER_READ):
            upto = min(group + _RECORDS_PER_READ, last + 1)
            plain_start = group * DATA_PER_RECORD
            plain = memoryview(
                self._plain(plain_start, min(upto * DATA_PER_RECORD, self.plain_size))
            )
            for index in range(group, upto):
                at = HEADER_BYTES + index * RECORD_SIZE
                offset_in_plain = index * DATA_PER_RECORD - plain_start
                data = plain[offset_in_plain : offset_in_plain + DATA_PER_RECORD]
                sealed = self.records.seal(index, data, last=index == self._last)
                out += sealed[max(0, start - at) : max(0, end - at)]
        return out


def parse_header(header: bytes) -> tuple[bytes, int]:
    """The salt and the record size of an `aes128gcm` header (no key id is used)."""
    if len(header) < HEADER_BYTES:
        raise DecryptionError("the encrypted file is truncated")
    salt = header[:SALT_BYTES]
    rs, idlen = struct.unpack(">IB", header[SALT_BYTES:HEADER_BYTES])
    if rs != RECORD_SIZE or idlen != 0:
        raise DecryptionError("not a file encrypted by this service (unknown record layout)")
    return salt, rs


class Decryptor:
    """Feeds ciphertext in order; yields verified plaintext of the file (after the name header).

    A record is opened only once the next byte (or the end) shows whether it is the last, so a
    stream cut at a record boundary fails instead of looking complete.
    """

    def __init__(self, key: LinkKey, password: str | None = None) -> None:
        if key.password_required and password is None:
            raise DecryptionError("this link needs its password")
        self.key = key
        self.password = password
        self._records: Records | None = None
        self._buffer = bytearray()
        self._index = 0
        self._meta_needed: int | None = None
        self._meta = bytearray()
        self.name: str | None = None
        self.content_type: str | None = None

    def feed(self, data: bytes) -> Iterator[bytes]:
        self._buffer += data
        if self._records is None:
            if len(self._buffer) < HEADER_BYTES:
                return
            salt, _ = parse_header(bytes(self._buffer[:HEADER_BYTES]))
            ikm = input_keying_material(self.key.secret, salt, self.password)
            self._records = Records(ikm, salt)
            del self._buffer[:HEADER_BYTES]
        # Records are opened in place and the buffer trimmed once: no copy of each record.
        opened = 0
        with memoryview(self._buffer) as view:
            while len(view) - opened > RECORD_SIZE:
                sealed = view[opened : opened + RECORD_SIZE]
                plain = self._records.open(self._index, sealed, last=False)
                sealed.release()
                opened += RECORD_SIZE
                self._index += 1
                yield from self._data(plain)
        del self._buffer[:opened]

    def finish(self) -> Iterator[bytes]:
        """The last record; DecryptionError if the stream ended early."""
        if self._records is None or not self._buffer:
            raise DecryptionError("the encrypted file is truncated")
        sealed = bytes(self._buffer)
        self._buffer.clear()
        yield from self._data(self._records.open(self._index, sealed, last=True))
        if self.name is None:
            raise DecryptionError("the encrypted file is truncated")

    def _data(self, plain: bytes) -> Iterator[bytes]:
        if self.name is None:
            self._meta += plain
            if self._meta_needed is None and len(self._meta) >= 4:
                self._meta_needed = 4 + struct.unpack(">I", self._meta[:4])[0]
                if self._meta_needed > 4 + MAX_META_BYTES:
                    raise DecryptionError("the encrypted name header is malformed")
            if self._meta_needed is None or len(self._meta) < self._meta_needed:
                return
            try:
                meta = json.loads(self._meta[4 : self._meta_needed].decode("utf-8"))
                self.name, self.content_type = str(meta["name"]), str(meta["type"])
            except (ValueError, KeyError, TypeError):
                raise DecryptionError("the encrypted name header is malformed") from None
            plain = bytes(self._meta[self._meta_needed :])
            self._meta.clear()
        if plain:
            yield plain
