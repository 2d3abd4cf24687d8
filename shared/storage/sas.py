"""Valet keys: SAS URLs that let a client move one blob's bytes without passing through us.

One code path for both environments. A client built from a connection string holds the account
key (Azurite, local development): sign with it. In Azure no key exists; the managed identity asks
Blob Storage for a user-delegation key, which is cached and reused until shortly before the
latest SAS it must cover would outlive it. Either way the URL is built from `blob_client.url`, so
Azurite's path-style addresses come out right.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from azure.storage.blob import BlobSasPermissions, UserDelegationKey, generate_blob_sas

from shared.storage.clients import Storage, storage

# A SAS starts a little in the past: clocks of client, service and storage never agree exactly.
_CLOCK_SKEW = timedelta(minutes=5)
# Delegation keys live at most 7 days; asking for one a day long keeps key requests rare.
_KEY_LIFETIME = timedelta(days=1)
_KEY_MAX_LIFETIME = timedelta(days=7)

# Create and write: enough to stage blocks and commit them; no read, no delete, no list.
UPLOAD_PERMISSION = BlobSasPermissions(create=True, write=True)
READ_PERMISSION = BlobSasPermissions(read=True)


@dataclass(frozen=True)
class _DelegationKey:
    issuer: Storage  # a key is only good for the account (and identity) that asked for it
    key: UserDelegationKey
    expiry: datetime


_delegation_key: _DelegationKey | None = None
_key_lock = asyncio.Lock()


async def blob_sas_url(
    name: str,
    *,
    permission: BlobSasPermissions,
    expiry: datetime,
    now: datetime,
    content_type: str | None = None,
    content_disposition: str | None = None,
    snapshot: str | None = None,
) -> str:
    """A URL granting `permission` on the one blob `name` (or its `snapshot`) until `expiry`.

    `content_type` and `content_disposition` become the SAS's `rsct`/`rscd`: storage answers a
    read with these headers whatever the blob's own properties say.
    """
    current = storage()
    blob = (await current.container()).get_blob_client(name, snapshot=snapshot)
    start = now - _CLOCK_SKEW
    account_key: str | None = getattr(current.blob_service.credential, "account_key", None)
    delegation_key = (
        None if account_key else await _user_delegation_key(current, now, covering=expiry)
    )
    token = generate_blob_sas(
        blob.account_name or "",
        blob.container_name,
        blob.blob_name,
        account_key=account_key,
        user_delegation_key=delegation_key,
        permission=permission,
        expiry=expiry,
        start=start,
        protocol="https" if blob.url.startswith("https://") else None,
        content_type=content_type,
        content_disposition=content_disposition,
        snapshot=snapshot,
    )
    return f"{blob.url}{'&' if '?' in blob.url else '?'}{token}"


async def _user_delegation_key(
    issuer: Storage, now: datetime, *, covering: datetime
) -> UserDelegationKey:
    """The cached delegation key, renewed when it would expire before `covering`."""
    global _delegation_key
    async with _key_lock:
        cached = _delegation_key
        if cached is None or cached.issuer is not issuer or cached.expiry < covering + _CLOCK_SKEW:
            key_expiry = min(
                max(now + _KEY_LIFETIME, covering + _CLOCK_SKEW), now + _KEY_MAX_LIFETIME
            )
            async with storage().call():
                key = await issuer.blob_service.get_user_delegation_key(
                    key_start_time=now - _CLOCK_SKEW, key_expiry_time=key_expiry
                )
            cached = _delegation_key = _DelegationKey(issuer, key, key_expiry)
        return cached.key
