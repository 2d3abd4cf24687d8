"""Counting a share's downloads: the rules of shared/files/counting.py, on the share's row.

A share without a limit is counted best effort. A share with one is claimed: one update
conditional on the row's ETag raises the count and the claims in flight and sets the lease, so of
concurrent claims on the last download exactly one wins; settling keeps or gives back the claim
(`gives_back`: a transfer that broke off before 64 KiB, and a sixteenth, left) and removes the
share once it is used up with no claim in flight.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from shared.errors import ShareNotFound
from shared.files.counting import gives_back, lease_for
from shared.shares import service
from shared.shares import table as shares_table
from shared.shares.records import ShareRecord
from shared.storage import retry


async def take(share: ShareRecord, size: int, now: datetime) -> ShareRecord:
    """Count one download of the share before its first byte: claimed if limited."""
    if share.max_downloads is None:
        await _add(share.share_id, 1)
        return replace(share, download_count=share.download_count + 1)
    async for _ in retry.Attempts(what="a share download claim"):
        current = share.reaped(now)
        if not current.is_live(now):
            raise ShareNotFound()
        claimed = await shares_table.write_counts(
            replace(
                current,
                download_count=current.download_count + 1,
                leased=current.leased + 1,
                lease_until=max(current.lease_until, now + lease_for(size)),
            )
        )
        if claimed is not None:
            return claimed
        fresh = await shares_table.get(share.share_id)
        if fresh is None:
            raise ShareNotFound()
        share = fresh
    raise ShareNotFound()


async def settle(share: ShareRecord, *, completed: bool, handed: int, length: int) -> None:
    given_back = gives_back(completed=completed, handed=handed, length=length)
    if share.max_downloads is None:
        if given_back:
            await _add(share.share_id, -1)
        return
    async for _ in retry.Attempts(what="settling a share download"):
        current = await shares_table.get(share.share_id)
        if current is None:
            return
        if current.leased:
            leased = current.leased - 1
            count = current.download_count - (1 if given_back else 0)
        else:  # a reader gave this claim back when its lease ended
            leased, count = 0, current.download_count + (0 if given_back else 1)
        settled = await shares_table.write_counts(
            replace(current, download_count=count, leased=leased)
        )
        if settled is None:
            continue
        if settled.leased == 0 and settled.downloads_left == 0:
            await service.remove(settled)
        return


async def _add(share_id: str, delta: int) -> None:
    async for _ in retry.Attempts(what="a share download count"):
        share = await shares_table.get(share_id)
        if share is None or share.download_count + delta < 0:
            return
        if await shares_table.write_counts(
            replace(share, download_count=share.download_count + delta)
        ):
            return
