"""Security headers on every response, errors included, and the API docs off outside local."""

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response

from {{ cookiecutter.package_name }}.core.config import Environment, Settings
from {{ cookiecutter.package_name }}.main import create_app

{% if cookiecutter.auth == "local" -%}
from tests.conftest import PASSWORD, UserFactory, answer_to_a_failing_route
{%- else -%}
from tests.conftest import answer_to_a_failing_route
{%- endif %}

DOCS_PATHS = ["/openapi.json", "/docs", "/redoc"]


def assert_security_headers(response: Response, *, no_store: bool) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert (response.headers.get("cache-control") == "no-store") is no_store, response.headers


{% if cookiecutter.auth == "local" -%}
async def test_api_answers_and_errors_are_never_stored(
    client: AsyncClient, app: FastAPI, register: UserFactory
) -> None:
    user = await register()
    token = await client.post(
        app.url_path_for("token"), data={"username": user["email"], "password": PASSWORD}
    )
    wrong = await client.post(
        app.url_path_for("token"), data={"username": user["email"], "password": "wrong pass"}
    )
    anonymous = await client.get(app.url_path_for("list_todos"))
    invalid = await client.get(app.url_path_for("list_todos"), params={"limit": 0})
    missing = await client.get("/api/v1/nothing-here")
    responses = [token, wrong, anonymous, invalid, missing]
    assert [response.status_code for response in responses] == [200, 401, 401, 401, 404]
{%- else -%}
async def test_api_answers_and_errors_are_never_stored(
    client: AsyncClient, app: FastAPI, auth_headers: dict[str, str]
) -> None:
    me = await client.get(app.url_path_for("read_me"), headers=auth_headers)
    wrong = await client.get(app.url_path_for("read_me"), headers={"Authorization": "Bearer x"})
    anonymous = await client.get(app.url_path_for("list_todos"))
    invalid = await client.get(app.url_path_for("list_todos"), params={"limit": 0})
    missing = await client.get("/api/v1/nothing-here")
    responses = [me, wrong, anonymous, invalid, missing]
    assert [response.status_code for response in responses] == [200, 401, 401, 401, 404]
{%- endif %}
    for response in responses:
        assert_security_headers(response, no_store=True)


async def test_public_answers_carry_the_headers_but_may_be_cached(client: AsyncClient) -> None:
    assert_security_headers(await client.get("/health/live"), no_store=False)
    assert_security_headers(await client.get("/no-such-page"), no_store=False)


async def test_a_500_carries_the_headers(settings: Settings) -> None:
    """The 500 handler runs outside every middleware, so it sets them itself."""
    response = await answer_to_a_failing_route(settings, RuntimeError(), "/api/v1/_test/boom")
    assert response.status_code == 500
    assert_security_headers(response, no_store=True)


async def _docs_statuses(settings: Settings) -> list[int]:
    app = create_app(settings)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        return [(await client.get(path)).status_code for path in DOCS_PATHS]


@pytest.mark.parametrize("environment", [Environment.TEST, Environment.PRODUCTION])
async def test_docs_are_off_outside_local(settings: Settings, environment: Environment) -> None:
    assert await _docs_statuses(settings.model_copy(update={"environment": environment})) == [
        404,
        404,
        404,
    ]


async def test_docs_are_on_in_local(settings: Settings) -> None:
    local = settings.model_copy(update={"environment": Environment.LOCAL})
    assert await _docs_statuses(local) == [200, 200, 200]


async def test_a_setting_turns_docs_on_in_production(settings: Settings) -> None:
    production = settings.model_copy(
        update={"environment": Environment.PRODUCTION, "api_docs": True}
    )
    assert await _docs_statuses(production) == [200, 200, 200]


async def test_a_setting_turns_docs_off_in_local(settings: Settings) -> None:
    local = settings.model_copy(update={"environment": Environment.LOCAL, "api_docs": False})
    assert await _docs_statuses(local) == [404, 404, 404]
