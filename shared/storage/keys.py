"""Table keys shared by several tables: an account's and a group's partition, built only here.

An account's rows live in partition "u:<user key>" (tables buffer, filecounts, memberships,
ownerfiles), a group's in "g:<group_id>" (memberships, ownerfiles). The user key is the username
as logins compare it, safe for PartitionKey and RowKey in Azure.
"""

from __future__ import annotations

from urllib.parse import quote

_ACCOUNT_PREFIX = "u:"
_GROUP_PREFIX = "g:"
# Azure Table keys may not contain / \ # ? (nor control characters, which usernames never hold);
# % is encoded too, so the encoding is reversible and two names never share a key.
_UNSAFE = frozenset("/\\#?%")


def user_key(username: str) -> str:
    """The username folded as logins compare it, with the characters keys forbid percent-encoded."""
    folded = username.casefold()
    return "".join(quote(c, safe="") if c in _UNSAFE else c for c in folded)


def account_partition(username: str) -> str:
    """ "u:<user key>": the partition of an account's rows."""
    return account_partition_of_key(user_key(username))


def account_partition_of_key(key: str) -> str:
    """The account partition for a user key already computed (as expiry entries keep it)."""
    return f"{_ACCOUNT_PREFIX}{key}"


def group_partition(group_id: str) -> str:
    """ "g:<group_id>": the partition of a group's rows."""
    return f"{_GROUP_PREFIX}{group_id}"
