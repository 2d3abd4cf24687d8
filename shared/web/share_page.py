"""The page a browser gets for a share: its files, each with its size and download link, a
"download all" link to the ZIP, and thumbnails of safe images (shared/shares/previews.py).

Rendering reads only the share's rows, so showing the page never counts a download. A share
with a download limit offers only the ZIP (docs/api.md, shares: how downloads count).
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from string import Template
from urllib.parse import quote

from shared.clock import iso
from shared.shares.previews import previewable
from shared.shares.records import Member, ShareRecord
from shared.sizes import human_size
from shared.web.assets import asset
from shared.web.download_page import human_remaining


def _row(share: ShareRecord, member: Member) -> str:
    name, size = html.escape(member.user_filename), html.escape(human_size(member.size))
    file_url = quote(member.file_url, safe="")
    thumb = ""
    if previewable(share, member):
        src = f"/s/{quote(share.share_id, safe='')}/preview/{file_url}"
        thumb = f'<img class="thumb" src="{src}" alt="" loading="lazy">'
    if share.max_downloads is None:
        # Under the share's path, where the share's unlock cookie applies.
        href = f"/s/{quote(share.share_id, safe='')}/files/{file_url}"
        label = f'<a class="name" href="{href}" download>{name}</a>'
    else:
        label = f'<span class="name">{name}</span>'
    return f'    <li class="share-file">{thumb}{label}<span class="size">{size}</span></li>'


def render(share: ShareRecord, members: list[Member], now: datetime) -> bytes:
    left = share.downloads_left
    if left is None:
        notice = "Download each file, or all of them as one ZIP."
    elif left == 1:
        notice = "This link works once: downloading the ZIP deletes the share."
    else:
        notice = f"The ZIP can be downloaded {left} more times, then the share is deleted."
    expires = share.expires_at.astimezone(UTC)
    values = {
        "title": share.title or f"{len(members)} file{'' if len(members) == 1 else 's'}",
        "count": str(len(members)),
        "size": human_size(sum(member.size for member in members)),
        "expires_iso": iso(expires),
        "expires": f"{expires:%Y-%m-%d %H:%M} UTC ({human_remaining(expires, now)})",
        "left": "unlimited" if left is None else str(left),
        "notice": notice,
        "zip_url": f"/s/{quote(share.share_id, safe='')}/zip",
    }
    escaped = {name: html.escape(value) for name, value in values.items()}
    rows = "\n".join(_row(share, member) for member in members)
    page = Template(asset("share.html").body.decode("utf-8")).substitute(escaped, rows=rows)
    return page.encode("utf-8")
