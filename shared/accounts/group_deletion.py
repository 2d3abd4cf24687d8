"""Deleting a group: a tombstone first, so the group and its files are gone at once, then the rest.

Steps, each idempotent, so a retried delete or the cleanup timer finishes what a crash left
(docs/consistency.md):
1. a `group` entry in the expiry index, due at once: the cleanup timer's handle on the deletion;
2. the tombstone (`deleted_at` on the group row): from here every read treats the group as gone,
   including a download of any of its files (shared/files/catalog.py), and an upload to it that
   is still running takes its file back when it publishes (shared/files/uploads.py);
3. the group's files, as any delete removes a file (catalog.remove);
4. invite, memberships and the group row; 5. the `group` entry.
An upload that checked its group before step 2 lists its file before it checks again, so step 3,
which reads the listing after step 2, finds it; one that checks after step 2 removes itself.
"""

from __future__ import annotations

from datetime import datetime

from shared.accounts import groups, listing
from shared.errors import Forbidden, NotFound
from shared.files import catalog, table
from shared.ops.crashpoints import crash_point
from shared.storage import expiry_index, keys


async def delete(group_id: str, username: str, now: datetime) -> None:
    """The owner's delete; a retry after a crash finishes the deletion and answers 200 too."""
    group = await groups.get(group_id, include_deleted=True)
    if not group.is_owner(username):
        raise Forbidden("You don't have any permissions to delete this group")
    deleted_at = group.deleted_at
    if deleted_at is None:
        deleted_at = now
        await expiry_index.add(expiry_index.GROUP, group.group_id, deleted_at)
        await groups.tombstone(group, deleted_at)
    crash_point("group_delete.tombstoned")
    await _finish(group, deleted_at)


async def finish(group_id: str) -> bool:
    """The cleanup timer's part: complete a deletion a crash interrupted. True if one was."""
    try:
        group = await groups.get(group_id, include_deleted=True)
    except NotFound:
        return False  # finished already
    if group.deleted_at is None:
        return False  # a crash before the tombstone: the group was never deleted
    await _finish(group, group.deleted_at)
    return True


async def _finish(group: groups.Group, deleted_at: datetime) -> None:
    partition = keys.group_partition(group.group_id)
    for row in await listing.entries(partition):
        record = await table.get(row["file_url"])
        if record is not None and record.group_id == group.group_id:
            await catalog.remove(record)
        else:
            await listing.drop(partition, row["RowKey"])
    crash_point("group_delete.files_removed")
    await groups.forget(group)
    await expiry_index.remove(
        expiry_index.entry_for(expiry_index.GROUP, group.group_id, deleted_at)
    )
