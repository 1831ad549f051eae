"""Fixtures: one migrated database per worker, one rolled-back transaction per test."""

{% if cookiecutter.auth == "oidc" -%}
import os
{% endif -%}
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
{% if cookiecutter.auth == "local" -%}
from typing import Any
{% endif -%}
from uuid import uuid4

import asyncpg
import pytest
from asyncpg.transaction import Transaction
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from pydantic import PostgresDsn{% if cookiecutter.auth == "local" %}, SecretStr{% endif %}
{%- if cookiecutter.auth == "local" %}
from sqlalchemy import ClauseElement, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col
{%- else %}
from sqlalchemy import ClauseElement
from sqlalchemy.ext.asyncio import AsyncEngine
{%- endif %}

from {{ cookiecutter.package_name }}.core.config import Environment, Settings
from {{ cookiecutter.package_name }}.core.db import (
    Connection,
    Database,
    Statement,
    connect_arguments,
)
from {{ cookiecutter.package_name }}.main import create_app
{%- if cookiecutter.auth == "local" %}
from {{ cookiecutter.package_name }}.models import User
{%- endif %}

from tests.database import (
    choose_test_database,
    create_migrated_engine,
    database_url_from_environment,
    worker_database_url,
)
{%- if cookiecutter.auth == "oidc" %}
from tests.identity_provider import AUDIENCE, IdentityProvider, running_identity_provider

# The suite's environment names a provider, as a deployment's would; the `settings`
# fixture points the app at the provider the tests run (`identity_provider`).
os.environ.setdefault("OIDC_ISSUER", "https://identity.invalid/")
os.environ.setdefault("OIDC_AUDIENCE", AUDIENCE)
{%- else %}
from tests.mail import NOWHERE, Inbox, smtp_server

TEST_SECRET_KEY = "test-secret-key-long-enough-for-every-hmac-algorithm-0123456789abcdef"
PASSWORD = "correct horse battery staple"
{%- endif %}
DATABASE_LINE = pytest.StashKey[str]()
{%- if cookiecutter.auth == "local" %}
# Argon2 at a low cost: production's fifth of a second per hash was half the suite's time.
# Hashing and verification stay real; only the work factor differs.
CHEAP_HASHING: dict[str, Any] = {
    "password_hash_time_cost": 1,
    "password_hash_memory_kib": 1024,
    "password_hash_parallelism": 1,
}
{%- endif %}
# House-rule tests are named for their rule: `test_r5_...` checks R5.
RULE_TEST = re.compile(r"::test_r(\d+)_")


def pytest_configure(config: pytest.Config) -> None:
    """Choose the test database once, in the process that starts the xdist workers."""
    if not hasattr(config, "workerinput"):
        config.stash[DATABASE_LINE] = choose_test_database()


def pytest_report_header(config: pytest.Config) -> str:
    """Say which database the run uses."""
    return config.stash[DATABASE_LINE]


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int) -> None:
    """End a failed run with one line naming what failed: which tests, which house rules."""
    failed = [
        report.nodeid
        for kind in ("failed", "error")
        for report in terminalreporter.stats.get(kind, [])
    ]
    if failed:
        files = sorted({nodeid.partition("::")[0] for nodeid in failed})
        numbers = sorted({int(number) for number in RULE_TEST.findall(" ".join(failed))})
        rules = ", ".join(f"R{number}" for number in numbers)
        about = f" (house rules {rules}; see docs/RULES.md)" if rules else ""
        terminalreporter.write_line(f"FAILED: tests in {', '.join(files)}{about}")
    elif exitstatus == pytest.ExitCode.TESTS_FAILED:  # Only the coverage floor fails so.
        terminalreporter.write_line(
            "FAILED: coverage under the floor (house rule R10 tests embody the rules)"
        )


class TransactionalDatabase(Database):
    """Hands out sessions inside the test's open transaction, split like production's.

    Each session runs in a savepoint of the test's transaction, so a commit
    only releases it and the test's rollback undoes everything. Read-only
    sessions' savepoints are read-only too: a write slipped into a GET fails
    here as it fails on production's read-only connections, and rolling the
    savepoint back makes the test's transaction writable again.
    """

    def __init__(self, connection: Connection) -> None:
        # No pools of their own (so no super().__init__): the test's
        # connection is the only one the app may use.
        self.echo = False
        self.connection = connection

    async def acquire(self, *, read_only: bool) -> Connection:  # noqa: ARG002 - one for both
        """The test's connection."""
        return self.connection

    async def begin(self, connection: Connection, *, read_only: bool) -> Transaction:
        """A savepoint of the test's transaction, read-only if asked."""
        savepoint = connection.transaction()
        await savepoint.start()
        if read_only:
            await connection.execute("SET LOCAL transaction_read_only = on")
        return savepoint

    async def release(self, connection: Connection, *, read_only: bool) -> None:
        """Nothing to give back: the test's connection stays with the test."""

    async def dispose(self) -> None:
        """Nothing to close: the test's connection is the fixture's."""


async def run(connection: Connection, statement: ClauseElement) -> object:
    """Run a Core statement for a test's set-up or check; the first value it returns, if any."""
    compiled = Statement(statement).compile({})
    return await connection.fetchval(compiled.sql, *compiled.arguments({}))


@pytest.fixture(scope="session")
def database_url(worker_id: str) -> str:
    """This worker's own database, on the server `TEST_DATABASE_URL` names."""
    return worker_database_url(database_url_from_environment(), worker_id)
{%- if cookiecutter.auth == "oidc" %}


@pytest.fixture(scope="session")
def identity_provider() -> Iterator[IdentityProvider]:
    """The identity provider the app trusts, answering for the whole run."""
    with running_identity_provider() as provider:
        yield provider


@pytest.fixture(scope="session")
def settings(database_url: str, identity_provider: IdentityProvider) -> Settings:
    """Settings as a deployed test environment would have them, trusting the tests' provider."""
    return Settings(
        _env_file=None,
        environment=Environment.TEST,
        database_url=PostgresDsn(database_url),
        oidc_issuer=identity_provider.issuer,
        oidc_audience=AUDIENCE,
    )
{%- else %}


@pytest.fixture(scope="session")
def mail_server() -> Iterator[tuple[int, Inbox]]:
    """This worker's SMTP server: its port, and the inbox of every message it accepted."""
    with smtp_server() as server:
        yield server


@pytest.fixture
def inbox(mail_server: tuple[int, Inbox]) -> Inbox:
    """The messages the service sends, emptied before each test."""
    _, inbox = mail_server
    inbox.messages.clear()
    return inbox


@pytest.fixture(scope="session")
def settings(database_url: str, mail_server: tuple[int, Inbox]) -> Settings:
    """Settings as a deployed test environment would have them, mailing the tests' server."""
    port, _ = mail_server
    return Settings(
        _env_file=None,
        environment=Environment.TEST,
        database_url=PostgresDsn(database_url),
        secret_key=SecretStr(TEST_SECRET_KEY),
        **CHEAP_HASHING,
        **(NOWHERE | {"smtp_port": port}),
    )
{%- endif %}


@pytest.fixture(scope="session")
async def migrated_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """The worker's database, recreated and upgraded to head by Alembic once per run."""
    engine = await create_migrated_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def pool(migrated_engine: AsyncEngine, database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """Connections to the worker's migrated database, shared by the tests one at a time."""
    del migrated_engine  # Only its migrations are needed here.
    async with asyncpg.create_pool(
        **connect_arguments(database_url), min_size=1, max_size=2
    ) as pool:
        yield pool


@pytest.fixture
async def connection(pool: asyncpg.Pool) -> AsyncIterator[Connection]:
    """A connection in a transaction that is rolled back after the test."""
    async with pool.acquire() as connection:
        transaction = connection.transaction()
        await transaction.start()
        yield connection
        await transaction.rollback()


@pytest.fixture
def database(connection: Connection) -> TransactionalDatabase:
    """The app's database for a test: sessions in savepoints of the test's transaction."""
    return TransactionalDatabase(connection)


@pytest.fixture
def app(settings: Settings, database: TransactionalDatabase) -> FastAPI:
    """The real app, its database sessions joined to the test's transaction."""
    app = create_app(settings)
    app.state.database = database
    return app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """An HTTP client speaking to the app in process."""
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        yield client


async def answer_to_a_failing_route(
    settings: Settings, error: Exception, path: str = "/_test/boom"
) -> Response:
    """The answer to `GET path` on a new app whose handler there raises `error`, as a bug would."""
    app = create_app(settings)

    async def fail() -> None:
        raise error

    app.add_api_route(path, fail, methods=["GET"])
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path)


{% if cookiecutter.auth == "local" -%}
UserFactory = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def register(client: AsyncClient, app: FastAPI) -> UserFactory:
    """Register a user through the API and return its JSON body."""

    async def register(email: str | None = None, password: str = PASSWORD) -> dict[str, Any]:
        body = {
            "email": email or f"user-{uuid4().hex}@example.com",
            "password": password,
            "full_name": "Test User",
        }
        response = await client.post(app.url_path_for("register"), json=body)
        assert response.status_code == 201, response.text
        user: dict[str, Any] = response.json()
        return user

    return register


LoginFactory = Callable[..., Awaitable[dict[str, str]]]


@pytest.fixture
def login(
    client: AsyncClient, app: FastAPI, register: UserFactory, connection: Connection
) -> LoginFactory:
    """Register a user (a superuser with `superuser=True`), log in, and return bearer headers."""

    async def login(*, superuser: bool = False) -> dict[str, str]:
        user = await register()
        if superuser:
            await run(
                connection,
                update(User).where(col(User.email) == user["email"]).values(is_superuser=True),
            )
        response = await client.post(
            app.url_path_for("token"),
            data={"grant_type": "password", "username": user["email"], "password": PASSWORD},
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    return login


{% else -%}
LoginFactory = Callable[..., Awaitable[dict[str, str]]]


@pytest.fixture
def login(identity_provider: IdentityProvider) -> LoginFactory:
    """Bearer headers of a new subject of the provider, with `roles` (and the superuser one)."""

    async def login(*, superuser: bool = False, roles: tuple[str, ...] = ()) -> dict[str, str]:
        roles = (*roles, "admin") if superuser else roles
        token = identity_provider.token(f"subject-{uuid4().hex}", roles=roles)
        return {"Authorization": f"Bearer {token}"}

    return login


{% endif -%}
@pytest.fixture
async def auth_headers(login: LoginFactory) -> dict[str, str]:
    """Bearer headers of a freshly registered user."""
    return await login()


@pytest.fixture
async def superuser_headers(login: LoginFactory) -> dict[str, str]:
    """Bearer headers of a freshly registered user, made a superuser{% if cookiecutter.auth == "local" %} in the database{% else %} by its role{% endif %}."""
    return await login(superuser=True)
