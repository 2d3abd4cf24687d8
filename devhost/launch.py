"""`make run`: start Azurite (data in AZURITE_LOCATION) and serve the app; stop both together."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from pathlib import Path

from devhost import azurite
from devhost.local_settings import ROOT, apply_values
from shared.config import (
    CONTRACT_AUTH_REQUESTS_PER_MINUTE,
    CONTRACT_UPLOADS_PER_MINUTE,
    Settings,
    require_settings,
)

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


def rate_limits_line(settings: Settings) -> str:
    """One line saying which request limits apply here, and how they differ from Azure's."""
    uploads, auth = settings.upload_rate_limit_per_minute, settings.auth_rate_limit_per_minute
    window = settings.rate_limit_window_seconds
    per = "minute" if window == 60 else f"{window} s"
    contract = (CONTRACT_UPLOADS_PER_MINUTE, CONTRACT_AUTH_REQUESTS_PER_MINUTE)
    if (uploads, auth) == contract and window == 60:
        return f"Rate limits: {uploads} uploads and {auth} auth requests per minute, as in Azure"
    return (
        f"Development rate limits: {uploads} uploads and {auth} auth requests per {per} "
        f"(local.settings.json); Azure keeps the contract's {contract[0]} and {contract[1]} "
        "per minute"
    )


def main() -> None:
    ports = azurite.AzuritePorts.from_env()
    location = Path(os.environ.get("AZURITE_LOCATION", str(ROOT / ".azurite")))
    # Point the app at this Azurite unless the caller chose a storage account explicitly.
    os.environ.setdefault("STORAGE_CONNECTION_STRING", ports.connection_string())
    # The queue triggers' connection (as for `func start`): the same Azurite.
    os.environ.setdefault("AzureWebJobsStorage", ports.connection_string())
    apply_values(ROOT / "local.settings.json")
    # A malformed setting stops here, with one line, before anything starts.
    settings = require_settings()
    # Azurite boots while the host and the app are imported (so this module imports neither at
    # its top): a restart serves in a few seconds.
    process = azurite.start(ports, location=location, wait=False)
    try:
        from devhost.__main__ import load_app, serve, start_logging

        start_logging()
        app = load_app()
        azurite.wait_until_ready(ports, process)
    except BaseException:
        azurite.stop(process)
        raise
    port = os.environ.get("PORT", "7071")
    azurite.allow_browser_origins(ports, [f"http://127.0.0.1:{port}", f"http://localhost:{port}"])
    logger.info("Azurite: blob %d, table %d, data in %s", ports.blob, ports.table, location)
    logger.info("%s", rate_limits_line(settings))
    threading.Thread(target=_exit_with_parent, daemon=True).start()
    # uvicorn shuts down gracefully, then re-raises the signal to the handler found at start:
    # this one, so Azurite is stopped and the exit is clean.
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, _raise_stop)
    try:
        serve(app)
    except _Stop:
        pass
    finally:
        azurite.stop(process)


if __name__ == "__main__":
    main()
