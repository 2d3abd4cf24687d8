"""host.json as the Functions host reads it: the file, then app settings that override it.

The host lets an app setting replace any host.json value: `AzureFunctionsJobHost__` followed by
the value's path, sections separated by `__` (for example
`AzureFunctionsJobHost__extensions__queues__maxDequeueCount`). Names match without regard to case.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

_OVERRIDE = "azurefunctionsjobhost__"


def load(path: Path, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The file's settings with every override from `env` (default: the process environment)."""
    config: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    for name, value in (os.environ if env is None else env).items():
        if name.lower().startswith(_OVERRIDE):
            _set(config, name[len(_OVERRIDE) :].split("__"), value)
    return config


def section(config: Mapping[str, Any], *names: str) -> dict[str, Any]:
    """A nested section, empty when absent; names match without regard to case."""
    found: Any = config
    for name in names:
        if not isinstance(found, Mapping):
            return {}
        found = next((v for k, v in found.items() if k.lower() == name.lower()), {})
    return dict(found) if isinstance(found, Mapping) else {}


def value(config: Mapping[str, Any], key: str, default: Any) -> Any:
    return next((v for k, v in config.items() if k.lower() == key.lower()), default)


def seconds(text: object) -> float:
    """A .NET TimeSpan as host.json writes it ("00:00:30", "1.00:00:00", "00:00:00.5")."""
    raw = str(text).strip()
    days = 0
    if raw.count(":") == 2 and "." in raw.split(":", 1)[0]:
        day_text, raw = raw.split(".", 1)
        days = int(day_text)
    hours, minutes, rest = raw.split(":")
    return days * 86_400 + int(hours) * 3_600 + int(minutes) * 60 + float(rest)


def _set(config: dict[str, Any], path: list[str], text: str) -> None:
    node = config
    for name in path[:-1]:
        key = next((k for k in node if k.lower() == name.lower()), name)
        child = node.get(key)
        if not isinstance(child, dict):
            child = node[key] = {}
        node = child
    key = next((k for k in node if k.lower() == path[-1].lower()), path[-1])
    node[key] = text
