"""An upload link's optional password: Argon2id at rest, sent by the uploader as HTTP Basic.

Kept behind two functions so it can move to the shared password module (shared/access/) when
that exists. The user name part of Basic is ignored (`curl -u :secret`).
"""

from __future__ import annotations

import asyncio
import base64
import binascii

from passlib.hash import argon2

from shared.errors import PasswordRequired, WrongPassword

# The parameters users.py uses for account passwords (OWASP's Argon2id minimum).
_HASHER = argon2.using(type="ID", memory_cost=19_456, rounds=2, parallelism=1)


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_HASHER.hash, password)


async def check(password_hash: str | None, authorization: str | None) -> None:
    """Nothing if there is no password or the right one came; PasswordRequired (none sent) or
    WrongPassword otherwise."""
    if password_hash is None:
        return
    given = basic_password(authorization)
    if given is None:
        raise PasswordRequired()
    if not await asyncio.to_thread(_HASHER.verify, given, password_hash):
        raise WrongPassword()


def basic_password(authorization: str | None) -> str | None:
    """The password of `Authorization: Basic base64(user:password)`; None if absent or malformed."""
    scheme, _, encoded = (authorization or "").strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    _, separator, password = decoded.partition(":")
    if not separator or not password:
        return None
    return password
