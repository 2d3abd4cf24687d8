"""POST /api/upload/{group_id} (multipart, as the contract) and PUT .../{filename} (raw body)."""

import azure.functions as func
from azurefunctions.extensions.http.fastapi import PlainTextResponse, Request, Response

from functions._http import base_url, handle_errors, json_response, limit_rate, path_param
from shared.accounts.auth import Identity
from shared.clock import iso, utcnow
from shared.config import get_settings
from shared.files import uploads
from shared.files.catalog import file_link
from shared.http.accept import best_offer
from shared.web.qr import qr_link

bp = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)


@bp.route(route="api/upload/{group_id}", methods=["POST"])
@handle_errors
async def upload_file(req: Request) -> Response:
    owner, identity = await _accept(req)
    published = await uploads.receive_multipart(
        req.headers.get("content-type", ""),
        req.headers.get("content-length"),
        req.stream(),
        query=req.query_params,
        owner=owner,
        settings=get_settings(),
        now=utcnow(),
    )
    return await _answer(req, published, identity)


@bp.route(route="api/upload/{group_id}/{filename}", methods=["PUT"])
@handle_errors
async def upload_raw(req: Request) -> Response:
    owner, identity = await _accept(req)
    published = await uploads.receive_raw(
        path_param(req, "filename"),
        req.headers.get("content-length"),
        req.stream(),
        query=req.query_params,
        owner=owner,
        settings=get_settings(),
        now=utcnow(),
    )
    return await _answer(req, published, identity)


async def _answer(req: Request, published: uploads.Published, identity: Identity) -> Response:
    """The answer, acknowledged last: a crash before then leaves a file nobody received the link
    to, which cleanup deletes (shared/files/uploads.py)."""
    response = upload_response(req, published, identity)
    await uploads.acknowledge(published)
    return response


async def _accept(req: Request) -> tuple[uploads.Owner, Identity]:
    settings = get_settings()
    await limit_rate(req, "upload", settings.upload_rate_limit_per_minute)
    return await uploads.resolve_owner(
        path_param(req, "group_id"),
        req.headers.get("authorization"),
        settings=settings,
        now=utcnow(),
    )


def upload_response(req: Request, published: uploads.Published, identity: Identity) -> Response:
    """The contract's upload answer; direct uploads (functions/direct_uploads.py) answer it too."""
    record = published.record
    link = file_link(base_url(req), record.file_url)
    if best_offer(req.headers.get("accept"), ["application/json", "text/plain"]) == "text/plain":
        return PlainTextResponse(f"{link}\n", headers={"Cache-Control": "no-store"})
    return json_response(
        {
            "status": "success",
            "message": "File uploaded successfully",
            "file_url": record.file_url,
            "file_url_full": link,
            "key": record.key,
            "ext": record.ext,
            "user_filename": record.user_filename,
            "synced": identity.username is not None,
            "auth_error": identity.auth_error,
            "size": record.size,
            "content_type": record.content_type,
            "expires_at": iso(record.expires_at),
            "max_downloads": record.max_downloads,
            "qr_url": qr_link(base_url(req), record.file_url),
            "evicted": [
                {"file_url": old.file_url, "user_filename": old.user_filename}
                for old in published.evicted
            ],
        }
    )
