"""Two first requests of one subject at once record one user, not two and not an error.

Over two real sessions on pools of their own, in a database of their own whose
rows are committed: the test's shared connection would run them one after the
other. The observer holds back every insert until both requests have missed the
user and wait to insert it, so the race happens every time.
"""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from pydantic import PostgresDsn

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.core.db import Connection, Database, connect_arguments
from {{ cookiecutter.package_name }}.core.security.oidc import Identity
from {{ cookiecutter.package_name }}.schemas.user import UserAdminRead
from {{ cookiecutter.package_name }}.services import users

from tests.database import create_migrated_engine, related_database_url

IDENTITY = Identity(
    issuer="https://identity.example",
    subject="first-sight",
    email=None,
    name=None,
    roles=frozenset(),
)
WAITING_FOR_A_LOCK = (
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
)
USERS_OF_THE_SUBJECT = "SELECT count(*) FROM users WHERE subject = 'first-sight'"


@pytest.fixture
async def database_url_of_its_own(database_url: str) -> str:
    """A fresh database, migrated to head, that only this test writes to."""
    url = related_database_url(database_url, "_first_sight")
    engine = await create_migrated_engine(url)
    await engine.dispose()
    return url


@pytest.fixture
async def committing_database(
    settings: Settings, database_url_of_its_own: str
) -> AsyncIterator[Database]:
    """The app's database, on pools of its own: each session commits for real."""
    url = PostgresDsn(database_url_of_its_own)
    database = Database(settings.model_copy(update={"database_url": url}))
    yield database
    await database.dispose()


@pytest.fixture
async def observer(database_url_of_its_own: str) -> AsyncIterator[Connection]:
    """A third connection, to hold the inserts back and to count."""
    arguments: dict[str, Any] = connect_arguments(database_url_of_its_own)
    async with (
        asyncpg.create_pool(**arguments, min_size=1, max_size=1) as pool,
        pool.acquire() as connection,
    ):
        yield connection


async def _sign_in(database: Database) -> UserAdminRead:
    async with database.session(read_only=True) as session:
        return await users.sign_in(session, database=database, identity=IDENTITY)


async def test_two_first_requests_of_one_subject_record_one_user(
    committing_database: Database, observer: Connection
) -> None:
    held_back = observer.transaction()
    await held_back.start()
    # Reads go on; every insert waits until the observer's transaction ends.
    await observer.execute("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE")
    first = asyncio.create_task(_sign_in(committing_database))
    second = asyncio.create_task(_sign_in(committing_database))
    try:
        for _ in range(500):
            # Inside a transaction the activity view is a snapshot: take a new one each time.
            await observer.execute("SELECT pg_stat_clear_snapshot()")
            if await observer.fetchval(WAITING_FOR_A_LOCK) == 2:
                break
            await asyncio.sleep(0.01)
        else:
            pytest.fail("the two first requests did not both wait to insert the user")
    finally:
        await held_back.commit()

    one, two = await asyncio.gather(first, second)
    assert one.id == two.id
    assert await observer.fetchval(USERS_OF_THE_SUBJECT) == 1
