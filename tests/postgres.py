"""One PostgreSQL server for the whole template test run.

Each baked project's suite needs a database it may drop and recreate. One
server serves them all, each under its own database name; the pytest
controller starts it (or takes ``TEST_DATABASE_URL``) and xdist workers
inherit its URL through the environment.
"""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

SERVER_URL_ENV = "TEST_DATABASE_URL"
MISSING_SERVER = (
    "PostgreSQL not found: install it (apt-get install postgresql) or set "
    "TEST_DATABASE_URL=postgresql://user:pass@host:port/postgres to a server where the tests may create databases"
)


class ServerError(RuntimeError):
    """The throwaway server could not be started."""


@dataclass(frozen=True)
class Cluster:
    """A throwaway cluster in a temporary directory, reachable over TCP on 127.0.0.1."""

    bindir: Path
    root: Path
    port: int
    run_as: tuple[str, ...]

    @property
    def data(self) -> Path:
        """Return the data directory."""
        return self.root / "data"

    @property
    def log(self) -> Path:
        """Return the server log, read when start-up fails."""
        return self.root / "server.log"

    @property
    def url(self) -> str:
        """Return the superuser URL of the cluster (trust authentication)."""
        return f"postgresql+asyncpg://postgres:postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        """Stop the server without a checkpoint and delete its files: nothing in it is kept."""
        pg_ctl = str(self.bindir / "pg_ctl")
        subprocess.run(
            [*self.run_as, pg_ctl, "stop", "--silent", "--mode=immediate", f"--pgdata={self.data}"],
            cwd=self.root,
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def find_bindir() -> Path | None:
    """Return the directory holding ``initdb`` and ``pg_ctl``, or None.

    Debian keeps them off PATH in /usr/lib/postgresql/<major>/bin.
    """
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if result.returncode == 0:
            candidates.append(Path(result.stdout.strip()))
    initdb = shutil.which("initdb")
    if initdb is not None:
        candidates.append(Path(initdb).parent)
    majors = [path for path in Path("/usr/lib/postgresql").glob("*/bin") if path.parent.name.isdigit()]
    candidates.extend(sorted(majors, key=lambda path: int(path.parent.name), reverse=True))
    return next((path for path in candidates if (path / "initdb").is_file() and (path / "pg_ctl").is_file()), None)


def start_cluster(bindir: Path) -> Cluster:
    """Initialise and start a cluster, as the ``postgres`` user when running as root.

    PostgreSQL refuses to run as root. Durability is switched off: the data
    dies with the run, and fsync would dominate the baked suites' time.
    """
    root = Path(tempfile.mkdtemp(prefix="fastapi-strict-pg-"))
    run_as: tuple[str, ...] = ()
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(root)
            msg = "running as root needs a 'postgres' user to own the throwaway PostgreSQL server"
            raise ServerError(msg) from None
        os.chown(root, account.pw_uid, account.pw_gid)
        run_as = ("runuser", "-u", "postgres", "--")
    cluster = Cluster(bindir=bindir, root=root, port=_free_port(), run_as=run_as)
    options = (
        f"-h 127.0.0.1 -p {cluster.port} -k {shlex.quote(str(root))} -F "
        "-c full_page_writes=off -c synchronous_commit=off -c max_connections=300"
    )
    try:
        _run(
            cluster,
            "initdb",
            f"--pgdata={cluster.data}",
            "--username=postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
        )
        _run(
            cluster,
            "pg_ctl",
            "start",
            "--wait",
            "--timeout=60",
            f"--pgdata={cluster.data}",
            f"--log={cluster.log}",
            "-o",
            options,
        )
    except ServerError:
        cluster.stop()
        raise
    return cluster


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


def _run(cluster: Cluster, program: str, *args: str) -> None:
    # The server's user may not enter the caller's working directory: work in the cluster's own.
    result = subprocess.run(
        [*cluster.run_as, str(cluster.bindir / program), *args],
        cwd=cluster.root,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        log = cluster.log
        detail = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
        msg = f"{program} failed ({result.returncode}):\n{result.stdout}{result.stderr}{detail}"
        raise ServerError(msg)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
