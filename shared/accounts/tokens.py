"""Access tokens: HS256 JWTs whose id is stored, so logout and refresh revoke them everywhere.

Key scheme in the `tokens` table: PartitionKey = token id (`jti`), RowKey = "token"; every request
with a token makes one point read to see that it was not revoked.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from shared.config import Settings
from shared.errors import AuthError
from shared.ops.crashpoints import crash_point
from shared.storage import entities, expiry_index
from shared.storage.names import TOKENS_TABLE

ALGORITHM = "HS256"
_ROW = "token"


@dataclass(frozen=True)
class TokenClaims:
    username: str
    token_id: str
    bot: bool
    expires_at: datetime


async def issue(username: str, *, bot: bool, settings: Settings, now: datetime) -> str:
    """Sign a token and record its id; it is valid until it expires or is revoked."""
    token, _ = await _issue(username, bot=bot, settings=settings, now=now)
    return token


async def rotate(claims: TokenClaims, *, settings: Settings, now: datetime) -> str:
    """Swap a verified token for a new one of its kind: first the new one, then the old revoked.

    A crash in between leaves both valid, the new one undelivered, so the client's retry with the
    old token works. If a concurrent refresh or logout revoked the old token first, the new one is
    revoked too and this is the section 1.1 error: of racing uses of one token exactly one wins.
    """
    token, token_id = await _issue(claims.username, bot=claims.bot, settings=settings, now=now)
    crash_point("refresh.issued")
    if not await revoke(claims):
        await entities.delete(TOKENS_TABLE, token_id, _ROW)
        raise AuthError(AuthError.NOT_FOUND)
    return token


async def _issue(username: str, *, bot: bool, settings: Settings, now: datetime) -> tuple[str, str]:
    ttl = settings.bot_token_ttl_seconds if bot else settings.access_token_ttl_seconds
    expires_at = now + timedelta(seconds=ttl)
    token_id = secrets.token_urlsafe(18)
    await expiry_index.add(expiry_index.TOKEN, token_id, expires_at)
    await entities.insert(
        TOKENS_TABLE,
        {
            "PartitionKey": token_id,
            "RowKey": _ROW,
            "username": username,
            "bot": bot,
            "expires_at": expires_at,
        },
    )
    claims = {"sub": username, "jti": token_id, "bot": bot, "iat": now, "exp": expires_at}
    return jwt.encode(claims, settings.jwt_secret, algorithm=ALGORITHM), token_id


def decode(token: str, *, settings: Settings, now: datetime) -> TokenClaims:
    """Verify signature and expiry; only HS256 is accepted (no `none`, no key confusion)."""
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=[ALGORITHM],
            # Expiry is checked below against `now`, the caller's clock, not the library's.
            options={
                "require": ["sub", "jti", "exp", "iat"],
                "verify_iat": False,
                "verify_exp": False,
            },
            leeway=0,
        )
    except jwt.InvalidTokenError:
        raise AuthError(AuthError.INVALID) from None
    try:
        expires_at = datetime.fromtimestamp(int(claims["exp"]), tz=now.tzinfo)
    except (TypeError, ValueError, OverflowError, OSError):
        raise AuthError(AuthError.INVALID) from None
    if expires_at <= now:
        raise AuthError(AuthError.EXPIRED)
    return TokenClaims(str(claims["sub"]), str(claims["jti"]), bool(claims.get("bot")), expires_at)


async def verify(token: str, *, settings: Settings, now: datetime) -> TokenClaims:
    """A valid, unrevoked token's claims, or the section 1.1 error."""
    claims = decode(token, settings=settings, now=now)
    row = await entities.get(TOKENS_TABLE, claims.token_id, _ROW)
    if row is None or row.get("username") != claims.username:
        raise AuthError(AuthError.NOT_FOUND)
    return claims


async def revoke(claims: TokenClaims) -> bool:
    """Revoke the token; False if another request revoked it first (exactly one wins)."""
    return await entities.delete(TOKENS_TABLE, claims.token_id, _ROW)


async def forget(token_id: str) -> None:
    """Drop an expired token's record (cleanup)."""
    await entities.delete(TOKENS_TABLE, token_id, _ROW)
