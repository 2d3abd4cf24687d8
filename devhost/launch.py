"""`make run`: start Azurite (data in AZURITE_LOCATION) and serve the app; stop both together."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from pathlib import Path

from devhost import azurite
from devhost.__main__ import ROOT
from devhost.__main__ import main as serve
from shared.ops.observability import log_json_to_stderr

logger = logging.getLogger("devhost")


class _Stop(Exception):
    """Raised by a stop signal once the server has shut down."""


def _raise_stop(signum: int, frame: object) -> None:
    raise _Stop


def _exit_with_parent() -> None:
    """Stop when `make` goes away, even if its SIGTERM did not reach us."""
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(1)
    os.kill(os.getpid(), signal.SIGTERM)


def main() -> None:
    log_json_to_stderr()
    ports = azurite.AzuritePorts.from_env()
    location = Path(os.environ.get("AZURITE_LOCATION", str(ROOT / ".azurite")))
    # Point the app at this Azurite unless the caller chose a storage account explicitly.
    os.environ.setdefault("STORAGE_CONNECTION_STRING", ports.connection_string())
    # The queue triggers' connection (as for `func start`): the same Azurite.
    os.environ.setdefault("AzureWebJobsStorage", ports.connection_string())
    process = azurite.start(ports, location=location)
    port = os.environ.get("PORT", "7071")
    azurite.allow_browser_origins(ports, [f"http://127.0.0.1:{port}", f"http://localhost:{port}"])
    logger.info(
        "Azurite: blob %d, queue %d, table %d, data in %s",
        ports.blob,
        ports.queue,
        ports.table,
        location,
    )
    threading.Thread(target=_exit_with_parent, daemon=True).start()
    # uvicorn shuts down gracefully, then re-raises the signal to the handler found at start:
    # this one, so Azurite is stopped and the exit is clean.
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, _raise_stop)
    try:
        serve()
    except _Stop:
        pass
    finally:
        azurite.stop(process)


if __name__ == "__main__":
    main()
