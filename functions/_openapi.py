"""The OpenAPI 3.1 description of every HTTP endpoint, served at /api/openapi.json.

Paths, parameters and status codes are listed here; every JSON body is a model of
functions/_schemas, turned into a component by pydantic (`$ref`), the same model that validates
the request or shapes the answer. tests/web/test_openapi.py compares the paths and methods with
the routes function_app.py registers, and the fuzz run checks real answers against the schemas.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, models_json_schema
from pydantic_core import CoreSchema

from functions._schemas import (
    accounts,
    buffer,
    files,
    groups,
    reverse,
    service,
    shares,
    uploads,
    webhooks,
)
from functions._schemas.base import AuthError, Error, RequestBody, Success

JSON = "application/json"
Schema = dict[str, Any]

_STR: Schema = {"type": "string"}
_BINARY: Schema = {"type": "string", "format": "binary"}


@dataclass(frozen=True)
class _Model:
    """A body's model, until document() knows the component it becomes."""

    model: type[BaseModel]
    mode: JsonSchemaMode


class _WithoutFieldTitles(GenerateJsonSchema):
    """pydantic's JSON Schema without a `title` on every property (the name says it)."""

    def field_title_should_be_set(self, schema: CoreSchema) -> bool:
        return False


def _json(
    description: str, *models: type[BaseModel], headers: dict[str, Any] | None = None
) -> Schema:
    """A JSON answer: one of `models`, as they serialize."""
    refs = [_Model(model, "serialization") for model in models]
    response: Schema = {
        "description": description,
        "content": {JSON: {"schema": refs[0] if len(refs) == 1 else {"anyOf": refs}}},
    }
    if headers:
        response["headers"] = headers
    return response


def _multipart_file(**fields: Schema) -> Schema:
    """A multipart body: the part `file` and the form fields `fields`."""
    properties = {"file": _FILE_PART, **fields}
    schema = {"type": "object", "required": ["file"], "properties": properties}
    return {"required": True, "content": {"multipart/form-data": {"schema": schema}}}


def _json_body(model: type[RequestBody]) -> Schema:
    return {"required": True, "content": {JSON: {"schema": _Model(model, "validation")}}}


def _error(description: str) -> Schema:
    return {"$ref": "#/components/responses/Error", "description": description}


def _path(name: str, description: str, schema: Schema | None = None) -> Schema:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema or _STR,
    }


def _query(name: str, description: str, schema: Schema | None = None) -> Schema:
    return {"name": name, "in": "query", "description": description, "schema": schema or _STR}


def _header(
    name: str, description: str, *, required: bool = False, schema: Schema | None = None
) -> Schema:
    return {
        "name": name,
        "in": "header",
        "required": required,
        "description": description,
        "schema": schema or _STR,
    }


_FILE_URL = _path("file_url", "The file's public id (16 URL-safe characters, maybe an extension).")
_EIGHT_DIGITS: Schema = {"type": "string", "pattern": "^[0-9]{8}$"}
_GROUP_ID = _path(
    "group_id",
    "`private` (the caller's account) or a group's 8-digit id.",
    {"anyOf": [{"const": "private"}, _EIGHT_DIGITS]},
)
_GROUP_NUMBER = _path("group_id", "A group's 8-digit id.", _EIGHT_DIGITS)
# A file part of a multipart body: OpenAPI 3.1's spelling of `format: binary`, so clients send a
# filename with it (a part without one is a plain form field).
_FILE_PART: Schema = {"type": "string", "contentMediaType": "application/octet-stream"}
_TTL: Schema = {"type": "integer", "minimum": 1}
_MAX_DOWNLOADS: Schema = {"type": "integer", "minimum": 1, "maximum": 1_000_000}
_INVITE = _path("invite_link", "The invite code: the last segment of `invite_link`.")
_UPLOAD_OPTIONS = [
    _query("include_ext", "`true` appends the file's extension to `file_url`."),
    _query("expires_in", "Seconds until the file expires, 1..MAX_TTL_SECONDS.", _TTL),
    _query("max_downloads", "Downloads allowed, ≥ 1; `1` makes a one-time link.", _MAX_DOWNLOADS),
]
_PASSWORD: Schema = {
    "type": "string",
    "maxLength": 1024,
    "description": "A password for the link (form field only, never the query string); "
    "downloads then need it with HTTP Basic. Empty: none.",
}
_LOCKED: dict[str, Schema] = {
    "401": _error(
        "The link has a password: errorId 20 without one, 21 for a wrong one (HTTP Basic, any "
        "user name). A browser gets the password page instead; no `WWW-Authenticate`."
    ),
    "429": {"$ref": "#/components/responses/RateLimited"},
}
_RETRY_AFTER = {"Retry-After": {"schema": _STR, "description": "Seconds to wait."}}
_LINK_PASSWORD: list[dict[str, list[str]]] = [{}, {"linkPassword": []}]
_UPLOAD_KEY = _query("key", "The key `POST /api/uploads` answered.")
_ITEM_ID = _path("item_id", "A buffer item's id (29 hex digits).")
_BOT = _query("bot", "`true`: a long-lived token (BOT_TOKEN_TTL_SECONDS).")

# Answers any endpoint may give besides its own.
_COMMON: dict[str, Schema] = {"503": {"$ref": "#/components/responses/Unavailable"}}
_AUTHED: dict[str, Schema] = {"401": {"$ref": "#/components/responses/AuthError"}}
_LIMITED: dict[str, Schema] = {"429": {"$ref": "#/components/responses/RateLimited"}}
_GROUP_ERRORS: dict[str, Schema] = {
    "400": _error("`Invalid group id`."),
    "403": _error("Not allowed for this caller."),
    "404": _error("`Group not found`."),
    **_AUTHED,
}
_BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
_OPTIONAL_BEARER: list[dict[str, list[str]]] = [{}, {"bearerAuth": []}]

_FILE_HEADERS = {
    "Content-Disposition": {
        "description": "`inline` only for raster images, audio, video, PDF and plain text; "
        "otherwise `attachment`. ASCII `filename` plus RFC 6266 `filename*`.",
        "schema": _STR,
    },
    "X-Content-Type-Options": {"schema": {"const": "nosniff"}},
    "Content-Security-Policy": {"description": "Always starts with `sandbox`.", "schema": _STR},
    "ETag": {"schema": _STR},
}
_BUFFER_BYTES: Schema = {
    "description": "The bytes; `X-Data-Type` and `X-Item-Id` say what they are.",
    "headers": {"X-Data-Type": {"schema": _STR}, "X-Item-Id": {"schema": _STR}},
    "content": {"*/*": {"schema": _BINARY}},
}
_NOT_MODIFIED: Schema = {"description": "`If-None-Match` matched."}


def _operation(
    operation_id: str,
    summary: str,
    tag: str,
    responses: dict[str, Schema],
    *,
    parameters: list[Schema] | None = None,
    body: Schema | None = None,
    security: list[dict[str, list[str]]] | None = None,
    description: str | None = None,
) -> Schema:
    operation: Schema = {
        "operationId": operation_id,
        "summary": summary,
        "tags": [tag],
        "responses": {**responses, **_COMMON},
        "security": security if security is not None else [],
    }
    if description:
        operation["description"] = description
    if parameters:
        operation["parameters"] = parameters
    if body:
        operation["requestBody"] = body
    return operation


def _upload_responses() -> dict[str, Schema]:
    return {
        "200": {
            "description": "Stored. `text/plain` (just the link) when the client prefers it.",
            "content": {
                JSON: {"schema": _Model(uploads.UploadResult, "serialization")},
                "text/plain": {"schema": _STR},
            },
        },
        "400": _error("No file, an invalid option (the message names it) or a bad group id."),
        "403": _error("Not a member of the group."),
        "404": _error("No such group."),
        "413": _error("File size exceeds the limit."),
        **_AUTHED,
        **_LIMITED,
    }


def _upload_paths() -> dict[str, Schema]:
    """Uploads through the API: multipart (the contract's form) or the raw body."""
    return {
        "/api/upload/{group_id}": {
            "post": _operation(
                "upload_file",
                "Upload a file (multipart field `file`).",
                "files",
                _upload_responses(),
                parameters=[_GROUP_ID, *_UPLOAD_OPTIONS],
                body=_multipart_file(
                    include_ext=_STR,
                    expires_in=_TTL,
                    max_downloads=_MAX_DOWNLOADS,
                    password=_PASSWORD,
                ),
                security=_OPTIONAL_BEARER,
                description="Anonymous uploads go to `private` only; with a token the file is "
                "also listed in the account or group. Options may be query parameters or form "
                "fields.",
            )
        },
        "/api/upload/{group_id}/{filename}": {
            "put": _operation(
                "upload_raw",
                "Upload a file as the raw request body.",
                "files",
                _upload_responses(),
                parameters=[_GROUP_ID, _path("filename", "The file's name."), *_UPLOAD_OPTIONS],
                body={"required": True, "content": {"application/octet-stream": {"schema": _STR}}},
                security=_OPTIONAL_BEARER,
            )
        },
    }


def _direct_upload_paths() -> dict[str, Schema]:
    """Direct uploads: the API authorises, the client moves the bytes to Blob Storage by SAS."""
    not_found = _error("`Upload not found`: unknown, swept after its SAS expired, or rejected.")
    return {
        "/api/uploads": {
            "post": _operation(
                "create_upload",
                "Authorise a direct upload: a SAS to put the file's blocks straight into storage.",
                "files",
                {
                    "200": _json(
                        "Authorised; nothing is visible until completed.", uploads.DirectUpload
                    ),
                    "400": _error(
                        "A missing or invalid field (the message names it), or a bad group id."
                    ),
                    "403": _error("Not a member of the group."),
                    "404": _error("No such group; `Upload link not found`."),
                    "409": _error("The upload link accepts no more files (errorId 40)."),
                    "413": _error(
                        "File size exceeds the limit (MAX_DIRECT_UPLOAD_BYTES), or what the "
                        "upload link still accepts (errorId 41)."
                    ),
                    **_AUTHED,
                    "401": _json(
                        "A bad token (section 1.1), or an upload link's password missing "
                        "(errorId 20) or wrong (errorId 21).",
                        AuthError,
                        Error,
                    ),
                    **_LIMITED,
                },
                body=_json_body(uploads.UploadDeclaration),
                security=_OPTIONAL_BEARER,
                description="Checks the rules of `POST /api/upload/{group_id}`, then answers "
                "`upload_url`, a SAS for one blob (create and write only, UPLOAD_SAS_TTL_SECONDS), "
                "and `block_size`. Stage blocks and commit the block list, then call `complete`.",
            )
        },
        "/api/uploads/{file_url}": {
            "get": _operation(
                "get_upload",
                "The blocks storage holds for a direct upload, and a renewed SAS.",
                "files",
                {
                    "200": _json(
                        "`state` `pending` (with `committed`/`uncommitted` blocks and an "
                        "`upload_url` renewed for UPLOAD_SAS_TTL_SECONDS, at most "
                        "MAX_UPLOAD_SECONDS after the upload began) or `complete`.",
                        uploads.UploadPending,
                        uploads.UploadComplete,
                    ),
                    "400": _error("`Invalid unique key`."),
                    "404": not_found,
                },
                parameters=[_FILE_URL, _UPLOAD_KEY],
            )
        },
        "/api/uploads/{file_url}/complete": {
            "post": _operation(
                "complete_upload",
                "Check the committed blob's size and publish the file (idempotent).",
                "files",
                {
                    "200": _json(
                        "Published, as `POST /api/upload/{group_id}` answers; through an upload "
                        "link, the uploader's receipt.",
                        uploads.UploadResult,
                        reverse.UploadReceipt,
                    ),
                    "400": _error(
                        "`Invalid unique key`, no committed blob yet, or a size other than the "
                        "declared one (then the upload is discarded)."
                    ),
                    "403": _error("`You are not in the group` any more (the upload is discarded)."),
                    "404": _error(
                        "`Upload not found`, or `Group not found`: deleted since (the upload is "
                        "discarded)."
                    ),
                },
                parameters=[
                    _FILE_URL,
                    _UPLOAD_KEY,
                    _query(
                        "crc32",
                        "For a file of a share (required there): the CRC-32 of its bytes.",
                        {"type": "integer", "minimum": 0, "maximum": 4294967295},
                    ),
                ],
            )
        },
    }


_GET_REDIRECT = (
    "Counted. The file is a `.txt` holding one URL (the link shortener): `Location` is that URL. "
    "Or a direct download: `direct=1` or larger than MAX_UPLOAD_BYTES, and no download "
    "limit: `Location` is a short-lived read-only SAS whose `rsct`/`rscd` set the type and "
    "disposition by the streamed rules."
)
_HEAD_REDIRECT = (
    "The link shortener of a file without a download limit: `Location` is its URL. A limited "
    "file's HEAD reveals no target: it answers 200 with the file's headers."
)


def _download(operation_id: str, method: Literal["get", "head", "post"]) -> Schema:
    head = method == "head"
    content = {} if head else {"*/*": {"schema": _BINARY}}
    responses: dict[str, Schema] = {
        "200": {
            "description": "The file's bytes" + (" (headers only)." if head else "."),
            "headers": _FILE_HEADERS,
            "content": content,
        },
        "204": {"description": "A prefetch of a limited file: nothing sent, nothing counted."},
        "206": {
            "description": "One byte range (files without a download limit); counts a download "
            "only when it starts at byte 0 (a resume or a seek does not).",
            "headers": _FILE_HEADERS,
            "content": content,
        },
        "302": {
            "description": _HEAD_REDIRECT if head else _GET_REDIRECT,
            "headers": {"Location": {"schema": _STR}},
        },
        "304": _NOT_MODIFIED,
        **_LOCKED,
        "403": _error("Malware scanning blocked the file."),
        "404": _error("Unknown, expired and used-up files alike: `File not found`."),
        "416": _error("The range lies outside the file."),
    }
    if head:
        # A HEAD answer has no body, so its errors carry none either.
        responses["429"] = {"description": "Too many wrong passwords.", "headers": _RETRY_AFTER}
        for status in ("401", "403", "404", "416"):
            responses[status] = {"description": responses[status]["description"]}
    summary = {
        "get": "Download a file (counts a download).",
        "head": "Headers of a file, never counted.",
        "post": "Download a file after a browser confirmed it (the page's button).",
    }[method]
    operation = _operation(
        operation_id,
        summary,
        "files",
        responses,
        parameters=[
            _FILE_URL,
            {"name": "Range", "in": "header", "schema": _STR},
            {"name": "If-None-Match", "in": "header", "schema": _STR},
            {"name": "If-Range", "in": "header", "schema": _STR},
            _query("direct", "`1`: redirect to storage unless the file has a download limit."),
        ],
        security=_LINK_PASSWORD,
    )
    if method == "post":
        operation["description"] = (
            "A browser opening a limited file's link with GET gets a page instead of the bytes, "
            "so a link preview cannot use up the download; its button POSTs here."
        )
    return operation


def _unlock_path(name: str) -> Schema:
    return {
        "post": _operation(
            name,
            "Unlock a link with a password (the password page's form).",
            "files",
            {
                "303": {
                    "description": "Right: the link's unlock cookie (HttpOnly, SameSite=Strict, "
                    "the link's path, 30 minutes) and `Location` back to the link. Nothing is "
                    "counted.",
                    "headers": {"Location": {"schema": _STR}, "Set-Cookie": {"schema": _STR}},
                },
                "404": _error("`File not found`."),
                "413": _error("The form is too large."),
                **_LOCKED,
            },
            parameters=[_FILE_URL],
            body={
                "required": True,
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": {"type": "object", "properties": {"password": _STR}}
                    }
                },
            },
        )
    }


def _download_path(name: str) -> Schema:
    return {
        "get": _download(name, "get"),
        "head": _download(f"{name}_head", "head"),
        "post": _download(f"{name}_confirm", "post"),
    }


def _file_paths() -> dict[str, Schema]:
    """A stored file: its bytes, its metadata, its QR code, its deletion."""
    deleted = {
        "200": _json("Deleted.", Success),
        "400": _error("`Invalid unique key`."),
        "403": _error("Without a key: the token is neither the uploader's nor the group owner's."),
        "404": _error("`File not found`."),
        **_AUTHED,
    }
    delete_params = [
        _FILE_URL,
        _query(
            "key",
            "The delete key returned by the upload. Without it, a Bearer token of the file's "
            "uploader or of its group's owner authorises the delete.",
        ),
    ]
    return {
        "/file/{file_url}": _download_path("download_file"),
        "/f/{file_url}": _download_path("download_file_short"),
        "/file/{file_url}/unlock": _unlock_path("unlock_file"),
        "/f/{file_url}/unlock": _unlock_path("unlock_file_short"),
        "/api/delete/{file_url}": {
            "get": _operation(
                "delete_file",
                "Delete a file with its key (the contract's GET form), or the owner's token.",
                "files",
                deleted,
                parameters=delete_params,
                security=_OPTIONAL_BEARER,
                description="A browser (its `Accept` prefers HTML) gets a page asking first; "
                "its button POSTs here and deletes.",
            ),
            "post": _operation(
                "delete_file_confirm",
                "Delete a file with its key (the confirmation page's button).",
                "files",
                deleted,
                parameters=delete_params,
            ),
            "delete": _operation(
                "delete_file_delete",
                "Delete a file with its key, or the uploader's or group owner's token.",
                "files",
                deleted,
                parameters=delete_params,
                security=_OPTIONAL_BEARER,
            ),
        },
        "/api/metadata/{file_url}": {
            "get": _operation(
                "get_metadata",
                "A file's public facts; never counts, never shows the key.",
                "files",
                {
                    "200": _json(
                        "The metadata; of a link with a password asked about without it, only "
                        "`password_required` and `expires_at`.",
                        files.Metadata,
                        files.LockedMetadata,
                    ),
                    "404": _error("`File not found`."),
                    **_LOCKED,
                },
                parameters=[_FILE_URL],
                security=_LINK_PASSWORD,
            )
        },
        "/api/qr/{file_url}": {
            "get": _operation(
                "get_qr",
                "A QR code of the file's full link; 404 exactly where a download would be.",
                "files",
                {
                    "200": {
                        "description": "The code.",
                        "content": {
                            "image/svg+xml": {"schema": _STR},
                            "image/png": {"schema": _BINARY},
                        },
                    },
                    "400": _error("Bad `format` or `scale`."),
                    "404": _error("`File not found`."),
                },
                parameters=[
                    _FILE_URL,
                    _query("format", "`svg` (default) or `png`."),
                    _query("scale", "Pixels per module, 1..40."),
                ],
            )
        },
    }


_SHARE_ID = _path("share_id", "The share's public id (16 URL-safe characters).")
_SHARE_KEY = _query("key", "The share's key, as `POST /api/shares` answered it.")
_SHARE_NOT_FOUND = _error("Unknown, expired, used-up and deleted shares alike: `Share not found`.")
_SHARE_FILES: Schema = {
    "type": "object",
    "required": ["file"],
    "properties": {"file": {"type": "array", "items": _FILE_PART}},
}


def _share_file_path() -> dict[str, Schema]:
    """A file of a share under the share's path, where its unlock cookie applies."""
    path = _download_path("download_share_file")
    for operation in path.values():
        operation["tags"] = ["shares"]
        operation["parameters"] = [_SHARE_ID, *operation["parameters"]]
        operation["responses"]["403"] = _error(
            "The share has a download limit: its files come only in its ZIP (errorId 31)."
        )
    return path


def _share_unlock(name: str) -> dict[str, Schema]:
    """The share's password page's form: the cookie opens every path under `/s/{share_id}`."""
    operation = _unlock_path(name)["post"]
    operation["operationId"] = name
    operation["tags"] = ["shares"]
    operation["parameters"] = [_SHARE_ID]
    operation["responses"]["404"] = _SHARE_NOT_FOUND
    return {"post": operation}


def _share_paths() -> dict[str, Schema]:
    """Shares: many files under one link, their page or manifest, their ZIP."""
    created = {
        "200": _json("The share and the files this request added.", shares.ShareCreated),
        "400": _error("No file, an invalid option (the message names it), a wrong key."),
        "403": _error("Not a member of the group."),
        "404": _error("`Group not found`, or (adding) `Share not found`."),
        "413": _error("A file beyond the size limit."),
        **_AUTHED,
        **_LIMITED,
    }
    zip_params = [
        _SHARE_ID,
        {"name": "Range", "in": "header", "schema": _STR},
        {"name": "If-Range", "in": "header", "schema": _STR},
        {"name": "If-None-Match", "in": "header", "schema": _STR},
    ]

    def zip_operation(operation_id: str, head: bool) -> Schema:
        content = {} if head else {"application/zip": {"schema": _BINARY}}
        headers = {"Content-Length": {"schema": _STR}, "ETag": {"schema": _STR}}
        return _operation(
            operation_id,
            "Headers of the share's ZIP, never counted."
            if head
            else "Every file of the share as one ZIP, streamed (counts one download of the share).",
            "shares",
            {
                "200": {"description": "The archive.", "headers": headers, "content": content},
                "204": {"description": "A prefetch of a limited share: nothing sent or counted."},
                "206": {
                    "description": "One byte range of the archive (shares without a download "
                    "limit); counts only when it starts at byte 0.",
                    "headers": headers,
                    "content": content,
                },
                "304": _NOT_MODIFIED,
                "404": {"description": "`Share not found`."} if head else _SHARE_NOT_FOUND,
                "416": {"description": "The range lies outside the archive."}
                if head
                else _error("The range lies outside the archive."),
                **({"401": {"description": "The share has a password."}} if head else _LOCKED),
            },
            parameters=zip_params,
            security=_LINK_PASSWORD,
        )

    return {
        "/api/shares": {
            "post": _operation(
                "create_share",
                "Create a share: multipart with `file` parts, or JSON for an empty one.",
                "shares",
                created,
                parameters=[
                    *_UPLOAD_OPTIONS[1:],
                    _query("title", "A title for the share's page and ZIP (200 characters)."),
                    _query("group_id", "`private` (default) or a group's id (with a token)."),
                ],
                body={
                    "required": True,
                    "content": {
                        "multipart/form-data": {"schema": _SHARE_FILES},
                        JSON: {"schema": _Model(shares.ShareDeclaration, "validation")},
                    },
                },
                security=_OPTIONAL_BEARER,
                description="Options may be query parameters, form fields (before or after the "
                "files) or, for an empty share, the JSON body.",
            )
        },
        "/api/shares/{share_id}/files": {
            "post": _operation(
                "add_share_files",
                "Add files to a share (multipart, one or more `file` parts).",
                "shares",
                created,
                parameters=[_SHARE_ID, _SHARE_KEY],
                body={
                    "required": True,
                    "content": {"multipart/form-data": {"schema": _SHARE_FILES}},
                },
            )
        },
        "/api/shares/{share_id}": {
            "delete": _operation(
                "delete_share",
                "Delete a share and its files, with its key or its creator's token.",
                "shares",
                {
                    "200": _json("Deleted.", Success),
                    "400": _error("`Invalid unique key`."),
                    "403": _error("Without a key: the token is not the creator's."),
                    "404": _SHARE_NOT_FOUND,
                    **_AUTHED,
                },
                parameters=[_SHARE_ID, _SHARE_KEY],
                security=_OPTIONAL_BEARER,
            )
        },
        "/s/{share_id}": {
            "get": _operation(
                "get_share",
                "The share's manifest (JSON), or its page for a browser; never counts.",
                "shares",
                {
                    "200": {
                        "description": "The manifest, or the page when `Accept` prefers HTML.",
                        "content": {
                            JSON: {
                                "schema": {
                                    "anyOf": [
                                        _Model(shares.ShareManifest, "serialization"),
                                        _Model(shares.LockedShare, "serialization"),
                                    ]
                                }
                            },
                            "text/html": {"schema": _STR},
                        },
                    },
                    "404": _SHARE_NOT_FOUND,
                    **_LOCKED,
                },
                parameters=[_SHARE_ID],
                security=_LINK_PASSWORD,
                description="A share with a password, asked about without it, answers only "
                "`password_required` and `expires_at` (a browser: the password page).",
            )
        },
        "/s/{share_id}/zip": {
            "get": zip_operation("download_share_zip", head=False),
            "head": zip_operation("download_share_zip_head", head=True),
        },
        "/s/{share_id}/preview/{file_url}": {
            "get": _operation(
                "preview_share_image",
                "A thumbnail's bytes: PNG, JPEG, GIF or WebP up to 8 MiB, never counted.",
                "shares",
                {
                    "200": {
                        "description": "The image.",
                        "content": {"image/*": {"schema": _BINARY}},
                    },
                    "404": _error("Not an image of a share without a download limit."),
                    **_LOCKED,
                },
                parameters=[_SHARE_ID, _FILE_URL],
                security=_LINK_PASSWORD,
            )
        },
        "/s/{share_id}/files/{file_url}": _share_file_path(),
        "/s/{share_id}/unlock": _share_unlock("unlock_share"),
        "/s/{share_id}/qr": {
            "get": _operation(
                "get_share_qr",
                "A QR code of the share's link.",
                "shares",
                {
                    "200": {
                        "description": "The code.",
                        "content": {
                            "image/svg+xml": {"schema": _STR},
                            "image/png": {"schema": _BINARY},
                        },
                    },
                    "400": _error("Bad `format` or `scale`."),
                    "404": _SHARE_NOT_FOUND,
                },
                parameters=[
                    _SHARE_ID,
                    _query("format", "`svg` (default) or `png`."),
                    _query("scale", "Pixels per module, 1..40."),
                ],
            )
        },
    }


def _account_paths() -> dict[str, Schema]:
    """Accounts (contract 1.2) and the files in them."""
    return {
        "/api/register": {
            "post": _operation(
                "register",
                "Create an account and log in.",
                "accounts",
                {
                    "200": _json("Logged in.", accounts.Session),
                    "400": _error("errorId 1 name taken, 2 missing fields, 6/7 invalid values."),
                    **_LIMITED,
                },
                parameters=[_BOT],
                body=_json_body(accounts.NewCredentials),
            )
        },
        "/api/login": {
            "post": _operation(
                "login",
                "Log in with a password.",
                "accounts",
                {
                    "200": _json("Logged in.", accounts.Session),
                    "400": _error("errorId 2: no username/password."),
                    "403": _error("errorId 3: wrong password."),
                    "404": _error("errorId 4: user not found."),
                    **_LIMITED,
                },
                parameters=[_BOT],
                body=_json_body(accounts.Credentials),
            )
        },
        "/api/refresh_token": {
            "post": _operation(
                "refresh_token",
                "Exchange a valid token for a new one; the old one is revoked.",
                "accounts",
                {
                    "200": _json("A new token.", accounts.NewToken),
                    "400": _error("errorId 5: no access token."),
                    **_AUTHED,
                    **_LIMITED,
                },
                body=_json_body(accounts.RefreshRequest),
            )
        },
        "/api/logout": {
            "post": _operation(
                "logout",
                "Revoke the caller's token.",
                "accounts",
                {"200": _json("Logged out.", Success), **_AUTHED, **_LIMITED},
                security=_BEARER,
            )
        },
        "/api/get_files/{group_id}": {
            "get": _operation(
                "get_files",
                "Live files of the account (`private`) or of a group the caller belongs to.",
                "accounts",
                {"200": _json("Newest first.", accounts.FileList), **_GROUP_ERRORS},
                parameters=[_GROUP_ID],
                security=_BEARER,
            )
        },
        "/api/transfer": {
            "post": _operation(
                "transfer",
                "Bind anonymous uploads to the account by file_url + key.",
                "accounts",
                {
                    "200": _json(
                        "Items that could not be bound come back in `unsuccess`.",
                        accounts.TransferResult,
                    ),
                    "400": _error("No parsable body or no `data` field."),
                    **_AUTHED,
                },
                body=_json_body(accounts.TransferRequest),
                security=_BEARER,
            )
        },
    }


def _group_paths() -> dict[str, Schema]:
    """Groups (contract "Groups")."""
    return {
        "/api/create_group": {
            "post": _operation(
                "create_group",
                "Create a group owned by the caller.",
                "groups",
                {
                    "200": _json("Created.", groups.GroupResult),
                    "400": _error("No or too long `group_name`."),
                    **_AUTHED,
                },
                body=_json_body(groups.NewGroup),
                security=_BEARER,
            )
        },
        "/api/delete_group/{group_id}": {
            "delete": _operation(
                "delete_group",
                "Delete a group and every file uploaded to it (owner only).",
                "groups",
                {"200": _json("Deleted.", Success), **_GROUP_ERRORS},
                parameters=[_GROUP_NUMBER],
                security=_BEARER,
            )
        },
        "/api/generate_invite/{group_id}": {
            "get": _operation(
                "generate_invite",
                "A new invite link (owner only); the previous one stops working.",
                "groups",
                {"200": _json("Created.", groups.Invite), **_GROUP_ERRORS},
                parameters=[_GROUP_NUMBER],
                security=_BEARER,
            )
        },
        "/api/join/{invite_link}": {
            "post": _operation(
                "join_group",
                "Join the group an invite code belongs to.",
                "groups",
                {
                    "200": _json("Joined.", groups.GroupResult),
                    "400": _error("Already in the group."),
                    "404": _error("`Invite link not found`."),
                    **_AUTHED,
                },
                parameters=[_INVITE],
                security=_BEARER,
            )
        },
        "/api/groups/{group_id}/remove/{username}": {
            "post": _operation(
                "remove_member",
                "Remove a member (owner only); the live invite link is revoked too.",
                "groups",
                {
                    "200": _json("Removed.", Success),
                    **_GROUP_ERRORS,
                    "400": _error("`Invalid group id`, the owner, or not a member."),
                },
                parameters=[_GROUP_NUMBER, _path("username", "The member's username.")],
                security=_BEARER,
            )
        },
        "/api/leave/{group_id}": {
            "post": _operation(
                "leave_group",
                "Leave a group (the owner cannot).",
                "groups",
                {"200": _json("Left.", Success), **_GROUP_ERRORS},
                parameters=[_GROUP_NUMBER],
                security=_BEARER,
            )
        },
        "/api/invite_info/{invite_link}": {
            "get": _operation(
                "invite_info",
                "The group an invite code belongs to.",
                "groups",
                {
                    "200": _json("The group.", groups.GroupResult),
                    "404": _error("`Invite link not found`."),
                    **_AUTHED,
                },
                parameters=[_INVITE],
                security=_BEARER,
            )
        },
        "/api/get_groups": {
            "get": _operation(
                "get_groups",
                "The caller's groups.",
                "groups",
                {"200": _json("Every group the caller belongs to.", groups.GroupList), **_AUTHED},
                security=_BEARER,
            )
        },
    }


def _buffer_paths() -> dict[str, Schema]:
    """The cloud buffer: bytes in (text or a file) and out; JSON only describes them."""
    return {
        "/api/buffer": {
            "post": _operation(
                "post_buffer",
                "Replace the account's buffer with text or a file (the old one joins history).",
                "buffer",
                {
                    "200": _json("Stored.", buffer.BufferStored),
                    "400": _error("No or bad `X-Data-Type`, or a file without a name."),
                    "413": _error("Larger than MAX_UPLOAD_BYTES."),
                    **_AUTHED,
                },
                parameters=[
                    _header(
                        "X-Data-Type",
                        "`text` or `file`.",
                        required=True,
                        schema={"enum": ["text", "file"]},
                    ),
                    _header("X-Filename", "A file's name, percent-encoded."),
                ],
                body={
                    "required": True,
                    "content": {
                        "text/plain": {"schema": _STR},
                        "application/octet-stream": {"schema": _STR},
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["file"],
                                "properties": {"file": _FILE_PART},
                            }
                        },
                    },
                },
                security=_BEARER,
            ),
            "get": _operation(
                "get_buffer",
                "The buffer's current content (text, or the file as an attachment).",
                "buffer",
                {"200": _BUFFER_BYTES, "404": _error("`Buffer is empty`."), **_AUTHED},
                security=_BEARER,
            ),
            "delete": _operation(
                "delete_buffer",
                "Clear the buffer and its history.",
                "buffer",
                {"200": _json("Cleared.", buffer.BufferCleared), **_AUTHED},
                security=_BEARER,
            ),
        },
        "/api/buffer/history": {
            "get": _operation(
                "get_buffer_history",
                "The buffer's live items, newest first (at most BUFFER_HISTORY).",
                "buffer",
                {"200": _json("Newest first.", buffer.BufferHistory), **_AUTHED},
                security=_BEARER,
            )
        },
        "/api/buffer/history/{item_id}": {
            "get": _operation(
                "get_buffer_item",
                "One item of the buffer's history.",
                "buffer",
                {"200": _BUFFER_BYTES, "404": _error("`Buffer item not found`."), **_AUTHED},
                parameters=[_ITEM_ID],
                security=_BEARER,
            ),
            "delete": _operation(
                "delete_buffer_item",
                "Delete one item of the buffer's history.",
                "buffer",
                {
                    "200": _json("Deleted.", Success),
                    "404": _error("`Buffer item not found`."),
                    **_AUTHED,
                },
                parameters=[_ITEM_ID],
                security=_BEARER,
            ),
        },
    }


def _web_paths() -> dict[str, Schema]:
    """The web page and its assets: HTML and static files, not JSON."""
    page: Schema = {
        "200": {"description": "The page.", "content": {"text/html": {"schema": _STR}}},
        "304": _NOT_MODIFIED,
    }
    asset: Schema = {
        "200": {"description": "The asset.", "content": {"*/*": {"schema": _STR}}},
        "304": _NOT_MODIFIED,
        "404": _error("Not an asset."),
    }
    head_asset: Schema = {**asset, "404": {"description": "Not an asset."}}
    code = _path("code", "An invite code.")
    name = _path("name", "An asset's file name.")
    return {
        "/": {
            "get": _operation("get_index", "The web page.", "web", page),
            "head": _operation("get_index_head", "The web page's headers.", "web", page),
        },
        "/invite/{code}": {
            "get": _operation(
                "get_invite_page",
                "The web page, offering to join.",
                "web",
                page,
                parameters=[code],
            ),
            "head": _operation(
                "get_invite_page_head", "The page's headers.", "web", page, parameters=[code]
            ),
        },
        "/static/{name}": {
            "get": _operation(
                "get_static", "A static asset of the page.", "web", asset, parameters=[name]
            ),
            "head": _operation(
                "get_static_head",
                "A static asset's headers.",
                "web",
                head_asset,
                parameters=[name],
            ),
        },
        "/decrypt/sw.js": {
            "get": _operation(
                "get_decrypt_worker",
                "The service worker that decrypts an encrypted file's download "
                "(docs/encryption.md).",
                "web",
                asset,
            ),
            "head": _operation(
                "get_decrypt_worker_head", "The service worker's headers.", "web", head_asset
            ),
        },
    }


def _service_paths() -> dict[str, Schema]:
    """The service itself: this description and the health check."""
    return {
        "/api/openapi.json": {
            "get": _operation(
                "get_openapi",
                "This document.",
                "service",
                {
                    "200": {
                        "description": "OpenAPI 3.1.",
                        "content": {JSON: {"schema": {"type": "object"}}},
                    }
                },
            )
        },
        "/api/docs": {
            "get": _operation(
                "get_docs",
                "This document as a readable page.",
                "service",
                {"200": {"description": "HTML.", "content": {"text/html": {"schema": _STR}}}},
            )
        },
        "/api/health": {
            "get": _operation(
                "get_health",
                "Whether the service can reach its storage.",
                "service",
                {"200": _json("Blob and Table Storage answered.", service.Health)},
            )
        },
    }


def _components() -> Schema:
    retry_after = _RETRY_AFTER
    return {
        "securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT (HS256)"},
            "linkPassword": {
                "type": "http",
                "scheme": "basic",
                "description": "A link's password as the Basic password; the user name is ignored.",
            },
        },
        "responses": {
            "Error": _json("An error.", Error),
            "AuthError": _json("No, malformed, expired or revoked token.", AuthError),
            "RateLimited": _json(
                "Too many requests from this address.", Error, headers=retry_after
            ),
            "Unavailable": _json(
                "Storage is unreachable (or a file awaits its malware scan).",
                Error,
                headers=retry_after,
            ),
        },
    }


def _models(tree: object) -> list[_Model]:
    """Every model the tree names, in order of first appearance."""
    if isinstance(tree, _Model):
        return [tree]
    children = tree.values() if isinstance(tree, dict) else tree if isinstance(tree, list) else []
    return list(dict.fromkeys(found for child in children for found in _models(child)))


def _resolved(tree: object, refs: Mapping[tuple[Any, JsonSchemaMode], Schema]) -> Any:
    """The tree with each model replaced by its component's `$ref`."""
    if isinstance(tree, _Model):
        return refs[(tree.model, tree.mode)]
    if isinstance(tree, dict):
        return {key: _resolved(value, refs) for key, value in tree.items()}
    if isinstance(tree, list):
        return [_resolved(item, refs) for item in tree]
    return tree


_WEBHOOK_ID = _path("webhook_id", "The endpoint's id (`wh_…`).")
_WEBHOOK_NOT_FOUND = _error("`Webhook not found` (or not the caller's).")


def _webhook_paths() -> dict[str, Schema]:
    """Webhooks: endpoints told of events on the account's files, signed per Standard Webhooks."""
    return {
        "/api/webhooks": {
            "post": _operation(
                "create_webhook",
                "Register an endpoint; the answer holds its signing secret, shown only this once.",
                "webhooks",
                {
                    "200": _json("Created.", webhooks.WebhookCreated),
                    "400": _error(
                        "No JSON body, a bad `url` (not http(s), credentials, a private address "
                        "unless allowed) or `events`, or the account's limit of webhooks reached."
                    ),
                    **_AUTHED,
                },
                body=_json_body(webhooks.NewWebhook),
                security=_BEARER,
                description="Each event is POSTed as `{type, timestamp, data}` with `webhook-id`, "
                "`webhook-timestamp` and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of "
                "`{id}.{timestamp}.{body}` under the secret after `whsec_`). Delivered from a "
                "queue, at least once, retried by host.json's queue settings.",
            ),
            "get": _operation(
                "list_webhooks",
                "The account's endpoints (never their secrets); `disabled` says why, if so.",
                "webhooks",
                {"200": _json("Every endpoint.", webhooks.WebhookList), **_AUTHED},
                security=_BEARER,
            ),
        },
        "/api/webhooks/{webhook_id}": {
            "delete": _operation(
                "delete_webhook",
                "Remove an endpoint and its delivery history; queued events are dropped.",
                "webhooks",
                {"200": _json("Deleted.", Success), "404": _WEBHOOK_NOT_FOUND, **_AUTHED},
                parameters=[_WEBHOOK_ID],
                security=_BEARER,
            )
        },
        "/api/webhooks/{webhook_id}/test": {
            "post": _operation(
                "test_webhook",
                "Queue a `webhook.test` event for the endpoint, even a disabled one.",
                "webhooks",
                {
                    "200": _json("Queued.", webhooks.TestQueued),
                    "404": _WEBHOOK_NOT_FOUND,
                    **_AUTHED,
                },
                parameters=[_WEBHOOK_ID],
                security=_BEARER,
                description="A delivery that succeeds enables a disabled endpoint again.",
            )
        },
        "/api/webhooks/{webhook_id}/deliveries": {
            "get": _operation(
                "list_webhook_deliveries",
                "The endpoint's recent delivery attempts, newest first.",
                "webhooks",
                {
                    "200": _json(
                        "`delivered`, `error` (one attempt failed) or `failed` (every one did).",
                        webhooks.DeliveryList,
                    ),
                    "404": _WEBHOOK_NOT_FOUND,
                    **_AUTHED,
                },
                parameters=[_WEBHOOK_ID],
                security=_BEARER,
            )
        },
    }


_LINK_ID = _path("link_id", "The upload link's id (16 URL-safe characters).")
_LINK_NOT_FOUND = _error("`Upload link not found`: unknown, expired or revoked.")


def _reverse_share_paths() -> dict[str, Schema]:
    """Upload links (reverse shares): an account lets anyone with the link send it files."""
    return {
        "/api/reverse_shares": {
            "post": _operation(
                "create_reverse_share",
                "Create an upload link: anyone holding it may send files to the caller.",
                "reverse shares",
                {
                    "200": _json("Created.", reverse.ReverseShareCreated),
                    **_GROUP_ERRORS,
                    "400": _error(
                        "A missing or invalid field (the message names it), a bad group id, or "
                        "the account's limit of upload links reached (errorId 42)."
                    ),
                },
                body=_json_body(reverse.NewReverseShare),
                security=_BEARER,
                description="Received files belong to the caller (or, with `group_id`, to the "
                "group), live `file_expires_in` seconds and are listed with `received_via`.",
            ),
            "get": _operation(
                "list_reverse_shares",
                "The caller's live upload links with what each received.",
                "reverse shares",
                {"200": _json("Every live link.", reverse.ReverseShareList), **_AUTHED},
                security=_BEARER,
            ),
        },
        "/api/reverse_shares/{link_id}": {
            "delete": _operation(
                "delete_reverse_share",
                "Revoke an upload link at once; the files it received stay.",
                "reverse shares",
                {"200": _json("Revoked.", Success), "404": _LINK_NOT_FOUND, **_AUTHED},
                parameters=[_LINK_ID],
                security=_BEARER,
            )
        },
        "/r/{link_id}": {
            "get": _operation(
                "get_upload_link",
                "The upload page for a browser; what the link still accepts for a program.",
                "reverse shares",
                {
                    "200": {
                        "description": "The page (`Accept: text/html`) or the link's status.",
                        "content": {
                            JSON: {"schema": _Model(reverse.UploadLinkStatus, "serialization")},
                            "text/html": {"schema": _STR},
                        },
                    },
                    "304": _NOT_MODIFIED,
                    "404": _LINK_NOT_FOUND,
                },
                parameters=[_LINK_ID],
            ),
            "head": _operation(
                "get_upload_link_head",
                "The upload page's headers.",
                "reverse shares",
                {"200": {"description": "Live."}, "304": _NOT_MODIFIED, "404": _LINK_NOT_FOUND},
                parameters=[_LINK_ID],
            ),
            "post": _operation(
                "upload_to_link",
                "Send one file through the link (multipart field `file`).",
                "reverse shares",
                {
                    "200": _json("Received; never the file's link or key.", reverse.UploadReceipt),
                    "400": _error("No file, or more than one."),
                    "401": _error(
                        "The link needs a password (errorId 20: send it as HTTP Basic), or a "
                        "wrong one came (errorId 21)."
                    ),
                    "404": _LINK_NOT_FOUND,
                    "409": _error("The link accepts no more files (errorId 40)."),
                    "413": _error(
                        "The file exceeds what the link still accepts (errorId 41), or the "
                        "service's per-file limit."
                    ),
                    **_LIMITED,
                },
                parameters=[_LINK_ID],
                body=_multipart_file(),
                security=[{}, {"linkPassword": []}],
            ),
        },
    }


@functools.cache
def _document() -> Schema:
    document: Schema = {
        "openapi": "3.1.0",
        "info": {
            "title": "fileshare",
            "version": "1.0.0",
            "description": "Upload a file, get an unguessable link, share it. Errors are "
            '`{"status": "error", "message": …}`; authentication errors are 401 with '
            "`auth_error`. Every answer carries `X-Request-Id`.",
        },
        "paths": {
            **_upload_paths(),
            **_direct_upload_paths(),
            **_file_paths(),
            **_share_paths(),
            **_account_paths(),
            **_group_paths(),
            **_buffer_paths(),
            **_web_paths(),
            **_service_paths(),
            **_webhook_paths(),
            **_reverse_share_paths(),
        },
        "components": _components(),
    }
    models = _models(document)
    refs, schemas = models_json_schema(
        [(found.model, found.mode) for found in models],
        ref_template="#/components/schemas/{model}",
        schema_generator=_WithoutFieldTitles,
    )
    resolved: Schema = _resolved(document, refs)
    resolved["components"]["schemas"] = schemas.get("$defs", {})
    return resolved


def document() -> Schema:
    """A fresh copy of the document (callers may add `servers`)."""
    return copy.deepcopy(_document())
