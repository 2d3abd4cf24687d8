"""Direct uploads (shared/files/direct_uploads.py) into a share: a file of any size, resumable,
that joins the share when completed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from shared.errors import BadRequest, ShareNotFound
from shared.files import uploads
from shared.http.params import whole_number
from shared.shares import service
from shared.shares import table as shares_table
from shared.shares.records import ShareRecord
from shared.storage import blobs

_SHARES_OWN = ("expires_in", "max_downloads", "group_id")


async def joinable(
    share_id: str, options: Mapping[str, str], password: str | None, *, now: datetime
) -> ShareRecord:
    """The live share a direct upload may join with this key; 400 for options that are the
    share's to set."""
    if password or any(options.get(name) for name in _SHARES_OWN):
        raise BadRequest(
            "A file of a share takes the share's expiry, download limit, password and group: "
            "leave them out",
            error_id=36,
        )
    share = await service.find_owned(share_id, options.get("key"), now)
    _, members = await shares_table.contents(share_id)
    if len(members) >= service.MAX_FILES:
        raise BadRequest(f"A share holds at most {service.MAX_FILES} files", error_id=33)
    return share


def parse_crc32(raw: str | None) -> int:
    value = whole_number(raw)
    if value is None or value > 0xFFFFFFFF:
        raise BadRequest(
            "crc32 is required for a file of a share: the CRC-32 of its bytes, a whole number "
            "from 0 to 4294967295",
            error_id=37,
        )
    return value


async def is_open(share_id: str, now: datetime) -> bool:
    share = await shares_table.get(share_id)
    return share is not None and share.is_live(now)


async def publish_direct(
    share_id: str,
    file_url: str,
    filename: str,
    stored: blobs.StoredBlob,
    *,
    key: str,
    snapshot: str,
    crc32: int,
    now: datetime,
) -> uploads.Published:
    """The completed blob joins its share (shared/shares/service.py `publish_member`)."""
    share = await shares_table.get(share_id)
    if share is None or not share.is_live(now):
        raise ShareNotFound()
    record = await service.publish_member(
        share, file_url, filename, stored, crc32, now, key=key, snapshot=snapshot
    )
    await service.check_still_open(share_id, [record], now)
    return uploads.Published(record)
