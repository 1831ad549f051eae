"""Readiness: can the service reach its database right now?"""

import asyncio

from sqlalchemy import literal, select

from {{ cookiecutter.package_name }}.core.db import (
    DatabaseUnavailableError,
    Session,
    Statement,
)

READINESS_TIMEOUT_SECONDS = 1.5
_PING = Statement(select(literal(1)))


async def check_database(session: Session) -> None:
    """Raise `DatabaseUnavailableError` unless the database answers within the timeout."""
    try:
        async with asyncio.timeout(READINESS_TIMEOUT_SECONDS):
            await session.fetch_value(_PING)
    except TimeoutError:
        raise DatabaseUnavailableError from None
