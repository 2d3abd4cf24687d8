"""Answers more than one blueprint gives: the published upload (streamed or direct)."""

from __future__ import annotations

from azurefunctions.extensions.http.fastapi import PlainTextResponse, Request, Response

from functions._http import base_url, json_response
from functions._schemas.uploads import UploadResult
from shared.accounts.auth import Identity
from shared.files import uploads
from shared.http.accept import best_offer


def upload_response(req: Request, published: uploads.Published, identity: Identity) -> Response:
    """The contract's upload answer as JSON, or just the link for a client preferring text."""
    base = base_url(req)
    result = UploadResult.of(published, identity, base)
    # The delete link, as transfer.sh sends it: a text/plain answer has no room for the key.
    delete = {"X-Url-Delete": f"{base}/api/delete/{result.file_url}?key={result.key}"}
    if best_offer(req.headers.get("accept"), ["application/json", "text/plain"]) == "text/plain":
        return PlainTextResponse(
            f"{result.file_url_full}\n", headers={"Cache-Control": "no-store", **delete}
        )
    return json_response(result, headers=delete)
