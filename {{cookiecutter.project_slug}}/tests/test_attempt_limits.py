"""Brute-force limits: failed logins per account and per address, registrations per address."""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta

import pytest
from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy import insert, select
from sqlmodel import col

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.core.db import Connection, Statement
from {{ cookiecutter.package_name }}.core.security.limits import Limit
from {{ cookiecutter.package_name }}.main import create_app
from {{ cookiecutter.package_name }}.models import AttemptCounter
from {{ cookiecutter.package_name }}.models.base import utc_now
from {{ cookiecutter.package_name }}.services import attempts
from {{ cookiecutter.package_name }}.services.attempts import TooManyAttemptsError

from tests.conftest import PASSWORD, TransactionalDatabase, run

ATTACKER = ("203.0.113.7", 40000)
ClientFactory = Callable[..., AbstractAsyncContextManager[AsyncClient]]


def limited(settings: Settings, connection: Connection) -> ClientFactory:
    """Clients of one app with `settings`, each from the address it is given."""

    @asynccontextmanager
    async def client(address: tuple[str, int] = ("127.0.0.1", 123)) -> AsyncIterator[AsyncClient]:
        app = create_app(settings)
        app.state.database = TransactionalDatabase(connection)
        transport = ASGITransport(app=app, client=address)
        async with AsyncClient(transport=transport, base_url="http://test") as http:
            yield http

    return client


def with_limits(settings: Settings, **limits: int) -> Settings:
    return settings.model_copy(update=limits)


async def register(client: AsyncClient, email: str) -> Response:
    return await client.post(
        "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "full_name": "A"}
    )


async def log_in(client: AsyncClient, email: str, password: str = PASSWORD) -> Response:
    return await client.post("/api/v1/auth/token", data={"username": email, "password": password})


def assert_throttled(response: Response, *, within: int) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert 1 <= int(response.headers["retry-after"]) <= within


async def test_failed_logins_block_the_account_even_for_the_right_password(
    settings: Settings, connection: Connection
) -> None:
    clients = limited(with_limits(settings, login_failures_per_account=3), connection)
    async with clients() as owner, clients(ATTACKER) as attacker:
        assert (await register(owner, "target@example.com")).status_code == 201
        assert (await register(owner, "bystander@example.com")).status_code == 201
        for _ in range(3):
            assert (await log_in(attacker, "target@example.com", "guess123")).status_code == 401
        assert_throttled(await log_in(owner, "Target@example.com"), within=15 * 60)
        assert_throttled(await log_in(attacker, "target@example.com", "guess123"), within=15 * 60)
        assert (await log_in(attacker, "bystander@example.com")).status_code == 200


async def test_failed_logins_block_the_address_across_accounts(
    settings: Settings, connection: Connection
) -> None:
    clients = limited(with_limits(settings, login_failures_per_address=3), connection)
    async with clients() as owner, clients(ATTACKER) as attacker:
        assert (await register(owner, "first@example.com")).status_code == 201
        for number in range(3):
            wrong = await log_in(attacker, f"nobody-{number}@example.com", "guess123")
            assert wrong.status_code == 401
        assert_throttled(await log_in(attacker, "first@example.com"), within=15 * 60)
        assert (await log_in(owner, "first@example.com")).status_code == 200


async def test_a_success_does_not_reset_another_clients_count(
    settings: Settings, connection: Connection
) -> None:
    clients = limited(with_limits(settings, login_failures_per_account=3), connection)
    async with clients() as owner, clients(ATTACKER) as attacker:
        assert (await register(owner, "target@example.com")).status_code == 201
        for _ in range(2):
            assert (await log_in(attacker, "target@example.com", "guess123")).status_code == 401
        assert (await log_in(owner, "target@example.com")).status_code == 200
        assert (await log_in(attacker, "target@example.com", "guess123")).status_code == 401
        assert_throttled(await log_in(owner, "target@example.com"), within=15 * 60)


async def test_successful_logins_are_not_counted_against_the_limit(
    settings: Settings, connection: Connection
) -> None:
    clients = limited(with_limits(settings, login_failures_per_account=2), connection)
    async with clients() as owner:
        assert (await register(owner, "regular@example.com")).status_code == 201
        for _ in range(4):
            assert (await log_in(owner, "regular@example.com")).status_code == 200


async def test_logins_work_again_once_the_window_has_passed(
    settings: Settings, connection: Connection
) -> None:
    short = with_limits(settings, login_failures_per_account=2, login_failure_window_seconds=1)
    async with limited(short, connection)() as client:
        assert (await register(client, "patient@example.com")).status_code == 201
        for _ in range(2):
            assert (await log_in(client, "patient@example.com", "guess123")).status_code == 401
        assert_throttled(await log_in(client, "patient@example.com"), within=1)
        await asyncio.sleep(1.1)
        assert (await log_in(client, "patient@example.com")).status_code == 200


async def test_registrations_are_limited_per_address(
    settings: Settings, connection: Connection
) -> None:
    clients = limited(with_limits(settings, registrations_per_address=2), connection)
    async with clients(ATTACKER) as attacker, clients() as other:
        assert (await register(attacker, "one@example.com")).status_code == 201
        assert (await register(attacker, "one@example.com")).status_code == 409, "counts too"
        assert_throttled(await register(attacker, "two@example.com"), within=60 * 60)
        assert (await register(other, "two@example.com")).status_code == 201


async def test_an_attempt_reserved_past_the_limit_is_refused(
    database: TransactionalDatabase,
) -> None:
    limit = Limit("test", attempts=1, window=timedelta(minutes=1))
    async with database.session(read_only=False) as session:
        await attempts.reserve(session, attempts=[(limit, "198.51.100.1")])
        with pytest.raises(TooManyAttemptsError) as refused:
            await attempts.reserve(session, attempts=[(limit, "198.51.100.1")])
    assert refused.value.retry_after_seconds in {59, 60}


async def test_an_attempt_purges_counters_whose_window_has_ended(
    database: TransactionalDatabase, connection: Connection
) -> None:
    now = utc_now()
    ended = [
        {"key": f"test:ended-{number}", "hits": 9, "max_hits": 1, "window_ends_at": now}
        for number in range(3)
    ]
    live = {
        "key": "test:live",
        "hits": 1,
        "max_hits": 5,
        "window_ends_at": now + timedelta(hours=1),
    }
    await run(connection, insert(AttemptCounter).values([*ended, live]))
    limit = Limit("test", attempts=5, window=timedelta(minutes=1))

    async with database.session(read_only=False) as session:
        async with session.committed():
            await attempts.reserve(session, attempts=[(limit, "198.51.100.9")])
        keys = await session.fetch_all(Statement(select(col(AttemptCounter.key))))

    assert {row["key"] for row in keys} == {"test:live", "test:198.51.100.9"}
