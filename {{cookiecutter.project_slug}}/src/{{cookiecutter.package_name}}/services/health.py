"""Readiness: can the service reach its database{% if cookiecutter.auth == "oidc" %}, and verify tokens,{% endif %} right now?"""

import asyncio

from sqlalchemy import literal, select

from {{ cookiecutter.package_name }}.core.db import (
    DatabaseUnavailableError,
    Session,
    Statement,
)
{%- if cookiecutter.auth == "oidc" %}
from {{ cookiecutter.package_name }}.core.security.oidc import OidcVerifier
{%- endif %}

READINESS_TIMEOUT_SECONDS = 1.5
_PING = Statement(select(literal(1)))


async def check_database(session: Session) -> None:
    """Raise `DatabaseUnavailableError` unless the database answers within the timeout."""
    try:
        async with asyncio.timeout(READINESS_TIMEOUT_SECONDS):
            await session.fetch_value(_PING)
    except TimeoutError:
        raise DatabaseUnavailableError from None
{%- if cookiecutter.auth == "oidc" %}


async def check(session: Session, *, verifier: OidcVerifier) -> None:
    """Raise unless the database answers and a key of the identity provider is held.

    Cached keys keep the service ready while the provider is down; a replica
    that never fetched any cannot verify a token, so it is not.
    """
    await check_database(session)
    await verifier.check_ready()
{%- endif %}
