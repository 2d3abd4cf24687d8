"""The OpenAPI document rendered as one self-contained HTML page (no script, no CDN)."""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

_METHODS = ("get", "head", "post", "put", "delete")
_STYLE = """
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2.5rem}
section{border:1px solid #e3e3e3;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}
code,.path{font-family:ui-monospace,monospace}
.method{display:inline-block;min-width:4.5rem;font-weight:700;text-transform:uppercase}
table{border-collapse:collapse;width:100%;margin:.4rem 0}
td,th{border-top:1px solid #eee;text-align:left;padding:.2rem .4rem;vertical-align:top}
.muted{color:#666}
"""


def render(document: dict[str, Any]) -> str:
    """Every operation grouped by tag (parameters, body, answers), then every JSON body's fields."""
    info = document["info"]
    by_tag: dict[str, list[str]] = {}
    for path, item in document["paths"].items():
        for method in _METHODS:
            if method in item:
                operation = item[method]
                tag = operation.get("tags", ["other"])[0]
                by_tag.setdefault(tag, []).append(_operation(document, method, path, operation))
    sections = "".join(
        f"<h2>{escape(tag)}</h2>{''.join(operations)}" for tag, operations in by_tag.items()
    )
    schemas = document.get("components", {}).get("schemas", {})
    if schemas:
        sections += "<h2>bodies</h2>" + "".join(
            _schema(name, schema) for name, schema in schemas.items()
        )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{escape(info['title'])} API</title><style>{_STYLE}</style></head><body>"
        f"<h1>{escape(info['title'])} API <span class=muted>{escape(info['version'])}</span></h1>"
        f"<p>{_prose(info.get('description', ''))}</p>"
        '<p>Machine-readable: <a href="openapi.json">openapi.json</a> (OpenAPI 3.1).</p>'
        f"{sections}</body></html>"
    )


def _operation(document: dict[str, Any], method: str, path: str, operation: dict[str, Any]) -> str:
    parts = [
        f"<section id={escape(operation['operationId'])}>"
        f"<div><span class=method>{method}</span> <span class=path>{escape(path)}</span></div>"
        f"<p><b>{_prose(operation.get('summary', ''))}</b></p>"
    ]
    if operation.get("description"):
        parts.append(f"<p>{_prose(operation['description'])}</p>")
    if operation.get("security") and {} not in operation["security"]:
        parts.append("<p class=muted>Needs <code>Authorization: Bearer &lt;token&gt;</code>.</p>")
    elif operation.get("security"):
        parts.append("<p class=muted>A bearer token is optional.</p>")
    parameters = operation.get("parameters", [])
    if parameters:
        rows = "".join(
            f"<tr><td><code>{escape(p['name'])}</code></td><td>{escape(p['in'])}</td>"
            f"<td>{_prose(p.get('description', ''))}</td></tr>"
            for p in parameters
        )
        parts.append(f"<table><tr><th>parameter</th><th>in</th><th></th></tr>{rows}</table>")
    body = operation.get("requestBody")
    if body:
        types = ", ".join(
            f"<code>{escape(t)}</code>{_named(media.get('schema', {}))}"
            for t, media in body["content"].items()
        )
        parts.append(f"<p>Body: {types}</p>")
    rows = "".join(
        f"<tr><td>{escape(status)}</td><td>{_prose(_description(document, response))}"
        f"{_named(response.get('content', {}).get('application/json', {}).get('schema', {}))}"
        "</td></tr>"
        for status, response in sorted(operation["responses"].items())
    )
    parts.append(f"<table><tr><th>status</th><th>meaning</th></tr>{rows}</table></section>")
    return "".join(parts)


def _description(document: dict[str, Any], response: dict[str, Any]) -> str:
    if "description" in response:
        return str(response["description"])
    name = response["$ref"].rsplit("/", 1)[-1]
    return str(document["components"]["responses"][name]["description"])


def _schema(name: str, schema: dict[str, Any]) -> str:
    """One JSON body: what it is, and its fields with their types."""
    required = set(schema.get("required", []))
    rows = "".join(
        f"<tr><td><code>{escape(field)}</code></td><td>{_type(spec)}</td>"
        f"<td>{'' if field in required else 'optional'}</td>"
        f"<td>{_prose(spec.get('description', ''))}</td></tr>"
        for field, spec in schema.get("properties", {}).items()
    )
    about = f"<p>{_prose(schema['description'])}</p>" if schema.get("description") else ""
    return (
        f"<section id=schema-{escape(name)}><div class=path>{escape(name)}</div>{about}"
        f"<table><tr><th>field</th><th>type</th><th></th><th></th></tr>{rows}</table></section>"
    )


def _named(schema: dict[str, Any]) -> str:
    """` (Name)` linking to the body's fields, when the schema is a component's."""
    return f" ({_type(schema)})" if "$ref" in schema or "anyOf" in schema else ""


def _type(spec: dict[str, Any]) -> str:
    """A field's type in words, its components linked: `array of <a>FileEntry</a>`."""
    if "$ref" in spec:
        name = escape(spec["$ref"].rsplit("/", 1)[-1])
        return f"<a href=#schema-{name}>{name}</a>"
    if "const" in spec:
        return f"<code>{escape(json.dumps(spec['const']))}</code>"
    if "anyOf" in spec:
        return " or ".join(_type(option) for option in spec["anyOf"])
    if spec.get("type") == "array":
        return f"array of {_type(spec.get('items', {}))}"
    return escape(str(spec.get("type", "any")))


def _prose(text: str) -> str:
    """Escaped text whose `backticked` parts (the document's Markdown code spans) are <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text))
