"""The process's connection pools, and how a connection is reset when it comes back."""

import asyncio
from typing import Any

import asyncpg
from asyncpg.transaction import Transaction
from sqlalchemy.engine import make_url

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.core.db.session import Connection, Session
from {{ cookiecutter.package_name }}.core.db.statement import DIALECT
from {{ cookiecutter.package_name }}.core.metrics import PoolUsage

# The pools as the metrics name them, by `read_only`.
POOL_NAMES = {True: "read", False: "write"}


class Database:
    """The process's two asyncpg pools: read-only and writing, opened on first use.

    Reads run in autocommit, so a GET costs no BEGIN/COMMIT round trips, on
    connections PostgreSQL keeps from writing (`default_transaction_read_only`).
    Connections are not pinged when taken: one the server dropped fails its
    request with a 503, and the pool replaces it.

    Requests wait for a connection in arrival order, behind a semaphore as
    wide as the pool: asyncpg's own queue lets a request that arrives as a
    connection is freed take it ahead of those already waiting, and under
    load those unlucky waiters made the latency tail.
    """

    def __init__(self, settings: Settings) -> None:
        self.echo = settings.debug
        self._settings = settings
        self._pools: dict[bool, asyncpg.Pool] = {}
        self._opening = asyncio.Lock()
        self._turns = {
            read_only: asyncio.Semaphore(settings.database_pool_size) for read_only in (True, False)
        }
        self._waiting = dict.fromkeys(POOL_NAMES, 0)

    def session(self, *, read_only: bool) -> Session:
        """A new session; `read_only` ones never open a transaction and cannot write."""
        return Session(self, read_only=read_only)

    async def acquire(self, *, read_only: bool) -> Connection:
        """A connection from the pool, in turn; waits at most the connect timeout for one."""
        turns = self._turns[read_only]
        if turns.locked():
            self._waiting[read_only] += 1
            try:
                async with asyncio.timeout(self._settings.database_connect_timeout_seconds):
                    await turns.acquire()
            finally:
                self._waiting[read_only] -= 1
        else:
            await turns.acquire()
        try:
            pool = self._pools.get(read_only) or await self._open(read_only=read_only)
            connection: Connection = await pool.acquire()
        except BaseException:
            turns.release()
            raise
        return connection

    async def begin(self, connection: Connection, *, read_only: bool) -> Transaction | None:
        """The transaction a writing session runs in; reads run without one."""
        if read_only:
            return None
        transaction = connection.transaction()
        await transaction.start()
        return transaction

    async def release(self, connection: Connection, *, read_only: bool) -> None:
        """Give `connection` back to its pool, and the turn to the next waiter."""
        try:
            await self._pools[read_only].release(connection)
        finally:
            self._turns[read_only].release()

    def usage(self) -> list[PoolUsage]:
        """Each pool's size, connections in use and requests waiting, for the metrics."""
        figures = []
        for read_only, name in POOL_NAMES.items():
            pool = self._pools.get(read_only)
            in_use = 0 if pool is None else pool.get_size() - pool.get_idle_size()
            figures.append(
                PoolUsage(
                    pool=name,
                    size=self._settings.database_pool_size,
                    in_use=in_use,
                    waiting=self._waiting[read_only],
                )
            )
        return figures

    async def dispose(self) -> None:
        """Close every pooled connection (at shutdown)."""
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await pool.close()

    async def _open(self, *, read_only: bool) -> asyncpg.Pool:
        """The pool, opened by the first request that needs it; no connection is made yet."""
        async with self._opening:
            if read_only not in self._pools:
                self._pools[read_only] = await self._create_pool(read_only=read_only)
        return self._pools[read_only]

    async def _create_pool(self, *, read_only: bool) -> asyncpg.Pool:
        settings = self._settings
        server_settings = {"application_name": "{{ cookiecutter.project_slug }}"}
        if read_only:
            server_settings["default_transaction_read_only"] = "on"
        return await asyncpg.create_pool(
            **connect_arguments(str(settings.database_url)),
            min_size=0,
            max_size=settings.database_pool_size,
            timeout=settings.database_connect_timeout_seconds,
            command_timeout=settings.database_statement_timeout_seconds,
            server_settings=server_settings,
            reset=_end_transaction,
        )


def connect_arguments(url: str) -> dict[str, Any]:
    """Asyncpg's connect arguments for a SQLAlchemy URL, read as Alembic reads it (`?host=`)."""
    _, arguments = DIALECT.create_connect_args(make_url(url))
    return dict(arguments)


async def _end_transaction(connection: asyncpg.Connection) -> None:
    """Reset a connection given back to the pool: only a transaction left open needs it.

    asyncpg's default reset sends a round trip of statements on every release;
    requests here leave no session state behind but, after a cancellation, an
    open transaction.
    """
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")
