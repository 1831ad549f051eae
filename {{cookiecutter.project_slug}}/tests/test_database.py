"""The data path (`core/db/`): how a statement compiles, binds, runs and fails."""

import asyncio
from typing import Any
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa
from sqlalchemy import bindparam, select
from sqlmodel import col

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.core.db import (
    Database,
    Statement,
    StatementError,
    UniqueViolationError,
)
from {{ cookiecutter.package_name }}.models import Todo, User
from {{ cookiecutter.package_name }}.models.base import table_of, utc_now

from tests.conftest import TransactionalDatabase

todos = table_of(Todo)
users = table_of(User)
INSERT_TODO = Statement(sa.insert(todos).returning(todos.c.id, todos.c.title, todos.c.completed))
UPDATE_TITLE = Statement(
    sa.update(todos).where(todos.c.id == bindparam("todo")).returning(todos.c.title)
)
INSERT_USER = Statement(sa.insert(users).returning(users.c.id))


def _user(email: str) -> dict[str, Any]:
    now = utc_now()
    return {
{%- if cookiecutter.auth == "local" %}
        "email": email,
        "full_name": "Row",
        "password_hash": "not-a-real-hash",
{%- else %}
        "issuer": "https://idp.example",
        "subject": email,
{%- endif %}
        "created_at": now,
        "updated_at": now,
    }


def test_a_statement_compiles_once_per_set_of_parameter_names() -> None:
    first = INSERT_TODO.compile({"title": "a", "owner_id": uuid4()})
    assert INSERT_TODO.compile({"owner_id": uuid4(), "title": "b"}) is first
    assert INSERT_TODO.compile({"title": "c"}) is not first


def test_an_insert_names_the_columns_of_its_parameters_and_fills_python_defaults() -> None:
    compiled = INSERT_TODO.compile({"title": "a", "owner_id": None})
    assert compiled.sql.startswith("INSERT INTO todos (id, created_at, updated_at, owner_id, title")
    arguments = dict(
        zip(compiled.names, compiled.arguments({"title": "a", "owner_id": None}), strict=True)
    )
    assert isinstance(arguments["id"], UUID), "the model's default_factory"
    assert arguments["completed"] is False, "the model's default"
    assert "description" not in arguments


def test_values_bound_in_the_statement_itself_need_no_parameter() -> None:
{%- if cookiecutter.auth == "local" %}
    promote = Statement(
        sa.update(users).values(is_superuser=True).where(users.c.email == bindparam("address"))
    )
    compiled = promote.compile({"address": "a@example.com"})
    assert (
        compiled.arguments({"address": "a@example.com"})[compiled.names.index("is_superuser")]
        is True
    )
{%- else %}
    deactivate = Statement(
        sa.update(users).values(is_active=False).where(users.c.subject == bindparam("who"))
    )
    compiled = deactivate.compile({"who": "s"})
    assert compiled.arguments({"who": "s"})[compiled.names.index("is_active")] is False
{%- endif %}


def test_a_missing_parameter_is_named() -> None:
    compiled = UPDATE_TITLE.compile({"title": "t"})
    with pytest.raises(TypeError, match="'todo'"):
        compiled.arguments({"title": "t"})


def test_an_expanding_parameter_is_refused_for_its_recompiles() -> None:
    by_ids = Statement(select(todos.c.id).where(todos.c.id.in_(bindparam("ids", expanding=True))))
    with pytest.raises(ValueError, match="any_"):
        by_ids.compile({"ids": [uuid4()]})


async def test_rows_come_back_as_dicts_and_an_update_sets_only_what_it_is_given(
    database: TransactionalDatabase,
) -> None:
    async with database.session(read_only=False) as session:
        owner = await session.fetch_value(INSERT_USER, **_user(f"{uuid4().hex}@example.com"))
        now = utc_now()
        row = await session.fetch_one(
            INSERT_TODO, title="first", owner_id=owner, created_at=now, updated_at=now
        )
        assert row is not None
        assert (row["title"], row["completed"]) == ("first", False)
        assert await session.fetch_all(UPDATE_TITLE, title="second", todo=row["id"]) == [
            {"title": "second"}
        ]
        assert await session.fetch_one(UPDATE_TITLE, title="x", todo=uuid4()) is None


async def test_a_unique_violation_names_its_constraint_and_none_of_the_values(
    database: TransactionalDatabase,
) -> None:
    email = f"{uuid4().hex}@example.com"
    async with database.session(read_only=False) as session:
        await session.execute(INSERT_USER, **_user(email))
        with pytest.raises(UniqueViolationError) as refused:
            await session.execute(INSERT_USER, **_user(email))
    assert refused.value.constraint == "{{ 'uq_users_email' if cookiecutter.auth == 'local' else 'uq_users_issuer_subject' }}"
    assert email not in str(refused.value)
    assert refused.value.__cause__ is None, "asyncpg's error, and its DETAIL, stay behind"
    assert refused.value.__suppress_context__


async def test_a_session_that_wrote_refuses_to_hand_its_connection_back(
    database: TransactionalDatabase,
) -> None:
    async with database.session(read_only=False) as session:
        await session.fetch_value(Statement(select(col(User.id)).limit(1)))
        await session.release()  # Only read so far: allowed.
        await session.execute(INSERT_USER, **_user(f"{uuid4().hex}@example.com"))
        with pytest.raises(RuntimeError, match="release"):
            await session.release()


async def test_a_refused_statement_keeps_postgresqls_message_out(
    database: TransactionalDatabase,
) -> None:
    """A CHECK or NOT NULL failure can quote the row: only its SQLSTATE is kept."""
    async with database.session(read_only=False) as session:
        with pytest.raises(StatementError) as refused:
            await session.execute(
                INSERT_USER, **{**_user("null-name@example.com"), "{{ 'full_name' if cookiecutter.auth == 'local' else 'created_at' }}": None}
            )
    assert refused.value.sqlstate == "23502"  # not_null_violation
    assert "null-name" not in str(refused.value)


@pytest.mark.usefixtures("migrated_engine")
async def test_a_request_arriving_as_a_connection_is_freed_waits_its_turn(
    settings: Settings,
) -> None:
    """What keeps the latency tail short: no waiter is overtaken by a later request.

    asyncpg's own queue hands a freed connection to whoever asks next, even
    while others wait; the newcomer below asks in the very instant it is freed.
    """
    database = Database(settings.model_copy(update={"database_pool_size": 1}))
    served: list[str] = []

    async def take_a_turn(name: str) -> None:
        async with database.session(read_only=True) as session:
            await session.fetch_value(Statement(select(sa.literal(1))))
            served.append(name)

    try:
        holder = await database.acquire(read_only=True)
        waiting = asyncio.create_task(take_a_turn("waiting"))
        await asyncio.sleep(0.05)  # It waits for the only connection.
        freeing = asyncio.create_task(database.release(holder, read_only=True))
        await asyncio.sleep(0)  # The release has begun: the connection is on its way back.
        newcomer = asyncio.create_task(take_a_turn("newcomer"))
        await asyncio.gather(freeing, waiting, newcomer)
    finally:
        await database.dispose()
    assert served == ["waiting", "newcomer"]
