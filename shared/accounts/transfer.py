"""POST /api/transfer: an account takes over anonymous uploads whose owner secret it holds.

A file is bound only if it is live, has no owner or group yet, and the key matches; the binding
is a conditional update of the file's record, so of two accounts claiming one file exactly one
wins. The file then shows in the account's listing and counts towards MAX_FILES_PER_USER.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from shared import ids
from shared.accounts import listing
from shared.errors import FileNotFound
from shared.files import catalog, file_counts, table


async def bind_anonymous(
    items: Sequence[tuple[str, str] | None], username: str, now: datetime
) -> list[bool]:
    """Bind anonymous uploads to an account by (file_url, key); whether each one was bound.

    None stands for an item of another shape: it is never bound.
    """
    return [item is not None and await _claim(*item, username, now) for item in items]


async def _claim(file_url: str, key: str, username: str, now: datetime) -> bool:
    try:
        record = await catalog.find_live(file_url, now)
    except FileNotFound:
        return False
    if record.owner or record.group_id or not ids.secrets_match(key, record.key):
        return False
    if not await table.assign_owner(record, username):
        return False
    await listing.add(replace(record, owner=username))
    await file_counts.add_one(username)  # keeps MAX_FILES_PER_USER's count an upper bound
    return True
