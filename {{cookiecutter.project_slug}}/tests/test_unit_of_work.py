"""One transaction per request, committed in one place, before the response is sent."""

import asyncio

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import func, select, text, update
from sqlmodel import col

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.core.db import (
    Connection,
    Database,
    Session,
    Statement,
    StatementError,
)
from {{ cookiecutter.package_name }}.core.errors import AppError
{%- if cookiecutter.auth == "oidc" %}
from {{ cookiecutter.package_name }}.core.security.oidc import InvalidTokenError
{%- endif %}
from {{ cookiecutter.package_name }}.dependencies.database import SessionDep
from {{ cookiecutter.package_name }}.main import create_app
from {{ cookiecutter.package_name }}.models import Todo, User
{%- if cookiecutter.auth == "local" %}
from {{ cookiecutter.package_name }}.services.auth import InvalidCredentialsError
from {{ cookiecutter.package_name }}.services.tokens import RefreshTokenReusedError
from {{ cookiecutter.package_name }}.services.users import EmailTakenError

from tests.conftest import UserFactory, run
{%- else %}
from {{ cookiecutter.package_name }}.services.users import SelfDemotionError, UserNotFoundError

from tests.conftest import run
from tests.identity_provider import IdentityProvider
{%- endif %}


async def test_a_failed_commit_never_answers_2xx(
    app: FastAPI, auth_headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def failing_commit(_session: Session) -> None:
        msg = "commit failed"
        raise RuntimeError(msg)

    monkeypatch.setattr(Session, "commit", failing_commit)
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post(
            app.url_path_for("create_todo"), json={"title": "lost"}, headers=auth_headers
        )
    assert response.status_code == 500


NOW = Statement(select(func.now()))
WRITE = Statement(text("UPDATE users SET full_name = full_name"))
RENAME = Statement(update(User).values(full_name="Renamed"))
NAMES = select(col(User.full_name)).distinct()


{% if cookiecutter.auth == "local" -%}
@pytest.mark.parametrize(
    "error", [EmailTakenError, InvalidCredentialsError, RefreshTokenReusedError]
)
async def test_no_error_keeps_what_the_request_wrote(
    app: FastAPI, register: UserFactory, connection: Connection, error: type[AppError]
) -> None:
    """Whether writes are kept is the request edge's call alone: an error rolls them back."""
    await register()
{%- else -%}
@pytest.mark.parametrize("error", [UserNotFoundError, SelfDemotionError, InvalidTokenError])
async def test_no_error_keeps_what_the_request_wrote(
    app: FastAPI, auth_headers: dict[str, str], connection: Connection, error: type[AppError]
) -> None:
    """Whether writes are kept is the request edge's call alone: an error rolls them back."""
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as first:
        await first.get(app.url_path_for("read_me"), headers=auth_headers)
{%- endif %}

    async def write_then_fail(session: SessionDep) -> None:
        await session.execute(RENAME)
        raise error

    app.add_api_route("/write-then-fail", write_then_fail, methods=["POST"])
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        response = await client.post("/write-then-fail")
    assert response.status_code == error.status_code
    assert await run(connection, NAMES) == "{% if cookiecutter.auth == "local" %}Test User{% else %}Ada Lovelace{% endif %}"


async def _transaction_start_times(session: Session) -> tuple[object, object]:
    first = await session.fetch_value(NOW)
    await asyncio.sleep(0.01)
    second = await session.fetch_value(NOW)
    return first, second


@pytest.mark.usefixtures("migrated_engine")
async def test_reads_run_without_a_transaction_and_writes_in_one(settings: Settings) -> None:
    """`now()` is the transaction's start: it moves between reads, not within a write."""
    database = Database(settings)
    try:
        async with database.session(read_only=True) as reader:
            first, second = await _transaction_start_times(reader)
            assert first != second
        async with database.session(read_only=False) as writer:
            first, second = await _transaction_start_times(writer)
            assert first == second
    finally:
        await database.dispose()


@pytest.mark.usefixtures("migrated_engine")
async def test_read_sessions_cannot_write(settings: Settings) -> None:
    """A write slipped into a GET fails at PostgreSQL instead of autocommitting."""
    database = Database(settings)
    try:
        async with database.session(read_only=True) as reader:
            with pytest.raises(StatementError) as refused:
                await reader.execute(WRITE)
        assert refused.value.sqlstate == "25006"  # read_only_sql_transaction
    finally:
        await database.dispose()


@pytest.mark.usefixtures("migrated_engine")
{%- if cookiecutter.auth == "local" %}
async def test_write_requests_are_committed(settings: Settings) -> None:
    """Against the real session dependency, without the test transaction: data persists."""
    app = create_app(settings)
    email = "committed@example.com"
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        registered = await client.post(
            app.url_path_for("register"),
            json={"email": email, "password": "long enough pw", "full_name": "Committed"},
        )
        token = await client.post(
            app.url_path_for("token"), data={"username": email, "password": "long enough pw"}
        )
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        created = await client.post(
            app.url_path_for("create_todo"), json={"title": "kept"}, headers=headers
        )
    assert (registered.status_code, created.status_code) == (201, 201)
{%- else %}
async def test_write_requests_are_committed(
    settings: Settings, identity_provider: IdentityProvider
) -> None:
    """Against the real session dependency, without the test transaction: data persists."""
    app = create_app(settings)
    headers = {"Authorization": f"Bearer {identity_provider.token('committed')}"}
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        created = await client.post(
            app.url_path_for("create_todo"), json={"title": "kept"}, headers=headers
        )
    assert created.status_code == 201
{%- endif %}

    database: Database = app.state.database
    async with database.session(read_only=False) as session:
        count = await session.fetch_value(Statement(select(func.count()).select_from(Todo)))
        assert count == 1
        await session.execute(Statement(text("TRUNCATE users CASCADE")))
        await session.commit()
    async with app.router.lifespan_context(app):
        pass  # shutdown disposes the pool


async def test_cors_allows_only_configured_origins(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"cors_origins": ["https://app.example"]}))
    preflight = {"Access-Control-Request-Method": "POST"}
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        allowed = await client.options(
            "/api/v1/todos", headers={**preflight, "Origin": "https://app.example"}
        )
        refused = await client.options(
            "/api/v1/todos", headers={**preflight, "Origin": "https://evil.example"}
        )
    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    assert "access-control-allow-origin" not in refused.headers
