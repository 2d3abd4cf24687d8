"""The local host: routes from function_app.py under host.json's routePrefix, and the admin API."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import azure.functions as func
import httpx
import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from devhost.app import build_app, starlette_paths
from devhost.azurite import free_port
from tests.utils.server import ROOT, serve
from tests.utils.settings import app_env


def test_every_http_function_is_served_at_its_route(client: httpx.Client) -> None:
    assert client.get("/api/metadata/AAAAAAAAAAAAAAAA").status_code == 404
    assert client.post("/api/metadata/AAAAAAAAAAAAAAAA").status_code == 405
    assert client.get("/api/upload/private").status_code == 405


def test_admin_endpoint_refuses_unknown_function(client: httpx.Client) -> None:
    response = client.post("/admin/functions/nonexistent")

    assert response.status_code == 404


def test_route_prefix_from_host_json_is_honoured(tmp_path: Path) -> None:
    host_json = tmp_path / "host.json"
    host_json.write_text(
        json.dumps({"version": "2.0", "extensions": {"http": {"routePrefix": "v1"}}})
    )
    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

    @app.route(route="echo/{word}", methods=["GET"])
    async def echo(req: Request) -> Response:
        return PlainTextResponse(req.path_params["word"])

    with serve(build_app(app, host_json)) as url:
        assert httpx.get(f"{url}/v1/echo/hi").text == "hi"
        assert httpx.get(f"{url}/echo/hi").status_code == 404


def test_default_route_prefix_is_api(tmp_path: Path) -> None:
    host_json = tmp_path / "host.json"
    host_json.write_text(json.dumps({"version": "2.0"}))
    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

    @app.route(route="ping", methods=["GET"])
    async def ping(req: Request) -> Response:
        return PlainTextResponse("pong")

    with serve(build_app(app, host_json)) as url:
        assert httpx.get(f"{url}/api/ping").text == "pong"


def test_route_templates_translate_as_the_host_reads_them() -> None:
    assert starlette_paths("", "files/{*rest}") == ["/files/{rest:path}"]
    assert starlette_paths("api", "a/{b}") == ["/api/a/{b}"]
    assert starlette_paths("", "{ignored:maxlength(0)?}") == ["/"]
    assert starlette_paths("", "page/{name?}") == ["/page", "/page/{name}"]
    with pytest.raises(ValueError, match="does not support"):
        starlette_paths("", "a/{id:int}")


def _wait_http(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("make run did not start serving")


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize(
    "command",
    [["-m", "devhost.launch"], ["-m", "devhost"], ["-c", "import function_app"]],
    ids=["make run", "devhost", "func start's import"],
)
def test_malformed_setting_stops_start_up_with_one_line(command: list[str], tmp_path: Path) -> None:
    env = app_env(
        MAX_UPLOAD_BYTES="100MB",
        PORT=str(free_port()),
        AZURITE_BLOB_PORT=str(free_port()),
        AZURITE_LOCATION=str(tmp_path / "azurite"),
    )

    done = subprocess.run(
        [sys.executable, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 1
    assert done.stderr == "error: MAX_UPLOAD_BYTES must be a whole number of bytes, got '100MB'\n"
    assert done.stdout == ""
    assert not (tmp_path / "azurite").exists()  # refused before Azurite started


def test_make_run_serves_keeps_data_across_restarts_and_stops_on_sigterm(tmp_path: Path) -> None:
    ports = {
        name: str(free_port())
        for name in ("PORT", "AZURITE_BLOB_PORT", "AZURITE_QUEUE_PORT", "AZURITE_TABLE_PORT")
    }
    # `make run` picks its own Azurite for the app and the queue triggers alike.
    chosen_by_make_run = {"STORAGE_CONNECTION_STRING", "AzureWebJobsStorage"}
    env = {
        **{k: v for k, v in app_env().items() if k not in chosen_by_make_run},
        **ports,
        "AZURITE_LOCATION": str(tmp_path / "azurite"),
    }
    base = f"http://127.0.0.1:{ports['PORT']}"

    def start() -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [sys.executable, "-m", "devhost.launch"],
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
        )
        _wait_http(f"{base}/file/AAAAAAAAAAAAAAAA", process)
        return process

    process = start()
    try:
        upload = httpx.put(f"{base}/api/upload/private/kept.txt", content=b"kept", timeout=30)
        assert upload.status_code == 200
        file_url = upload.json()["file_url"]
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    assert process.stderr is not None
    with process.stderr:
        plain = [line for line in process.stderr.read().decode().splitlines() if line[:1] != "{"]
    # Besides three lines, one per queue or timer trigger: what runs it, or what turned it off.
    trigger = re.compile(r"\w+: (triggered by .+|disabled by AzureWebJobs\.\w+\.Disabled)")
    lines = [line for line in plain if not trigger.fullmatch(line)]
    assert lines[:2] == [
        f"Azurite: blob {ports['AZURITE_BLOB_PORT']}, table {ports['AZURITE_TABLE_PORT']}, "
        f"data in {tmp_path / 'azurite'}",
        "Development rate limits: 100000 uploads and 100000 auth requests per minute "
        "(local.settings.json); Azure keeps the contract's 2 and 10 per minute",
    ]
    assert len(lines) == 3
    summary = rf"Serving \d+ functions on {re.escape(base)}, API docs at /api/docs \(Ctrl-C stops\)"
    assert re.fullmatch(summary, lines[2])
    assert not _port_open(int(ports["AZURITE_BLOB_PORT"]))
    assert not _port_open(int(ports["PORT"]))

    process = start()
    try:
        assert httpx.get(f"{base}/file/{file_url}", timeout=30).content == b"kept"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        assert process.stderr is not None
        process.stderr.close()
