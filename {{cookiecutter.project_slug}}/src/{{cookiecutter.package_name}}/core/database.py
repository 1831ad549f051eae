"""The async engine and the session factories the request edge uses."""

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


class Database:
    """One engine for the process, with a writing and a read-only (autocommit) session factory.

    Reads run in autocommit mode so a GET costs no BEGIN/COMMIT round trips;
    writes get one transaction, committed once by the session dependency.
    Connections are not pinged on checkout, which would cost a round trip per
    request: a connection the server dropped fails its request with a 503,
    SQLAlchemy then discards the pool, and the next requests reconnect.
    """

    def __init__(self, settings: Settings) -> None:
        self.engine: AsyncEngine = create_async_engine(
            str(settings.database_url),
            pool_size=settings.database_pool_size,
            pool_timeout=settings.database_connect_timeout_seconds,
            echo=settings.debug,
            connect_args={
                "timeout": settings.database_connect_timeout_seconds,
                "command_timeout": settings.database_statement_timeout_seconds,
                "server_settings": {"application_name": "{{ cookiecutter.project_slug }}"},
            },
        )
        self.writer = async_sessionmaker(self.engine, expire_on_commit=False)
        self.reader = async_sessionmaker(
            self.engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
        )

    async def dispose(self) -> None:
        """Close every pooled connection (at shutdown)."""
        await self.engine.dispose()

    def session(self, *, read_only: bool) -> AsyncSession:
        """A new session; `read_only` ones never open a transaction."""
        return (self.reader if read_only else self.writer)()
