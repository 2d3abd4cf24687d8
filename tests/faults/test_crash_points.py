"""Every crash point in the library is exercised by a crash test."""

from __future__ import annotations

import re

from tests.utils.server import ROOT

_POINT = re.compile(r"""crash_point\(\s*["']([a-z_.]+)["']\s*\)""")


def test_every_crash_point_has_a_crash_test() -> None:
    points = {
        name
        for path in (ROOT / "shared").rglob("*.py")
        for name in _POINT.findall(path.read_text())
    }
    tests = "".join(path.read_text() for path in (ROOT / "tests/faults").glob("test_crash_*.py"))

    assert len(points) >= 10
    assert sorted(point for point in points if f'"{point}"' not in tests) == []
