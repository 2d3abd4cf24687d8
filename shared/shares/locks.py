"""Which password guards a file: its own, or, for a file of a share, the share's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.access.unlock import Credentials, check_access
from shared.config import Settings
from shared.files.records import FileRecord
from shared.shares import table as shares_table
from shared.shares.records import ShareRecord


@dataclass(frozen=True)
class Lock:
    """What shared/access/unlock.py `check_access` checks a file against: the link whose password
    and unlock cookie open it, and `share`, the share the file is in (None for a file alone)."""

    link_id: str
    password_hash: str | None
    expires_at: datetime
    share: ShareRecord | None = None

    @classmethod
    def of_share(cls, share: ShareRecord) -> Lock:
        return cls(share.share_id, share.password_hash, share.expires_at, share)

    async def check(
        self, *, credentials: Credentials, client: str, settings: Settings, now: datetime
    ) -> None:
        """PasswordRequired or WrongPassword (401) unless the credentials open this link."""
        await check_access(
            link_id=self.link_id,
            password_hash=self.password_hash,
            credentials=credentials,
            client=client,
            settings=settings,
            now=now,
            expires_at=self.expires_at,
        )


async def lock_of(record: FileRecord) -> Lock:
    """A file of a share is opened by the share's password (one point read more)."""
    if record.share_id:
        share = await shares_table.get(record.share_id)
        if share is not None:
            return Lock.of_share(share)
    return Lock(record.file_url, record.password_hash, record.expires_at)
