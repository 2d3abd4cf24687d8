"""The service's HTTP API, as the client uses it; error bodies become ApiError."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import httpx

from cli.config import Config

_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
# A 429 without a usable Retry-After waits this long before trying again.
_DEFAULT_RETRY_AFTER = 5


def retry_after(response: httpx.Response) -> int:
    """Seconds the server asked us to wait (Retry-After in seconds), at least 1."""
    value = response.headers.get("retry-after", "").strip()
    return max(1, int(value)) if value.isascii() and value.isdigit() else _DEFAULT_RETRY_AFTER


def sleep_quietly(seconds: int) -> None:
    time.sleep(seconds)


class ApiError(Exception):
    """The server said no; `message` is the contract's error message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{message} (HTTP {status})")
        self.status = status
        self.message = message


def _error(response: httpx.Response) -> ApiError:
    try:
        body = response.json()
    except ValueError:
        body = None
    message = response.reason_phrase or "request failed"
    if isinstance(body, dict):
        auth_error = body.get("auth_error")
        if body.get("message") == "Auth error" and isinstance(auth_error, dict):
            message = f"Auth error: {auth_error.get('message')}"
        elif isinstance(body.get("message"), str):
            message = body["message"]
    return ApiError(response.status_code, message)


class Api:
    """The API over one HTTP client. A 429 is never an error: `wait` is given the seconds of the
    server's Retry-After (the front end shows a countdown), then the request is sent again."""

    def __init__(
        self,
        config: Config,
        *,
        client: httpx.Client | None = None,
        wait: Callable[[int], None] = sleep_quietly,
    ) -> None:
        self.config = config
        self.wait = wait
        headers = {"Authorization": f"Bearer {config.token}"} if config.token else {}
        self.http = client or httpx.Client(base_url=config.server, timeout=_TIMEOUT)
        self.http.headers.update(headers)
        # A link's password, sent with HTTP Basic on the requests that read that link only.
        self.link_password: str | None = None

    def _link_auth(self) -> dict[str, str]:
        """`Authorization: Basic` with the link's password, in place of the account's Bearer
        token (reading a link needs no account)."""
        if self.link_password is None:
            return {}
        encoded = base64.b64encode(f":{self.link_password}".encode()).decode("ascii")
        return {"Authorization": f"Basic {encoded}"}

    def close(self) -> None:
        self.http.close()

    def _send(self, method: str, url: str, **options: Any) -> httpx.Response:
        while True:
            response = self.http.request(method, url, **options)
            if response.status_code != 429:
                return response
            self.wait(retry_after(response))

    @contextmanager
    def _stream(self, method: str, url: str, **options: Any) -> Iterator[httpx.Response]:
        """A streamed response that succeeded or redirected; errors raise ApiError."""
        while True:
            with self.http.stream(method, url, **options) as response:
                if response.status_code != 429:
                    if response.status_code >= 400:
                        response.read()
                        raise _error(response)
                    yield response
                    return
                seconds = retry_after(response)
            self.wait(seconds)

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        if not response.is_success:
            raise _error(response)
        body: dict[str, Any] = response.json()
        return body

    # Direct uploads.
    def begin_upload(self, declaration: dict[str, Any]) -> dict[str, Any]:
        return self._json(self._send("POST", "/api/uploads", json=declaration))

    def upload_status(self, file_url: str, key: str) -> dict[str, Any]:
        return self._json(self._send("GET", f"/api/uploads/{file_url}", params={"key": key}))

    def complete_upload(
        self, file_url: str, key: str, *, crc32: int | None = None
    ) -> dict[str, Any]:
        """Publish a direct upload; a file of a share needs its bytes' CRC-32."""
        params: dict[str, str] = {"key": key}
        if crc32 is not None:
            params["crc32"] = str(crc32)
        return self._json(self._send("POST", f"/api/uploads/{file_url}/complete", params=params))

    # Files.
    def metadata(self, file_url: str) -> dict[str, Any]:
        return self._json(self._send("GET", f"/api/metadata/{file_url}", headers=self._link_auth()))

    @contextmanager
    def open_file(
        self, file_url: str, *, offset: int = 0, etag: str | None = None
    ) -> Iterator[httpx.Response]:
        """GET /file/{file_url}?direct=1 without following redirects: a 302 or the bytes.

        With `offset` and `etag`, only the bytes from `offset` on if the file is still the one
        with that ETag (206); the whole file otherwise (200).
        """
        headers = {"Range": f"bytes={offset}-", "If-Range": etag} if offset and etag else {}
        headers.update(self._link_auth())
        with self._stream(
            "GET", f"/file/{file_url}", params={"direct": "1"}, headers=headers
        ) as response:
            yield response

    def files(self, group: str) -> dict[str, Any]:
        return self._json(self._send("GET", f"/api/get_files/{group}"))

    def delete(self, file_url: str, key: str) -> dict[str, Any]:
        return self._json(self._send("DELETE", f"/api/delete/{file_url}", params={"key": key}))

    # Shares.
    def create_share(self, options: dict[str, Any]) -> dict[str, Any]:
        return self._json(self._send("POST", "/api/shares", json=options))

    def share(self, share_id: str) -> dict[str, Any]:
        """The manifest (or, for a share with a password, only that it needs one)."""
        path = f"/s/{quote(share_id, safe='')}"
        headers = {"Accept": "application/json", **self._link_auth()}
        return self._json(self._send("GET", path, headers=headers))

    @contextmanager
    def open_share_zip(
        self, share_id: str, *, offset: int = 0, etag: str | None = None
    ) -> Iterator[httpx.Response]:
        """The share's ZIP, from `offset` on if it is still the archive with `etag` (206)."""
        headers = {"Range": f"bytes={offset}-", "If-Range": etag} if offset and etag else {}
        headers.update(self._link_auth())
        path = f"/s/{quote(share_id, safe='')}/zip"
        with self._stream("GET", path, headers=headers) as response:
            yield response

    # Accounts.
    def login(self, username: str, password: str, *, bot: bool) -> dict[str, Any]:
        return self._json(
            self._send(
                "POST",
                "/api/login",
                json={"username": username, "password": password},
                params={"bot": "true"} if bot else None,
            )
        )

    # Webhooks.
    def add_webhook(self, url: str, events: list[str] | None) -> dict[str, Any]:
        body: dict[str, Any] = {"url": url}
        if events:
            body["events"] = events
        return self._json(self.http.post("/api/webhooks", json=body))

    def webhooks(self) -> dict[str, Any]:
        return self._json(self.http.get("/api/webhooks"))

    def remove_webhook(self, webhook_id: str) -> dict[str, Any]:
        return self._json(self.http.delete(f"/api/webhooks/{quote(webhook_id, safe='')}"))

    def test_webhook(self, webhook_id: str) -> dict[str, Any]:
        return self._json(self.http.post(f"/api/webhooks/{quote(webhook_id, safe='')}/test"))

    def webhook_deliveries(self, webhook_id: str) -> dict[str, Any]:
        path = f"/api/webhooks/{quote(webhook_id, safe='')}/deliveries"
        return self._json(self.http.get(path))

    # Upload links (reverse shares).
    def create_link(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._json(self.http.post("/api/reverse_shares", json=body))

    def links(self) -> dict[str, Any]:
        return self._json(self.http.get("/api/reverse_shares"))

    def revoke_link(self, link_id: str) -> dict[str, Any]:
        return self._json(self.http.delete(f"/api/reverse_shares/{quote(link_id, safe='')}"))

    # The cloud buffer.
    def buffer_put(
        self, content: bytes, *, data_type: str, filename: str | None = None
    ) -> dict[str, Any]:
        headers = {"X-Data-Type": data_type, "Content-Type": "application/octet-stream"}
        if filename is not None:
            headers["X-Filename"] = quote(filename)  # the server percent-decodes it
        return self._json(self._send("POST", "/api/buffer", content=content, headers=headers))

    @contextmanager
    def buffer_get(self) -> Iterator[httpx.Response]:
        with self._stream("GET", "/api/buffer") as response:
            yield response
