"""The figures a run produces and the one table that prints them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One measured value; `passed` is None when the figure has no target."""

    name: str
    value: str
    target: str = "-"
    passed: bool | None = None
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.passed is None:
            return "-"
        return "PASS" if self.passed else "FAIL"


def at_least(name: str, value: float, target: float, *, unit: str = "", note: str = "") -> Figure:
    return Figure(name, f"{value:.2f}{unit}", f">= {target:g}{unit}", value >= target, note)


def at_most(name: str, value: float, target: float, *, unit: str = "", note: str = "") -> Figure:
    return Figure(name, f"{value:.2f}{unit}", f"<= {target:g}{unit}", value <= target, note)


def below(name: str, value: float, target: float, *, unit: str = "", note: str = "") -> Figure:
    return Figure(name, f"{value:.1f}{unit}", f"< {target:g}{unit}", value < target, note)


def info(name: str, value: str, note: str = "") -> Figure:
    return Figure(name, value, note=note)


def table(figures: Sequence[Figure]) -> str:
    header = ("figure", "value", "target", "result", "note")
    rows = [header, *((f.name, f.value, f.target, f.verdict, f.note) for f in figures)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]

    def line(row: Sequence[str]) -> str:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        return "  ".join([*cells, row[-1]]).rstrip()

    rule = "-" * len(line(header))
    return "\n".join([line(header), rule, *(line(row) for row in rows[1:])])


@dataclass(frozen=True)
class Check:
    """A correctness check: unlike a missed target, a failed one fails the run."""

    name: str
    ok: bool
    detail: str = ""

    def line(self) -> str:
        detail = f": {self.detail}" if self.detail else ""
        return f"check {'ok  ' if self.ok else 'FAIL'} {self.name}{detail}"


def report(figures: Sequence[Figure], checks: Sequence[Check], context: Sequence[str]) -> None:
    """The run's closing report, on stdout: the table, every correctness check, the conditions."""
    print(table(figures))
    print()
    for line in (*(check.line() for check in checks), *context):
        print(line)
