"""Response headers for the service's own HTML pages: a strict CSP and its companions."""

from __future__ import annotations

from urllib.parse import urlsplit

from shared.config import Settings

_DEV_STORAGE_BLOB = "http://127.0.0.1:10000"


def _origin(url: str) -> str | None:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def _connection_string_fields(connection_string: str) -> dict[str, str]:
    pairs = (item.partition("=") for item in connection_string.split(";") if "=" in item)
    return {name.strip().lower(): value.strip() for name, _, value in pairs}


def blob_origin(settings: Settings) -> str | None:
    """The origin of the Blob endpoint browsers upload to directly (SAS URLs point there)."""
    if settings.storage_blob_endpoint:
        return _origin(settings.storage_blob_endpoint)
    fields = _connection_string_fields(settings.storage_connection_string)
    if "blobendpoint" in fields:
        return _origin(fields["blobendpoint"])
    if fields.get("usedevelopmentstorage", "").lower() == "true":
        return _DEV_STORAGE_BLOB
    account = fields.get("accountname")
    if account:
        protocol = fields.get("defaultendpointsprotocol", "https")
        suffix = fields.get("endpointsuffix", "core.windows.net")
        return _origin(f"{protocol}://{account}.blob.{suffix}")
    return None


def app_page_headers(settings: Settings) -> dict[str, str]:
    """The web app: scripts and styles only from here; XHR also to the Blob endpoint."""
    connect = " ".join(filter(None, ["'self'", blob_origin(settings)]))
    # QR codes come from qr_url, built on PUBLIC_BASE_URL when it is set.
    public = _origin(settings.public_base_url) if settings.public_base_url else None
    images = " ".join(filter(None, ["'self'", public, "data: blob:"]))
    policy = (
        "default-src 'self'; "
        f"connect-src {connect}; "
        f"img-src {images}; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
    return _with_companions(policy)


def download_page_headers() -> dict[str, str]:
    """The share-link page: a form that posts back to itself, and only its own small script
    (which says when the link is used up)."""
    policy = (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
    return {**_with_companions(policy), "X-Robots-Tag": "noindex, nofollow"}


def decrypt_page_headers() -> dict[str, str]:
    """An encrypted file's page: its own scripts, and the service worker (web/decrypt-sw.js)
    that fetches the ciphertext and streams the plaintext to disk. The key stays in the page:
    never in a URL, so no Referer and no request carries it."""
    policy = (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; worker-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    return {**_with_companions(policy), "X-Robots-Tag": "noindex, nofollow"}


def _with_companions(policy: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    }
