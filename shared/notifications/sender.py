"""One HTTP attempt at a receiver: bounded in time and size, no redirects, guarded addresses.

Never raises for what the receiver does: every outcome is an Attempt the caller records.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import aiohttp

from shared.notifications.destinations import (
    DestinationRefused,
    PublicOnlyResolver,
    literal_refused,
)

logger = logging.getLogger(__name__)

# At most this much of an answer is read (a failure's first words are kept); the rest is dropped.
MAX_RESPONSE_BYTES = 64 * 1024
_ERROR_CHARS = 200
_USER_AGENT = "fileshare-webhooks/1"


@dataclass(frozen=True)
class Attempt:
    ok: bool
    http_status: int | None = None
    error: str | None = None
    duration_ms: int = 0


async def post(
    url: str, body: str, headers: dict[str, str], *, allow_private: bool, timeout_seconds: int
) -> Attempt:
    """POST the body; a 2xx answer within the time limit is success, anything else is not.

    Each attempt gets its own connection (receivers differ, deliveries are rare per receiver),
    with the public-only resolver unless private destinations are allowed.
    """
    started = time.perf_counter()
    attempt = await _post(url, body, headers, allow_private, timeout_seconds)
    elapsed = round((time.perf_counter() - started) * 1000)
    return Attempt(attempt.ok, attempt.http_status, attempt.error, elapsed)


async def _post(
    url: str, body: str, headers: dict[str, str], allow_private: bool, timeout_seconds: int
) -> Attempt:
    if not allow_private and literal_refused(url):
        return Attempt(False, error="refused: the address is not public")
    connector = aiohttp.TCPConnector(
        resolver=None if allow_private else PublicOnlyResolver(), use_dns_cache=False
    )
    timeout = aiohttp.ClientTimeout(total=timeout_seconds)
    sent = {**headers, "Content-Type": "application/json", "User-Agent": _USER_AGENT}
    try:
        async with (
            aiohttp.ClientSession(
                connector=connector, timeout=timeout, trust_env=False, auto_decompress=False
            ) as session,
            session.post(url, data=body.encode(), headers=sent, allow_redirects=False) as answer,
        ):
            if 200 <= answer.status < 300:
                return Attempt(True, answer.status)
            return Attempt(False, answer.status, await _failure(answer))
    except TimeoutError:
        return Attempt(False, error=f"no answer within {timeout_seconds} s")
    except (aiohttp.ClientError, OSError) as exc:
        if _refused(exc):
            return Attempt(False, error="refused: the name resolves to no public address")
        return Attempt(False, error=f"connection failed: {type(exc).__name__}")


async def _failure(answer: aiohttp.ClientResponse) -> str:
    """`HTTP <status>` and the start of what the receiver said, if it says it quickly."""
    summary = f"HTTP {answer.status}"
    try:
        head = await answer.content.read(MAX_RESPONSE_BYTES)
    except (TimeoutError, aiohttp.ClientError):
        return summary
    text = " ".join(head[:_ERROR_CHARS].decode("utf-8", "replace").split())
    return f"{summary}: {text}" if text else summary


def _refused(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, DestinationRefused):
            return True
        seen = getattr(seen, "os_error", None) or seen.__cause__
    return False
