"""The share-link page a browser gets for a limited file: facts and a button, never the bytes.

Rendering reads nothing but the record, so showing the page never counts as a download; only
the page's form (a POST to the same URL) downloads.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from string import Template

from shared.clock import iso
from shared.files.records import FileRecord
from shared.sizes import human_size
from shared.web.assets import asset


def human_remaining(expires_at: datetime, now: datetime) -> str:
    seconds = max(0, int((expires_at - now).total_seconds()))
    for length, unit in ((86_400, "day"), (3_600, "hour"), (60, "minute")):
        if seconds >= length:
            count = seconds // length
            return f"in {count} {unit}{'' if count == 1 else 's'}"
    return "in less than a minute"


def render(record: FileRecord, now: datetime) -> bytes:
    """The share page, or for an encrypted file the page that decrypts it."""
    left = record.downloads_left
    if left == 1:
        notice = "This link works once: downloading the file deletes it."
    elif left is None:
        notice = "Downloads are not limited."
    else:
        notice = f"This link works {left} more times, then the file is deleted."
    expires = record.expires_at.astimezone(UTC)
    values = {
        "name": record.user_filename,
        "size": human_size(record.size),
        "expires_iso": iso(expires),
        "expires": f"{expires:%Y-%m-%d %H:%M} UTC ({human_remaining(expires, now)})",
        "left": "unlimited" if left is None else str(left),
        "notice": notice,
    }
    page_name = "decrypt.html" if record.encrypted else "download.html"
    template = Template(asset(page_name).body.decode("utf-8"))
    page = template.substitute({name: html.escape(value) for name, value in values.items()})
    return page.encode("utf-8")
