"""The documentation against the code: what it names exists, and what exists is documented.

Pure file checks, no network: README.md, SECURITY.md, infra/README.md and docs/*.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shared.config import setting_names
from tests.utils.routes import registered_operations
from tests.utils.server import ROOT

DOCS = ROOT / "docs"
PAGES = [
    ROOT / "README.md",
    ROOT / "SECURITY.md",
    ROOT / "infra" / "README.md",
    *sorted(DOCS.glob("*.md")),
]
_LINK = re.compile(r"\]\(([^)\s]+)\)")
# A path in backticks under one of the repository's top-level folders.
_REPO_PATH = re.compile(r"`((?:shared|functions|devhost|infra|tests|web|cli|bench|load)/[\w./-]*)`")
_HEADING = re.compile(r"^#{1,6}\s+(.*)$", re.MULTILINE)
_FENCED = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def _text(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def _anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces become hyphens."""
    anchors: set[str] = set()
    for heading in _HEADING.findall(_FENCED.sub("", _text(page))):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        candidate, suffix = slug, 1
        while candidate in anchors:
            candidate, suffix = f"{slug}-{suffix}", suffix + 1
        anchors.add(candidate)
    return anchors


def _broken(page: Path, target: str) -> bool:
    """A relative link that leaves the repository, names no file, or names no heading there."""
    if re.match(r"^[a-z]+:", target):  # https:, mailto:
        return False
    path_part, _, anchor = target.partition("#")
    resolved = (page.parent / path_part).resolve() if path_part else page
    if not resolved.is_relative_to(ROOT) or not resolved.exists():
        return True
    return bool(anchor) and resolved.suffix == ".md" and anchor not in _anchors(resolved)


def test_readme_shows_the_two_commands() -> None:
    readme = _text(ROOT / "README.md")

    assert "make run" in readme
    assert "make test" in readme


def test_every_setting_is_documented() -> None:
    settings = _text(DOCS / "settings.md")

    assert sorted(name for name in setting_names() if f"`{name}`" not in settings) == []


def test_every_route_is_documented() -> None:
    api = _text(DOCS / "api.md")

    paths = {path for path, _ in registered_operations()}
    assert sorted(path for path in paths if path not in api) == []


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_relative_links_resolve_inside_the_repository(page: Path) -> None:
    broken = [target for target in _LINK.findall(_text(page)) if _broken(page, target)]

    assert broken == []


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_repository_path_named_exists(page: Path) -> None:
    named = set(_REPO_PATH.findall(_text(page)))

    missing = sorted(path for path in named if not (ROOT / path).exists())

    assert missing == []
