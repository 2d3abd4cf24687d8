"""Link passwords: checked on upload, stored as Argon2id hashes, verified in constant time.

A link without a password has the hash None. Parameters are OWASP's minimum for Argon2id
(19 MiB, 2 passes, 1 lane), as for account passwords: about 20 ms of one core per check, run off
the event loop. Argon2's verify recomputes the hash and compares it in constant time, so a right
and a wrong password cost the same.
"""

from __future__ import annotations

import asyncio
from collections.abc import Container

from passlib.hash import argon2

from shared.errors import BadRequest

MAX_CHARS = 1024
# errorIds of the 400s about a password itself (20 and 21 are the 401s, shared/errors.py).
IN_QUERY_ERROR_ID = 22
INVALID_ERROR_ID = 23

_HASHER = argon2.using(type="ID", memory_cost=19_456, rounds=2, parallelism=1)


def checked(password: str | None) -> str | None:
    """The password a client set, or None when it set none (absent or empty); 400 if too long."""
    if not password:
        return None
    if len(password) > MAX_CHARS or "\x00" in password:
        raise BadRequest(
            f"password must be 1 to {MAX_CHARS} characters, without NUL",
            error_id=INVALID_ERROR_ID,
        )
    return password


async def hash_password(password: str | None) -> str | None:
    """The Argon2id hash to store for the password a client set (None: no password)."""
    given = checked(password)
    if given is None:
        return None
    return await asyncio.to_thread(_HASHER.hash, given)


async def verify(password: str, password_hash: str) -> bool:
    """Whether `password` is the one hashed; constant time in where they differ."""
    if not password or len(password) > MAX_CHARS:
        # Still one full verification, so a refused length is not faster to learn.
        await asyncio.to_thread(_HASHER.verify, "x", password_hash)
        return False
    try:
        return await asyncio.to_thread(_HASHER.verify, password, password_hash)
    except ValueError:  # a malformed stored hash: never a match
        return False


def in_query(query: Container[str]) -> BadRequest | None:
    """The 400 for a `password` query parameter: URLs end up in logs, histories and referrers."""
    if "password" in query:
        return BadRequest(
            "Never put a password in the URL: send it with HTTP Basic (curl -u :password) "
            "or as the form or JSON field `password`",
            error_id=IN_QUERY_ERROR_ID,
        )
    return None
