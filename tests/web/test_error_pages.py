"""Errors a person can read: pages for browsers, the contract's JSON for everything else."""

from __future__ import annotations

import httpx
import pytest

from tests.utils.files import upload

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.mark.parametrize("path", ["/nothing/here", "/api/no_such_endpoint", "/file", "/a/b/c/d"])
def test_unknown_route_is_the_contracts_json_404(client: httpx.Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 404
    assert response.json() == {"status": "error", "message": "Not found"}


def test_wrong_method_is_json_405_naming_the_allowed_ones(client: httpx.Client) -> None:
    response = client.put("/api/login", content=b"{}")

    assert response.status_code == 405
    assert response.json() == {"status": "error", "message": "Method not allowed"}
    assert response.headers["allow"] == "POST"


def test_browser_gets_a_page_for_an_unknown_route(client: httpx.Client) -> None:
    response = client.get("/nothing/here", headers=BROWSER)

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Not found" in response.text
    assert "default-src 'none'" in response.headers["content-security-policy"]


def test_browser_gets_a_page_for_a_used_up_link(client: httpx.Client) -> None:
    file_url = upload(client, b"once", params={"max_downloads": "1"})["file_url"]
    assert client.get(f"/file/{file_url}").content == b"once"

    again = client.get(f"/file/{file_url}", headers=BROWSER)
    api = client.get(f"/file/{file_url}")

    assert again.status_code == 404
    assert again.headers["content-type"].startswith("text/html")
    assert "File not found" in again.text
    assert api.json() == {"status": "error", "message": "File not found"}


def test_browser_error_page_escapes_the_message(client: httpx.Client) -> None:
    response = client.get("/api/delete/<script>x</script>?key=k", headers=BROWSER)

    assert response.status_code == 404
    assert "<script>x" not in response.text


def test_browser_delete_link_asks_first_and_the_button_deletes(client: httpx.Client) -> None:
    body = upload(client, b"keep me until asked", filename="report.txt")
    link = f"/api/delete/{body['file_url']}?key={body['key']}"

    asked = client.get(link, headers=BROWSER)
    still_there = client.get(f"/file/{body['file_url']}")
    confirmed = client.post(link, headers=BROWSER)
    gone = client.get(f"/file/{body['file_url']}")

    assert asked.status_code == 200
    assert "report.txt" in asked.text
    assert '<form method="post">' in asked.text
    assert still_there.content == b"keep me until asked"
    assert confirmed.status_code == 200
    assert "Deleted" in confirmed.text
    assert gone.status_code == 404


def test_browser_delete_link_with_a_wrong_key_deletes_nothing(client: httpx.Client) -> None:
    body = upload(client, b"mine")

    response = client.get(f"/api/delete/{body['file_url']}?key=wrong", headers=BROWSER)

    assert response.status_code == 400
    assert "Invalid unique key" in response.text
    assert client.get(f"/file/{body['file_url']}").content == b"mine"


def test_api_delete_link_still_deletes_at_once(client: httpx.Client) -> None:
    body = upload(client, b"api")

    response = client.get(f"/api/delete/{body['file_url']}?key={body['key']}")

    assert response.json() == {"status": "success", "message": "File deleted successfully"}
    assert client.get(f"/file/{body['file_url']}").status_code == 404
