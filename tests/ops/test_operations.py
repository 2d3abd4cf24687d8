"""Operations: request ids in headers and on every log line, and the health check."""

from __future__ import annotations

import logging
import re
import subprocess
import sys

import httpx
import pytest

from shared.ops.observability import JsonFormatter, configure_telemetry
from tests.utils.files import upload
from tests.utils.server import ROOT
from tests.utils.settings import app_env


def test_request_gets_a_fresh_request_id_header(client: httpx.Client) -> None:
    first = client.get("/api/metadata/AAAAAAAAAAAAAAAA")
    second = client.get("/api/metadata/AAAAAAAAAAAAAAAA")

    assert first.status_code == 404
    assert re.fullmatch(r"[0-9a-f]{32}", first.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


def test_request_keeps_a_well_formed_caller_request_id(client: httpx.Client) -> None:
    response = client.get("/api/health", headers={"X-Request-Id": "caller-chosen-id.42"})

    assert response.headers["x-request-id"] == "caller-chosen-id.42"


@pytest.mark.parametrize("bad", ["short", "x" * 65, "has space in it", "inject\tnewline-ish"])
def test_request_replaces_a_malformed_caller_request_id(client: httpx.Client, bad: str) -> None:
    response = client.get("/api/health", headers={"X-Request-Id": bad})

    assert response.headers["x-request-id"] != bad
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def test_streamed_download_carries_request_id(client: httpx.Client) -> None:
    file_url = upload(client)["file_url"]

    response = client.get(f"/file/{file_url}")

    assert response.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def test_every_log_line_of_a_request_carries_its_id(
    client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)

    response = client.get("/api/metadata/AAAAAAAAAAAAAAAA")

    request_id = response.headers["x-request-id"]
    mine = [r for r in caplog.records if getattr(r, "request_id", None) == request_id]
    assert [r.getMessage() for r in mine] == ["get_metadata GET -> 404"]
    line = JsonFormatter().format(mine[0])
    assert f'"request_id": "{request_id}"' in line
    assert '"status": 404' in line


def test_get_health_answers_when_storage_is_up(client: httpx.Client) -> None:
    response = client.get("/api/health")

    assert response.status_code == 200
    assert response.json() == {"status": "success", "message": "healthy", "storage": "ok"}
    assert response.headers["cache-control"] == "no-store"


def test_configure_telemetry_does_nothing_without_connection_string() -> None:
    assert configure_telemetry({}) is False


def test_function_app_import_does_not_load_telemetry_locally() -> None:
    env = {k: v for k, v in app_env().items() if not k.startswith("APPLICATIONINSIGHTS_")}
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, function_app; print('azure.monitor' in sys.modules)"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()

    assert loaded == "False"
