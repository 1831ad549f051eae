"""The data path: Core statements compiled once, run on asyncpg, rows returned as dicts.

Services build statements with SQLAlchemy Core on the SQLModel tables and wrap
each in a `Statement` at import. It is compiled for PostgreSQL's asyncpg
dialect the first time it runs with a given set of parameter names (an
INSERT or UPDATE names its columns by the parameters it gets), and never
again. A `Session` runs it on an asyncpg connection with positional
arguments and returns each row as a dict, the input pydantic validates
fastest. There is no ORM session on the request path: its per-statement
bookkeeping cost more CPU than the rest of a request.

Errors leave here in three kinds: `DatabaseUnavailableError` (a 503) when the
database is down, unreachable or too slow; `UniqueViolationError` and
`ForeignKeyViolationError`, for services to map to their domain errors; any
other refusal as `StatementError`. None of them carries PostgreSQL's message
or detail, which can quote row values (`Key (email)=(...)`).
"""

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, ClassVar{% if cookiecutter.python_version == "3.11" %}, TypeAlias{% endif %}

import asyncpg
import structlog
from asyncpg.pool import PoolConnectionProxy
from asyncpg.transaction import Transaction
from sqlalchemy import ClauseElement
from sqlalchemy.engine import make_url
from sqlalchemy.schema import ColumnDefault, DefaultGenerator
from sqlalchemy.sql.compiler import SQLCompiler

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.core.errors import ServiceUnavailableError

Record = dict[str, Any]
{% if cookiecutter.python_version == "3.11" -%}
Connection: TypeAlias = "PoolConnectionProxy[asyncpg.Record]"
{%- else -%}
type Connection = PoolConnectionProxy[asyncpg.Record]
{%- endif %}
logger = structlog.get_logger(__name__)
# SQLAlchemy's PostgreSQL dialect for asyncpg: `$1`-style parameters, asyncpg's casts.
_DIALECT = make_url("postgresql+asyncpg://").get_dialect()()
# What asyncpg raises while the database is down, unreachable, shutting down or too slow.
_UNAVAILABLE = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InsufficientResourcesError,
)


class DatabaseUnavailableError(ServiceUnavailableError):
    """The database is down, unreachable or too slow; the client may retry shortly."""

    description = "The database is not reachable."
    retry_after: ClassVar[int] = 5

    def __init__(self) -> None:
        super().__init__(retry_after_seconds=self.retry_after)


class StatementError(Exception):
    """PostgreSQL refused a statement: its SQLSTATE and constraint, never the values involved."""

    def __init__(self, error: asyncpg.PostgresError) -> None:
        self.sqlstate: str = error.sqlstate
        self.constraint: str | None = getattr(error, "constraint_name", None)
        super().__init__(f"{type(error).__name__} ({self.sqlstate}) on {self.constraint or '-'}")


class UniqueViolationError(StatementError):
    """A row would duplicate a unique key."""


class ForeignKeyViolationError(StatementError):
    """A row would reference a missing row, or a referenced row would be deleted."""


@dataclass(frozen=True, slots=True)
class _Compiled:
    """One compiled form: its SQL and how to turn named parameters into positional arguments."""

    sql: str
    names: tuple[str, ...]
    # Values the statement binds itself (`.values(is_superuser=True)`).
    fixed: Mapping[str, object]
    # Python-side column defaults for the columns the caller left out (`id`).
    defaults: Mapping[str, Callable[[], object]]
    # SQLAlchemy's own conversions of Python values for a column type (an enum to its name).
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]
    writes: bool

    @classmethod
    def of(cls, statement: ClauseElement, column_keys: Sequence[str]) -> "_Compiled":
        compiled = statement.compile(dialect=_DIALECT, column_keys=list(column_keys))
        if not isinstance(compiled, SQLCompiler):
            msg = f"not a SQL statement: {statement!r}"
            raise TypeError(msg)
        if compiled.literal_execute_params or compiled.post_compile_params:
            msg = "expanding parameters (`in_`) recompile per call: use `== any_(bindparam(...))`"
            raise ValueError(msg)
        names = tuple(compiled.positiontup or ())
        prefetched = {
            column.key: column.default if compiled.isinsert else column.onupdate
            for column in (*compiled.insert_prefetch, *compiled.update_prefetch)
        }
        processors = compiled._bind_processors  # noqa: SLF001 - SQLAlchemy exposes them no other way
        if not all(callable(process) for process in processors.values()):
            msg = "tuple-typed parameters are not supported"
            raise ValueError(msg)
        return cls(
            sql=compiled.string,
            names=names,
            fixed={
                name: bind.effective_value
                for name, bind in compiled.binds.items()
                if not bind.required and name in names
            },
            defaults={name: _default_maker(default) for name, default in prefetched.items()},
            processors=tuple(
                (index, process)
                for index, name in enumerate(names)
                if callable(process := processors.get(name))
            ),
            writes=compiled.isinsert or compiled.isupdate or compiled.isdelete,
        )

    def arguments(self, params: Mapping[str, object]) -> list[object]:
        """The positional arguments for `params`; a missing one is a `TypeError` naming it."""
        values = {**self.fixed, **params} if self.fixed else dict(params)
        for name, make in self.defaults.items():
            values[name] = make()
        try:
            arguments = [values[name] for name in self.names]
        except KeyError as missing:
            msg = f"the statement needs parameter {missing} ({self.sql.split()[0]} ...)"
            raise TypeError(msg) from None
        for index, process in self.processors:
            arguments[index] = process(arguments[index])
        return arguments


def _default_maker(default: DefaultGenerator | None) -> Callable[[], object]:
    """A column's Python-side default (a value or a function) as a function of nothing."""
    if not isinstance(default, ColumnDefault) or not (default.is_scalar or default.is_callable):
        msg = f"no Python-side default to fill in: {default!r}"
        raise ValueError(msg)
    value = default.arg
    if default.is_scalar:
        return lambda: value
    return lambda: value(None)


class Statement:
    """A Core statement, compiled for asyncpg once per set of parameter names it runs with.

    Build one at import, next to the service that runs it: a renamed column
    then fails at import (`table.c.name`), not in the middle of a request.
    """

    __slots__ = ("_compiled", "_statement")

    def __init__(self, statement: ClauseElement) -> None:
        self._statement = statement
        self._compiled: dict[frozenset[str], _Compiled] = {}

    def compile(self, params: Mapping[str, object]) -> _Compiled:
        """The compiled form for these parameter names."""
        keys = frozenset(params)
        compiled = self._compiled.get(keys)
        if compiled is None:
            compiled = self._compiled[keys] = _Compiled.of(self._statement, sorted(keys))
        return compiled


class Session:
    """One request's access to the database; the request edge decides how it ends.

    The connection is taken from the pool at the first statement, not before:
    a request that runs none holds none. A writing session runs every
    statement in one transaction, which only `commit` keeps; a read-only one
    runs each statement on its own, on a connection that cannot write.
    """

    __slots__ = ("_connection", "_database", "_transaction", "_wrote", "read_only")

    def __init__(self, database: "Database", *, read_only: bool) -> None:
        self._database = database
        self.read_only = read_only
        self._connection: Connection | None = None
        self._transaction: Transaction | None = None
        self._wrote = False

    async def fetch_all(self, statement: Statement, **params: object) -> list[Record]:
        """Every row the statement returns."""
        connection, compiled, arguments = await self._prepare(statement, params)
        with _TRANSLATED:
            rows = await connection.fetch(compiled.sql, *arguments)
        return [dict(row) for row in rows]

    async def fetch_one(self, statement: Statement, **params: object) -> Record | None:
        """The first row the statement returns, or None."""
        connection, compiled, arguments = await self._prepare(statement, params)
        with _TRANSLATED:
            row = await connection.fetchrow(compiled.sql, *arguments)
        return None if row is None else dict(row)

    async def fetch_value(self, statement: Statement, **params: object) -> Any:  # noqa: ANN401 - the column's type
        """The first column of the first row, or None when there is no row."""
        connection, compiled, arguments = await self._prepare(statement, params)
        with _TRANSLATED:
            return await connection.fetchval(compiled.sql, *arguments)

    async def execute(self, statement: Statement, **params: object) -> None:
        """Run the statement for its effect."""
        connection, compiled, arguments = await self._prepare(statement, params)
        with _TRANSLATED:
            await connection.execute(compiled.sql, *arguments)

    async def execute_many(
        self, statement: Statement, rows: Sequence[Mapping[str, object]]
    ) -> None:
        """Run the statement once per parameter set in `rows` (all with the same names)."""
        connection, compiled, first = await self._prepare(statement, rows[0])
        arguments = [first, *(compiled.arguments(row) for row in rows[1:])]
        with _TRANSLATED:
            await connection.executemany(compiled.sql, arguments)

    async def release(self) -> None:
        """Give the connection back before slow work that needs none (hashing a password).

        What the session read so far ends with it; the next statement takes a
        connection again. After a write, that would silently drop the write,
        so it is refused.
        """
        if self._wrote:
            msg = "release() after a write would roll the write back; release before it"
            raise RuntimeError(msg)
        await self.close()

    @asynccontextmanager
    async def committed(self) -> AsyncIterator[None]:
        """Run the block in a transaction of its own, kept whatever becomes of the request.

        For work that must outlast a failed request: an attempt counted
        before a password is hashed, a stolen token's family revoked before
        the 401. Like `release`, it ends what the session read so far and is
        refused after a write. The block's transaction commits when the block
        ends without an error, and the connection goes back to the pool, so
        slow work after the block holds none.
        """
        if self.read_only:
            msg = "a read-only session cannot write"
            raise RuntimeError(msg)
        await self.release()
        try:
            yield
            await self.commit()
        finally:
            await self.close()

    async def commit(self) -> None:
        """Keep what the session wrote. Only the request edge calls this, once."""
        transaction, self._transaction = self._transaction, None
        if transaction is not None:
            with _TRANSLATED:
                await transaction.commit()

    async def close(self) -> None:
        """Roll back what was not committed, and give the connection back."""
        connection, transaction = self._connection, self._transaction
        self._connection, self._transaction, self._wrote = None, None, False
        if connection is None:
            return
        try:
            if transaction is not None and not connection.is_closed():
                with _TRANSLATED:
                    await transaction.rollback()
        finally:
            await self._database.release(connection, read_only=self.read_only)

    async def __aenter__(self) -> "Session":
        """The session, which closes on the way out."""
        return self

    async def __aexit__(self, *_: object) -> None:
        """Close the session: what was not committed is rolled back."""
        await self.close()

    async def _prepare(
        self, statement: Statement, params: Mapping[str, object]
    ) -> tuple[Connection, _Compiled, list[object]]:
        """The connection, compiled form and positional arguments to run `statement` with `params`.

        The connection is taken, and a writing session's transaction begun,
        on first use.
        """
        compiled = statement.compile(params)
        arguments = compiled.arguments(params)
        if self._database.echo:  # Never the arguments: they hold hashes, tokens, emails.
            logger.info("statement", sql=compiled.sql)
        self._wrote = self._wrote or compiled.writes
        if self._connection is None:
            with _TRANSLATED:
                self._connection = await self._database.acquire(read_only=self.read_only)
                self._transaction = await self._database.begin(
                    self._connection, read_only=self.read_only
                )
        return self._connection, compiled, arguments


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

    def session(self, *, read_only: bool) -> Session:
        """A new session; `read_only` ones never open a transaction and cannot write."""
        return Session(self, read_only=read_only)

    async def acquire(self, *, read_only: bool) -> Connection:
        """A connection from the pool, in turn; waits at most the connect timeout for one."""
        turns = self._turns[read_only]
        if turns.locked():
            async with asyncio.timeout(self._settings.database_connect_timeout_seconds):
                await turns.acquire()
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
    _, arguments = _DIALECT.create_connect_args(make_url(url))
    return dict(arguments)


async def _end_transaction(connection: asyncpg.Connection) -> None:
    """Reset a connection given back to the pool: only a transaction left open needs it.

    asyncpg's default reset sends a round trip of statements on every release;
    requests here leave no session state behind but, after a cancellation, an
    open transaction.
    """
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


class _Translated:
    """Raises this module's errors for what asyncpg raises in the block (see the docstring).

    Raised `from None`: asyncpg's own error, whose message and detail can
    quote row values, is neither the cause nor the context a traceback shows.
    """

    def __enter__(self) -> None:
        """Nothing to set up."""

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, _: object
    ) -> None:
        """Translate `error`, if asyncpg raised it; let anything else through."""
        if isinstance(error, _UNAVAILABLE):
            logger.warning("database unavailable", error_type=type(error).__name__)
            raise DatabaseUnavailableError from None
        if isinstance(error, asyncpg.UniqueViolationError):
            raise UniqueViolationError(error) from None
        if isinstance(error, asyncpg.ForeignKeyViolationError):
            raise ForeignKeyViolationError(error) from None
        if isinstance(error, asyncpg.PostgresError):
            raise StatementError(error) from None


_TRANSLATED = _Translated()
