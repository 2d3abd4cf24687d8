"""Request ids on every log record, JSON log lines, and Application Insights when configured.

The request id lives in a context variable set once per request by functions/_http.py; a log
record factory copies it onto every record made in that request's task (the SDKs' included), so
any handler or exporter sees it as `request_id`. It is deliberately not reset when the handler
returns: a streamed body is sent, and its download settled, after the handler has returned.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

NO_REQUEST = "-"
_REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default=NO_REQUEST)
# A caller's own id is kept for correlation only if it cannot forge a log line or a header.
_CALLER_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_installed = False
_telemetry_configured = False
# The distro's instrumentations (1.8), all of which would put URLs into telemetry.
_URL_RECORDING = (
    *("azure_sdk", "django", "fastapi", "flask", "httpx", "httpx2"),
    *("psycopg2", "requests", "urllib", "urllib3"),
)

logger = logging.getLogger(__name__)


def begin_request(incoming: str | None) -> str:
    """Set and return this request's id: the caller's X-Request-Id if well-formed, else new."""
    request_id = incoming if incoming and _CALLER_ID.match(incoming) else uuid.uuid4().hex
    _REQUEST_ID.set(request_id)
    return request_id


def install_record_factory() -> None:
    """Give every LogRecord a `request_id` attribute (idempotent)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = _REQUEST_ID.get()
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request_id, message, exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", NO_REQUEST),
            "message": record.getMessage(),
        }
        for key in ("function", "method", "status", "duration_ms"):
            if hasattr(record, key):
                line[key] = getattr(record, key)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def log_json_to_stderr(level: int = logging.INFO) -> None:
    """Local hosts: JSON lines on stderr with request ids (Azure collects logs its own way)."""
    install_record_factory()
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    logging.basicConfig(level=level, handlers=[handler], force=True)


def configure_telemetry(env: Mapping[str, str] | None = None) -> bool:
    """Export logs, traces and metrics to Application Insights if its connection string is set.

    The distro is imported only then, so a local cold start does not pay for it. With
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING `...;Authorization=AAD` (as infra sets it, local
    auth being disabled on the resource) telemetry is sent with the app's managed identity.
    """
    global _telemetry_configured
    env = os.environ if env is None else env
    connection_string = env.get("APPLICATIONINSIGHTS_CONNECTION_STRING", "").strip()
    if not connection_string or _telemetry_configured:
        return _telemetry_configured
    from azure.monitor.opentelemetry import configure_azure_monitor

    options: dict[str, Any] = {
        "connection_string": connection_string,
        # Each of these records URLs: request paths and query strings (file ids, `?key=`) or
        # storage calls (blob names are file ids). Requests are recorded by the host, by name.
        "instrumentation_options": {name: {"enabled": False} for name in _URL_RECORDING},
    }
    authentication = _pairs(env.get("APPLICATIONINSIGHTS_AUTHENTICATION_STRING", ""))
    if authentication.get("authorization", "").upper() == "AAD":
        from azure.identity import ManagedIdentityCredential

        options["credential"] = ManagedIdentityCredential(
            client_id=authentication.get("clientid") or env.get("AZURE_CLIENT_ID") or None
        )
    configure_azure_monitor(**options)
    _telemetry_configured = True
    logger.info("Application Insights telemetry configured")
    return True


def _pairs(text: str) -> dict[str, str]:
    """`Key=Value;Key=Value` with case-insensitive keys."""
    pairs = (part.split("=", 1) for part in text.split(";") if "=" in part)
    return {key.strip().lower(): value.strip() for key, value in pairs}
