"""The documentation against the code: what it names exists, and what exists is documented.

Pure file checks, no network: README.md, SECURITY.md, infra/README.md and docs/*.md.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
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
# A test cited in backticks: `test_name`, or `tests/<folder>/<file>.py::test_name`.
_CITED_TEST = re.compile(r"`(?:(tests/[\w/]+\.py)::)?(test_\w+)`")
_NAMED_FILE = re.compile(r"`(tests/[\w/]+\.py)")
_SECURITY_FILE = re.compile(r"`(test_\w+\.py)`")
# SECURITY.md's units of evidence: each table row, each list item, each paragraph.
_UNIT = re.compile(r"\n(?=\||- )|\n\s*\n")
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


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


def _defined_tests() -> dict[str, set[str]]:
    """Every test function under tests/, by name: the files (relative to the root) defining it."""
    defined: dict[str, set[str]] = {}
    for module in (ROOT / "tests").rglob("test_*.py"):
        relative = str(module.relative_to(ROOT))
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, _FUNCTIONS) and node.name.startswith("test_"):
                defined.setdefault(node.name, set()).add(relative)
    return defined


def _cited_tests() -> Iterator[tuple[set[str], str]]:
    """(files the citation may mean, test name) for each test SECURITY.md cites as evidence.

    A test cited as `tests/<file>.py::name` means that file. A bare name means a file of
    tests/security/ (the page's default) or a file named in the same table row or list item,
    as `tests/ops/test_ratelimit.py` or, relative to tests/security/, `test_group_keys.py`.
    """
    default = {str(p.relative_to(ROOT)) for p in (ROOT / "tests" / "security").glob("test_*.py")}
    for unit in _UNIT.split(_text(ROOT / "SECURITY.md")):
        named = set(_NAMED_FILE.findall(unit))
        named |= {f"tests/security/{name}" for name in _SECURITY_FILE.findall(unit)}
        for path, name in _CITED_TEST.findall(unit):
            yield ({path} if path else default | named), name


def test_security_md_cites_only_tests_that_exist() -> None:
    defined = _defined_tests()

    missing = sorted({name for _, name in _cited_tests() if name not in defined})

    assert missing == []


def test_security_md_cites_each_test_where_it_is_defined() -> None:
    defined = _defined_tests()

    misplaced = sorted(
        name for files, name in _cited_tests() if name in defined and not files & defined[name]
    )

    assert misplaced == []
