"""CORS: browser apps on the origins in CORS_ALLOWED_ORIGINS may call the API; others may not.

In Azure the platform applies the allow-list (infra/ sets siteConfig.cors); the local host does
the same with devhost/cors.py, and these tests hold both to the same answers.
"""

from __future__ import annotations

import httpx
import pytest

APP = "https://app.example"
OTHER = "https://evil.example"
MISSING = "/api/metadata/AAAAAAAAAAAAAAAA"


def _preflight(
    client: httpx.Client, origin: str, path: str = "/api/upload/private"
) -> httpx.Response:
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )


@pytest.fixture
def cors(settings_env: dict[str, str]) -> None:
    settings_env["CORS_ALLOWED_ORIGINS"] = f"{APP}, http://localhost:5173"


@pytest.mark.usefixtures("cors")
def test_preflight_from_an_allowed_origin_allows_the_method_and_authorization(
    client: httpx.Client,
) -> None:
    response = _preflight(client, APP)

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == APP
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "DELETE" in response.headers["access-control-allow-methods"]
    assert "authorization" in response.headers["access-control-allow-headers"].lower()
    assert "Origin" in response.headers["vary"]
    assert "access-control-allow-credentials" not in response.headers


@pytest.mark.usefixtures("cors")
def test_response_to_an_allowed_origin_echoes_it_and_exposes_the_api_headers(
    client: httpx.Client,
) -> None:
    response = client.get(MISSING, headers={"Origin": APP})

    assert response.status_code == 404
    assert response.headers["access-control-allow-origin"] == APP
    assert "Origin" in response.headers["vary"]
    exposed = {h.strip() for h in response.headers["access-control-expose-headers"].split(",")}
    assert {"X-Url-Delete", "Retry-After", "X-Request-Id"} <= exposed


@pytest.mark.usefixtures("cors")
def test_disallowed_origin_gets_no_cors_permission(client: httpx.Client) -> None:
    preflight = _preflight(client, OTHER)
    response = client.get(MISSING, headers={"Origin": OTHER})

    assert "access-control-allow-origin" not in preflight.headers
    assert response.status_code == 404
    assert not [name for name in response.headers if name.startswith("access-control-")]


def test_no_origin_is_allowed_by_default(client: httpx.Client) -> None:
    preflight = _preflight(client, APP)
    response = client.get(MISSING, headers={"Origin": APP})

    assert preflight.status_code == 405
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in response.headers
