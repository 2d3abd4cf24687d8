"""`python -m devhost`: serve function_app.py on 127.0.0.1:$PORT (default 7071)."""

from __future__ import annotations

import importlib
import logging
import os
import sys
from pathlib import Path

import uvicorn

from devhost.app import build_app
from devhost.local_settings import apply_values

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    apply_values(ROOT / "local.settings.json")
    sys.path.insert(0, str(ROOT))
    function_app = importlib.import_module("function_app")
    app = build_app(function_app.app, ROOT / "host.json")
    port = int(os.environ.get("PORT", "7071"))
    # proxy_headers off: nothing sits in front of this host, so X-Forwarded-For is the client's.
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="info",
        proxy_headers=False,
        timeout_graceful_shutdown=5,
    )


if __name__ == "__main__":
    main()
