"""Timer triggers run on their schedule, as the Functions host runs them (in UTC).

The schedule is the trigger's NCRONTAB expression (six fields, seconds first; croniter reads it),
with `%NAME%` taken from the app settings as the host does; `run_on_startup` runs it once at
start. A function is left alone when `AzureWebJobs.<name>.Disabled` is true. Unlike the host, no
blob lease stops two local hosts on one storage account from both running it (the cleanup is safe
to run concurrently anyway), and a run missed while the host was down is not made up for.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from azure.functions.timer import TimerRequest
from croniter import croniter

from devhost.queues import is_disabled

logger = logging.getLogger(__name__)

_SETTING = re.compile(r"^%([^%]+)%$")


class TimerListener:
    """Runs one timer-triggered function on its schedule until cancelled."""

    def __init__(self, function: Any, schedule: str) -> None:
        trigger = function.get_trigger()
        self.name = str(function.get_function_name())
        self.schedule = schedule
        self.source = f"schedule {schedule}"
        self._run_on_startup = bool(trigger.run_on_startup)
        self._arg_name = str(trigger.name)
        self._user_function = function.get_user_function()

    def next_run(self, after: datetime) -> datetime:
        found: datetime = croniter(self.schedule, after, second_at_beginning=True).get_next(
            datetime
        )
        return found

    async def run(self) -> None:
        if self._run_on_startup:
            await self._invoke()
        while True:
            now = datetime.now(UTC)
            await asyncio.sleep((self.next_run(now) - now).total_seconds())
            await self._invoke()

    async def _invoke(self) -> None:
        try:
            result = self._user_function(**{self._arg_name: TimerRequest(past_due=False)})
            if inspect.isawaitable(result):
                await result
        except Exception:
            logger.exception("%s failed", self.name)


def listeners(functions: list[Any], env: Mapping[str, str] | None = None) -> list[TimerListener]:
    """A listener for each enabled timer trigger whose schedule reads as NCRONTAB."""
    env = os.environ if env is None else env
    found = []
    for function in functions:
        trigger = function.get_trigger()
        if trigger is None or trigger.get_binding_name() != "timerTrigger":
            continue
        name = str(function.get_function_name())
        setting = _SETTING.match(str(trigger.schedule))
        schedule = env.get(setting.group(1), "") if setting else str(trigger.schedule)
        if is_disabled(name, env):
            logger.info("%s: disabled by AzureWebJobs.%s.Disabled", name, name)
        elif not croniter.is_valid(schedule, second_at_beginning=True):
            logger.warning("%s: not run, schedule %r is not NCRONTAB", name, schedule)
        else:
            found.append(TimerListener(function, schedule))
    return found
