"""Password hashing: bounded, rehashed when its cost changes, and never holding a connection."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from pydantic import PostgresDsn
from sqlalchemy import select
from sqlmodel import col

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.core.db import Connection
from {{ cookiecutter.package_name }}.core.security.passwords import (
    HashingBusyError,
    PasswordHasher,
)
from {{ cookiecutter.package_name }}.core.security.tokens import TokenCodec, TokenType
from {{ cookiecutter.package_name }}.main import create_app
from {{ cookiecutter.package_name }}.models import User
from {{ cookiecutter.package_name }}.schemas.user import UserCreate
from {{ cookiecutter.package_name }}.services import users

from tests.conftest import PASSWORD, TransactionalDatabase, UserFactory, run
from tests.database import create_migrated_engine, related_database_url

# One hash at this cost takes a quarter of a second, far longer than the timeouts below.
SLOW_HASHING: dict[str, Any] = {
    "password_hash_time_cost": 10,
    "password_hash_memory_kib": 32 * 1024,
    "password_hash_parallelism": 1,
    "password_hashing_concurrency": 1,
}


async def test_a_busy_hasher_refuses_after_the_timeout(settings: Settings) -> None:
    hasher = PasswordHasher.from_settings(
        settings.model_copy(update={**SLOW_HASHING, "password_hashing_timeout_seconds": 0.001})
    )
    first = asyncio.create_task(hasher.hash(PASSWORD))
    await asyncio.sleep(0)  # the first hash takes the only slot
    with pytest.raises(HashingBusyError) as refused:
        await hasher.hash(PASSWORD)
    assert refused.value.retry_after_seconds == 1
    assert (await first).startswith("$argon2id$")
    assert await hasher.hash(PASSWORD), "the slot is free again once the first hash is done"


async def test_a_busy_hasher_is_a_503_with_retry_after(
    settings: Settings, connection: Connection
) -> None:
    busy = settings.model_copy(update={**SLOW_HASHING, "password_hashing_timeout_seconds": 0.001})
    app = create_app(busy)
    app.state.database = TransactionalDatabase(connection)
    hasher: PasswordHasher = app.state.password_hasher
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        blocker = asyncio.create_task(hasher.hash(PASSWORD))
        await asyncio.sleep(0)
        response = await client.post(
            app.url_path_for("register"),
            json={"email": "busy@example.com", "password": PASSWORD, "full_name": "Busy"},
        )
        await blocker
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.headers["content-type"] == "application/problem+json"


async def _stored_hash(connection: Connection, email: str) -> str:
    stored = await run(connection, select(col(User.password_hash)).where(col(User.email) == email))
    assert isinstance(stored, str)
    return stored


async def test_a_login_rehashes_a_password_hashed_with_an_older_cost(
    settings: Settings, connection: Connection, register: UserFactory
) -> None:
    user = await register()
    old_hash = await _stored_hash(connection, user["email"])
    assert ",t=1," in old_hash
    costlier = create_app(settings.model_copy(update={"password_hash_time_cost": 2}))
    costlier.state.database = TransactionalDatabase(connection)
    form = {"username": user["email"], "password": PASSWORD}
    async with AsyncClient(transport=ASGITransport(app=costlier), base_url="http://test") as client:
        assert (await client.post(costlier.url_path_for("token"), data=form)).status_code == 200
        new_hash = await _stored_hash(connection, user["email"])
        assert ",t=2," in new_hash
        assert (await client.post(costlier.url_path_for("token"), data=form)).status_code == 200
    assert await _stored_hash(connection, user["email"]) == new_hash, "rehashed only once"


@pytest.fixture
async def pooled_app(settings: Settings, database_url: str) -> AsyncIterator[FastAPI]:
    """The app on a real pool of one writing connection, in a database of its own."""
    pooled = settings.model_copy(
        update={
            **SLOW_HASHING,
            "password_hash_time_cost": 20,  # half a second a hash
            "password_hashing_timeout_seconds": 30,
            "database_url": PostgresDsn(related_database_url(database_url, "_pool")),
            "database_pool_size": 1,
            "database_connect_timeout_seconds": 0.1,
        }
    )
    engine = await create_migrated_engine(str(pooled.database_url))
    await engine.dispose()
    app = create_app(pooled)
    yield app
    await app.state.database.dispose()


async def test_a_login_waiting_for_the_hasher_holds_no_connection(
    pooled_app: FastAPI, settings: Settings
) -> None:
    """With one pooled connection, a write goes through while a login waits for its hash."""
    database = pooled_app.state.database
    hasher: PasswordHasher = pooled_app.state.password_hasher
    async with database.session(read_only=False) as session:
        data = UserCreate(email="waiting@example.com", password=PASSWORD, full_name="Waiting")
        password_hash = await PasswordHasher.from_settings(settings).hash(PASSWORD)
        user = await users.create(session, data=data, password_hash=password_hash)
        await session.commit()
    codec: TokenCodec = pooled_app.state.token_codec
    access = codec.issue(subject=user.id, token_type=TokenType.ACCESS).token
    transport = ASGITransport(app=pooled_app)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        blocker = asyncio.create_task(hasher.hash(PASSWORD))
        await asyncio.sleep(0)
        login = asyncio.create_task(
            client.post(
                pooled_app.url_path_for("token"),
                data={"username": "waiting@example.com", "password": PASSWORD},
            )
        )
        await asyncio.sleep(0.1)  # the login has read the user and waits for the hasher
        assert not login.done()
        created = await client.post(
            pooled_app.url_path_for("create_todo"),
            json={"title": "Written during a login"},
            headers={"Authorization": f"Bearer {access}"},
        )
        assert created.status_code == 201, created.text
        assert (await login).status_code == 200
        await blocker
