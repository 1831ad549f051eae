"""Liveness and readiness probes."""

import time

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from pydantic import PostgresDsn{% if cookiecutter.auth == "local" %}, SecretStr{% endif %}

from {{ cookiecutter.package_name }}.core.config import Environment, Settings
from {{ cookiecutter.package_name }}.main import create_app

{% if cookiecutter.auth == "local" -%}
from tests.conftest import CHEAP_HASHING, TEST_SECRET_KEY
from tests.mail import NOWHERE
{%- else -%}
from tests.identity_provider import AUDIENCE, IdentityProvider
{%- endif %}


async def test_live_answers_ok(client: AsyncClient, app: FastAPI) -> None:
    response = await client.get(app.url_path_for("live"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_answers_ok_when_the_database_answers(
    client: AsyncClient, app: FastAPI
) -> None:
    response = await client.get(app.url_path_for("ready"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


{% if cookiecutter.auth == "local" -%}
async def test_ready_and_api_answer_503_quickly_while_the_database_is_down() -> None:
    # Port 1 on localhost refuses connections: the database is "down".
    settings = Settings(
        _env_file=None,
        environment=Environment.TEST,
        database_url=PostgresDsn("postgresql+asyncpg://nobody:nothing@127.0.0.1:1/none"),
        secret_key=SecretStr(TEST_SECRET_KEY),
        **NOWHERE,
        **CHEAP_HASHING,
    )
{%- else -%}
async def test_ready_and_api_answer_503_quickly_while_the_database_is_down(
    identity_provider: IdentityProvider,
) -> None:
    # Port 1 on localhost refuses connections: the database is "down".
    settings = Settings(
        _env_file=None,
        environment=Environment.TEST,
        database_url=PostgresDsn("postgresql+asyncpg://nobody:nothing@127.0.0.1:1/none"),
        oidc_issuer=identity_provider.issuer,
        oidc_audience=AUDIENCE,
    )
{%- endif %}
    app = create_app(settings)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        started = time.monotonic()
        ready = await client.get(app.url_path_for("ready"))
        ready_seconds = time.monotonic() - started
        started = time.monotonic()
{%- if cookiecutter.auth == "local" %}
        register = await client.post(
            app.url_path_for("register"),
            json={"email": "down@example.com", "password": "long enough", "full_name": "Down"},
        )
{%- else %}
        token = identity_provider.token("down")
        register = await client.get(
            app.url_path_for("read_me"), headers={"Authorization": f"Bearer {token}"}
        )
{%- endif %}
        api_seconds = time.monotonic() - started

    assert ready.status_code == 503
    assert ready.headers["content-type"] == "application/problem+json"
    assert ready_seconds < 2
    assert register.status_code == 503
    assert register.json()["status"] == 503
    assert api_seconds < 10
