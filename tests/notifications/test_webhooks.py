"""Registering, listing, testing and removing webhooks over the API; the secret at rest."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from shared.notifications.endpoints import MAX_PER_ACCOUNT
from tests.utils.accounts import assert_auth_error, auth, register
from tests.utils.storage import StorageProbe
from tests.utils.webhooks import add_webhook


@pytest.fixture(scope="module")
def token(base_url: str) -> Iterator[str]:
    """One account for the tests that only read or are refused: registering is slow (Argon2)."""
    with httpx.Client(base_url=base_url, timeout=30) as http:
        yield register(http)[1]


EVERY_EVENT = [
    "file.downloaded",
    "file.consumed",
    "file.expired",
    "file.deleted",
    "share.downloaded",
    "reverse_share.received",
]


def test_create_webhook_shows_the_secret_once_and_lists_the_endpoint_without_it(
    client: httpx.Client,
) -> None:
    _, token = register(client)

    response = client.post(
        "/api/webhooks",
        json={"url": "https://hooks.example.com/in", "events": ["file.deleted", "file.downloaded"]},
        headers=auth(token),
    )

    assert response.status_code == 200
    created = response.json()
    assert created["status"] == "success"
    assert created["id"].startswith("wh_")
    assert created["secret"].startswith("whsec_")
    assert created["url"] == "https://hooks.example.com/in"
    assert created["events"] == ["file.downloaded", "file.deleted"]
    assert created["disabled"] is False
    listed = client.get("/api/webhooks", headers=auth(token))
    assert listed.status_code == 200
    (shown,) = listed.json()["data"]
    assert shown == {
        key: value for key, value in created.items() if key not in {"status", "message", "secret"}
    }
    assert created["secret"] not in listed.text


def test_create_webhook_without_events_subscribes_to_every_event(client: httpx.Client) -> None:
    _, token = register(client)

    created = add_webhook(client, token, "https://hooks.example.com/all")

    assert created["events"] == EVERY_EVENT


def test_signing_secret_is_stored_sealed(client: httpx.Client, storage: StorageProbe) -> None:
    _, token = register(client)
    created = add_webhook(client, token, "https://hooks.example.com/sealed")

    rows = storage.tables.get_table_client("webhooks").query_entities(
        "RowKey eq @id", parameters={"id": created["id"]}
    )

    (row,) = list(rows)
    assert created["secret"] not in str(dict(row))
    assert created["secret"].removeprefix("whsec_") not in str(dict(row))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "url is required"),
        ({"url": ""}, "url is required"),
        ({"url": 42}, "url is required"),
        ({"url": "ftp://hooks.example.com/"}, "url must be an http or https URL"),
        ({"url": "https://"}, "url must be an http or https URL"),
        ({"url": "https://hooks.example.com:99999/"}, "url must be an http or https URL"),
        ({"url": "https://hooks.example.com/a b"}, "url must be an http or https URL"),
        (
            {"url": "https://user:pass@hooks.example.com/"},
            "url must not contain a user name or password",
        ),
        ({"url": "https://hooks.example.com/" + "a" * 2048}, "url must be at most 2048 characters"),
        (
            {"url": "https://hooks.example.com/", "events": []},
            "events must be a non-empty list of event names",
        ),
        (
            {"url": "https://hooks.example.com/", "events": "file.deleted"},
            "events must be a non-empty list of event names",
        ),
    ],
)
def test_create_webhook_with_a_bad_field_is_400(
    client: httpx.Client, token: str, body: dict[str, object], message: str
) -> None:

    response = client.post("/api/webhooks", json=body, headers=auth(token))

    assert response.status_code == 400
    assert response.json() == {"status": "error", "message": message}


def test_create_webhook_with_an_unknown_event_names_it(client: httpx.Client, token: str) -> None:

    response = client.post(
        "/api/webhooks",
        json={"url": "https://hooks.example.com/", "events": ["file.deleted", "file.eaten"]},
        headers=auth(token),
    )

    assert response.status_code == 400
    assert response.json()["message"].startswith("unknown event 'file.eaten'; known: ")


def test_create_webhook_without_a_json_body_is_400(client: httpx.Client, token: str) -> None:

    response = client.post("/api/webhooks", content=b"url=x", headers=auth(token))

    assert response.status_code == 400
    assert response.json() == {"status": "error", "message": "Couldn't parse request body"}


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://app.localhost/hook",
        "http://[::1]/hook",
        "http://[::ffff:10.0.0.1]/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/metadata/instance",
        "http://168.63.129.16/",
        "http://100.64.0.1/",
        "http://224.0.0.1/",
        "http://0.0.0.0/",
        "http://2130706433/",
        "http://intranet/hook",
        "http://printer.local/",
    ],
)
def test_create_webhook_to_a_private_destination_is_refused_with_the_guard_on(
    client: httpx.Client, token: str, url: str
) -> None:

    response = client.post("/api/webhooks", json={"url": url}, headers=auth(token))

    assert response.status_code == 400
    assert response.json() == {
        "status": "error",
        "message": "url must point to a public address, not a private or local one",
    }


def test_an_account_has_at_most_the_limit_of_webhooks(client: httpx.Client) -> None:
    _, token = register(client)
    for index in range(MAX_PER_ACCOUNT):
        add_webhook(client, token, f"https://hooks.example.com/{index}")

    response = client.post(
        "/api/webhooks", json={"url": "https://hooks.example.com/more"}, headers=auth(token)
    )

    assert response.status_code == 400
    assert (
        response.json()["message"] == f"Too many webhooks: an account has at most {MAX_PER_ACCOUNT}"
    )


def test_delete_webhook_removes_it(client: httpx.Client) -> None:
    _, token = register(client)
    created = add_webhook(client, token, "https://hooks.example.com/gone")

    response = client.delete(f"/api/webhooks/{created['id']}", headers=auth(token))

    assert response.status_code == 200
    assert response.json() == {"status": "success", "message": "Webhook deleted"}
    assert client.get("/api/webhooks", headers=auth(token)).json()["data"] == []
    again = client.delete(f"/api/webhooks/{created['id']}", headers=auth(token))
    assert again.status_code == 404


@pytest.mark.parametrize(
    ("method", "suffix"), [("DELETE", ""), ("POST", "/test"), ("GET", "/deliveries")]
)
def test_another_accounts_webhook_is_not_found(
    client: httpx.Client, method: str, suffix: str
) -> None:
    _, owner = register(client)
    _, stranger = register(client)
    created = add_webhook(client, owner, "https://hooks.example.com/mine")

    response = client.request(
        method, f"/api/webhooks/{created['id']}{suffix}", headers=auth(stranger)
    )

    assert response.status_code == 404
    assert response.json() == {"status": "error", "message": "Webhook not found"}
    assert client.get("/api/webhooks", headers=auth(owner)).json()["data"] != []


@pytest.mark.parametrize("webhook_id", ["wh_0000000000000000", "nonsense", "wh_" + "z" * 16])
def test_unknown_webhook_id_is_not_found(client: httpx.Client, token: str, webhook_id: str) -> None:

    response = client.post(f"/api/webhooks/{webhook_id}/test", headers=auth(token))

    assert response.status_code == 404
    assert response.json() == {"status": "error", "message": "Webhook not found"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/webhooks"),
        ("POST", "/api/webhooks"),
        ("DELETE", "/api/webhooks/wh_0000000000000000"),
        ("POST", "/api/webhooks/wh_0000000000000000/test"),
        ("GET", "/api/webhooks/wh_0000000000000000/deliveries"),
    ],
)
def test_webhooks_need_a_token(client: httpx.Client, method: str, path: str) -> None:
    response = client.request(method, path)

    assert_auth_error(response, -1)


def test_test_event_is_queued_with_an_event_id(client: httpx.Client) -> None:
    _, token = register(client)
    created = add_webhook(client, token, "https://hooks.example.com/test")

    response = client.post(f"/api/webhooks/{created['id']}/test", headers=auth(token))

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "success"
    assert body["message"] == "Test event queued"
    assert body["event_id"].startswith("msg_")
    client.delete(f"/api/webhooks/{created['id']}", headers=auth(token))  # nothing to deliver to
