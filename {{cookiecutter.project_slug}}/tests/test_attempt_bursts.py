"""Brute-force limits hold against a burst: concurrent attempts over a real pool, not one by one."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from pydantic import PostgresDsn

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.core.security.passwords import PasswordHasher, Verification
from {{ cookiecutter.package_name }}.main import create_app

from tests.conftest import PASSWORD
from tests.database import create_migrated_engine, related_database_url

LIMIT = 3
BURST = 10
# Slow enough that every attempt of a burst is in flight before the first hash ends.
HASHING: dict[str, Any] = {
    "password_hash_time_cost": 2,
    "password_hash_memory_kib": 8 * 1024,
    "password_hash_parallelism": 1,
}


@pytest.fixture
async def app(settings: Settings, database_url: str) -> AsyncIterator[FastAPI]:
    """The app on its own pool, in a fresh database of its own: every request commits."""
    burst = settings.model_copy(
        update={
            **HASHING,
            "database_url": PostgresDsn(related_database_url(database_url, "_burst")),
            "login_failures_per_account": LIMIT,
            "login_failures_per_address": LIMIT,
            "registrations_per_address": LIMIT,
        }
    )
    engine = await create_migrated_engine(str(burst.database_url))
    await engine.dispose()
    app = create_app(burst)
    yield app
    await app.state.database.dispose()


@pytest.fixture
def hashes_checked(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The password of every verification and hash the app runs, as it runs it."""
    hasher: PasswordHasher = app.state.password_hasher
    seen: list[str] = []
    verify, hash_password = hasher.verify, hasher.hash

    async def counted_verify(password: str, password_hash: str | None) -> Verification:
        seen.append(password)
        return await verify(password, password_hash)

    async def counted_hash(password: str) -> str:
        seen.append(password)
        return await hash_password(password)

    monkeypatch.setattr(hasher, "verify", counted_verify)
    monkeypatch.setattr(hasher, "hash", counted_hash)
    return seen


Request = Callable[[AsyncClient, int], Awaitable[Response]]


async def _burst(app: FastAPI, request: Request, *, one_address: bool) -> list[int]:
    """The statuses of `BURST` requests sent at once, from one address or each from its own."""

    async def send(number: int) -> Response:
        address = ("203.0.113.7" if one_address else f"198.51.100.{number}", 40000 + number)
        transport = ASGITransport(app=app, client=address)
        async with AsyncClient(transport=transport, base_url="http://test") as client:
            return await request(client, number)

    responses = await asyncio.gather(*(send(number) for number in range(BURST)))
    return sorted(response.status_code for response in responses)


async def _register(app: FastAPI, email: str) -> None:
    transport = ASGITransport(app=app, client=("192.0.2.1", 1))
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        body = {"email": email, "password": PASSWORD, "full_name": "Target"}
        response = await client.post(app.url_path_for("register"), json=body)
    assert response.status_code == 201, response.text


async def test_a_burst_of_guesses_at_one_account_checks_only_the_limit(
    app: FastAPI, hashes_checked: list[str]
) -> None:
    await _register(app, "target@example.com")
    hashes_checked.clear()

    async def guess(client: AsyncClient, number: int) -> Response:
        form = {"username": "target@example.com", "password": f"guess-{number}"}
        return await client.post(app.url_path_for("token"), data=form)

    statuses = await _burst(app, guess, one_address=False)

    assert statuses == [401] * LIMIT + [429] * (BURST - LIMIT)
    assert len(hashes_checked) == LIMIT


async def test_a_burst_from_one_address_across_accounts_checks_only_the_limit(
    app: FastAPI, hashes_checked: list[str]
) -> None:
    async def guess(client: AsyncClient, number: int) -> Response:
        form = {"username": f"nobody-{number}@example.com", "password": "guess"}
        return await client.post(app.url_path_for("token"), data=form)

    statuses = await _burst(app, guess, one_address=True)

    assert statuses == [401] * LIMIT + [429] * (BURST - LIMIT)
    assert len(hashes_checked) == LIMIT


async def test_a_burst_of_registrations_from_one_address_creates_only_the_limit(
    app: FastAPI, hashes_checked: list[str]
) -> None:
    async def sign_up(client: AsyncClient, number: int) -> Response:
        body = {"email": f"new-{number}@example.com", "password": PASSWORD, "full_name": "N"}
        return await client.post(app.url_path_for("register"), json=body)

    statuses = await _burst(app, sign_up, one_address=True)

    assert statuses == [201] * LIMIT + [429] * (BURST - LIMIT)
    assert len(hashes_checked) == LIMIT
