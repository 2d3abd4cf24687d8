"""The events an endpoint can subscribe to, and their payloads.

A payload names a file by its public id (`file_url`) and its name; it never carries a delete
key, a token, a password or the content. The body sent is the Standard Webhooks shape:
`{"type": …, "timestamp": …, "data": {…}}`, built once when the event is queued, so every retry
sends the same bytes.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.clock import iso
from shared.files.records import FileRecord

FILE_DOWNLOADED = "file.downloaded"
FILE_CONSUMED = "file.consumed"
FILE_EXPIRED = "file.expired"
FILE_DELETED = "file.deleted"
SHARE_DOWNLOADED = "share.downloaded"
REVERSE_SHARE_RECEIVED = "reverse_share.received"
# Sent by POST /api/webhooks/{id}/test to that one endpoint, whatever it subscribes to.
WEBHOOK_TEST = "webhook.test"

SUBSCRIBABLE = (
    FILE_DOWNLOADED,
    FILE_CONSUMED,
    FILE_EXPIRED,
    FILE_DELETED,
    SHARE_DOWNLOADED,
    REVERSE_SHARE_RECEIVED,
)


@dataclass(frozen=True)
class Event:
    type: str
    data: dict[str, Any]

    def body(self, now: datetime) -> str:
        """The JSON the receiver gets (and the signature covers)."""
        document = {"type": self.type, "timestamp": iso(now), "data": self.data}
        return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class Message:
    """One event for one endpoint, as it waits in the queue.

    `event_id` is the `webhook-id` of every attempt, so a receiver can drop duplicates; `body` is
    the exact text sent. The endpoint is named by its row's keys; its URL and secret are read
    when the message is delivered, so a deleted or disabled endpoint gets nothing.
    """

    event_id: str
    partition: str
    endpoint_id: str
    event: str
    body: str

    @classmethod
    def new(cls, partition: str, endpoint_id: str, event: Event, now: datetime) -> Message:
        return cls(
            f"msg_{secrets.token_hex(12)}", partition, endpoint_id, event.type, event.body(now)
        )

    def encode(self) -> str:
        return json.dumps(
            {
                "v": 1,
                "id": self.event_id,
                "account": self.partition,
                "endpoint": self.endpoint_id,
                "type": self.event,
                "body": self.body,
            },
            separators=(",", ":"),
        )

    @classmethod
    def decode(cls, raw: str | bytes) -> Message | None:
        """The message, or None for anything this version did not write."""
        try:
            fields = json.loads(raw)
        except ValueError:
            return None
        keys = ("id", "account", "endpoint", "type", "body")
        if not isinstance(fields, dict) or fields.get("v") != 1:
            return None
        if not all(isinstance(fields.get(key), str) for key in keys):
            return None
        return cls(*(str(fields[key]) for key in keys))


def _file(record: FileRecord) -> dict[str, Any]:
    return {"file_url": record.file_url, "name": record.user_filename, "size": record.size}


def file_downloaded(record: FileRecord) -> Event:
    """`record` as this download left it: its count includes the download."""
    return Event(
        FILE_DOWNLOADED,
        {
            **_file(record),
            "download_count": record.download_count,
            "max_downloads": record.max_downloads,
            "downloads_left": record.downloads_left,
        },
    )


def file_consumed(record: FileRecord) -> Event:
    """A limited link's last download completed; the file is gone."""
    return Event(
        FILE_CONSUMED,
        {
            **_file(record),
            "download_count": record.download_count,
            "max_downloads": record.max_downloads,
        },
    )


def file_expired(record: FileRecord) -> Event:
    return Event(FILE_EXPIRED, {**_file(record), "expires_at": iso(record.expires_at)})


def file_deleted(record: FileRecord) -> Event:
    return Event(FILE_DELETED, _file(record))


def share_downloaded(
    *, share_id: str, name: str, download_count: int, downloads_left: int | None
) -> Event:
    """For shares (not built yet): someone downloaded what the account shared."""
    return Event(
        SHARE_DOWNLOADED,
        {
            "share_id": share_id,
            "name": name,
            "download_count": download_count,
            "downloads_left": downloads_left,
        },
    )


def reverse_share_received(*, share_id: str, file_url: str, name: str, size: int) -> Event:
    """Someone uploaded a file through one of the account's upload links (shared/reverse/)."""
    return Event(
        REVERSE_SHARE_RECEIVED,
        {"share_id": share_id, "file_url": file_url, "name": name, "size": size},
    )


def webhook_test(endpoint_id: str) -> Event:
    return Event(WEBHOOK_TEST, {"webhook_id": endpoint_id, "message": "Test event from fileshare"})
