"""Readiness: can the service reach its database right now?"""

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from {{ cookiecutter.package_name }}.core.database import DATABASE_UNAVAILABLE_ERRORS
from {{ cookiecutter.package_name }}.core.errors import ServiceUnavailableError

READINESS_TIMEOUT_SECONDS = 1.5


class DatabaseUnavailableError(ServiceUnavailableError):
    """The database did not answer in time."""

    description = "The database is not reachable."


async def check_database(session: AsyncSession) -> None:
    """Raise `DatabaseUnavailableError` unless the database answers within the timeout."""
    try:
        async with asyncio.timeout(READINESS_TIMEOUT_SECONDS):
            await session.execute(text("SELECT 1"))
    except DATABASE_UNAVAILABLE_ERRORS as error:
        raise DatabaseUnavailableError from error
