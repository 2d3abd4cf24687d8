"""The local host's queue and timer triggers: host.json's queue rules on Azurite, schedules."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import azure.functions as func
import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.storage.queue import QueueClient, TextBase64EncodePolicy

from devhost import azurite, host_json, timers
from devhost.queues import QueueListener, QueueOptions, listeners
from tests.utils.server import ROOT

CONNECTION = "TestQueues"


def _queue_app(queue_name: str, fail: Callable[[int], bool]) -> tuple[Any, list[tuple[bytes, int]]]:
    """An app with one queue trigger that records each call and fails when `fail(attempt)`."""
    seen: list[tuple[bytes, int]] = []
    app = func.FunctionApp()

    @app.function_name("work")
    @app.queue_trigger(arg_name="message", queue_name=queue_name, connection=CONNECTION)
    async def work(message: func.QueueMessage) -> None:
        seen.append((message.get_body(), message.dequeue_count or 0))
        if fail(message.dequeue_count or 0):
            raise RuntimeError("the receiver said no")

    return app, seen


def _run_until(
    listener: QueueListener | timers.TimerListener, done: Callable[[], bool], timeout: float = 15
) -> float:
    """Run the listener until `done()`; the seconds it took."""

    async def run() -> float:
        started = time.monotonic()
        task = asyncio.create_task(listener.run())
        try:
            while not done():
                assert time.monotonic() - started < timeout, "the listener did not finish"
                assert not task.done(), task.exception()
                await asyncio.sleep(0.05)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        return time.monotonic() - started

    return asyncio.run(run())


def _options(**changes: Any) -> dict[str, Any]:
    queues = {"visibilityTimeout": "00:00:01", "maxPollingInterval": "00:00:00.2", **changes}
    return {"version": "2.0", "extensions": {"queues": queues}}


def _queue(connection: str, name: str, *, encoded: bool = True) -> QueueClient:
    policy = TextBase64EncodePolicy() if encoded else None
    return QueueClient.from_connection_string(connection, name, message_encode_policy=policy)


def _texts(queue: QueueClient) -> list[str]:
    """The messages waiting (as stored), none if the queue does not exist."""
    try:
        return [str(m.content) for m in queue.peek_messages(max_messages=32)]
    except ResourceNotFoundError:
        return []


@pytest.fixture
def connection(azurite_ports: azurite.AzuritePorts) -> str:
    return azurite_ports.connection_string()


def _listener(app: Any, config: dict[str, Any], connection: str) -> QueueListener:
    (listener,) = listeners(app.get_functions(), config, {CONNECTION: connection})
    return listener


def test_a_message_is_decoded_passed_to_its_function_and_deleted(connection: str) -> None:
    name = f"q{uuid.uuid4().hex}"
    app, seen = _queue_app(name, fail=lambda attempt: False)
    queue = _queue(connection, name)
    queue.create_queue()
    queue.send_message('{"hello": "queue"}')

    _run_until(_listener(app, _options(), connection), lambda: len(seen) == 1)

    assert seen == [(b'{"hello": "queue"}', 1)]
    assert _texts(queue) == []


def test_a_failed_message_is_retried_after_the_visibility_timeout_then_poisoned(
    connection: str,
) -> None:
    name = f"q{uuid.uuid4().hex}"
    app, seen = _queue_app(name, fail=lambda attempt: True)
    queue = _queue(connection, name)
    queue.create_queue()
    queue.send_message("always fails")
    poison = _queue(connection, f"{name}-poison", encoded=False)

    took = _run_until(
        _listener(app, _options(maxDequeueCount=2), connection),
        lambda: len(seen) == 2 and bool(_texts(poison)),
    )

    assert seen == [(b"always fails", 1), (b"always fails", 2)]
    assert took >= 0.9  # the second attempt waited for visibilityTimeout
    assert _texts(poison) == [base64.b64encode(b"always fails").decode()]
    assert _texts(queue) == []


def test_a_message_that_succeeds_on_retry_is_not_poisoned(connection: str) -> None:
    name = f"q{uuid.uuid4().hex}"
    app, seen = _queue_app(name, fail=lambda attempt: attempt < 2)
    queue = _queue(connection, name)
    queue.create_queue()
    queue.send_message("second time lucky")

    _run_until(_listener(app, _options(maxDequeueCount=3), connection), lambda: len(seen) == 2)

    assert [attempt for _, attempt in seen] == [1, 2]
    time.sleep(0.2)
    assert _texts(queue) == []
    assert _texts(_queue(connection, f"{name}-poison")) == []


def test_a_message_that_is_not_base64_never_reaches_the_function(connection: str) -> None:
    name = f"q{uuid.uuid4().hex}"
    app, seen = _queue_app(name, fail=lambda attempt: False)
    _queue(connection, name, encoded=False).create_queue()
    _queue(connection, name, encoded=False).send_message("not base64!")
    poison = _queue(connection, f"{name}-poison", encoded=False)

    _run_until(
        _listener(app, _options(maxDequeueCount=1), connection),
        lambda: bool(_texts(poison)),
    )

    assert seen == []
    assert _texts(poison) == ["not base64!"]


def test_a_disabled_function_or_one_without_a_connection_is_not_listened_to() -> None:
    app, _ = _queue_app("anything", fail=lambda attempt: False)
    functions = app.get_functions()
    config = _options()
    string = "DefaultEndpointsProtocol=http;AccountName=a;AccountKey=a2V5;"

    assert (
        listeners(functions, config, {CONNECTION: string, "AzureWebJobs.work.Disabled": "true"})
        == []
    )
    assert listeners(functions, config, {}) == []
    assert len(listeners(functions, config, {CONNECTION: string})) == 1


def test_host_json_values_are_overridden_by_app_settings(tmp_path: Path) -> None:
    path = tmp_path / "host.json"
    path.write_text(json.dumps({"version": "2.0", "extensions": {"queues": {"batchSize": 4}}}))
    env = {
        "AzureFunctionsJobHost__extensions__queues__maxDequeueCount": "2",
        "azurefunctionsjobhost__Extensions__Queues__BatchSize": "8",
        "AzureFunctionsJobHost__extensions__http__routePrefix": "v2",
    }

    options = QueueOptions.from_host_config(host_json.load(path, env))

    assert (options.batch_size, options.new_batch_threshold, options.max_dequeue_count) == (8, 4, 2)
    assert host_json.section(host_json.load(path, env), "extensions", "http") == {
        "routePrefix": "v2"
    }


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("00:00:30", 30),
        ("00:05:00", 300),
        ("01:00:00", 3600),
        ("1.00:00:01", 86401),
        ("00:00:00.5", 0.5),
    ],
)
def test_timespans_read_as_the_host_writes_them(text: str, seconds: float) -> None:
    assert host_json.seconds(text) == seconds


def test_the_apps_host_json_retries_webhooks_and_decodes_what_the_app_writes() -> None:
    options = QueueOptions.from_host_config(host_json.load(ROOT / "host.json", {}))

    assert options.message_encoding == "base64"  # shared/storage/clients.py encodes base64
    assert options.max_dequeue_count == 5
    assert options.visibility_timeout == 300
    assert options.max_polling_interval == 10


def _timer_app(schedule: str, *, run_on_startup: bool = False) -> tuple[Any, list[float]]:
    runs: list[float] = []
    app = func.FunctionApp()

    @app.function_name("tick")
    @app.timer_trigger(arg_name="timer", schedule=schedule, run_on_startup=run_on_startup)
    async def tick(timer: func.TimerRequest) -> None:
        runs.append(time.monotonic())

    return app, runs


def test_a_timer_runs_on_its_schedule_read_from_an_app_setting() -> None:
    app, runs = _timer_app("%TICK_SCHEDULE%")
    (listener,) = timers.listeners(app.get_functions(), {"TICK_SCHEDULE": "* * * * * *"})

    took = _run_until(listener, lambda: len(runs) == 2)

    assert listener.schedule == "* * * * * *"
    assert 0.9 <= runs[1] - runs[0] <= 1.5
    assert took < 3


def test_a_timer_with_run_on_startup_runs_at_once() -> None:
    app, runs = _timer_app("0 0 0 1 1 *", run_on_startup=True)
    (listener,) = timers.listeners(app.get_functions(), {})

    took = _run_until(listener, lambda: len(runs) == 1)

    assert took < 1


def test_ncrontab_schedules_have_seconds_first_and_run_in_utc() -> None:
    app, _ = _timer_app("0 */5 * * * *")
    (listener,) = timers.listeners(app.get_functions(), {})

    after = datetime(2026, 1, 1, 0, 3, 7, tzinfo=UTC)

    assert listener.next_run(after) == datetime(2026, 1, 1, 0, 5, tzinfo=UTC)


def test_a_disabled_timer_or_a_bad_schedule_is_not_run() -> None:
    app, _ = _timer_app("%TICK_SCHEDULE%")
    functions = app.get_functions()

    assert timers.listeners(functions, {"TICK_SCHEDULE": "every day"}) == []
    assert timers.listeners(functions, {}) == []
    disabled = {"TICK_SCHEDULE": "* * * * * *", "AzureWebJobs.tick.Disabled": "true"}
    assert timers.listeners(functions, disabled) == []
