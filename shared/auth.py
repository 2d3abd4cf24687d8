"""Reading the caller's identity from `Authorization: Bearer <token>` (contract section 1.1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


async def authenticate(header: str | None) -> str:
    """The username the header's token belongs to.

    No account store exists yet (it comes with the accounts issue), so every well-formed token
    is unknown: the contract's "Token not found".
    """
    bearer_token(header)
    raise AuthError(AuthError.NOT_FOUND)


async def identify(header: str | None) -> Identity:
    """For endpoints that work anonymously but report why a token was not accepted."""
    try:
        return Identity(await authenticate(header), {})
    except AuthError as exc:
        return Identity(None, exc.auth_error())
