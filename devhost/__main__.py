"""`python -m devhost`: serve function_app.py on 127.0.0.1:$PORT (default 7071)."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import uvicorn

from devhost.app import build_app
from devhost.lifespan import closing_storage
from devhost.local_settings import apply_values
from shared.ops.observability import log_json_to_stderr

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    log_json_to_stderr()
    apply_values(ROOT / "local.settings.json")
    sys.path.insert(0, str(ROOT))
    function_app = importlib.import_module("function_app")
    app = build_app(function_app.app, ROOT / "host.json")
    port = int(os.environ.get("PORT", "7071"))
    # proxy_headers off: nothing sits in front of this host, so X-Forwarded-For is the client's.
    uvicorn.run(
        closing_storage(app),
        host="127.0.0.1",
        port=port,
        log_level="info",
        proxy_headers=False,
        # No access log: it would print query strings, which carry delete keys; functions/_http.py
        # logs every request instead, with its request id and without the URL.
        access_log=False,
        timeout_graceful_shutdown=5,
    )


if __name__ == "__main__":
    main()
