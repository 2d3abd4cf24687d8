"""Which stored types a browser may render inline, and the headers that keep it safe."""

from __future__ import annotations

import mimetypes

from shared.files.filenames import content_disposition

_INLINE_EXACT = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/avif",
        "image/bmp",
        "application/pdf",
        "text/plain",
    }
)
_INLINE_FAMILIES = ("audio/", "video/")
# Types a browser or another site could run as a document or script from our origin: never sent
# as themselves, even as attachments. Everything else keeps its real type (JSON, CSV, ZIP, ...).
_ACTIVE_EXACT = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "image/svg+xml",
        "text/xml",
        "application/xml",
        "text/xsl",
        "application/xslt+xml",
        "text/javascript",
        "application/javascript",
        "application/x-javascript",
        "application/ecmascript",
        "text/ecmascript",
        "application/wasm",
        "application/x-shockwave-flash",
    }
)

# Even inline content runs in an opaque-origin sandbox with no script.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self'; "
    "media-src 'self'; style-src 'unsafe-inline'",
    "Referrer-Policy": "no-referrer",
}


def guess_content_type(filename: str) -> str:
    """From the name only: a client's declared type is not trusted."""
    guessed, _ = mimetypes.guess_type(filename, strict=False)
    return guessed or "application/octet-stream"


def is_inline_safe(content_type: str) -> bool:
    return content_type in _INLINE_EXACT or content_type.startswith(_INLINE_FAMILIES)


def is_active(content_type: str) -> bool:
    """Markup or script a browser could execute, whatever the disposition says."""
    return content_type in _ACTIVE_EXACT or content_type.endswith("+xml")


def response_headers(content_type: str, filename: str) -> dict[str, str]:
    """Content-Type and Content-Disposition for serving a stored file, plus hardening."""
    if is_inline_safe(content_type):
        served_type = "text/plain; charset=utf-8" if content_type == "text/plain" else content_type
        disposition = "inline"
    else:
        served_type = "application/octet-stream" if is_active(content_type) else content_type
        disposition = "attachment"
    return {
        "Content-Type": served_type,
        "Content-Disposition": content_disposition(disposition, filename),
        **SECURITY_HEADERS,
    }
