"""A fork server for crash tests: imports the app once, then forks hosts and cleanup runs in ms.

Importing the app costs about two CPU seconds; crash tests need a fresh host per crash, so
`python -m tests.utils.forkserver` imports it once and forks. It reads one JSON command per line
on stdin and answers one JSON line on stdout:
- `{"op": "host", "port": P, "env": {...}, "log": PATH}` -> `{"pid": N}`: a process serving the
  app on 127.0.0.1:P with `env` applied (FILESHARE_CRASH_AT and FILESHARE_STALL_AT among it),
  stdout and stderr to PATH;
- `{"op": "cleanup", "env": {...}, "now": ISO, "runs": K}` -> `{"reports": [...]}`: K concurrent
  runs of the cleanup timer's work with `now` as their clock, answered when all have finished.
At the end of stdin it kills the hosts it forked and exits. Nothing runs an event loop or opens a
connection before forking, so every child starts clean.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib
import json
import os
import signal
import sys
import traceback
from datetime import datetime
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from devhost.app import build_app
from devhost.lifespan import closing_storage
from shared.config import get_settings
from shared.ops import crashpoints
from shared.ops.cleanup import run_cleanup
from shared.storage import clients
from tests.utils.server import ROOT


def _apply(env: dict[str, str]) -> None:
    os.environ.update(env)
    get_settings.cache_clear()
    crashpoints.arm(os.environ)


def _serve(app: ASGIApp, command: dict[str, Any]) -> None:
    log = os.open(command["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    _apply(command["env"])
    uvicorn.run(
        closing_storage(app),
        host="127.0.0.1",
        port=int(command["port"]),
        log_level="warning",
        proxy_headers=False,
        access_log=False,
        timeout_graceful_shutdown=1,
    )


def _clean(command: dict[str, Any], result: int) -> None:
    _apply(command["env"])

    async def run() -> dict[str, Any]:
        try:
            return dataclasses.asdict(await run_cleanup(datetime.fromisoformat(command["now"])))
        finally:
            await clients.close()

    try:
        answer: dict[str, Any] = {"report": asyncio.run(run())}
    except Exception:
        answer = {"error": traceback.format_exc()}
    os.write(result, json.dumps(answer, default=str).encode())


def _fork(work: Any, *args: Any) -> int:
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            work(*args)
        except BaseException:
            traceback.print_exc()
            code = 1
        finally:
            os._exit(code)
    return pid


def _cleanups(command: dict[str, Any]) -> dict[str, Any]:
    runs = []
    for _ in range(int(command.get("runs", 1))):
        read, write = os.pipe()
        runs.append((_fork(_clean, command, write), read))
        os.close(write)
    reports = []
    for pid, read in runs:
        with os.fdopen(read, "rb") as result:
            output = result.read()
        os.waitpid(pid, 0)
        reports.append(json.loads(output or b'{"error": "no report"}'))
    return {"reports": reports}


def _reap() -> None:
    """Collect hosts that exited (crashed or stopped), so none lingers as a zombie."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def main() -> None:
    sys.path.insert(0, str(ROOT))
    app = build_app(importlib.import_module("function_app").app, ROOT / "host.json")
    hosts: list[int] = []
    try:
        for line in sys.stdin:
            command = json.loads(line)
            _reap()
            if command["op"] == "host":
                hosts.append(_fork(_serve, app, command))
                answer: dict[str, Any] = {"pid": hosts[-1]}
            else:
                answer = _cleanups(command)
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()
    finally:
        for pid in hosts:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        _reap()


if __name__ == "__main__":
    main()
