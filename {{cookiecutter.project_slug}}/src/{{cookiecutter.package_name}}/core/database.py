"""The async engines and the session factories the request edge uses."""

from typing import Any

from sqlalchemy import exc
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from {{ cookiecutter.package_name }}.core.config import Settings

# What the driver raises while the database is down, unreachable or too slow.
DATABASE_UNAVAILABLE_ERRORS = (
    exc.OperationalError,
    exc.InterfaceError,
    exc.TimeoutError,
    OSError,
    TimeoutError,
)


def create_engine(settings: Settings, *, read_only: bool) -> AsyncEngine:
    """An engine with a fixed-size pool, so load never opens and closes connections.

    A read-only engine's connections run every statement in autocommit, and
    PostgreSQL refuses writes on them (`default_transaction_read_only`).
    """
    server_settings = {"application_name": "{{ cookiecutter.project_slug }}"}
    options: dict[str, Any] = {}
    if read_only:
        server_settings["default_transaction_read_only"] = "on"
        options["isolation_level"] = "AUTOCOMMIT"
    return create_async_engine(
        str(settings.database_url),
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_timeout=settings.database_connect_timeout_seconds,
        echo=settings.debug,
        # Parameters hold password hashes and tokens: keep them out of logs and error text.
        hide_parameters=True,
        connect_args={
            "timeout": settings.database_connect_timeout_seconds,
            "command_timeout": settings.database_statement_timeout_seconds,
            "server_settings": server_settings,
        },
        **options,
    )


async def release_connection(session: AsyncSession) -> None:
    """Hand the session's connection back to the pool before slow work that needs none.

    For a request whose first part only reads (a login reads the password
    hash, then spends a fifth of a second hashing): without this, every login
    waiting for a hashing slot holds a pooled connection, and a burst of them
    starves every other request. Call it only before the request's first
    write: what the session did so far ends uncommitted. The session stays
    usable, and its next statement takes a connection again.
    """
    await session.close()


class Database:
    """A read-only and a writing engine for the process, each with its session factory.

    Reads run in autocommit mode so a GET costs no BEGIN/COMMIT round trips,
    on connections that cannot write; writes get one transaction, committed
    once by the session dependency. Connections are not pinged on checkout,
    which would cost a round trip per request: a connection the server
    dropped fails its request with a 503, SQLAlchemy then discards the pool,
    and the next requests reconnect.
    """

    def __init__(self, settings: Settings) -> None:
        self.reader_engine = create_engine(settings, read_only=True)
        self.writer_engine = create_engine(settings, read_only=False)
        self._reader = async_sessionmaker(self.reader_engine, expire_on_commit=False)
        self._writer = async_sessionmaker(self.writer_engine, expire_on_commit=False)

    async def dispose(self) -> None:
        """Close every pooled connection (at shutdown)."""
        await self.reader_engine.dispose()
        await self.writer_engine.dispose()

    def session(self, *, read_only: bool) -> AsyncSession:
        """A new session; `read_only` ones never open a transaction and cannot write."""
        return (self._reader if read_only else self._writer)()
