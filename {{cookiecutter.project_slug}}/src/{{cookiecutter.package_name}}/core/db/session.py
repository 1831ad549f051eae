"""One request's access to the database: statements run on a pooled asyncpg connection.

Rows come back as dicts, the input pydantic validates fastest. There is no
ORM session on the request path: its per-statement bookkeeping cost more CPU
than the rest of a request.
"""

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any{% if cookiecutter.python_version == "3.11" %}, TypeAlias{% endif %}

import asyncpg
import structlog
from asyncpg.pool import PoolConnectionProxy
from asyncpg.transaction import Transaction

from {{ cookiecutter.package_name }}.core.db.errors import translated
from {{ cookiecutter.package_name }}.core.db.statement import Compiled, Statement

if TYPE_CHECKING:
    from {{ cookiecutter.package_name }}.core.db.database import Database

Record = dict[str, Any]
{% if cookiecutter.python_version == "3.11" -%}
Connection: TypeAlias = "PoolConnectionProxy[asyncpg.Record]"
{%- else -%}
type Connection = PoolConnectionProxy[asyncpg.Record]
{%- endif %}
logger = structlog.get_logger(__name__)


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
        with translated:
            rows = await connection.fetch(compiled.sql, *arguments)
        return [dict(row) for row in rows]

    async def fetch_one(self, statement: Statement, **params: object) -> Record | None:
        """The first row the statement returns, or None."""
        connection, compiled, arguments = await self._prepare(statement, params)
        with translated:
            row = await connection.fetchrow(compiled.sql, *arguments)
        return None if row is None else dict(row)

    async def fetch_value(self, statement: Statement, **params: object) -> Any:  # noqa: ANN401 - the column's type
        """The first column of the first row, or None when there is no row."""
        connection, compiled, arguments = await self._prepare(statement, params)
        with translated:
            return await connection.fetchval(compiled.sql, *arguments)

    async def execute(self, statement: Statement, **params: object) -> None:
        """Run the statement for its effect."""
        connection, compiled, arguments = await self._prepare(statement, params)
        with translated:
            await connection.execute(compiled.sql, *arguments)

    async def execute_many(
        self, statement: Statement, rows: Sequence[Mapping[str, object]]
    ) -> None:
        """Run the statement once per parameter set in `rows` (all with the same names)."""
        connection, compiled, first = await self._prepare(statement, rows[0])
        arguments = [first, *(compiled.arguments(row) for row in rows[1:])]
        with translated:
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
            with translated:
                await transaction.commit()

    async def close(self) -> None:
        """Roll back what was not committed, and give the connection back."""
        connection, transaction = self._connection, self._transaction
        self._connection, self._transaction, self._wrote = None, None, False
        if connection is None:
            return
        try:
            if transaction is not None and not connection.is_closed():
                with translated:
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
    ) -> tuple[Connection, Compiled, list[object]]:
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
            with translated:
                self._connection = await self._database.acquire(read_only=self.read_only)
                self._transaction = await self._database.begin(
                    self._connection, read_only=self.read_only
                )
        return self._connection, compiled, arguments
