"""May this request see a link that has a password? One check for every path that serves one.

Credentials come two ways: HTTP Basic (`curl -u :secret`, any user name; a Bearer header is an
account's token and is not a link password), or the unlock cookie the password page sets. The
cookie holds a short-lived HS256 token signed with JWT_SECRET, bound to the link and to a
fingerprint of its password hash, so it opens that one link and no longer does once the password
changes. Checking never counts a download: callers do, after it passes.

Wrong passwords are limited twice, in the shared `ratelimits` table (shared/ops/ratelimit.py):
per client address over all links (WRONG_PASSWORD_LIMIT per window), and per link over all
clients (LINK_LIMIT_FACTOR times that). Only wrong attempts take a
slot; any attempt is refused (429) while either window is full, even with the right password,
so the limit cannot be used to test guesses.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from shared.access import passwords
from shared.config import Settings
from shared.errors import PasswordRequired, WrongPassword
from shared.ops import ratelimit

COOKIE_NAME = "fileshare_unlock"
TOKEN_LIFETIME = timedelta(minutes=30)
# A link takes this many times WRONG_PASSWORD_LIMIT wrong passwords per window from all clients.
LINK_LIMIT_FACTOR = 3
_AUDIENCE = "fileshare:unlock"
_ALGORITHM = "HS256"


@dataclass(frozen=True)
class Credentials:
    """What a request offers: a password (HTTP Basic) and/or an unlock token (cookie)."""

    password: str | None = None
    token: str | None = None

    @classmethod
    def of(cls, authorization: str | None, cookie: str | None) -> Credentials:
        return cls(basic_password(authorization), cookie or None)


def basic_password(authorization: str | None) -> str | None:
    """The password of an `Authorization: Basic` header (user name ignored); else None."""
    scheme, _, encoded = (authorization or "").strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    _, colon, password = decoded.partition(":")
    return password if colon and password else None


async def check_access(
    *,
    link_id: str,
    password_hash: str | None,
    credentials: Credentials,
    client: str,
    settings: Settings,
    now: datetime,
    expires_at: datetime | None = None,
) -> None:
    """Return if the link has no password or the credentials open it; otherwise raise
    PasswordRequired (none offered), WrongPassword, or RateLimited after too many wrong ones.

    `expires_at` (the link's) travels on the 401 so a password page can show it.
    """
    if password_hash is None:
        return
    if credentials.token and token_opens(
        credentials.token, link_id=link_id, password_hash=password_hash, settings=settings, now=now
    ):
        return
    if credentials.password is None:
        raise PasswordRequired(expires_at=expires_at)
    await verify_attempt(
        link_id=link_id,
        password_hash=password_hash,
        password=credentials.password,
        client=client,
        settings=settings,
        now=now,
        expires_at=expires_at,
    )


async def unlock(
    *,
    link_id: str,
    password_hash: str | None,
    password: str,
    client: str,
    settings: Settings,
    now: datetime,
    expires_at: datetime | None = None,
) -> str:
    """The password page's form: a token for the unlock cookie if `password` opens the link."""
    if password_hash is not None:
        await verify_attempt(
            link_id=link_id,
            password_hash=password_hash,
            password=password,
            client=client,
            settings=settings,
            now=now,
            expires_at=expires_at,
        )
    return issue_token(link_id=link_id, password_hash=password_hash, settings=settings, now=now)


async def verify_attempt(
    *,
    link_id: str,
    password_hash: str,
    password: str,
    client: str,
    settings: Settings,
    now: datetime,
    expires_at: datetime | None = None,
) -> None:
    """One password attempt, within the wrong-attempt limits; WrongPassword if it fails."""
    window = settings.rate_limit_window_seconds
    limits = _limits(link_id, client, settings.wrong_password_limit)
    for scope, key, limit in limits:
        await ratelimit.check(scope, key, limit=limit, window_seconds=window, now=now)
    if await passwords.verify(password, password_hash):
        return
    for scope, key, limit in limits:
        await ratelimit.enforce(scope, key, limit=limit, window_seconds=window, now=now)
    raise WrongPassword(expires_at=expires_at)


def _limits(link_id: str, client: str, per_client: int) -> tuple[tuple[str, str, int], ...]:
    return (
        ("password-client", client, per_client),
        ("password-link", link_id, per_client * LINK_LIMIT_FACTOR),
    )


def issue_token(
    *, link_id: str, password_hash: str | None, settings: Settings, now: datetime
) -> str:
    """A token that opens `link_id` for TOKEN_LIFETIME, while its password stays the same."""
    claims = {
        "aud": _AUDIENCE,
        "sub": link_id,
        "pwh": _fingerprint(password_hash or ""),
        "iat": int(now.timestamp()),
        "exp": int((now + TOKEN_LIFETIME).timestamp()),
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm=_ALGORITHM)


def token_opens(
    token: str, *, link_id: str, password_hash: str, settings: Settings, now: datetime
) -> bool:
    """Whether `token` was issued for this link and this password, and has not expired."""
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=[_ALGORITHM],
            audience=_AUDIENCE,
            # Times are checked against `now` below, not the wall clock.
            options={"verify_exp": False, "verify_iat": False, "require": ["exp", "sub", "pwh"]},
        )
    except jwt.InvalidTokenError:
        return False
    return (
        isinstance(claims["exp"], int)
        and claims["exp"] > now.timestamp()
        and hmac.compare_digest(str(claims["sub"]), link_id)
        and hmac.compare_digest(str(claims["pwh"]), _fingerprint(password_hash))
    )


def unlock_cookie(token: str, *, path: str, secure: bool) -> str:
    """The Set-Cookie value: this link's path only, script-proof, never sent cross-site."""
    seconds = int(TOKEN_LIFETIME.total_seconds())
    cookie = f"{COOKIE_NAME}={token}; Path={path}; Max-Age={seconds}; HttpOnly; SameSite=Strict"
    return f"{cookie}; Secure" if secure else cookie


def _fingerprint(password_hash: str) -> str:
    """Binds a token to one password without putting the hash itself in the cookie."""
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:32]
