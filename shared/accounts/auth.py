"""Reading the caller's identity from `Authorization: Bearer <token>` (contract section 1.1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.accounts import tokens
from shared.config import Settings
from shared.errors import AuthError


@dataclass(frozen=True)
class Identity:
    """The outcome of an optional authentication: a username, or the section 1.1 error."""

    username: str | None
    auth_error: dict[str, Any]


def bearer_token(header: str | None) -> str:
    if header is None or not header.strip():
        raise AuthError(AuthError.NO_HEADER)
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or " " in token.strip():
        raise AuthError(AuthError.BAD_FORMAT)
    return token.strip()


async def authenticate(
    header: str | None, *, settings: Settings, now: datetime
) -> tokens.TokenClaims:
    """The claims of the header's valid, unrevoked token, or the section 1.1 error."""
    return await tokens.verify(bearer_token(header), settings=settings, now=now)


async def identify(header: str | None, *, settings: Settings, now: datetime) -> Identity:
    """For endpoints that work anonymously but report why a token was not accepted."""
    try:
        claims = await authenticate(header, settings=settings, now=now)
    except AuthError as exc:
        return Identity(None, exc.auth_error())
    return Identity(claims.username, {})
