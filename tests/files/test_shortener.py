"""The link shortener's rule: a small .txt that is exactly one http(s) URL redirects to it."""

from __future__ import annotations

import pytest

from shared.files import shortener
from shared.files.filenames import extension_of


@pytest.mark.parametrize(
    ("name", "size", "applies"),
    [
        ("link.txt", 20, True),
        ("LINK.TXT", 20, True),
        ("link.txt", 2048, True),
        ("link.txt", 2049, False),
        ("link.txt", 0, True),
        ("link.md", 20, False),
        ("link", 20, False),
        ("link.txt.html", 20, False),
    ],
)
def test_only_small_txt_files_are_considered(name: str, size: int, applies: bool) -> None:
    assert shortener.applies(extension_of(name), size) is applies


@pytest.mark.parametrize(
    ("content", "target"),
    [
        (b"https://example.com/a?b=c#d", "https://example.com/a?b=c#d"),
        (b"http://example.com", "http://example.com"),
        (b"HTTPS://EXAMPLE.COM/", "https://EXAMPLE.COM/"),  # the scheme as a header writes it
        (b"  https://example.com/x \r\n\n", "https://example.com/x"),
        (b"https://example.com https://example.org", None),
        (b"see https://example.com", None),
        (b"https://example.com/\nmore text", None),
        (b'https://example.com/"onmouseover', None),
        (b"https://example.com/<script>", None),
        (b"ftp://example.com/file", None),
        (b"javascript:alert(1)", None),
        (b"https://", None),
        (b"", None),
        (b"\xff\xfehttps://example.com", None),
    ],
)
def test_the_target_is_the_whole_content_as_one_url(content: bytes, target: str | None) -> None:
    assert shortener.target(content) == target
