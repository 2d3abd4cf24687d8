"""`python -m devhost`: serve function_app.py on 127.0.0.1:$PORT (default 7071)."""

from __future__ import annotations

import importlib
import logging
import os
import socket
import sys
from pathlib import Path

import uvicorn
from starlette.applications import Starlette

from devhost.app import build_app
from devhost.lifespan import closing_storage
from devhost.local_settings import apply_values
from shared.ops.observability import log_json_to_stderr

ROOT = Path(__file__).resolve().parent.parent
DOCS_PATH = "/api/docs"

logger = logging.getLogger("devhost")


def load_app() -> Starlette:
    """function_app.py imported (which exits with one line on a malformed setting), and its
    functions routed."""
    sys.path.insert(0, str(ROOT))
    function_app = importlib.import_module("function_app")
    return build_app(function_app.app, ROOT / "host.json")


class _Server(uvicorn.Server):
    """uvicorn, saying in one line where the app is once it listens (uvicorn's own start-up
    lines are left out)."""

    def __init__(self, config: uvicorn.Config, summary: str) -> None:
        super().__init__(config)
        self.summary = summary

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            logger.info("%s", self.summary)


def serve(app: Starlette) -> None:
    port = int(os.environ.get("PORT", "7071"))
    config = uvicorn.Config(
        closing_storage(app),
        host="127.0.0.1",
        port=port,
        # Warnings and errors only: the summary line below says the server is up.
        log_level="warning",
        # proxy_headers off: nothing sits in front of this host, so X-Forwarded-For is the client's.
        proxy_headers=False,
        # No access log: it would print query strings, which carry delete keys; functions/_http.py
        # logs every request instead, with its request id and without the URL.
        access_log=False,
        timeout_graceful_shutdown=5,
    )
    count = len(app.state.functions)
    summary = (
        f"Serving {count} functions on http://127.0.0.1:{port}, API docs at {DOCS_PATH} "
        "(Ctrl-C stops)"
    )
    _Server(config, summary).run()


def start_logging() -> None:
    """Request logs as JSON lines; the host's own few start-up lines as plain text."""
    log_json_to_stderr()
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.propagate = False


def main() -> None:
    start_logging()
    apply_values(ROOT / "local.settings.json")
    serve(load_app())


if __name__ == "__main__":
    main()
