"""GET /api/health: 200 when storage answers, 503 in the error shape when it does not."""

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from functions._http import handle_errors, json_response
from functions._schemas.service import Health
from shared.ops.health import check_storage

bp = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)


@bp.route(route="api/health", methods=["GET"])
@handle_errors
async def get_health(req: Request) -> Response:
    await check_storage()
    return json_response(Health(message="healthy"))
