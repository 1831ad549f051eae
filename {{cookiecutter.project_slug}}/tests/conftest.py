"""Fixtures: one migrated database per worker, one rolled-back transaction per test."""

from collections.abc import AsyncIterator, Awaitable, Callable
from uuid import uuid4

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from pydantic import PostgresDsn, SecretStr
from pytest_postgresql.executors.proc import PostgreSQLExecutor
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from {{ cookiecutter.package_name }}.core.config import Environment, Settings
from {{ cookiecutter.package_name }}.core.database import Database
from {{ cookiecutter.package_name }}.dependencies.database import get_database
from {{ cookiecutter.package_name }}.main import create_app

from tests.database import (
    create_migrated_engine,
    database_url_from_environment,
    exit_without_database,
    throwaway_server_problem,
    worker_database_url,
)

TEST_SECRET_KEY = "test-secret-key-long-enough-for-every-hmac-algorithm-0123456789abcdef"
PASSWORD = "correct horse battery staple"


class TransactionalDatabase(Database):
    """Hands out sessions that join the test's open transaction instead of committing."""

    def __init__(self, connection: AsyncConnection) -> None:
        # No engine or pool of its own (so no super().__init__): the test's
        # connection is the only one the app may use.
        self.connection = connection

    def session(self, *, read_only: bool) -> AsyncSession:  # noqa: ARG002 - one transaction serves both
        """A session whose commit only releases a savepoint of the test's transaction."""
        return AsyncSession(
            bind=self.connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )


@pytest.fixture(scope="session")
def base_database_url(request: pytest.FixtureRequest) -> str:
    """`TEST_DATABASE_URL`, or a throwaway server started by pytest-postgresql."""
    if url := database_url_from_environment():
        return url
    if problem := throwaway_server_problem():
        exit_without_database(problem)
    server: PostgreSQLExecutor = request.getfixturevalue("postgresql_proc")
    return (
        f"postgresql+asyncpg://{server.user}:{server.password or ''}@{server.host}:{server.port}"
        "/{{ cookiecutter.package_name }}_test"
    )


@pytest.fixture(scope="session")
def database_url(base_database_url: str, worker_id: str) -> str:
    """This worker's own database."""
    return worker_database_url(base_database_url, worker_id)


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    """Settings as a deployed test environment would have them."""
    return Settings(
        _env_file=None,
        environment=Environment.TEST,
        database_url=PostgresDsn(database_url),
        secret_key=SecretStr(TEST_SECRET_KEY),
    )


@pytest.fixture(scope="session")
async def migrated_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """The worker's database, recreated and upgraded to head by Alembic once per run."""
    engine = await create_migrated_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(migrated_engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection in a transaction that is rolled back after the test."""
    async with migrated_engine.connect() as connection:
        transaction = await connection.begin()
        yield connection
        await transaction.rollback()


@pytest.fixture
def app(settings: Settings, connection: AsyncConnection) -> FastAPI:
    """The real app, its database sessions joined to the test's transaction."""
    app = create_app(settings)
    app.dependency_overrides[get_database] = lambda: TransactionalDatabase(connection)
    return app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """An HTTP client speaking to the app in process."""
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        yield client


UserFactory = Callable[..., Awaitable[dict[str, str]]]


@pytest.fixture
def register(client: AsyncClient, app: FastAPI) -> UserFactory:
    """Register a user through the API and return its JSON body."""

    async def register(email: str | None = None, password: str = PASSWORD) -> dict[str, str]:
        body = {
            "email": email or f"user-{uuid4().hex}@example.com",
            "password": password,
            "full_name": "Test User",
        }
        response = await client.post(app.url_path_for("register"), json=body)
        assert response.status_code == 201, response.text
        user: dict[str, str] = response.json()
        return user

    return register


LoginFactory = Callable[..., Awaitable[dict[str, str]]]


@pytest.fixture
def login(client: AsyncClient, app: FastAPI, register: UserFactory) -> LoginFactory:
    """Register a new user, log in with the password grant, and return bearer headers."""

    async def login() -> dict[str, str]:
        user = await register()
        response = await client.post(
            app.url_path_for("token"),
            data={"grant_type": "password", "username": user["email"], "password": PASSWORD},
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    return login


@pytest.fixture
async def auth_headers(login: LoginFactory) -> dict[str, str]:
    """Bearer headers of a freshly registered user."""
    return await login()
