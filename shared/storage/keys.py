"""Table keys built from what users choose: safe for PartitionKey and RowKey in Azure."""

from __future__ import annotations

from urllib.parse import quote

# Azure Table keys may not contain / \ # ? (nor control characters, which usernames never hold);
# % is encoded too, so the encoding is reversible and two names never share a key.
_UNSAFE = frozenset("/\\#?%")


def user_key(username: str) -> str:
    """The username folded as logins compare it, with the characters keys forbid percent-encoded."""
    folded = username.casefold()
    return "".join(quote(c, safe="") if c in _UNSAFE else c for c in folded)


def account_partition(username: str) -> str:
    return f"u:{user_key(username)}"
