"""POST /file/{file_url}/unlock and /f/{file_url}/unlock: the password page's form.

The right password sets the link's unlock cookie and sends the browser back to the link (303);
a wrong one gets the page again (401). Unlocking reads the record only: it never counts a
download, so a one-time link is still there to download afterwards.
"""

from urllib.parse import parse_qs

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from functions._http import base_url, client_of, handle_errors, path_param
from shared.access import unlock
from shared.clock import utcnow
from shared.config import get_settings
from shared.errors import PayloadTooLarge
from shared.files import catalog

bp = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)

_MAX_FORM_BYTES = 8 * 1024


@bp.route(route="file/{file_url}/unlock", methods=["POST"])
@handle_errors
async def unlock_file(req: Request) -> Response:
    return await _unlock(req, "file")


@bp.route(route="f/{file_url}/unlock", methods=["POST"])
@handle_errors
async def unlock_file_short(req: Request) -> Response:
    return await _unlock(req, "f")


async def _unlock(req: Request, prefix: str) -> Response:
    now = utcnow()
    settings = get_settings()
    record = await catalog.find_live(path_param(req, "file_url"), now)
    token = await unlock.unlock(
        link_id=record.file_url,
        password_hash=record.password_hash,
        password=await form_password(req),
        client=client_of(req),
        settings=settings,
        now=now,
        expires_at=record.expires_at,
    )
    link = f"/{prefix}/{record.file_url}"
    secure = base_url(req).startswith("https://")
    headers = {"Location": link, "Cache-Control": "no-store"}
    if record.password_hash is not None:
        headers["Set-Cookie"] = unlock.unlock_cookie(token, path=link, secure=secure)
    return Response(status_code=303, headers=headers)


async def form_password(req: Request) -> str:
    """The `password` field of a small urlencoded form ("" when absent)."""
    body = bytearray()
    async for chunk in req.stream():
        body += chunk
        if len(body) > _MAX_FORM_BYTES:
            raise PayloadTooLarge("The form is too large")
    fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return fields.get("password", [""])[0]
