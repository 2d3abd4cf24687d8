"""The web page's files in web/: a fixed allow-list, read once per process, with strong ETags.

Only names in `_TYPES` can be served, so no request path ever reaches the file system.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from shared.errors import NotFound
from shared.http.etags import none_match_hits

WEB_DIR = Path(__file__).resolve().parents[2] / "web"

_TYPES = {
    "index.html": "text/html; charset=utf-8",
    "download.html": "text/html; charset=utf-8",
    "message.html": "text/html; charset=utf-8",
    "share.html": "text/html; charset=utf-8",
    "share.css": "text/css; charset=utf-8",
    "share.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "download.js": "text/javascript; charset=utf-8",
    "reverse.html": "text/html; charset=utf-8",
    "reverse.js": "text/javascript; charset=utf-8",
    "links.js": "text/javascript; charset=utf-8",
    "icon.svg": "image/svg+xml",
    # End-to-end encryption (docs/encryption.md): the page's and the decrypt page's scripts.
    "decrypt.html": "text/html; charset=utf-8",
    "crypto.js": "text/javascript; charset=utf-8",
    "e2e-upload.js": "text/javascript; charset=utf-8",
    "decrypt.js": "text/javascript; charset=utf-8",
    "decrypt-sw.js": "text/javascript; charset=utf-8",
}
# What GET /static/{name} may serve; the HTML files are pages, served by their own routes.
STATIC = frozenset(
    {"app.css", "app.js", "download.js", "icon.svg", "share.css", "share.js"}
    | {"reverse.js", "links.js"}
    | {"crypto.js", "e2e-upload.js", "decrypt.js"}
)


@dataclass(frozen=True)
class Asset:
    name: str
    body: bytes
    content_type: str
    etag: str

    def not_modified(self, if_none_match: str | None) -> bool:
        return none_match_hits(if_none_match, self.etag)


@functools.cache
def _load(name: str) -> Asset:
    body = (WEB_DIR / name).read_bytes()
    digest = hashlib.sha256(body).hexdigest()[:32]
    return Asset(name, body, _TYPES[name], f'"{digest}"')


def asset(name: str) -> Asset:
    """A file of web/ by its allow-listed name; read on first use, then kept in memory."""
    if name not in _TYPES:
        raise NotFound()
    return _load(name)


def static_asset(name: str) -> Asset:
    """What GET /static/{name} serves: 404 for anything not on the static allow-list."""
    if name not in STATIC:
        raise NotFound()
    return _load(name)
