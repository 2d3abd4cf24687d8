"""The service itself: whether it can reach its storage."""

from __future__ import annotations

from typing import Literal

from functions._schemas.base import Success


class Health(Success):
    storage: Literal["ok"] = "ok"
