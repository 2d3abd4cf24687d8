"""Expiry arithmetic and the time buckets of the expiry index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.errors import BadRequest
from shared.http.params import whole_number

_BUCKET_FORMAT = "%Y%m%d%H%M"


def utcnow() -> datetime:
    return datetime.now(UTC)


def parse_ttl(raw: str | None, *, default: int, maximum: int, name: str = "expires_in") -> int:
    """`expires_in` (or the option `name`) as whole seconds in 1..maximum; absent: the default."""
    if raw is None or raw.strip() == "":
        return default
    value = whole_number(raw.strip())
    if value is None or not 1 <= value <= maximum:
        raise BadRequest(f"{name} must be a whole number of seconds from 1 to {maximum}")
    return value


def parse_max_downloads(raw: str | None) -> int | None:
    """`max_downloads` as a whole number >= 1; absent means unlimited."""
    if raw is None or raw.strip() == "":
        return None
    value = whole_number(raw.strip())
    if value is None or not 1 <= value <= 1_000_000:
        raise BadRequest("max_downloads must be a whole number from 1 to 1000000")
    return value


def bucket_of(moment: datetime) -> str:
    """Minute bucket, fixed width, so string order is time order."""
    return moment.astimezone(UTC).strftime(_BUCKET_FORMAT)


def expires_at(now: datetime, ttl_seconds: int) -> datetime:
    """`ttl_seconds` from now, rounded up to the whole second.

    Answers state expiry to the second (`iso`), so the stored expiry is that very second: what an
    answer advertises is what reads enforce. Up, not down, so `expires_in=1` never expires within
    a millisecond of the upload: a file lives at least the seconds asked for, less than one more.
    """
    moment = now + timedelta(seconds=ttl_seconds)
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + timedelta(seconds=1)
    return moment


def iso(moment: datetime) -> str:
    """ISO 8601 UTC with a Z, second precision (expiries are whole seconds: `expires_at`)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
