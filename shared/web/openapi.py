"""The OpenAPI 3.1 description of every HTTP endpoint, served at /api/openapi.json.

Written by hand next to the code it describes; tests/integration/test_openapi.py compares its
paths and methods with the routes function_app.py registers, and the fuzz run checks the answers
against these schemas. Response schemas list the fields clients rely on and allow more.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from shared.notifications.events import SUBSCRIBABLE

JSON = "application/json"
Schema = dict[str, Any]

_STR: Schema = {"type": "string"}
_INT: Schema = {"type": "integer"}
_BOOL: Schema = {"type": "boolean"}
_TIME: Schema = {"type": "string", "format": "date-time"}


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(required: dict[str, Schema], optional: dict[str, Schema] | None = None) -> Schema:
    return {
        "type": "object",
        "required": sorted(required),
        "properties": {**required, **(optional or {})},
    }


def _success(fields: dict[str, Schema], optional: dict[str, Schema] | None = None) -> Schema:
    return _obj({"status": {"const": "success"}, "message": _STR, **fields}, optional)


def _json(description: str, schema: Schema, headers: dict[str, Any] | None = None) -> Schema:
    response: Schema = {"description": description, "content": {JSON: {"schema": schema}}}
    if headers:
        response["headers"] = headers
    return response


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

# Answers any endpoint may give besides its own.
_COMMON: dict[str, Schema] = {
    "503": {"$ref": "#/components/responses/Unavailable"},
}
_AUTHED: dict[str, Schema] = {"401": {"$ref": "#/components/responses/AuthError"}}
_LIMITED: dict[str, Schema] = {"429": {"$ref": "#/components/responses/RateLimited"}}
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


def _json_body(schema: Schema, *, required: bool = True) -> Schema:
    return {"required": required, "content": {JSON: {"schema": schema}}}


_CREDENTIALS = _json_body(
    _obj({"username": _STR, "password": _STR}),
)
# The rules register enforces (errorId 6 and 7); printable, without / \ # ?.
_NEW_CREDENTIALS = _json_body(
    _obj(
        {
            "username": {"type": "string", "minLength": 3, "maxLength": 32},
            "password": {"type": "string", "minLength": 8, "maxLength": 256},
        }
    ),
)
_BOT = _query("bot", "`true`: a long-lived token (BOT_TOKEN_TTL_SECONDS).")


def _upload_responses() -> dict[str, Schema]:
    return {
        "200": {
            "description": "Stored. `text/plain` (just the link) when the client prefers it.",
            "content": {
                JSON: {"schema": _ref("UploadResult")},
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


def _download(operation_id: str, head: bool) -> Schema:
    file_headers = _FILE_HEADERS
    responses: dict[str, Schema] = {
        "200": {
            "description": "The file's bytes" + (" (headers only)." if head else "."),
            "headers": file_headers,
            "content": {} if head else {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        },
        "204": {"description": "A prefetch of a limited file: nothing sent, nothing counted."},
        "206": {
            "description": "One byte range (files without a download limit).",
            "headers": file_headers,
            "content": {} if head else {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        },
        "302": {
            "description": "The file is a `.txt` holding one URL (the link shortener), or a "
            "direct download: `direct=1` or larger than DIRECT_DOWNLOAD_MIN_BYTES, and no "
            "download limit. Counted, then `Location` is a short-lived read-only SAS whose "
            "`rsct`/`rscd` set the type and disposition by the streamed rules.",
            "headers": {"Location": {"schema": _STR}},
        },
        "304": {"description": "`If-None-Match` matched."},
        "403": _error("Malware scanning blocked the file."),
        "404": _error("Unknown, expired and used-up files alike: `File not found`."),
        "416": _error("The range lies outside the file."),
    }
    if head:
        # A HEAD answer has no body, so its errors carry none either.
        for status in ("403", "404", "416"):
            responses[status] = {"description": responses[status]["description"]}
    headers = [
        {"name": "Range", "in": "header", "schema": _STR},
        {"name": "If-None-Match", "in": "header", "schema": _STR},
        {"name": "If-Range", "in": "header", "schema": _STR},
        _query("direct", "`1`: redirect to storage unless the file has a download limit."),
    ]
    return _operation(
        operation_id,
        "Headers of a file, never counted." if head else "Download a file (counts a download).",
        "files",
        responses,
        parameters=[_FILE_URL, *headers],
    )


_UPLOAD_KEY = _query("key", "The key `POST /api/uploads` answered.", _STR)
_UPLOAD_NOT_FOUND = _error("`Upload not found`: unknown, swept after its SAS expired, or rejected.")


def _direct_upload_paths() -> dict[str, Schema]:
    """Direct uploads: the API authorises, the client moves the bytes to Blob Storage by SAS."""
    either: Schema = {"type": ["string", "integer"]}
    declaration = _obj(
        {"filename": {"type": "string", "minLength": 1}, "size": {"type": "integer", "minimum": 0}},
        {
            "content_type": _STR,
            "group_id": either,
            "expires_in": either,
            "max_downloads": either,
            "include_ext": {"type": ["boolean", "string"]},
        },
    )
    return {
        "/api/uploads": {
            "post": _operation(
                "create_upload",
                "Authorise a direct upload: a SAS to put the file's blocks straight into storage.",
                "files",
                {
                    "200": _json(
                        "Authorised; nothing is visible until completed.", _ref("DirectUpload")
                    ),
                    "400": _error(
                        "A missing or invalid field (the message names it), or a bad group id."
                    ),
                    "403": _error("Not a member of the group."),
                    "404": _error("No such group."),
                    "413": _error("File size exceeds the limit (MAX_DIRECT_UPLOAD_BYTES)."),
                    **_AUTHED,
                    **_LIMITED,
                },
                body=_json_body(declaration),
                security=_OPTIONAL_BEARER,
                description="Checks the rules of `POST /api/upload/{group_id}`, then answers "
                "`upload_url`, a SAS for one blob (create and write only, UPLOAD_SAS_TTL_SECONDS), "
                "and `block_size`. Stage blocks and commit the block list, then call `complete`.",
            )
        },
        "/api/uploads/{file_url}": {
            "get": _operation(
                "get_upload",
                "The blocks storage holds for a direct upload, so a client resumes with the rest.",
                "files",
                {
                    "200": _json(
                        "`state` `pending` (with `committed`/`uncommitted` blocks and a fresh "
                        "`upload_url`) or `complete`.",
                        _success(
                            {"state": _STR, "file_url": _STR, "size": _INT},
                            {
                                "upload_url": _STR,
                                "block_size": _INT,
                                "expires_at": _TIME,
                                "committed": {"type": "array"},
                                "uncommitted": {"type": "array"},
                                "file_url_full": _STR,
                            },
                        ),
                    ),
                    "400": _error("`Invalid unique key`."),
                    "404": _UPLOAD_NOT_FOUND,
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
                        "Published, as `POST /api/upload/{group_id}` answers.", _ref("UploadResult")
                    ),
                    "400": _error(
                        "`Invalid unique key`, no committed blob yet, or a size other than the "
                        "declared one (then the upload is discarded)."
                    ),
                    "404": _UPLOAD_NOT_FOUND,
                },
                parameters=[_FILE_URL, _UPLOAD_KEY],
            )
        },
    }


_WEBHOOK_ID = _path("webhook_id", "A webhook's id (`wh_` and 16 hex digits).")
_WEBHOOK_NOT_FOUND = _error("`Webhook not found`: unknown, or another account's.")


def _webhook_paths() -> dict[str, Schema]:
    """Webhooks: endpoints told of events on the account's files, signed per Standard Webhooks."""
    events: Schema = {"enum": list(SUBSCRIBABLE)}
    registration = _obj(
        {"url": {"type": "string", "maxLength": 2048}},
        {"events": {"type": "array", "items": events, "minItems": 1}},
    )
    return {
        "/api/webhooks": {
            "post": _operation(
                "create_webhook",
                "Register an endpoint; the answer holds its signing secret, shown only this once.",
                "webhooks",
                {
                    "200": _json(
                        "Created.",
                        {"allOf": [_ref("Webhook"), _success({"secret": _STR})]},
                    ),
                    "400": _error(
                        "No JSON body, a bad `url` (not http(s), credentials, a private address "
                        "unless allowed) or `events`, or the account's limit of webhooks reached."
                    ),
                    **_AUTHED,
                },
                body=_json_body(registration),
                security=_BEARER,
                description="Events (`events`, default all): "
                + ", ".join(f"`{e}`" for e in SUBSCRIBABLE)
                + ". Each is POSTed as `{type, timestamp, data}` with `webhook-id`, "
                "`webhook-timestamp` and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of "
                "`{id}.{timestamp}.{body}` under the secret after `whsec_`). Delivered from a "
                "queue, at least once, retried by host.json's queue settings.",
            ),
            "get": _operation(
                "list_webhooks",
                "The account's endpoints (never their secrets); `disabled` says why, if so.",
                "webhooks",
                {
                    "200": _json(
                        "Every endpoint.",
                        _success({"data": {"type": "array", "items": _ref("Webhook")}}),
                    ),
                    **_AUTHED,
                },
                security=_BEARER,
            ),
        },
        "/api/webhooks/{webhook_id}": {
            "delete": _operation(
                "delete_webhook",
                "Remove an endpoint and its delivery history; queued events are dropped.",
                "webhooks",
                {"200": _json("Deleted.", _success({})), "404": _WEBHOOK_NOT_FOUND, **_AUTHED},
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
                    "200": _json("Queued.", _success({"event_id": _STR})),
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
                        _success({"data": {"type": "array", "items": _ref("Delivery")}}),
                    ),
                    "404": _WEBHOOK_NOT_FOUND,
                    **_AUTHED,
                },
                parameters=[_WEBHOOK_ID],
                security=_BEARER,
            )
        },
    }


def _download_path(prefix: str) -> Schema:
    name = "download_file" if prefix == "file" else "download_file_short"
    confirm = _download(f"{name}_confirm", head=False)
    confirm["summary"] = "Download a file after a browser confirmed it (the page's button)."
    confirm["description"] = (
        "A browser opening a limited file's link with GET gets a page instead of the bytes, so "
        "a link preview cannot use up the download; its button POSTs here."
    )
    return {
        "get": _download(name, head=False),
        "head": _download(f"{name}_head", head=True),
        "post": confirm,
    }


_DELETE_RESPONSES: dict[str, Schema] = {
    "200": _json("Deleted.", _success({})),
    "400": _error("`Invalid unique key`."),
    "404": _error("`File not found`."),
}
_DELETE_PARAMS = [_FILE_URL, _query("key", "The delete key returned by the upload.")]


def _group_result(description: str) -> Schema:
    return _json(description, _success({"name": _STR, "group_id": _INT}))


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


_ITEM_ID = _path("item_id", "A buffer item's id (29 hex digits).")
_BUFFER_BYTES: Schema = {
    "description": "The bytes; `X-Data-Type` and `X-Item-Id` say what they are.",
    "headers": {"X-Data-Type": {"schema": _STR}, "X-Item-Id": {"schema": _STR}},
    "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
}


def _web_paths() -> dict[str, Schema]:
    """The web page and its assets: HTML and static files, not JSON."""
    page: Schema = {
        "200": {"description": "The page.", "content": {"text/html": {"schema": _STR}}},
        "304": {"description": "`If-None-Match` matched."},
    }
    asset: Schema = {
        "200": {"description": "The asset.", "content": {"*/*": {"schema": _STR}}},
        "304": {"description": "`If-None-Match` matched."},
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
    }


def _paths() -> dict[str, Schema]:
    group_errors: dict[str, Schema] = {
        "400": _error("`Invalid group id`."),
        "403": _error("Not allowed for this caller."),
        "404": _error("`Group not found`."),
        **_AUTHED,
    }
    return {
        "/api/upload/{group_id}": {
            "post": _operation(
                "upload_file",
                "Upload a file (multipart field `file`).",
                "files",
                _upload_responses(),
                parameters=[_GROUP_ID, *_UPLOAD_OPTIONS],
                body={
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": _obj(
                                {"file": _FILE_PART},
                                {
                                    "include_ext": _STR,
                                    "expires_in": _TTL,
                                    "max_downloads": _MAX_DOWNLOADS,
                                },
                            )
                        }
                    },
                },
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
                parameters=[
                    _GROUP_ID,
                    _path("filename", "The file's name."),
                    *_UPLOAD_OPTIONS,
                ],
                body={
                    "required": True,
                    "content": {"application/octet-stream": {"schema": {"type": "string"}}},
                },
                security=_OPTIONAL_BEARER,
            )
        },
        **_direct_upload_paths(),
        "/file/{file_url}": _download_path("file"),
        "/f/{file_url}": _download_path("f"),
        "/api/delete/{file_url}": {
            "get": _operation(
                "delete_file",
                "Delete a file with its key (the contract's GET form).",
                "files",
                _DELETE_RESPONSES,
                parameters=_DELETE_PARAMS,
            ),
            "delete": _operation(
                "delete_file_delete",
                "Delete a file with its key.",
                "files",
                _DELETE_RESPONSES,
                parameters=_DELETE_PARAMS,
            ),
        },
        "/api/metadata/{file_url}": {
            "get": _operation(
                "get_metadata",
                "A file's public facts; never counts, never shows the key.",
                "files",
                {
                    "200": _json("The metadata.", _ref("Metadata")),
                    "404": _error("`File not found`."),
                },
                parameters=[_FILE_URL],
            )
        },
        "/api/register": {
            "post": _operation(
                "register",
                "Create an account and log in.",
                "accounts",
                {
                    "200": _json("Logged in.", _ref("Session")),
                    "400": _error("errorId 1 name taken, 2 missing fields, 6/7 invalid values."),
                    **_LIMITED,
                },
                parameters=[_BOT],
                body=_NEW_CREDENTIALS,
            )
        },
        "/api/login": {
            "post": _operation(
                "login",
                "Log in with a password.",
                "accounts",
                {
                    "200": _json("Logged in.", _ref("Session")),
                    "400": _error("errorId 2: no username/password."),
                    "403": _error("errorId 3: wrong password."),
                    "404": _error("errorId 4: user not found."),
                    **_LIMITED,
                },
                parameters=[_BOT],
                body=_CREDENTIALS,
            )
        },
        "/api/refresh_token": {
            "post": _operation(
                "refresh_token",
                "Exchange a valid token for a new one; the old one is revoked.",
                "accounts",
                {
                    "200": _json("A new token.", _success({"accessToken": _STR})),
                    "400": _error("errorId 5: no access token."),
                    **_AUTHED,
                    **_LIMITED,
                },
                body=_json_body(_obj({"accessToken": _STR})),
            )
        },
        "/api/logout": {
            "post": _operation(
                "logout",
                "Revoke the caller's token.",
                "accounts",
                {"200": _json("Logged out.", _success({})), **_AUTHED, **_LIMITED},
                security=_BEARER,
            )
        },
        "/api/get_files/{group_id}": {
            "get": _operation(
                "get_files",
                "Live files of the account (`private`) or of a group the caller belongs to.",
                "accounts",
                {"200": _json("Newest first.", _ref("FileList")), **group_errors},
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
                        _success({"unsuccess": {"type": "array"}}),
                    ),
                    "400": _error("No parsable body or no `data` field."),
                    **_AUTHED,
                },
                body=_json_body(
                    _obj(
                        {
                            "data": {
                                "type": "array",
                                "items": _obj({"file_url": _STR, "key": _STR}),
                            }
                        }
                    )
                ),
                security=_BEARER,
            )
        },
        "/api/create_group": {
            "post": _operation(
                "create_group",
                "Create a group owned by the caller.",
                "groups",
                {
                    "200": _group_result("Created."),
                    "400": _error("No or too long `group_name`."),
                    **_AUTHED,
                },
                body=_json_body(_obj({"group_name": _STR})),
                security=_BEARER,
            )
        },
        "/api/delete_group/{group_id}": {
            "delete": _operation(
                "delete_group",
                "Delete a group and every file uploaded to it (owner only).",
                "groups",
                {"200": _json("Deleted.", _success({})), **group_errors},
                parameters=[_GROUP_NUMBER],
                security=_BEARER,
            )
        },
        "/api/generate_invite/{group_id}": {
            "get": _operation(
                "generate_invite",
                "A new invite link (owner only); the previous one stops working.",
                "groups",
                {"200": _json("Created.", _success({"invite_link": _STR})), **group_errors},
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
                    "200": _group_result("Joined."),
                    "400": _error("Already in the group."),
                    "404": _error("`Invite link not found`."),
                    **_AUTHED,
                },
                parameters=[_INVITE],
                security=_BEARER,
            )
        },
        "/api/leave/{group_id}": {
            "post": _operation(
                "leave_group",
                "Leave a group (the owner cannot).",
                "groups",
                {"200": _json("Left.", _success({})), **group_errors},
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
                    "200": _group_result("The group."),
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
                {
                    "200": _json(
                        "Every group the caller belongs to.",
                        _success({"groups": {"type": "array", "items": _ref("GroupRef")}}),
                    ),
                    **_AUTHED,
                },
                security=_BEARER,
            )
        },
        "/api/buffer": {
            "post": _operation(
                "post_buffer",
                "Replace the account's buffer with text or a file (the old one joins history).",
                "buffer",
                {
                    "200": _json("Stored.", _success({"item": _ref("BufferItem")})),
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
                        "multipart/form-data": {"schema": _obj({"file": _FILE_PART})},
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
                {"200": _json("Cleared.", _success({"deleted": _INT})), **_AUTHED},
                security=_BEARER,
            ),
        },
        "/api/buffer/history": {
            "get": _operation(
                "get_buffer_history",
                "The buffer's live items, newest first (at most BUFFER_HISTORY).",
                "buffer",
                {
                    "200": _json(
                        "Newest first.",
                        _success({"data": {"type": "array", "items": _ref("BufferItem")}}),
                    ),
                    **_AUTHED,
                },
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
                    "200": _json("Deleted.", _success({})),
                    "404": _error("`Buffer item not found`."),
                    **_AUTHED,
                },
                parameters=[_ITEM_ID],
                security=_BEARER,
            ),
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
                            "image/png": {"schema": {"type": "string", "format": "binary"}},
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
        **_webhook_paths(),
        **_web_paths(),
        "/api/openapi.json": {
            "get": _operation(
                "get_openapi",
                "This document.",
                "service",
                {"200": _json("OpenAPI 3.1.", {"type": "object"})},
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
                {"200": _json("Blob and Table Storage answered.", _ref("Health"))},
            )
        },
    }


def _components() -> Schema:
    error = _obj({"status": {"const": "error"}, "message": _STR}, {"errorId": _INT})
    auth_error = _obj(
        {
            "status": {"const": "error"},
            "message": {"const": "Auth error"},
            "auth_error": _obj({"message": _STR, "errorId": _INT}),
        }
    )
    retry_after = {"Retry-After": {"schema": _STR, "description": "Seconds to wait."}}
    return {
        "securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT (HS256)"}
        },
        "responses": {
            "Error": _json("An error.", _ref("Error")),
            "AuthError": _json("No, malformed, expired or revoked token.", _ref("AuthError")),
            "RateLimited": _json(
                "Too many requests from this address.", _ref("Error"), retry_after
            ),
            "Unavailable": _json(
                "Storage is unreachable (or a file awaits its malware scan).",
                _ref("Error"),
                retry_after,
            ),
        },
        "schemas": {
            "Error": error,
            "AuthError": auth_error,
            "UploadResult": _success(
                {
                    "file_url": _STR,
                    "file_url_full": _STR,
                    "key": _STR,
                    "ext": _STR,
                    "user_filename": _STR,
                    "synced": _BOOL,
                    "auth_error": {"type": ["object", "null"]},
                    "size": _INT,
                    "content_type": _STR,
                    "expires_at": _TIME,
                    "max_downloads": {"type": ["integer", "null"]},
                },
                {"qr_url": _STR, "evicted": {"type": "array"}},
            ),
            "DirectUpload": _success(
                {
                    "file_url": _STR,
                    "key": _STR,
                    "user_filename": _STR,
                    "size": _INT,
                    "upload_url": _STR,
                    "block_size": _INT,
                    "expires_at": _TIME,
                    "synced": _BOOL,
                    "auth_error": {"type": ["object", "null"]},
                }
            ),
            "Metadata": _success(
                {
                    "original_name": _STR,
                    "content_type": _STR,
                    "file_size": _INT,
                    "download_count": _INT,
                    "download_link": _STR,
                    "created_at": _TIME,
                    "expires_at": _TIME,
                    "max_downloads": {"type": ["integer", "null"]},
                    "downloads_left": {"type": ["integer", "null"]},
                }
            ),
            "BufferItem": _obj(
                {
                    "id": _STR,
                    "type": {"enum": ["text", "file"]},
                    "name": {"type": ["string", "null"]},
                    "size": _INT,
                    "content_type": _STR,
                    "created_at": _TIME,
                    "expires_at": _TIME,
                    "url": _STR,
                }
            ),
            "Session": _success({"accessToken": _STR, "username": _STR}),
            "FileList": _success(
                {
                    "username": _STR,
                    "is_group_owner": _BOOL,
                    "data": {
                        "type": "array",
                        "items": _obj(
                            {
                                "file_url": _STR,
                                "file_url_full": _STR,
                                "key": _STR,
                                "ext": _STR,
                                "user_filename": _STR,
                                "creation_date": _STR,
                                "synced": _BOOL,
                                "size": _INT,
                                "expires_at": _TIME,
                            }
                        ),
                    },
                }
            ),
            "GroupRef": _obj({"name": _STR, "group_id": _INT}),
            "Webhook": _obj(
                {
                    "id": _STR,
                    "url": _STR,
                    "events": {"type": "array", "items": _STR},
                    "created_at": _TIME,
                    "disabled": _BOOL,
                    "disabled_reason": {"type": ["string", "null"]},
                    "disabled_at": {"type": ["string", "null"]},
                    "consecutive_failures": _INT,
                }
            ),
            "Delivery": _obj(
                {
                    "event_id": _STR,
                    "event": _STR,
                    "status": {"enum": ["delivered", "error", "failed"]},
                    "attempt": _INT,
                    "http_status": {"type": ["integer", "null"]},
                    "error": {"type": ["string", "null"]},
                    "duration_ms": _INT,
                    "time": _TIME,
                }
            ),
            "Health": _success({"storage": {"const": "ok"}}),
        },
    }


@functools.cache
def _document() -> Schema:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "fileshare",
            "version": "1.0.0",
            "description": "Upload a file, get an unguessable link, share it. Errors are "
            '`{"status": "error", "message": …}`; authentication errors are 401 with '
            "`auth_error`. Every answer carries `X-Request-Id`.",
        },
        "paths": _paths(),
        "components": _components(),
    }


def document() -> Schema:
    """A fresh copy of the document (callers may add `servers`)."""
    return copy.deepcopy(_document())


def operations() -> set[tuple[str, str]]:
    """Every documented (path, METHOD) pair."""
    return {
        (path, method.upper())
        for path, item in _document()["paths"].items()
        for method in item
        if method in {"get", "put", "post", "delete", "head", "patch", "options"}
    }
