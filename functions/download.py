"""GET|HEAD|POST /file/{file_url} and its short form /f/{file_url}: the file itself.

A browser opening a limited file's link gets a page whose button POSTs back here to download.
A link with a password answers 401 until unlocked (HTTP Basic, or the cookie functions/unlock.py
sets); a browser gets the password page.
"""

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response, StreamingResponse

from functions._http import client_of, credentials_of, handle_errors, path_param
from shared.clock import utcnow
from shared.config import get_settings
from shared.files.download_plan import DownloadRequest
from shared.files.downloads import open_download
from shared.http.params import is_true

bp = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)


@bp.route(route="file/{file_url}", methods=["GET", "HEAD", "POST"])
@handle_errors
async def download_file(req: Request) -> Response:
    return await _serve(req)


@bp.route(route="f/{file_url}", methods=["GET", "HEAD", "POST"])
@handle_errors
async def download_file_short(req: Request) -> Response:
    return await _serve(req)


async def _serve(req: Request) -> Response:
    headers = req.headers
    purpose = (
        f"{headers.get('sec-purpose', '')} {headers.get('purpose', '')} {headers.get('x-moz', '')}"
    )
    download = await open_download(
        DownloadRequest(
            file_url=path_param(req, "file_url"),
            head=req.method == "HEAD",
            prefetch="prefetch" in purpose.lower(),
            range_header=headers.get("range"),
            if_none_match=headers.get("if-none-match"),
            if_range=headers.get("if-range"),
            accept=headers.get("accept"),
            confirmed=req.method == "POST",
            direct=is_true(req.query_params.get("direct")),
        ),
        credentials=credentials_of(req),
        client=client_of(req),
        settings=get_settings(),
        now=utcnow(),
    )
    if download.body is not None:
        return StreamingResponse(
            download.body, status_code=download.status, headers=download.headers
        )
    return Response(status_code=download.status, headers=download.headers)
