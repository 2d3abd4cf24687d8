"""What each benchmark phase hands back: figures for the table, checks for the exit code."""

from __future__ import annotations

import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TypeVar

from bench.report import Check, Figure

T = TypeVar("T")


@dataclass
class Outcome:
    figures: list[Figure] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    def extend(self, other: Outcome) -> None:
        self.figures += other.figures
        self.checks += other.checks


async def timed(work: Awaitable[T]) -> tuple[T, float]:
    """The result of `work` and the wall-clock seconds it took."""
    start = time.perf_counter()
    result = await work
    return result, time.perf_counter() - start
