"""The `cleanup` timer: deletes expired files and abandoned upload blobs."""

import dataclasses
import logging

import azure.functions as func

from shared.clock import utcnow
from shared.ops.cleanup import run_cleanup

logger = logging.getLogger(__name__)

bp = func.Blueprint()


@bp.function_name("cleanup")
@bp.timer_trigger(
    arg_name="timer", schedule="%CLEANUP_SCHEDULE%", run_on_startup=False, use_monitor=True
)
async def cleanup(timer: func.TimerRequest) -> None:
    report = await run_cleanup(utcnow())
    logger.info("cleanup done: %s", dataclasses.asdict(report))
