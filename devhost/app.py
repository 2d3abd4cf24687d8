"""An ASGI app that serves a v2 FunctionApp's functions as the Functions host would.

It adapts and never implements endpoints: HTTP triggers are mounted with their own route and
methods under host.json's routePrefix and receive the request object as their trigger argument
(path parameters in `path_params`, as the streaming extension passes them); queue and timer
triggers run for as long as the app does (devhost/queues.py, devhost/timers.py); any non-HTTP
function can also be run once with `POST /admin/functions/{name}`, like `func start`'s admin API.
`/admin/meter` counts the app's storage requests for the benchmark (shared/storage/metering.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import azure.functions as func
from azure.functions.timer import TimerRequest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from devhost import host_json, queues, timers
from devhost.cors import Cors
from devhost.limits import HeaderLimits
from shared.storage.metering import METER

logger = logging.getLogger(__name__)

_PARAM = re.compile(r"\{(\*?)([A-Za-z_][A-Za-z0-9_]*)(:[^}?]*)?(\?)?\}")


def route_prefix(host_json_path: Path) -> str:
    """host.json `extensions.http.routePrefix`; the host's default is "api"."""
    http = host_json.section(host_json.load(host_json_path), "extensions", "http")
    return str(host_json.value(http, "routePrefix", "api")).strip("/")


def starlette_paths(prefix: str, route: str) -> list[str]:
    """Translate a Functions route template into the Starlette path(s) it matches.

    Supported: `{name}`, catch-all `{*name}`, and an optional last segment `{name?}` (two paths,
    with and without it) whose only constraint may be `maxlength(0)` — the idiom for a function
    at the site root, `{ignored:maxlength(0)?}`.
    """
    segments = [segment for segment in route.strip("/").split("/") if segment]
    paths = [[part for part in prefix.strip("/").split("/") if part]]
    for index, segment in enumerate(segments):
        match = _PARAM.fullmatch(segment)
        if match is None:
            if "{" in segment:
                raise ValueError(f"devhost does not support route segment {segment!r}")
            paths = [[*path, segment] for path in paths]
            continue
        catch_all, name, constraint, optional = match.groups()
        if optional and index == len(segments) - 1 and constraint in (None, ":maxlength(0)"):
            without = [list(path) for path in paths]
            paths = without if constraint else without + [[*path, f"{{{name}}}"] for path in paths]
            continue
        if optional or constraint:
            raise ValueError(f"devhost does not support route parameter {segment!r}")
        paths = [[*path, f"{{{name}:path}}" if catch_all else f"{{{name}}}"] for path in paths]
    return ["/" + "/".join(path) for path in paths]


def _http_routes(function: Any, prefix: str) -> list[Route]:
    trigger = function.get_trigger()
    user_function = function.get_user_function()
    methods = [str(getattr(m, "value", m)) for m in (trigger.methods or ["GET", "POST"])]
    arg_name = trigger.name

    async def endpoint(request: Request) -> Response:
        result = user_function(**{arg_name: request})
        if inspect.isawaitable(result):
            result = await result
        if not isinstance(result, Response):
            raise TypeError(f"{function.get_function_name()} returned {type(result).__name__}")
        return result

    route = function.get_function_name() if trigger.route is None else trigger.route
    return [
        Route(path, endpoint, methods=methods, name=function.get_function_name())
        for path in starlette_paths(prefix, route)
    ]


def _admin_route(functions: dict[str, Any]) -> Route:
    async def run_function(request: Request) -> Response:
        """Unlike `func start` this answers after the run, so callers can observe its effects."""
        name = request.path_params["name"]
        function = functions.get(name)
        if function is None:
            return JSONResponse({"error": f"no non-HTTP function named {name}"}, status_code=404)
        trigger = function.get_trigger()
        argument: Any = None
        if trigger.get_binding_name() == "timerTrigger":
            argument = TimerRequest(past_due=False)
        elif trigger.get_binding_name() == "queueTrigger":
            # As `func start`: the message text is the JSON body's "input".
            text = str((await request.json()).get("input", "")) if await request.body() else ""
            argument = queues.trigger_message(id="admin", body=text.encode(), dequeue_count=1)
        result = function.get_user_function()(**{trigger.name: argument})
        if inspect.isawaitable(result):
            await result
        return Response(status_code=202)

    return Route("/admin/functions/{name}", run_function, methods=["POST"])


def _meter_route() -> Route:
    async def meter(request: Request) -> Response:
        """POST starts counting storage requests, DELETE stops and lists them (`make bench`)."""
        if request.method == "POST":
            METER.start()
            return Response(status_code=204)
        return JSONResponse([[r.start, r.end, r.what, r.partition] for r in METER.stop()])

    return Route("/admin/meter", meter, methods=["POST", "DELETE"])


def _running(
    listeners: list[queues.QueueListener | timers.TimerListener],
) -> Callable[[Starlette], contextlib.AbstractAsyncContextManager[None]]:
    """The app's lifespan: the queue and timer listeners run from start-up to shutdown."""

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        tasks = [asyncio.create_task(listener.run(), name=listener.name) for listener in listeners]
        for listener in listeners:
            logger.info("%s: triggered by %s", listener.name, listener.source)
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    return lifespan


def build_app(app: func.FunctionApp, host_json_path: Path) -> Starlette:
    """Routes for every function of `app` (get_functions() may be called only once per app)."""
    prefix = route_prefix(host_json_path)
    functions = app.get_functions()
    routes: list[Route] = []
    others: dict[str, Any] = {}
    for function in functions:
        if function.is_http_function():
            for route in _http_routes(function, prefix):
                logger.debug(
                    "%s: %s %s", route.name, ",".join(sorted(route.methods or [])), route.path
                )
                routes.append(route)
        else:
            others[str(function.get_function_name())] = function
    # The admin endpoint first and catch-all routes last, as the Functions host resolves them.
    routes.sort(key=lambda route: ":path}" in route.path)
    routes.insert(0, _admin_route(others))
    routes.insert(0, _meter_route())
    listeners: list[queues.QueueListener | timers.TimerListener] = [
        *queues.listeners(functions, host_json.load(host_json_path)),
        *timers.listeners(functions),
    ]
    served = Starlette(
        routes=routes,
        middleware=[Middleware(HeaderLimits), Middleware(Cors)],
        lifespan=_running(listeners),
    )
    served.state.functions = [str(f.get_function_name()) for f in functions]
    return served
