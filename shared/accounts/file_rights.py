"""Who manages a file besides the holder of its key: its uploader, and the owner of its group.

A group's listing shows each member the keys of their own uploads only (a key is a bearer secret
that outlives membership); the group's owner deletes any group file with their token instead.
"""

from __future__ import annotations

from typing import Any

from shared.accounts import groups
from shared.errors import Forbidden, NotFound
from shared.files import catalog, table
from shared.files.records import FileRecord
from shared.notifications import notify
from shared.storage import keys


def _same_user(a: str | None, b: str) -> bool:
    return a is not None and keys.user_key(a) == keys.user_key(b)


async def visible_key(entry: dict[str, Any], username: str) -> str | None:
    """A group listing entry's key if `username` uploaded the file, else None.

    Rows listed before the uploader was recorded on them are checked against the file's record.
    """
    uploader = entry.get("owner")
    if uploader is None:
        record = await table.get(entry["file_url"])
        uploader = record.owner if record is not None else None
    return str(entry["key"]) if _same_user(uploader, username) else None


async def may_manage(record: FileRecord, username: str) -> bool:
    """The uploader, or the owner of the group the file was shared in."""
    return await may_manage_item(record.owner, record.group_id, username)


async def may_manage_item(owner: str | None, group_id: str | None, username: str) -> bool:
    """The same rule for anything with an owner and a group (a file, a share)."""
    if _same_user(owner, username):
        return True
    if not group_id:
        return False
    try:
        group = await groups.get(group_id)
    except NotFound:
        return False
    return group.is_owner(username)


async def delete_as(file_url: str, username: str) -> None:
    """Delete with a token instead of the key: 404 unknown file, 403 neither uploader nor owner."""
    record = await catalog.find(file_url)
    if not await may_manage(record, username):
        raise Forbidden("You don't have any permissions to delete this file")
    if await catalog.remove(record):
        await notify.file_deleted(record)
