"""shared/access without storage: HTTP Basic parsing, the unlock token's bindings, hashing."""

from __future__ import annotations

import asyncio
import base64
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from shared.access import passwords
from shared.access.unlock import (
    TOKEN_LIFETIME,
    Credentials,
    basic_password,
    check_access,
    issue_token,
    token_opens,
    unlock_cookie,
)
from shared.config import Settings
from shared.errors import BadRequest, PasswordRequired

SETTINGS = Settings.from_env(
    {"JWT_SECRET": "u" * 40, "STORAGE_CONNECTION_STRING": "UseDevelopmentStorage=true"}
)
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
HASH = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"


def _basic(userinfo: str) -> str:
    return "Basic " + base64.b64encode(userinfo.encode()).decode()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (_basic(":secret"), "secret"),
        (_basic("anyone:se:cret"), "se:cret"),
        ("basic " + base64.b64encode(b"x:p").decode(), "p"),
        (_basic("no-colon"), None),
        (_basic("user:"), None),
        ("Basic not*base64", None),
        ("Bearer abc.def.ghi", None),
        (None, None),
    ],
)
def test_basic_password_reads_only_a_basic_header(header: str | None, expected: str | None) -> None:
    assert basic_password(header) == expected


def test_token_opens_its_link_while_the_password_and_lifetime_last() -> None:
    token = issue_token(link_id="link1", password_hash=HASH, settings=SETTINGS, now=NOW)

    def opens(link: str = "link1", pw_hash: str = HASH, at: datetime = NOW) -> bool:
        return token_opens(token, link_id=link, password_hash=pw_hash, settings=SETTINGS, now=at)

    assert opens()
    assert opens(at=NOW + TOKEN_LIFETIME - timedelta(seconds=1))
    assert not opens(at=NOW + TOKEN_LIFETIME)
    assert not opens(link="link2")
    assert not opens(pw_hash=HASH + "changed")


def test_token_signed_with_another_secret_or_algorithm_opens_nothing() -> None:
    claims = jwt.decode(
        issue_token(link_id="l", password_hash=HASH, settings=SETTINGS, now=NOW),
        options={"verify_signature": False},
    )
    forged = jwt.encode(claims, "another secret that is long enough for HS256", algorithm="HS256")
    unsigned = jwt.encode(claims, "", algorithm="none")

    for token in (forged, unsigned, "garbage"):
        assert not token_opens(token, link_id="l", password_hash=HASH, settings=SETTINGS, now=NOW)


def test_unlock_cookie_is_scoped_and_script_proof() -> None:
    assert unlock_cookie("t", path="/file/abc", secure=True) == (
        "fileshare_unlock=t; Path=/file/abc; Max-Age=1800; HttpOnly; SameSite=Strict; Secure"
    )
    assert "Secure" not in unlock_cookie("t", path="/file/abc", secure=False)


def test_link_without_password_needs_no_credentials() -> None:
    asyncio.run(
        check_access(
            link_id="l",
            password_hash=None,
            credentials=Credentials(),
            client="c",
            settings=SETTINGS,
            now=NOW,
        )
    )


def test_link_with_password_and_no_credentials_is_password_required() -> None:
    with pytest.raises(PasswordRequired) as raised:
        asyncio.run(
            check_access(
                link_id="l",
                password_hash=HASH,
                credentials=Credentials(token="not a token"),
                client="c",
                settings=SETTINGS,
                now=NOW,
                expires_at=NOW,
            )
        )
    assert (raised.value.status, raised.value.error_id, raised.value.expires_at) == (401, 20, NOW)


def test_hash_is_argon2id_and_verifies_only_the_password() -> None:
    stored = asyncio.run(passwords.hash_password("pässwörd ✓"))

    assert stored is not None
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert asyncio.run(passwords.verify("pässwörd ✓", stored))
    assert not asyncio.run(passwords.verify("pässwörd", stored))
    assert not asyncio.run(passwords.verify("", stored))
    assert not asyncio.run(passwords.verify("x" * 1025, stored))
    assert not asyncio.run(passwords.verify("x", "not a hash"))


@pytest.mark.parametrize("given", [None, ""])
def test_no_password_hashes_to_none(given: str | None) -> None:
    assert asyncio.run(passwords.hash_password(given)) is None


@pytest.mark.parametrize("given", ["x" * 1025, "nul\x00inside"])
def test_password_too_long_or_with_nul_is_refused(given: str) -> None:
    with pytest.raises(BadRequest) as raised:
        passwords.checked(given)
    assert raised.value.error_id == 23
