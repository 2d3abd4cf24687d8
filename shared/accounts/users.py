"""Accounts: registration, login, token refresh and logout (contract section 1.2).

Key scheme in the `users` table: PartitionKey = the user key (the username case-folded, with the
characters table keys forbid percent-encoded: shared/storage/keys.py), RowKey = "user"; the row
keeps the name as registered. Creating the row is the uniqueness check: of concurrent
registrations of one name (in any case), exactly one insert succeeds.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from passlib.hash import argon2

from shared.accounts import tokens
from shared.config import Settings
from shared.errors import AuthError, BadRequest, Forbidden, NotFound
from shared.ops.crashpoints import crash_point
from shared.storage import entities, keys
from shared.storage.names import USERS_TABLE

# OWASP's minimum for Argon2id: 19 MiB, 2 passes, 1 lane.
_HASHER = argon2.using(type="ID", memory_cost=19_456, rounds=2, parallelism=1)
# Verified against when the user does not exist, so both answers take the same time.
_DUMMY_HASH = _HASHER.hash("not a real password")
_ROW = "user"

USERNAME_CHARS = (3, 32)
# Azure Table keys cannot hold these, and usernames become keys.
_RESERVED = frozenset("/\\#?")
PASSWORD_CHARS = (8, 256)


@dataclass(frozen=True)
class Session:
    username: str
    access_token: str


class SignIn(Protocol):
    """register and login: same inputs, same outcome."""

    async def __call__(
        self, username: str, password: str, *, bot: bool, settings: Settings, now: datetime
    ) -> Session: ...


def _check_rules(username: str, password: str) -> None:
    low, high = USERNAME_CHARS
    if not low <= len(username) <= high or not username.isprintable() or _RESERVED & set(username):
        raise BadRequest(
            f"Username must be {low}-{high} printable characters, without / \\ # ?",
            error_id=6,
        )
    low, high = PASSWORD_CHARS
    if not low <= len(password) <= high:
        raise BadRequest(f"Password must be {low}-{high} characters", error_id=7)


async def register(
    username: str, password: str, *, bot: bool, settings: Settings, now: datetime
) -> Session:
    _check_rules(username, password)
    password_hash = await asyncio.to_thread(_HASHER.hash, password)
    created = await entities.insert(
        USERS_TABLE,
        {
            "PartitionKey": keys.user_key(username),
            "RowKey": _ROW,
            "username": username,
            "password_hash": password_hash,
            "created_at": now,
        },
    )
    if not created:
        raise BadRequest("An account with this name is already registered", error_id=1)
    return Session(username, await tokens.issue(username, bot=bot, settings=settings, now=now))


async def login(
    username: str, password: str, *, bot: bool, settings: Settings, now: datetime
) -> Session:
    user = await entities.get(USERS_TABLE, keys.user_key(username), _ROW)
    stored_hash = user["password_hash"] if user else _DUMMY_HASH
    matches = await asyncio.to_thread(_HASHER.verify, password, stored_hash)
    if user is None:
        raise NotFound("User not found", error_id=4)
    if not matches:
        raise Forbidden("Wrong password", error_id=3)
    display = str(user["username"])
    return Session(display, await tokens.issue(display, bot=bot, settings=settings, now=now))


async def refresh(token: str, *, settings: Settings, now: datetime) -> str:
    """Swap a valid token for a new one of the same kind; the old one stops working."""
    claims = await tokens.verify(token, settings=settings, now=now)
    return await tokens.rotate(claims, settings=settings, now=now)


async def logout(claims: tokens.TokenClaims) -> None:
    """Revoke the caller's token; if a concurrent refresh or logout revoked it first, that one
    won and this is the section 1.1 error, so a success always means the token is gone."""
    crash_point("logout.verified")
    if not await tokens.revoke(claims):
        raise AuthError(AuthError.NOT_FOUND)
