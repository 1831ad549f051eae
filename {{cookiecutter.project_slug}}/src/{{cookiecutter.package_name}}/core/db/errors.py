"""What leaves the data path when PostgreSQL refuses or cannot be reached.

Three kinds: `DatabaseUnavailableError` (a 503) when the database is down,
unreachable or too slow; `UniqueViolationError` and
`ForeignKeyViolationError`, for services to map to their domain errors; any
other refusal as `StatementError`. None of them carries PostgreSQL's message
or detail, which can quote row values (`Key (email)=(...)`).
"""

from typing import ClassVar

import asyncpg
import structlog

from {{ cookiecutter.package_name }}.core.errors import ServiceUnavailableError

logger = structlog.get_logger(__name__)
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


class _Translated:
    """Raises the errors above for what asyncpg raises in the block (see the docstring).

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


translated = _Translated()
