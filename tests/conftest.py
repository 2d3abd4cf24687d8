"""Session fixtures: one in-memory Azurite on free ports, the local host serving the app, and a
fork server for cleanup runs at a chosen time."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from devhost import azurite
from devhost.app import build_app
from shared.config import get_settings
from tests.utils.crashlab import ForkServer
from tests.utils.server import ROOT, serve
from tests.utils.settings import TEST_SETTINGS
from tests.utils.storage import StorageProbe


@pytest.fixture(scope="session")
def azurite_ports() -> Iterator[azurite.AzuritePorts]:
    with azurite.running_in_memory() as ports:
        yield ports


@pytest.fixture(scope="session")
def base_url(azurite_ports: azurite.AzuritePorts) -> Iterator[str]:
    saved = dict(os.environ)
    os.environ.update(TEST_SETTINGS)
    os.environ["STORAGE_CONNECTION_STRING"] = azurite_ports.connection_string()
    # The app setting the queue triggers name as their connection.
    os.environ.update({"AzureWebJobsStorage": azurite_ports.connection_string()})
    get_settings.cache_clear()
    function_app = importlib.import_module("function_app")
    try:
        with serve(build_app(function_app.app, ROOT / "host.json"), owns_storage=True) as url:
            yield url
    finally:
        os.environ.clear()
        os.environ.update(saved)
        get_settings.cache_clear()


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        yield http


@pytest.fixture(scope="session")
def storage(azurite_ports: azurite.AzuritePorts) -> StorageProbe:
    return StorageProbe(azurite_ports.connection_string())


@pytest.fixture
def settings_env(base_url: str) -> Iterator[dict[str, str]]:
    """Change settings for one test: set keys in the returned dict; restored afterwards."""
    saved = dict(os.environ)

    class _Env(dict[str, str]):
        def __setitem__(self, key: str, value: str) -> None:
            super().__setitem__(key, value)
            os.environ[key] = value
            get_settings.cache_clear()

    try:
        yield _Env()
    finally:
        os.environ.clear()
        os.environ.update(saved)
        get_settings.cache_clear()


@pytest.fixture(scope="session")
def forkserver() -> Iterator[ForkServer]:
    server = ForkServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def cleanup_at(
    forkserver: ForkServer, azurite_ports: azurite.AzuritePorts
) -> Callable[..., list[dict[str, Any]]]:
    """Run the cleanup timer's work against the session's storage with its clock set to `now`
    (`runs` of them at once); their reports."""
    env = {**TEST_SETTINGS, "STORAGE_CONNECTION_STRING": azurite_ports.connection_string()}

    def run(now: datetime, *, runs: int = 1) -> list[dict[str, Any]]:
        return forkserver.cleanup(env, now, runs=runs)

    return run
