"""Groups, their members and invite links.

Key schemes:
- `groups`: PartitionKey = group_id (8 random digits), RowKey = "group"; holds the owner and the
  one live invite code (a new invite replaces it, so an owner can revoke a leaked link), and
  `deleted_at` once a deletion began: a tombstone that makes the group and every file of it gone
  to all readers at once (shared/accounts/group_deletion.py removes the rest, then the row).
- `invites`: PartitionKey = invite code, RowKey = "invite" → group_id.
- `memberships`, both directions so each question is one partition query or point read:
  PartitionKey = "u:<user key>", RowKey = group_id (a user's groups), and
  PartitionKey = "g:<group_id>", RowKey = user key (a group's members); both partitions and the
  user key come from shared/storage/keys.py.
Deleting a group tombstones it first, then removes its files, invite and memberships, and the
group row last (shared/accounts/group_deletion.py), so a crash part way leaves a group that is
gone to every reader and that its owner, or the cleanup timer, deletes again.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from shared.errors import BadRequest, Forbidden, NotFound
from shared.storage import entities, keys
from shared.storage.names import GROUPS_TABLE, INVITES_TABLE, MEMBERSHIPS_TABLE

MAX_NAME_CHARS = 50  # checked by the request model (functions/_schemas/groups.py)
_GROUP_ROW = "group"
_INVITE_ROW = "invite"


@dataclass(frozen=True)
class Group:
    group_id: str
    name: str
    owner: str
    invite_code: str | None = None
    etag: str = ""
    deleted_at: datetime | None = None  # the tombstone: when its deletion began

    def is_owner(self, username: str) -> bool:
        return keys.user_key(self.owner) == keys.user_key(username)


def parse_group_id(raw: str) -> str | None:
    """The id if it can name a group; None for a number of another length (no such group: the
    contract answers 404 for it); 400 for anything that is not a number."""
    if not (raw.isascii() and raw.isdigit()):
        raise BadRequest("Invalid group id")
    return raw if len(raw) == 8 else None


async def get(group_id: str, *, include_deleted: bool = False) -> Group:
    """The group: 400 for a malformed id, 404 if there is none or its deletion began."""
    parsed = parse_group_id(group_id)
    row = None if parsed is None else await entities.get(GROUPS_TABLE, parsed, _GROUP_ROW)
    if row is None or (row.get("deleted_at") and not include_deleted):
        raise NotFound("Group not found")
    return Group(
        row["PartitionKey"],
        row["name"],
        row["owner"],
        row.get("invite_code"),
        row["etag"],
        row.get("deleted_at"),
    )


async def is_gone(group_id: str) -> bool:
    """True once the group's deletion began (or ended): its files are gone with it."""
    row = await entities.get(GROUPS_TABLE, group_id, _GROUP_ROW)
    return row is None or bool(row.get("deleted_at"))


async def tombstone(group: Group, now: datetime) -> None:
    """Mark the group deleted, whatever else changed in its row meanwhile."""
    entity = {"PartitionKey": group.group_id, "RowKey": _GROUP_ROW, "deleted_at": now}
    await entities.update(GROUPS_TABLE, entity, etag="*")


async def forget(group: Group) -> None:
    """The last step of a deletion: invite, memberships, then the row itself."""
    if group.invite_code:
        await entities.delete(INVITES_TABLE, group.invite_code, _INVITE_ROW)
    for member in await entities.partition(MEMBERSHIPS_TABLE, keys.group_partition(group.group_id)):
        await _remove_member(group.group_id, member["username"])
    await entities.delete(GROUPS_TABLE, group.group_id, _GROUP_ROW)


async def is_member(group_id: str, username: str) -> bool:
    row = await entities.get(
        MEMBERSHIPS_TABLE, keys.group_partition(group_id), keys.user_key(username)
    )
    return row is not None


async def require_member(group_id: str, username: str) -> Group:
    """The group if `username` belongs to it: 400 bad id, 404 no group, 403 not a member."""
    group = await get(group_id)
    if not await is_member(group.group_id, username):
        raise Forbidden("You are not in the group")
    return group


async def _add_member(group: Group, username: str, now: datetime) -> bool:
    """False if already a member. The group-side row is the one membership checks read."""
    user_row = {
        "PartitionKey": keys.account_partition(username),
        "RowKey": group.group_id,
        "name": group.name,
        "joined_at": now,
    }
    await entities.upsert(MEMBERSHIPS_TABLE, user_row)
    return await entities.insert(
        MEMBERSHIPS_TABLE,
        {
            "PartitionKey": keys.group_partition(group.group_id),
            "RowKey": keys.user_key(username),
            "username": username,
        },
    )


async def _remove_member(group_id: str, username: str) -> bool:
    removed = await entities.delete(
        MEMBERSHIPS_TABLE, keys.group_partition(group_id), keys.user_key(username)
    )
    await entities.delete(MEMBERSHIPS_TABLE, keys.account_partition(username), group_id)
    return removed


async def create(name: str, owner: str, now: datetime) -> Group:
    while True:
        group_id = str(secrets.randbelow(90_000_000) + 10_000_000)
        entity = {
            "PartitionKey": group_id,
            "RowKey": _GROUP_ROW,
            "name": name,
            "owner": owner,
            "created_at": now,
        }
        if await entities.insert(GROUPS_TABLE, entity):
            break
    group = Group(group_id, name, owner)
    await _add_member(group, owner, now)
    return group


async def new_invite(group_id: str, username: str) -> str:
    """A fresh invite code for the owner; the previous one stops working."""
    group = await get(group_id)
    if not group.is_owner(username):
        raise Forbidden("You don't have any permissions")
    code = secrets.token_urlsafe(12)
    await entities.insert(
        INVITES_TABLE, {"PartitionKey": code, "RowKey": _INVITE_ROW, "group_id": group.group_id}
    )
    entity = {"PartitionKey": group.group_id, "RowKey": _GROUP_ROW, "invite_code": code}
    if await entities.update(GROUPS_TABLE, entity, etag=group.etag) is None:
        await entities.delete(INVITES_TABLE, code, _INVITE_ROW)
        raise NotFound("Group not found")  # deleted, or a concurrent invite won
    if group.invite_code:
        await entities.delete(INVITES_TABLE, group.invite_code, _INVITE_ROW)
    return code


async def by_invite(code: str) -> Group:
    """The group an invite code leads to, if the code is its live one."""
    row = await entities.get(INVITES_TABLE, code, _INVITE_ROW) if _plausible(code) else None
    if row is None:
        raise NotFound("Invite link not found")
    try:
        group = await get(row["group_id"])
    except NotFound:
        raise NotFound("Invite link not found") from None
    if group.invite_code != code:
        raise NotFound("Invite link not found")
    return group


async def join(code: str, username: str, now: datetime) -> Group:
    group = await by_invite(code)
    if not await _add_member(group, username, now):
        raise BadRequest("You are already in the group")
    return group


async def remove_member(group_id: str, username: str, member: str) -> None:
    """The owner removes `member`: their access ends at once and the live invite link is revoked,
    so neither they nor anyone they passed it to can come back in with it."""
    group = await get(group_id)
    if not group.is_owner(username):
        raise Forbidden("You don't have any permissions")
    if group.is_owner(member):
        raise BadRequest("The owner cannot be removed; delete the group instead")
    if not await is_member(group.group_id, member):
        raise BadRequest("The user is not in the group")
    # Revoked first: a crash before the membership goes leaves a member the owner removes again.
    if group.invite_code:
        await entities.delete(INVITES_TABLE, group.invite_code, _INVITE_ROW)
    await _remove_member(group.group_id, member)


async def leave(group_id: str, username: str) -> None:
    group = await get(group_id)
    if group.is_owner(username):
        raise BadRequest("The owner cannot leave the group; delete it instead")
    if not await _remove_member(group.group_id, username):
        raise BadRequest("You are not in the group")


async def groups_of(username: str) -> list[tuple[str, str]]:
    """(name, group_id) of every group the user belongs to."""
    rows = await entities.partition(MEMBERSHIPS_TABLE, keys.account_partition(username))
    return [(row["name"], row["RowKey"]) for row in rows]


def _plausible(code: str) -> bool:
    return 8 <= len(code) <= 64 and all(c.isalnum() or c in "-_" for c in code)
