"""Start the run's PostgreSQL server once: in the xdist controller, or the only process."""

from __future__ import annotations

import os

import pytest

from tests.postgres import MISSING_SERVER, SERVER_URL_ENV, Cluster, ServerError, find_bindir, start_cluster

_CLUSTER = pytest.StashKey[Cluster]()


def pytest_configure(config: pytest.Config) -> None:
    """Start a throwaway server unless one is given; workers inherit its URL."""
    if hasattr(config, "workerinput") or os.environ.get(SERVER_URL_ENV):
        return
    bindir = find_bindir()
    if bindir is None:
        pytest.exit(MISSING_SERVER, returncode=pytest.ExitCode.USAGE_ERROR)
    try:
        cluster = start_cluster(bindir)
    except ServerError as error:
        pytest.exit(f"could not start PostgreSQL: {error}", returncode=pytest.ExitCode.INTERNAL_ERROR)
    config.stash[_CLUSTER] = cluster
    os.environ[SERVER_URL_ENV] = cluster.url


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the server this process started, if any."""
    cluster = config.stash.get(_CLUSTER, None)
    if cluster is not None:
        del os.environ[SERVER_URL_ENV]
        cluster.stop()
