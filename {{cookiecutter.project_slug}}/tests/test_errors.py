"""One error format (house rule R5): RFC 9457 problem+json, with a request id, leaking nothing."""

import json
from collections.abc import AsyncIterator
from uuid import UUID, uuid4

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.main import create_app

from tests.conftest import answer_to_a_failing_route

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "request_id"}


def assert_problem(response_json: dict[str, object], status: int, path: str) -> None:
    assert set(response_json) >= PROBLEM_KEYS
    assert response_json["status"] == status
    assert response_json["type"] == "about:blank"
    assert response_json["instance"] == path


async def test_unknown_path_is_a_problem_404(client: AsyncClient) -> None:
    response = await client.get("/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert_problem(response.json(), 404, "/nowhere")


async def test_wrong_method_is_a_problem_405_allowing_every_method_of_the_path(
    client: AsyncClient, app: FastAPI
) -> None:
    path = app.url_path_for("list_todos")
    response = await client.delete(path)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert_problem(response.json(), 405, path)


{% if cookiecutter.auth == "local" -%}
async def test_r5_422_lists_fields_but_never_echoes_the_input(
    client: AsyncClient, app: FastAPI
) -> None:
    secret = "hunter2-not-long"
    path = app.url_path_for("register")
    response = await client.post(
        path, json={"email": "not-an-email", "password": secret, "full_name": "x" * 300}
    )
    assert response.status_code == 422
    body = response.json()
    assert_problem(body, 422, path)
    assert {tuple(error["loc"]) for error in body["errors"]} == {
        ("body", "email"),
        ("body", "full_name"),
    }
    assert all(set(error) == {"loc", "msg", "type"} for error in body["errors"])
    assert secret not in response.text, "R5 one error format: a 422 echoed the password"
    assert "not-an-email" not in response.text, "R5 one error format: a 422 echoed the input"


async def test_malformed_json_is_a_problem_422(client: AsyncClient, app: FastAPI) -> None:
    response = await client.post(
        app.url_path_for("register"),
        content=b'{"email": ',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


{% else -%}
async def test_r5_422_lists_fields_but_never_echoes_the_input(
    client: AsyncClient, app: FastAPI, auth_headers: dict[str, str]
) -> None:
    secret = "hunter2-not-long"
    path = app.url_path_for("create_todo")
    response = await client.post(
        path, json={"title": secret * 20, "due_date": "not-a-date"}, headers=auth_headers
    )
    assert response.status_code == 422
    body = response.json()
    assert_problem(body, 422, path)
    assert {tuple(error["loc"]) for error in body["errors"]} == {
        ("body", "title"),
        ("body", "due_date"),
    }
    assert all(set(error) == {"loc", "msg", "type"} for error in body["errors"])
    assert secret not in response.text, "R5 one error format: a 422 echoed the input"
    assert "not-a-date" not in response.text, "R5 one error format: a 422 echoed the input"


async def test_malformed_json_is_a_problem_422(
    client: AsyncClient, app: FastAPI, auth_headers: dict[str, str]
) -> None:
    response = await client.post(
        app.url_path_for("create_todo"),
        content=b'{"title": ',
        headers={"content-type": "application/json", **auth_headers},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


{% endif -%}
async def test_well_formed_request_id_is_kept(client: AsyncClient, app: FastAPI) -> None:
    request_id = str(uuid4())
    response = await client.get(app.url_path_for("live"), headers={"X-Request-ID": request_id})
    assert response.headers["x-request-id"] == request_id


async def test_malformed_request_id_is_replaced(client: AsyncClient) -> None:
    response = await client.get("/nowhere", headers={"X-Request-ID": "'; drop table users; --"})
    request_id = response.headers["x-request-id"]
    assert UUID(request_id).version == 4
    assert response.json()["request_id"] == request_id


async def test_r5_unexpected_exception_is_a_bare_500_logged_with_the_request_id(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    response = await answer_to_a_failing_route(settings, RuntimeError("db password is hunter2"))

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert_problem(response.json(), 500, "/_test/boom")
    leaked = [word for word in ("hunter2", "Traceback", "RuntimeError") if word in response.text]
    assert not leaked, f"R5 one error format: the 500 body leaks {leaked}"
    request_id = response.headers["x-request-id"]
    assert response.json()["request_id"] == request_id
    log_lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    errors = [line for line in log_lines if line.get("event") == "unhandled exception"]
    assert errors, "R5: the 500 was not logged"
    assert errors[0]["request_id"] == request_id


@pytest.fixture
async def small_body_client(settings: Settings) -> AsyncIterator[tuple[AsyncClient, FastAPI]]:
    app = create_app(settings.model_copy(update={"max_body_bytes": 1024}))
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        yield client, app


async def test_declared_oversized_body_is_413(
    small_body_client: tuple[AsyncClient, FastAPI],
) -> None:
    client, app = small_body_client
    path = app.url_path_for("{{ 'register' if cookiecutter.auth == 'local' else 'create_todo' }}")
    response = await client.post(
        path, content=b"x" * 2048, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert_problem(response.json(), 413, path)


async def test_streamed_oversized_body_is_413(
    small_body_client: tuple[AsyncClient, FastAPI],
) -> None:
    client, app = small_body_client

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(4):
            yield b"x" * 512

    response = await client.post(
{%- if cookiecutter.auth == "local" %}
        app.url_path_for("register"), content=chunks(), headers={"content-type": "application/json"}
{%- else %}
        app.url_path_for("create_todo"),
        content=chunks(),
        headers={"content-type": "application/json"},
{%- endif %}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("route", "body"),
    [
{%- if cookiecutter.auth == "local" %}
        ("register", {"email": "a@example.com", "password": "long enough", "full_name": "a\x00"}),
{%- endif %}
        ("create_todo", {"title": "a\x00"}),
    ],
    ids=[{% if cookiecutter.auth == "local" %}"register", {% endif %}"create_todo"],
)
async def test_r4_a_nul_the_database_cannot_store_is_our_422_not_a_500(
    client: AsyncClient,
    app: FastAPI,
    auth_headers: dict[str, str],
    route: str,
    body: dict[str, str],
) -> None:
    # json.dumps escapes the NUL as \u0000, which the server decodes back to it.
    response = await client.post(
        app.url_path_for(route),
        content=json.dumps(body),
        headers={"content-type": "application/json", **auth_headers},
    )
    assert response.status_code == 422, "R4 validate at the boundary: a NUL got in"
    field = next(name for name, value in body.items() if "\x00" in value)
    assert response.json()["errors"] == [
        {
            "loc": ["body", field],
            "msg": "Value error, must not contain NUL characters",
            "type": "value_error",
        }
    ]


{% if cookiecutter.auth == "local" -%}
async def test_r4_nul_in_a_form_field_is_422_not_500(client: AsyncClient, app: FastAPI) -> None:
    response = await client.post(
        app.url_path_for("token"), data={"username": "a\x00@example.com", "password": "x"}
    )
    assert response.status_code == 422, "R4 validate at the boundary: a NUL reached the database"


{% endif -%}
def test_every_operation_documents_500_and_503_as_problems(app: FastAPI) -> None:
    """Any operation can fail unexpectedly or find its database down: both are documented once."""
    undocumented = [
        f"{method.upper()} {path} {status}"
        for path, item in app.openapi()["paths"].items()
        for method, operation in item.items()
        for status in ("500", "503")
        if "application/problem+json"
        not in operation["responses"].get(status, {}).get("content", {})
    ]
    assert not undocumented


async def test_an_os_error_outside_the_database_is_a_500_not_a_503(settings: Settings) -> None:
    """Only the database boundary answers 503: a bug elsewhere must not look like an outage."""
    response = await answer_to_a_failing_route(settings, OSError("the disk is full"))
    assert response.status_code == 500
