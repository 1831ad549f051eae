"""Start the run's PostgreSQL server once: in the xdist controller, or the only process."""

from __future__ import annotations

import os

import pytest

from tests.postgres import SERVER_URL_ENV, Server, ServerError, start_server

_SERVER = pytest.StashKey[Server]()


def pytest_configure(config: pytest.Config) -> None:
    """Start the embedded server unless ``TEST_DATABASE_URL`` names one; workers inherit its URL."""
    if hasattr(config, "workerinput") or os.environ.get(SERVER_URL_ENV):
        return
    try:
        server = start_server()
    except ServerError as error:
        pytest.exit(str(error), returncode=pytest.ExitCode.INTERNAL_ERROR)
    config.stash[_SERVER] = server
    os.environ[SERVER_URL_ENV] = server.url


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the server this process started, if any."""
    server = config.stash.get(_SERVER, None)
    if server is not None:
        del os.environ[SERVER_URL_ENV]
        server.stop()
