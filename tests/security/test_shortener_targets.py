"""Link files whose URL cannot be a Location header: normalised at publish, or plain text."""

from __future__ import annotations

import httpx
import pytest
from azure.data.tables import UpdateMode

from tests.utils.files import upload
from tests.utils.storage import StorageProbe


@pytest.mark.parametrize(
    ("content", "location"),
    [
        (
            "https://пример.example/путь?q=дa",
            "https://xn--e1afmkfd.example/%D0%BF%D1%83%D1%82%D1%8C?q=%D0%B4a",
        ),
        ("https://bücher.example/", "https://xn--bcher-kva.example/"),
        ("https://example.com/€uro#frag", "https://example.com/%E2%82%ACuro#frag"),
        ("https://example.com:8443/a%20b", "https://example.com:8443/a%20b"),
    ],
    ids=["cyrillic-host", "latin-1-host", "non-ascii-path", "already-encoded"],
)
def test_one_time_link_to_an_international_url_redirects_to_its_ascii_form(
    client: httpx.Client, content: str, location: str
) -> None:
    body = upload(client, content.encode(), filename="link.txt", params={"max_downloads": "1"})

    response = client.get(f"/file/{body['file_url']}")

    assert response.status_code == 302
    assert response.headers["location"] == location
    assert client.get(f"/file/{body['file_url']}").status_code == 404  # used up once, by this


@pytest.mark.parametrize(
    "content",
    [
        "https://example.com/a\x01b",
        "https://example.com/\x7f",
        "https://example.com/\u200bhidden",
        "https://example.com/\u202eevil",
        "https://exa\u00a0mple.com/",
        "ftp://example.com/file",
        "https://",
        "https://example.com:99999/",
        "https://☃.example/",
    ],
    ids=["C0", "DEL", "zero-width", "bidi", "nbsp", "ftp", "no-host", "bad-port", "bad-idna"],
)
def test_one_time_link_that_cannot_be_a_redirect_is_served_as_text(
    client: httpx.Client, content: str
) -> None:
    body = upload(client, content.encode(), filename="link.txt", params={"max_downloads": "1"})

    response = client.get(f"/file/{body['file_url']}")

    assert response.status_code == 200
    assert response.content == content.encode()
    assert response.headers["content-type"] == "text/plain; charset=utf-8"


def test_stored_target_that_cannot_be_a_header_is_never_a_500_nor_burns_the_link(
    client: httpx.Client, storage: StorageProbe
) -> None:
    # A record from before targets were checked at publish: its target goes straight to a header.
    body = upload(
        client, b"https://example.com/ok", filename="link.txt", params={"max_downloads": "2"}
    )
    storage.tables.get_table_client("files").update_entity(
        {
            "PartitionKey": body["file_url"],
            "RowKey": "file",
            "redirect_url": "https://\u043f\u0440\u0438\u043c\u0435\u0440.example/\x01",
        },
        mode=UpdateMode.MERGE,
    )

    response = client.get(f"/file/{body['file_url']}")

    assert response.status_code == 200
    assert response.content == b"https://example.com/ok"
    metadata = client.get(f"/api/metadata/{body['file_url']}").json()
    assert metadata["downloads_left"] == 1
