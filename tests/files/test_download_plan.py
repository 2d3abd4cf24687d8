"""The download decision table (shared/files/download_plan.py), with no storage and no network.

One row per kind of request a file link meets; each asserts the status, the headers a client acts
on and whether the download counts. The product test then runs every combination of the inputs
through the rules that must hold whatever the combination.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.errors import ServiceError
from shared.files.download_plan import DownloadPlan, DownloadRequest, Kind, plan_download
from shared.files.records import FileRecord

NOW = datetime(2030, 1, 1, tzinfo=UTC)
ETAG = '"0x8DC0FFEE"'
URL = "AAAAAAAAAAAAAAAA"
DIRECT_ABOVE = 100
SMALL, LARGE = 10, DIRECT_ABOVE + 1
TARGET = "https://example.com/page?q=1"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
OFF, PENDING, CLEAN, MALICIOUS = "off", "pending", "No threats found", "Malicious"
ABSENT = None  # in `headers`: the header must not be there


def _record(limit: int | None, size: int, redirect: str | None, name: str) -> FileRecord:
    content_type = "text/html" if name.endswith(".html") else "text/plain"
    return FileRecord(
        URL, "key", name, "." + name.rpartition(".")[2], content_type, size,
        NOW - timedelta(hours=1), NOW + timedelta(hours=1), limit, 0, ETAG, redirect,
    )  # fmt: skip


def _plan(
    *,
    limit: int | None = None,
    size: int = SMALL,
    redirect: str | None = None,
    name: str = "a.txt",
    scan: str = OFF,
    **request: Any,
) -> DownloadPlan:
    return plan_download(
        _record(limit, size, redirect, name),
        DownloadRequest(URL, **request),
        malware_scanning=scan != OFF,
        scan_verdict=None if scan in (OFF, PENDING) else scan,
        direct_above=DIRECT_ABOVE,
    )


@dataclass(frozen=True)
class Expect:
    kind: Kind | None  # None: answered with an error (status)
    status: int
    counted: bool = False
    headers: dict[str, str | None] = field(default_factory=dict)
    sent: tuple[int, int] | None = None  # STREAM: (start, length)


NO_STORE = {"Cache-Control": "no-store"}
LIMITED_FILE = {"Cache-Control": "no-store", "Vary": "Accept", "Accept-Ranges": ABSENT}
UNLIMITED_FILE = {"Cache-Control": "private, no-cache", "Accept-Ranges": "bytes", "Vary": ABSENT}
WHOLE = {"Content-Length": str(SMALL), "Content-Range": ABSENT}


def _row(case_id: str, expect: Expect, **inputs: Any) -> Any:
    return pytest.param(inputs, expect, id=case_id)


TABLE = [
    # Malware scanning: nothing before a verdict; a malicious file is blocked before anything.
    _row("scan-pending", Expect(None, 503), scan=PENDING),
    _row("scan-pending-head-limited", Expect(None, 503), scan=PENDING, limit=1, head=True),
    _row("scan-malicious", Expect(Kind.BLOCKED, 403), scan=MALICIOUS),
    _row("scan-malicious-prefetch", Expect(Kind.BLOCKED, 403), scan=MALICIOUS, prefetch=True),
    _row("scan-malicious-page", Expect(Kind.BLOCKED, 403), scan=MALICIOUS, limit=1, accept=BROWSER),
    _row("scan-clean", Expect(Kind.STREAM, 200, counted=True, headers=WHOLE), scan=CLEAN),
    _row("scan-clean-limited", Expect(Kind.STREAM, 200, counted=True), scan=CLEAN, limit=1),
    # The share page: browsers opening a limited file's link; nothing counted.
    _row(
        "page",
        Expect(
            Kind.PAGE,
            200,
            headers={"Content-Type": "text/html; charset=utf-8", **NO_STORE, "Vary": "Accept"},
        ),
        limit=1,
        accept=BROWSER,
    ),
    _row("page-prefetch", Expect(Kind.PAGE, 200), limit=1, accept=BROWSER, prefetch=True),
    _row(
        "page-before-if-none-match",
        Expect(Kind.PAGE, 200),
        limit=1,
        accept=BROWSER,
        if_none_match=ETAG,
    ),
    _row("page-redirect-file", Expect(Kind.PAGE, 200), limit=1, accept=BROWSER, redirect=TARGET),
    _row(
        "page-head-is-the-file",
        Expect(Kind.HEAD, 200, headers={"Content-Type": "text/plain; charset=utf-8", **WHOLE}),
        limit=1,
        accept=BROWSER,
        head=True,
    ),
    _row(
        "page-post-downloads",
        Expect(
            Kind.STREAM,
            200,
            counted=True,
            headers={
                "Content-Disposition": "attachment; filename=\"a.txt\"; filename*=UTF-8''a.txt",
                **LIMITED_FILE,
            },
        ),
        limit=1,
        accept=BROWSER,
        confirmed=True,
    ),
    _row(
        "browser-unlimited-gets-bytes",
        Expect(Kind.STREAM, 200, counted=True, headers=UNLIMITED_FILE),
        accept=BROWSER,
    ),
    _row("api-any", Expect(Kind.STREAM, 200, counted=True, headers=LIMITED_FILE), limit=1),
    _row("api-star", Expect(Kind.STREAM, 200, counted=True), limit=1, accept="*/*"),
    _row("api-json", Expect(Kind.STREAM, 200, counted=True), limit=3, accept="application/json"),
    # Conditional requests: a 304 never counts.
    _row(
        "not-modified",
        Expect(
            Kind.NOT_MODIFIED, 304, headers={"ETag": ETAG, "Cache-Control": "private, no-cache"}
        ),
        if_none_match=ETAG,
    ),
    _row("not-modified-star", Expect(Kind.NOT_MODIFIED, 304), if_none_match="*"),
    _row("not-modified-weak", Expect(Kind.NOT_MODIFIED, 304), if_none_match=f'"x", W/{ETAG}'),
    _row("modified", Expect(Kind.STREAM, 200, counted=True), if_none_match='"other"'),
    _row(
        "not-modified-limited",
        Expect(Kind.NOT_MODIFIED, 304, headers={**NO_STORE, "Vary": "Accept"}),
        limit=1,
        if_none_match=ETAG,
    ),
    _row("not-modified-head", Expect(Kind.NOT_MODIFIED, 304), head=True, if_none_match=ETAG),
    _row(
        "not-modified-redirect", Expect(Kind.NOT_MODIFIED, 304), redirect=TARGET, if_none_match=ETAG
    ),
    # Prefetch: a limited file refuses it; an unlimited one serves it uncounted.
    _row(
        "prefetch-limited",
        Expect(Kind.PREFETCH_REFUSED, 204, headers={**NO_STORE, "ETag": ABSENT}),
        limit=1,
        prefetch=True,
    ),
    _row(
        "prefetch-limited-head",
        Expect(Kind.PREFETCH_REFUSED, 204),
        limit=1,
        prefetch=True,
        head=True,
    ),
    _row(
        "prefetch-limited-redirect",
        Expect(Kind.PREFETCH_REFUSED, 204),
        limit=1,
        prefetch=True,
        redirect=TARGET,
    ),
    _row("prefetch-unlimited", Expect(Kind.STREAM, 200, headers=WHOLE), prefetch=True),
    _row("prefetch-unlimited-large", Expect(Kind.GO_DIRECT, 302), prefetch=True, size=LARGE),
    _row("prefetch-unlimited-redirect", Expect(Kind.REDIRECT, 302), prefetch=True, redirect=TARGET),
    # The link shortener: the GET is the download.
    _row(
        "redirect",
        Expect(Kind.REDIRECT, 302, counted=True, headers={"Location": TARGET, **NO_STORE}),
        redirect=TARGET,
    ),
    _row("redirect-limited", Expect(Kind.REDIRECT, 302, counted=True), limit=1, redirect=TARGET),
    _row(
        "redirect-limited-post",
        Expect(Kind.REDIRECT, 302, counted=True),
        limit=1,
        redirect=TARGET,
        confirmed=True,
    ),
    _row(
        "redirect-head",
        Expect(Kind.REDIRECT, 302, headers={"Location": TARGET}),
        redirect=TARGET,
        head=True,
    ),
    _row(
        "redirect-limited-head-reveals-nothing",
        Expect(Kind.HEAD, 200, headers={"Location": ABSENT, **LIMITED_FILE, **WHOLE}),
        limit=1,
        redirect=TARGET,
        head=True,
    ),
    _row(
        "redirect-before-direct",
        Expect(Kind.REDIRECT, 302, counted=True),
        redirect=TARGET,
        direct=True,
    ),
    # Direct downloads: asked for or large, and never for a limited file.
    _row(
        "direct-asked",
        Expect(
            Kind.GO_DIRECT,
            302,
            counted=True,
            headers={**NO_STORE, "Referrer-Policy": "no-referrer", "Location": ABSENT},
        ),
        direct=True,
    ),
    _row("direct-large", Expect(Kind.GO_DIRECT, 302, counted=True), size=LARGE),
    _row("direct-at-threshold-streams", Expect(Kind.STREAM, 200, counted=True), size=DIRECT_ABOVE),
    _row(
        "direct-ignores-range",
        Expect(Kind.GO_DIRECT, 302, counted=True),
        direct=True,
        range_header="bytes=2-5",
    ),
    _row(
        "direct-limited-streams",
        Expect(Kind.STREAM, 200, counted=True, headers=LIMITED_FILE),
        limit=1,
        direct=True,
    ),
    _row(
        "direct-limited-large-streams", Expect(Kind.STREAM, 200, counted=True), limit=3, size=LARGE
    ),
    _row(
        "direct-head", Expect(Kind.HEAD, 200, headers={"Location": ABSENT}), head=True, direct=True
    ),
    _row("direct-head-large", Expect(Kind.HEAD, 200), head=True, size=LARGE),
    # Ranges: honoured for unlimited files only.
    _row(
        "range",
        Expect(
            Kind.STREAM,
            206,
            counted=False,  # a resume or a seek: counted when the download started
            headers={"Content-Range": "bytes 2-5/10", "Content-Length": "4"},
            sent=(2, 4),
        ),
        range_header="bytes=2-5",
    ),
    _row(
        "range-from-zero",
        Expect(Kind.STREAM, 206, counted=True, sent=(0, 4)),
        range_header="bytes=0-3",
    ),
    _row(
        "range-suffix",
        Expect(
            Kind.STREAM, 206, counted=False, headers={"Content-Range": "bytes 7-9/10"}, sent=(7, 3)
        ),
        range_header="bytes=-3",
    ),
    _row(
        "range-suffix-from-zero",
        Expect(Kind.STREAM, 206, counted=True, sent=(0, SMALL)),
        range_header="bytes=-40",
    ),
    _row(
        "if-range-same-from-zero",
        Expect(Kind.STREAM, 206, counted=True),
        range_header="bytes=0-",
        if_range=ETAG,
    ),
    _row("range-outside", Expect(None, 416), range_header="bytes=50-60"),
    _row(
        "range-malformed",
        Expect(Kind.STREAM, 200, counted=True, headers=WHOLE),
        range_header="items=0-1",
    ),
    _row(
        "range-multi",
        Expect(Kind.STREAM, 200, counted=True, sent=(0, SMALL)),
        range_header="bytes=0-1,4-5",
    ),
    _row(
        "if-range-same",
        Expect(Kind.STREAM, 206, counted=False),
        range_header="bytes=2-5",
        if_range=ETAG,
    ),
    _row(
        "if-range-stale",
        Expect(Kind.STREAM, 200, counted=True, headers=WHOLE, sent=(0, SMALL)),
        range_header="bytes=2-5",
        if_range='"stale"',
    ),
    _row(
        "if-range-weak",
        Expect(Kind.STREAM, 200, counted=True),
        range_header="bytes=2-5",
        if_range=f"W/{ETAG}",
    ),
    _row(
        "range-limited-whole",
        Expect(Kind.STREAM, 200, counted=True, headers={**LIMITED_FILE, **WHOLE}, sent=(0, SMALL)),
        limit=2,
        range_header="bytes=2-5",
    ),
    _row(
        "range-limited-outside-whole",
        Expect(Kind.STREAM, 200, counted=True),
        limit=2,
        range_header="bytes=50-",
    ),
    _row(
        "range-head",
        Expect(Kind.HEAD, 206, headers={"Content-Range": "bytes 2-5/10", "Content-Length": "4"}),
        head=True,
        range_header="bytes=2-5",
    ),
    # HEAD and POST.
    _row(
        "head", Expect(Kind.HEAD, 200, headers={**UNLIMITED_FILE, **WHOLE, "ETag": ETAG}), head=True
    ),
    _row(
        "head-limited",
        Expect(Kind.HEAD, 200, headers={**LIMITED_FILE, **WHOLE}),
        limit=1,
        head=True,
    ),
    _row(
        "post-unlimited-attachment",
        Expect(
            Kind.STREAM,
            200,
            counted=True,
            headers={
                "Content-Disposition": "attachment; filename=\"a.txt\"; filename*=UTF-8''a.txt"
            },
        ),
        confirmed=True,
    ),
    _row(
        "active-content-attachment",
        Expect(
            Kind.STREAM,
            200,
            counted=True,
            headers={
                "Content-Type": "application/octet-stream",
                "X-Content-Type-Options": "nosniff",
            },
        ),
        name="a.html",
    ),
    _row(
        "empty-file",
        Expect(Kind.STREAM, 200, counted=True, headers={"Content-Length": "0"}, sent=(0, 0)),
        size=0,
    ),
    _row("empty-file-range", Expect(None, 416), size=0, range_header="bytes=0-"),
]


def _outcome(**inputs: Any) -> DownloadPlan | int:
    """The plan, or the status of the error the rules raise."""
    try:
        return _plan(**inputs)
    except ServiceError as error:
        return error.status


@pytest.mark.parametrize(("inputs", "expect"), TABLE)
def test_plan_download_decision_table(inputs: dict[str, Any], expect: Expect) -> None:
    plan = _outcome(**inputs)

    if not isinstance(plan, DownloadPlan):
        assert (None, plan) == (expect.kind, expect.status)
        return
    assert (plan.kind, plan.status, plan.counted) == (expect.kind, expect.status, expect.counted)
    for name, value in expect.headers.items():
        assert plan.headers.get(name) == value, name
    if expect.sent is not None:
        assert (plan.start, plan.length) == expect.sent


# Every input the rules look at, with the values that lead to different answers.
DIMENSIONS: dict[str, tuple[Any, ...]] = {
    "limit": (None, 1, 3),
    "size": (SMALL, LARGE),
    "redirect": (None, TARGET),
    "scan": (OFF, PENDING, CLEAN, MALICIOUS),
    "method": ("GET", "HEAD", "POST"),
    "prefetch": (False, True),
    "range_header": (None, "bytes=0-3", "bytes=2-5", "bytes=50-"),
    "if_none_match": (None, ETAG, '"other"'),
    "if_range": (None, ETAG, '"stale"'),
    "accept": (None, BROWSER),
    "direct": (False, True),
}


def _every_combination() -> list[tuple[dict[str, Any], DownloadPlan | int]]:
    outcomes: list[tuple[dict[str, Any], DownloadPlan | int]] = []
    for values in itertools.product(*DIMENSIONS.values()):
        inputs = dict(zip(DIMENSIONS, values, strict=True))
        method = inputs.pop("method")
        outcome = _outcome(**inputs, head=method == "HEAD", confirmed=method == "POST")
        outcomes.append(({**inputs, "method": method}, outcome))
    return outcomes


@pytest.fixture(scope="module")
def every_combination() -> list[tuple[dict[str, Any], DownloadPlan | int]]:
    return _every_combination()


def test_every_combination_is_planned(
    every_combination: list[tuple[dict[str, Any], DownloadPlan | int]],
) -> None:
    assert len(every_combination) == 3 * 2 * 2 * 4 * 3 * 2 * 4 * 3 * 3 * 2 * 2
    errors = {outcome for _, outcome in every_combination if isinstance(outcome, int)}
    assert errors == {416, 503}


Rule = Callable[[dict[str, Any], DownloadPlan], bool]
_TRANSFERS = (Kind.STREAM, Kind.REDIRECT, Kind.GO_DIRECT)
RULES = [
    pytest.param(
        lambda i, p: (
            not p.counted or (i["method"] != "HEAD" and not i["prefetch"] and p.kind in _TRANSFERS)
        ),
        id="only-a-transfer-of-bytes-or-link-counts",
    ),
    pytest.param(lambda i, p: i["method"] != "HEAD" or not p.counted, id="head-never-counts"),
    pytest.param(
        lambda i, p: not (p.kind == Kind.STREAM and p.start > 0) or not p.counted,
        id="a-range-past-the-first-byte-never-counts",
    ),
    pytest.param(lambda i, p: i["method"] != "HEAD" or p.kind != Kind.STREAM, id="head-no-body"),
    pytest.param(lambda i, p: not i["prefetch"] or not p.counted, id="prefetch-never-counts"),
    pytest.param(
        lambda i, p: i["limit"] is None or p.kind != Kind.GO_DIRECT, id="limited-never-direct"
    ),
    pytest.param(lambda i, p: i["limit"] is None or p.status != 206, id="limited-never-ranged"),
    pytest.param(
        lambda i, p: (
            i["limit"] is None or p.kind == Kind.BLOCKED or p.headers["Cache-Control"] == "no-store"
        ),
        id="limited-never-cached",
    ),
    pytest.param(
        lambda i, p: (i["scan"] == MALICIOUS) == (p.kind == Kind.BLOCKED),
        id="malware-blocked-whatever-was-asked",
    ),
    pytest.param(
        lambda i, p: ("Location" in p.headers) <= (p.kind == Kind.REDIRECT),
        id="only-the-shortener-names-a-location",
    ),
    pytest.param(
        lambda i, p: (
            i["limit"] is None
            or not (i["method"] == "HEAD" or i["prefetch"])
            or ("Location" not in p.headers and not p.counted)
        ),
        id="looking-at-a-limited-file-reveals-and-counts-nothing",
    ),
    pytest.param(
        lambda i, p: (
            p.kind != Kind.PAGE
            or (i["limit"] is not None and i["method"] == "GET" and i["accept"] == BROWSER)
        ),
        id="page-only-for-a-browser-get-of-a-limited-file",
    ),
]


@pytest.mark.parametrize("holds", RULES)
def test_every_combination_keeps_the_rule(
    every_combination: list[tuple[dict[str, Any], DownloadPlan | int]], holds: Rule
) -> None:
    broken = [
        inputs
        for inputs, outcome in every_combination
        if isinstance(outcome, DownloadPlan) and not holds(inputs, outcome)
    ]

    assert broken == []
