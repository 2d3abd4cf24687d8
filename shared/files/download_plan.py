"""What a download request gets, decided from data alone: no storage, no clock, no I/O.

`plan_download` looks at the record, the request's method and headers, the malware verdict and
the direct-download threshold, and returns a `DownloadPlan`: the kind of answer, its status and
headers, the bytes to send and whether the download counts. shared/files/downloads.py carries the
plan out (claims, streams, settles); the rules themselves are tested over their whole table in
tests/files/test_download_plan.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from shared.errors import BeingScanned
from shared.files import content_policy, direct_downloads, shortener
from shared.files.filenames import content_disposition
from shared.files.records import FileRecord
from shared.http.accept import best_offer
from shared.http.etags import if_range_allows, none_match_hits
from shared.http.ranges import parse_range
from shared.storage.names import MALICIOUS
from shared.web.page_security import decrypt_page_headers, download_page_headers


@dataclass(frozen=True)
class DownloadRequest:
    file_url: str
    head: bool = False
    prefetch: bool = False
    range_header: str | None = None
    if_none_match: str | None = None
    if_range: str | None = None
    accept: str | None = None
    # POST from the download page's button: the explicit click that downloads and counts.
    confirmed: bool = False
    direct: bool = False  # `?direct=1`: redirect to storage when the file allows it


class Kind(StrEnum):
    BLOCKED = "blocked"  # malware found: the file is deleted, 403
    PAGE = "page"  # a browser opening a limited file's link: the share page, nothing counted
    NOT_MODIFIED = "not_modified"  # If-None-Match matched: 304
    PREFETCH_REFUSED = "prefetch_refused"  # a speculative fetch of a limited file: 204
    REDIRECT = "redirect"  # the link shortener: 302 to the URL the .txt holds
    GO_DIRECT = "go_direct"  # 302 to a short-lived read-only SAS URL of the blob
    HEAD = "head"  # the headers a GET would get, no body
    STREAM = "stream"  # the bytes (or one range of them) through the function


@dataclass(frozen=True)
class DownloadPlan:
    kind: Kind
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    start: int = 0  # STREAM: the bytes to send
    length: int = 0
    counted: bool = False  # whether carrying it out counts (or claims) a download


def plan_download(
    record: FileRecord,
    request: DownloadRequest,
    *,
    malware_scanning: bool,
    scan_verdict: str | None,
    direct_above: int,
) -> DownloadPlan:
    """The answer to `request` for the live file `record`.

    `scan_verdict` is Defender's tag on the blob (read only when `malware_scanning` is on);
    `direct_above`: files larger than this go straight to storage. Raises BeingScanned while a
    scanned file has no verdict, RangeNotSatisfiable for a range outside the file.
    """
    if malware_scanning and not record.encrypted:  # a scanner sees only ciphertext
        if scan_verdict is None:
            raise BeingScanned()
        if scan_verdict == MALICIOUS:
            return DownloadPlan(Kind.BLOCKED, 403)
    limited = record.max_downloads is not None
    # A browser opening an encrypted file's link gets the page that decrypts it with the key in
    # the link's fragment, which never reaches us (docs/encryption.md).
    if (limited or record.encrypted) and wants_page(request):
        return DownloadPlan(
            Kind.PAGE, 200, _DECRYPT_PAGE_HEADERS if record.encrypted else _PAGE_HEADERS
        )
    validators = {
        "ETag": record.blob_etag,
        # A limited file must never be replayed from a cache.
        "Cache-Control": "no-store" if limited else "private, no-cache",
    }
    if limited:
        validators["Vary"] = "Accept"
    if none_match_hits(request.if_none_match, record.blob_etag):
        return DownloadPlan(Kind.NOT_MODIFIED, 304, validators)
    if request.prefetch and limited:
        return DownloadPlan(Kind.PREFETCH_REFUSED, 204, {"Cache-Control": "no-store"})

    counted = not (request.head or request.prefetch)
    # A limited link's HEAD reveals no more than its metadata does: never the shortener's target
    # (which is its whole content); only the GET that follows it is the download.
    # Checked again here: a record stored before targets were checked at publish may hold one
    # that cannot be a header; it is then served as the plain text it is.
    target = shortener.location(record.redirect_url)
    if target is not None and not (limited and request.head):
        headers = {"Location": target, "Cache-Control": "no-store"}
        return DownloadPlan(Kind.REDIRECT, 302, headers, counted=counted)
    if not request.head and direct_downloads.goes_direct(
        record, asked=request.direct, above=direct_above
    ):
        # Only unlimited files go direct: counted when redirected, as the bytes leave elsewhere.
        headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
        return DownloadPlan(Kind.GO_DIRECT, 302, headers, counted=counted)

    headers = {
        **content_policy.response_headers(record.content_type, record.user_filename),
        **validators,
    }
    if request.confirmed:
        headers["Content-Disposition"] = content_disposition("attachment", record.user_filename)
    byte_range = None
    if not limited:
        headers["Accept-Ranges"] = "bytes"
        if if_range_allows(request.if_range, record.blob_etag):
            byte_range = parse_range(request.range_header, record.size)
    start, length = (byte_range.start, byte_range.length) if byte_range else (0, record.size)
    headers["Content-Length"] = str(length)
    status = 200
    if byte_range is not None:
        status = 206
        headers["Content-Range"] = byte_range.content_range(record.size)
    if request.head:
        return DownloadPlan(Kind.HEAD, status, headers)
    # A range that starts past the first byte resumes or seeks within a download already counted.
    counted = counted and start == 0
    return DownloadPlan(Kind.STREAM, status, headers, start, length, counted)


def wants_page(request: DownloadRequest) -> bool:
    """A browser navigating to a limited file: its Accept prefers HTML to the bytes.

    curl and API clients (`*/*` or no Accept) tie, and a tie goes to the bytes.
    """
    if request.head or request.confirmed:
        return False
    return best_offer(request.accept, ["application/octet-stream", "text/html"]) == "text/html"


_PAGE_HEADERS = MappingProxyType(
    {
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-store",
        "Vary": "Accept",
        **download_page_headers(),
    }
)
_DECRYPT_PAGE_HEADERS = MappingProxyType(
    {
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-store",
        "Vary": "Accept",
        **decrypt_page_headers(),
    }
)
