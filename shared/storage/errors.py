"""Translate Azure SDK and transport failures into the library's exceptions."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import aiohttp
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ServiceRequestError,
    ServiceResponseError,
)

from shared.errors import StorageUnavailable

logger = logging.getLogger(__name__)


@contextmanager
def translate_storage_errors() -> Iterator[None]:
    """Outages become StorageUnavailable (503); the caller handles expected 404/409/412 itself."""
    try:
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
