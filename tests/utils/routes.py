"""The HTTP routes function_app.py registers, read in a fresh process.

`FunctionApp.get_functions()` may run only once per app and the session's local host has used it,
so `python -m tests.utils.routes` imports function_app anew and prints its (path, METHOD) pairs.
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from typing import Any

from devhost.app import route_prefix, starlette_paths
from tests.utils.server import ROOT
from tests.utils.settings import app_env


def registered_operations() -> set[tuple[str, str]]:
    output = subprocess.run(
        [sys.executable, "-m", "tests.utils.routes"],
        cwd=ROOT,
        env=app_env(),
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return {(path, method) for path, method in json.loads(output)}


def _operations(app: Any) -> list[tuple[str, str]]:
    prefix = route_prefix(ROOT / "host.json")
    found = []
    for function in app.get_functions():
        if not function.is_http_function():
            continue
        trigger = function.get_trigger()
        route = trigger.route or function.get_function_name()
        if route.startswith("{*"):
            continue  # the fallback for unknown paths (functions/fallback.py), not an operation
        for path in starlette_paths(prefix, route):
            for method in trigger.methods or ["GET", "POST"]:
                # Starlette's `{name:path}` is OpenAPI's `{name}`.
                found.append((re.sub(r":path}", "}", path), str(getattr(method, "value", method))))
    return sorted(found)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.stdout.write(json.dumps(_operations(importlib.import_module("function_app").app)))
