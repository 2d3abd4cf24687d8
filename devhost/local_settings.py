"""local.settings.json `Values`, applied the way the Functions host does: the environment wins."""

from __future__ import annotations

import json
import os
from pathlib import Path


def load_values(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    document = json.loads(path.read_text(encoding="utf-8"))
    values = document.get("Values", {})
    return {str(key): str(value) for key, value in values.items()}


def apply_values(path: Path) -> None:
    for key, value in load_values(path).items():
        os.environ.setdefault(key, value)
