"""POST /api/transfer: an account takes over anonymous uploads whose owner secret it holds.

A file is bound only if it is live, has no owner or group yet, and the key matches; the binding
is a conditional update of the file's record, so of two accounts claiming one file exactly one
wins. The file then shows in the account's listing and counts towards MAX_FILES_PER_USER.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from shared import ids
from shared.accounts import listing
from shared.errors import BadRequest, FileNotFound
from shared.files import catalog, file_counts, table


async def bind_anonymous(items: object, username: str, now: datetime) -> list[object]:
    """Bind anonymous uploads to an account by file_url + key; returns the items that failed."""
    if not isinstance(items, list):
        raise BadRequest("No data field in request body")
    failed: list[object] = []
    for item in items:
        if not await _claim(item, username, now):
            failed.append(item)
    return failed


async def _claim(item: object, username: str, now: datetime) -> bool:
    if not isinstance(item, dict):
        return False
    file_url, key = item.get("file_url"), item.get("key")
    if not isinstance(file_url, str) or not isinstance(key, str):
        return False
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
