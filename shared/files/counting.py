"""The download counter: the one place a download is counted, claimed, given back or settled.

What counts as a download (decided in shared/files/download_plan.py): a GET or the download
page's POST of the bytes, or following a short link, or a redirect to storage. A request for a
`Range` counts only when the range starts at byte 0: a range from further on resumes or seeks
within a download that was counted when it started, so a player seeking through a video or a
client resuming a broken transfer does not count again. (Files with a limit ignore `Range` and
always send the whole file.) HEAD, prefetches, 304s and the download page never count.

Files without a limit are *counted*, best effort: nothing is at stake but the figure, so a
download is never refused because its counter is contended; a row too contended to update is
logged, not failed. A transfer that breaks off before its content left (below) is uncounted.

Files with a limit are *claimed*, and a claim is a lease. Claiming writes, in one update
conditional on the row's ETag, the count + 1, the number of claims in flight (`leased`) + 1 and
`lease_until`, when the claim is given up for lost: 15 minutes plus the time to send the file at
64 KiB/s (with several claims in flight, the latest of their ends). The count includes the claims
in flight, so of concurrent claims on the last download exactly one wins, and to everyone else
the file is gone at once (404). A claim then ends in one of three ways:

- final: the transfer completed (the server took the last byte), or it broke off after more than
  64 KiB, or more than a sixteenth, of what was to be sent had been handed to the server. The
  client may hold real content, so the download stays counted. The settle that leaves a used-up
  file with no claims in flight deletes it.
- given back: the transfer broke off before that, so nothing meaningful left: the count goes down
  and the link works again.
- lost: nothing settled it: the host crashed mid-transfer, the client went away before the body
  started (so the code that settles never ran), or storage was unreachable when it tried. Once
  `lease_until` has passed, the next reader gives every claim then in flight back
  (FileRecord.reaped), in the same conditional write as its own claim; until then the link looks
  used up.

Bytes are counted as handed when they are passed to the server, before it sends them, so they
bound from above what the client can have received: a give-back never returns a download whose
client got more than the threshold. The windows that remain:

- served twice: a transfer still running when its lease ends (slower than 64 KiB/s on average,
  or its host stalled that long) can be given back by a reader, who then downloads the file
  again. The slow transfer counts itself again when it settles, so the count ends right, but the
  content went out twice.
- counted but not received: a break-off after the threshold stays counted (by design: the
  client may already have what it came for); a crash keeps the link used up for at most its lease,
  and a reap waits for the latest lease of the claims in flight on that file.

Whether a record may be served (`FileRecord.is_live`, leases included) is decided on the record
read, in the domain; shared/files/table.py only reads rows and writes them on their ETag.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from shared.errors import FileNotFound
from shared.files import catalog, table, tally
from shared.files.records import FileRecord
from shared.notifications import notify
from shared.storage import retry

LEASE_FLOOR = timedelta(minutes=15)
_SLOW_BYTES_PER_SECOND = 64 * 1024
GIVE_BACK_BYTES = 64 * 1024
_GIVE_BACK_SHARE = 16  # a sixteenth


def lease_for(size: int) -> timedelta:
    """How long a claim on a file of `size` bytes may stay unsettled before it is given back."""
    return LEASE_FLOOR + timedelta(seconds=size / _SLOW_BYTES_PER_SECOND)


def gives_back(*, completed: bool, handed: int, length: int) -> bool:
    """Whether a transfer of `length` bytes that handed `handed` to the server is uncounted."""
    return not completed and handed <= min(GIVE_BACK_BYTES, length // _GIVE_BACK_SHARE)


async def take(record: FileRecord, now: datetime) -> FileRecord:
    """Count one download before a byte is sent: claimed if the file is limited, else counted."""
    if record.max_downloads is None:
        return await _add(record, 1)
    return await claim(record, now)


async def claim(record: FileRecord, now: datetime) -> FileRecord:
    """Lease one download of a limited file; of concurrent claims on the last, exactly one wins."""
    async for _ in retry.Attempts(what="a download claim"):
        current = record.reaped(now)
        if not current.is_live(now):
            raise FileNotFound()
        claimed = await table.write_counts(
            replace(
                current,
                download_count=current.download_count + 1,
                leased=current.leased + 1,
                lease_until=max(current.lease_until, now + lease_for(record.size)),
            )
        )
        if claimed is not None:
            return claimed
        fresh = await table.get(record.file_url)
        if fresh is None:
            raise FileNotFound()
        record = fresh
    raise FileNotFound()


async def settle(claimed: FileRecord, *, completed: bool, handed: int = 0, length: int = 0) -> None:
    """After a counted transfer: keep or give back its download, and end its lease. A download
    that stays counted is announced to the owner's webhooks (queued, never waited for)."""
    given_back = gives_back(completed=completed, handed=handed, length=length)
    if claimed.max_downloads is None:
        if given_back:
            await _add(claimed, -1)
    else:
        await _end_lease(claimed, given_back=given_back)
    if not given_back:
        notify.file_downloaded(claimed)


async def _end_lease(claimed: FileRecord, *, given_back: bool) -> None:
    """The claim's own write is tried first (its ETag is the row's unless another reader wrote
    since), so an uncontended settle is one write; a lost race reads the row again."""
    record: FileRecord | None = claimed
    async for _ in retry.Attempts(what="settling a download"):
        if record is None:
            return
        if record.leased:
            leased, count = record.leased - 1, record.download_count - (1 if given_back else 0)
        else:
            # A reader gave this claim back when its lease ended (the transfer outlived it).
            leased, count = 0, record.download_count + (0 if given_back else 1)
        settled = await table.write_counts(replace(record, download_count=count, leased=leased))
        if settled is None:
            record = await table.get(claimed.file_url)
            continue
        if settled.leased == 0 and settled.downloads_left == 0:
            await catalog.remove(settled)
        return


async def _add(record: FileRecord, delta: int) -> FileRecord:
    """Best effort, for files without a limit (group-committed per instance: files/tally.py)."""
    return await tally.add(record, delta)
