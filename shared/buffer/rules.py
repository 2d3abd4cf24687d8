"""The buffer's pure rules: what a POST stores, under which name, and how an item is shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from urllib.parse import unquote

from shared.buffer.items import BufferItem
from shared.errors import BadRequest
from shared.files import content_policy
from shared.files.filenames import content_disposition

TEXT = "text"
FILE = "file"
TEXT_CONTENT_TYPE = "text/plain; charset=utf-8"
NO_FILENAME = (
    "A file needs a filename: send it in X-Filename, as filename= in Content-Disposition, "
    "or as multipart/form-data with the file in field 'file'"
)


@dataclass(frozen=True)
class Incoming:
    """What a POST says about its body, from its headers."""

    data_type: str | None
    content_type: str
    content_length: str | None
    filename: str | None
    disposition: str | None


def data_type(incoming: Incoming) -> str:
    """X-Data-Type: text or file, in any case; 400 otherwise."""
    declared = (incoming.data_type or "").strip().lower()
    if declared not in (TEXT, FILE):
        raise BadRequest("X-Data-Type must be text or file")
    return declared


def header_filename(incoming: Incoming) -> str:
    """X-Filename (percent-decoded, so any name fits in a header), else Content-Disposition's."""
    x_filename = incoming.filename
    if x_filename and x_filename.strip():
        return unquote(x_filename.strip())
    if incoming.disposition:
        message = Message()
        message["Content-Disposition"] = incoming.disposition
        name = message.get_filename()  # RFC 2231/5987 filename* included
        if name and name.strip():
            return name
    raise BadRequest(NO_FILENAME)


def live(items: list[BufferItem], now: datetime, *, limit: int) -> list[BufferItem]:
    """The first `limit` unexpired items, in the order given."""
    return [found for found in items if found.is_live(now)][:limit]


def response_headers(found: BufferItem) -> dict[str, str]:
    """Text as UTF-8 text, a file as an attachment with its name; type, id and size always."""
    if found.name is None:
        headers = {"Content-Type": TEXT_CONTENT_TYPE, **content_policy.SECURITY_HEADERS}
    else:
        headers = {
            **content_policy.response_headers(found.content_type, found.name),
            "Content-Disposition": content_disposition("attachment", found.name),
        }
    headers.update(
        {
            "X-Data-Type": found.data_type,
            "X-Item-Id": found.item_id,
            "Content-Length": str(found.size),
            "Cache-Control": "no-store",
        }
    )
    return headers
