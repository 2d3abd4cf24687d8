"""Translate Azure SDK and transport failures into the library's exceptions."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ServiceRequestError,
    ServiceResponseError,
)

from shared.errors import StorageUnavailable

logger = logging.getLogger(__name__)


@asynccontextmanager
async def storage_call(deadline: float) -> AsyncIterator[None]:
    """One storage operation, retries included, within `deadline` seconds.

    Outages become StorageUnavailable (503) — a store that accepts connections but never answers
    as much as one that refuses them; the caller handles expected 404/409/412 itself.
    """
    try:
        async with asyncio.timeout(deadline):
            yield
    except (
        TimeoutError,
        ServiceRequestError,
        ServiceResponseError,
        aiohttp.ClientError,
        ConnectionError,
    ) as exc:
        logger.warning("storage unreachable: %s", type(exc).__name__)
        raise StorageUnavailable() from exc
    except ClientAuthenticationError as exc:
        logger.error("storage refused our credentials: %s", exc.message)
        raise StorageUnavailable() from exc
    except HttpResponseError as exc:
        if exc.status_code is None or exc.status_code >= 500:
            logger.warning("storage failed: %s", exc.status_code)
            raise StorageUnavailable() from exc
        raise
