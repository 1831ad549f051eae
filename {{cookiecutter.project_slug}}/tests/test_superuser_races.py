"""Two superusers demoting each other at once leave one active superuser, not none.

Over two real sessions on their own pool, in a database of their own whose
rows are committed: the test's shared connection would run them one after
the other.
"""

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import asyncpg
import pytest
import sqlalchemy as sa
from pydantic import PostgresDsn
from sqlalchemy import insert, select
from sqlmodel import col

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.core.db import Connection, Database, connect_arguments
from {{ cookiecutter.package_name }}.models import User
from {{ cookiecutter.package_name }}.models.base import utc_now
from {{ cookiecutter.package_name }}.schemas.user import UserUpdate
from {{ cookiecutter.package_name }}.services import users
from {{ cookiecutter.package_name }}.services.users import LastSuperuserError

from tests.conftest import run
from tests.database import create_migrated_engine, related_database_url

DEMOTE = UserUpdate(is_superuser=False)
WAITING_FOR_A_LOCK = sa.text(
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
)
ACTIVE_SUPERUSERS = select(sa.func.array_agg(col(User.email))).where(
    col(User.is_active), col(User.is_superuser)
)


@pytest.fixture
async def database_url_of_its_own(database_url: str) -> str:
    """A fresh database, migrated to head, that only this test writes to."""
    url = related_database_url(database_url, "_superusers")
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
    """A third connection, to set up and watch the other two."""
    arguments: dict[str, Any] = connect_arguments(database_url_of_its_own)
    async with (
        asyncpg.create_pool(**arguments, min_size=1, max_size=1) as pool,
        pool.acquire() as connection,
    ):
        yield connection


async def _superuser(observer: Connection, email: str) -> UUID:
    now = utc_now()
    user_id = await run(
        observer,
        insert(User)
        .values(
            email=email,
            full_name="Superuser",
            password_hash="not-a-real-hash",
            is_superuser=True,
            created_at=now,
            updated_at=now,
        )
        .returning(col(User.id)),
    )
    assert isinstance(user_id, UUID)
    return user_id


async def _until_waiting_for_a_lock(observer: Connection, demotion: asyncio.Task[Any]) -> None:
    """Return once `demotion` waits for a lock, or has finished without waiting."""
    for _ in range(500):
        if demotion.done() or await run(observer, WAITING_FOR_A_LOCK):
            return
        await asyncio.sleep(0.01)
    pytest.fail("the second demotion neither finished nor waited for a lock")


async def test_two_superusers_demoting_each_other_at_once_leave_one(
    committing_database: Database, observer: Connection
) -> None:
    first = await _superuser(observer, "first@example.com")
    second = await _superuser(observer, "second@example.com")
    database = committing_database
    async with database.session(read_only=False) as one, database.session(read_only=False) as two:
        await users.update(one, user_id=second, data=DEMOTE, caller_id=first)
        # While the first demotion is not yet committed, the second one sees two superusers.
        racing = asyncio.create_task(
            users.update(two, user_id=first, data=DEMOTE, caller_id=second)
        )
        await _until_waiting_for_a_lock(observer, racing)
        await one.commit()
        with pytest.raises(LastSuperuserError):
            await racing
        await two.commit()

    assert await run(observer, ACTIVE_SUPERUSERS) == ["first@example.com"]
