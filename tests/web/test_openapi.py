"""The API description: served, complete, and nothing in it that does not exist."""

from __future__ import annotations

import re

import httpx
from pydantic import BaseModel

from functions import _openapi as openapi
from functions._schemas import (
    accounts,
    base,
    buffer,
    files,
    groups,
    reverse,
    service,
    shares,
    uploads,
    webhooks,
)
from tests.utils.routes import registered_operations


def test_get_openapi_documents_every_registered_route(client: httpx.Client) -> None:
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"] == "3.1.0"
    documented = {
        (path, method.upper()) for path, item in document["paths"].items() for method in item
    }
    registered = registered_operations()
    assert sorted(registered - documented) == [], "registered but not documented"
    assert sorted(documented - registered) == [], "documented but not registered"


def test_get_openapi_names_the_server_it_was_asked_on(client: httpx.Client, base_url: str) -> None:
    response = client.get("/api/openapi.json")

    assert response.json()["servers"] == [{"url": base_url}]


def test_openapi_references_resolve() -> None:
    document = openapi.document()
    text = repr(document)
    for ref in set(re.findall(r"#/components/(\w+)/(\w+)", text)):
        kind, name = ref
        assert name in document["components"][kind], ref


def test_openapi_operation_ids_are_unique() -> None:
    ids = [
        operation["operationId"]
        for item in openapi.document()["paths"].values()
        for operation in item.values()
    ]
    assert len(ids) == len(set(ids))


def test_openapi_path_parameters_match_templates() -> None:
    for path, item in openapi.document()["paths"].items():
        template = set(re.findall(r"\{(\w+)\}", path))
        for method, operation in item.items():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == template, (path, method)


def test_get_docs_renders_every_operation_and_body_without_remote_resources(
    client: httpx.Client,
) -> None:
    response = client.get("/api/docs")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    page = response.text
    document = openapi.document()
    for path, item in document["paths"].items():
        for operation in item.values():
            assert f"id={operation['operationId']}>" in page
        assert path.replace("{", "&#x7b;") in page or path in page
    for name in document["components"]["schemas"]:
        assert f"id=schema-{name}>" in page
    assert "`" not in page, "code spans are rendered as <code>"
    assert "<script" not in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)


def test_every_registered_route_describes_its_json_bodies_with_models() -> None:
    document = openapi.document()
    components = document["components"]
    for path, method in sorted(registered_operations()):
        operation = document["paths"][path][method.lower()]
        bodies = [operation.get("requestBody", {})] + [
            components["responses"][answer["$ref"].rsplit("/", 1)[-1]]
            if "$ref" in answer
            else answer
            for answer in operation["responses"].values()
        ]
        for body in bodies:
            schema = body.get("content", {}).get("application/json", {}).get("schema")
            if schema is None or operation["operationId"] == "get_openapi":  # the document itself
                continue
            for ref in schema.get("anyOf", [schema]):
                assert set(ref) == {"$ref"}, (path, method, schema)
                assert ref["$ref"].rsplit("/", 1)[-1] in components["schemas"], (path, method)


def test_openapi_schemas_are_the_models_and_nothing_else() -> None:
    models = {
        model.__name__
        for module in (
            *(accounts, base, buffer, files, groups),
            *(reverse, service, shares, uploads, webhooks),
        )
        for model in vars(module).values()
        if isinstance(model, type)
        and issubclass(model, BaseModel)
        and model.__module__ == module.__name__
    }

    documented = set(openapi.document()["components"]["schemas"])

    assert documented == models - {"RequestBody", "Envelope", "_OpenUpload"}
