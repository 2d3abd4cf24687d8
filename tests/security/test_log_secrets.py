"""No log line or telemetry item the app controls carries a file id, a key, a token or a name."""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from azure.monitor.opentelemetry._constants import _ALL_SUPPORTED_INSTRUMENTED_LIBRARIES

from shared.files import catalog
from shared.ops import observability
from tests.utils.accounts import auth, register
from tests.utils.direct import begin
from tests.utils.files import upload
from tests.utils.server import ROOT
from tests.utils.storage import StorageProbe


def _server_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    # The server's records only: this test's own HTTP client logs the URLs it requests.
    return [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]


def _leaks(caplog: pytest.LogCaptureFixture, secrets: list[str]) -> list[tuple[str, str]]:
    found = []
    for record in _server_records(caplog):
        text = f"{record.__dict__} {record.getMessage()} {record.exc_text or ''}"
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        found += [(record.name, secret) for secret in secrets if secret in text]
    return found


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


def test_failing_requests_log_no_file_id_key_or_token(
    client: httpx.Client, logs: pytest.LogCaptureFixture
) -> None:
    _, token = register(client)
    uploaded = upload(client, b"secret file", headers=auth(token))
    grant = begin(client, 4)
    missing = "Zz" + os.urandom(7).hex()[:14]
    file_url, key = uploaded["file_url"], uploaded["key"]

    client.get(f"/api/delete/{file_url}", params={"key": "wrong-" + key})
    client.delete(f"/api/delete/{file_url}", headers=auth(token + "x"))
    client.get(f"/file/{missing}")
    client.get(f"/api/metadata/{missing}")
    client.get(f"/api/uploads/{grant['file_url']}", params={"key": "wrong-" + grant["key"]})
    client.post(f"/api/uploads/{grant['file_url']}/complete", params={"key": grant["key"]})

    assert any(r.name == "functions._http" for r in _server_records(logs))
    secrets = [file_url, key, token, missing, grant["file_url"], grant["key"]]
    assert _leaks(logs, secrets) == []


def test_unhandled_error_logs_the_function_and_request_id_but_no_file_id(
    client: httpx.Client, logs: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    uploaded = upload(client)

    async def broken(file_url: str) -> Any:
        raise RuntimeError("storage exploded")

    monkeypatch.setattr(catalog, "find", broken)
    response = client.get(
        f"/api/delete/{uploaded['file_url']}",
        params={"key": uploaded["key"]},
        headers={"X-Request-Id": "trace-unhandled-1"},
    )

    assert response.status_code == 500
    assert response.json() == {"status": "error", "message": "Internal server error"}
    (error,) = [r for r in _server_records(logs) if r.levelno >= logging.ERROR]
    assert error.getMessage() == "unhandled error in delete_file"
    assert getattr(error, "request_id", None) == "trace-unhandled-1"
    assert _leaks(logs, [uploaded["file_url"], uploaded["key"]]) == []


def test_link_passwords_reach_no_log_and_no_stored_row(
    client: httpx.Client, logs: pytest.LogCaptureFixture, storage: StorageProbe
) -> None:
    secret = f"pw-{os.urandom(8).hex()}"
    wrong = f"guess-{os.urandom(8).hex()}"
    uploaded = upload(client, b"guarded", data={"password": secret})
    grant = begin(client, 4, password=secret)
    file_url = uploaded["file_url"]

    client.get(f"/file/{file_url}", auth=("", wrong))
    client.get(f"/file/{file_url}", auth=("", secret))
    client.get(f"/api/metadata/{file_url}", auth=("", wrong))
    client.post(f"/file/{file_url}/unlock", data={"password": wrong})
    client.post(f"/file/{file_url}/unlock", data={"password": secret})
    client.get(f"/file/{file_url}", params={"password": secret})
    client.post("/api/upload/private", files={"file": ("a", b"a")}, data={"password": "x" * 2000})

    assert any(r.name == "functions._http" for r in _server_records(logs))
    assert _leaks(logs, [secret, wrong]) == []
    for row in (storage.file_row(file_url), storage.row("uploads", grant["file_url"], "upload")):
        assert row is not None
        assert secret not in str(row)
        assert str(row["password_hash"]).startswith("$argon2id$")


def test_client_gone_mid_upload_logs_no_file_name_or_token(
    base_url: str, client: httpx.Client, logs: pytest.LogCaptureFixture
) -> None:
    _, token = register(client)
    name = f"private-{os.urandom(6).hex()}.txt"
    address = urlsplit(base_url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(
            f"PUT /api/upload/private/{name} HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {token}\r\nContent-Length: 100000\r\n\r\n".encode()
            + b"x" * 1000
        )
        time.sleep(0.3)
    deadline = time.monotonic() + 10
    while not any("went away" in r.getMessage() for r in _server_records(logs)):
        assert time.monotonic() < deadline, "the server never noticed the client leaving"
        time.sleep(0.05)

    gone = next(r for r in _server_records(logs) if "went away" in r.getMessage())
    assert gone.getMessage() == "client went away during upload_raw"
    assert _leaks(logs, [name, token]) == []


def test_host_request_telemetry_records_no_urls() -> None:
    host = json.loads((ROOT / "host.json").read_text())
    logging_ = host["logging"]
    levels = {name.lower(): level for name, level in logging_["logLevel"].items()}
    collection = logging_["applicationInsights"]["httpAutoCollectionOptions"]

    # Request telemetry named by function, without the URL (path and query string).
    assert collection["enableHttpTriggerExtendedInfoCollection"] is False
    # ASP.NET Core's own request logs ("Request starting ... <url>") stay out of the app's logs.
    assert levels["microsoft.aspnetcore"] in {"Warning", "Error", "Critical", "None"}


def test_python_telemetry_turns_off_every_instrumentation_that_records_urls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import azure.monitor.opentelemetry as distro

    captured: dict[str, Any] = {}
    monkeypatch.setattr(distro, "configure_azure_monitor", lambda **kw: captured.update(kw))
    monkeypatch.setattr(observability, "_telemetry_configured", False)

    assert observability.configure_telemetry(
        {"APPLICATIONINSIGHTS_CONNECTION_STRING": "InstrumentationKey=00000000-0000-0000-0000"}
    )

    # Every one the distro would turn on records URLs: request paths and query strings (file
    # ids, ?key=) or storage calls (blob names are file ids). A new one fails this test.
    options = captured["instrumentation_options"]
    disabled = {name for name, value in options.items() if value == {"enabled": False}}
    assert set(_ALL_SUPPORTED_INSTRUMENTED_LIBRARIES) <= disabled
