"""QR codes of a file's link, drawn by segno (a maintained, pure-Python encoder)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import segno

from shared.errors import BadRequest
from shared.files import catalog
from shared.files.content_policy import SECURITY_HEADERS
from shared.http.params import whole_number

DEFAULT_SCALE = 4
MAX_SCALE = 40  # a file link is a version 3-5 code: at most about 1,500 pixels a side
_FORMATS = {"svg": "image/svg+xml", "png": "image/png"}


@dataclass(frozen=True)
class QrImage:
    content: bytes
    headers: dict[str, str]


def qr_link(base_url: str, file_url: str) -> str:
    return f"{base_url}/api/qr/{file_url}"


def parse_options(query: Mapping[str, str]) -> tuple[str, int]:
    """`format` (svg, the default, or png) and `scale` (pixels per module, 1..MAX_SCALE)."""
    fmt = query.get("format", "svg").strip().lower() or "svg"
    if fmt not in _FORMATS:
        raise BadRequest("format must be svg or png")
    raw_scale = query.get("scale", "").strip()
    if not raw_scale:
        return fmt, DEFAULT_SCALE
    scale = whole_number(raw_scale)
    if scale is None or not 1 <= scale <= MAX_SCALE:
        raise BadRequest(f"scale must be a whole number from 1 to {MAX_SCALE}")
    return fmt, scale


async def for_file(
    file_url: str, query: Mapping[str, str], *, base_url: str, now: datetime
) -> QrImage:
    """The QR code of a live file's full link; 404 exactly where a download would be."""
    fmt, scale = parse_options(query)
    await catalog.find_live(file_url, now)
    return render(catalog.file_link(base_url, file_url), fmt, scale)


def render(text: str, fmt: str, scale: int) -> QrImage:
    # Error level M at least (boosted when it fits), so a smudged print still scans.
    code = segno.make(text, error="m", micro=False)
    out = io.BytesIO()
    if fmt == "svg":
        code.save(out, kind="svg", scale=scale, xmldecl=False, svgclass=None, lineclass=None)
    else:
        code.save(out, kind="png", scale=scale)
    return QrImage(
        out.getvalue(),
        {
            "Content-Type": _FORMATS[fmt],
            **SECURITY_HEADERS,
            # The link never changes, but the file may go: let clients keep it briefly.
            "Cache-Control": "private, max-age=300",
        },
    )
