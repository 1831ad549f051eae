"""Logs: one structured access line per request, written by the app; uvicorn's own is off."""

import json
import logging
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import pytest
import uvicorn
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.core.logging import configure_logging
from {{ cookiecutter.package_name }}.main import create_app

ACCESS_FIELDS = {"method", "route", "status", "duration_ms", "request_id", "client"}


def access_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    """The access lines written to stdout since the last call, parsed."""
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    return [line for line in lines if line.get("logger") == "access"]


def test_uvicorn_writes_no_access_line_of_its_own(capsys: pytest.CaptureFixture[str]) -> None:
    # uvicorn sets up its loggers, then importing the app configures logging.
    uvicorn.Config("{{ cookiecutter.package_name }}.main:app", access_log=True)
    configure_logging(json_logs=True)
    access = logging.getLogger("uvicorn.access")
    # uvicorn's protocols log access lines only when this holds.
    assert not access.hasHandlers()
    logging.getLogger("uvicorn.error").info("Application startup complete.")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    assert [line["logger"] for line in lines] == ["uvicorn.error"]


async def test_one_line_per_request_with_the_route_template(
    capsys: pytest.CaptureFixture[str],
    client: AsyncClient,
    app: FastAPI,
    auth_headers: dict[str, str],
) -> None:
    create = app.url_path_for("create_todo")
    created = await client.post(create, json={"title": "a"}, headers=auth_headers)
    capsys.readouterr()
    request_id = str(uuid4())
    path = app.url_path_for("get_todo", todo_id=created.json()["id"])
    response = await client.get(path, headers=auth_headers | {"X-Request-ID": request_id})
    assert response.status_code == 200

    (line,) = access_lines(capsys)
    assert set(line) >= ACCESS_FIELDS
    assert (line["level"], line["event"], line["method"]) == ("info", "request", "GET")
    assert line["timestamp"].endswith("Z")
    assert line["route"] == "/api/v1/todos/{todo_id}"
    assert line["status"] == 200
    assert line["request_id"] == request_id
    assert line["client"] == "127.0.0.1"
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] >= 0


async def test_an_unmatched_path_is_logged_without_a_route(
    capsys: pytest.CaptureFixture[str], client: AsyncClient
) -> None:
    await client.get("/nowhere/4711")
    (line,) = access_lines(capsys)
    assert (line["route"], line["status"]) == (None, 404)


@pytest.fixture
async def failing_client(settings: Settings) -> AsyncIterator[AsyncClient]:
    """A client of an app with a route that raises, answered 500 by the server."""
    app = create_app(settings)

    @app.get("/_test/boom/{item}")
    async def boom(item: str) -> None:
        """Fail the way a bug would."""
        raise RuntimeError(item)

    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def test_an_unhandled_exception_is_logged_as_a_500(
    capsys: pytest.CaptureFixture[str], failing_client: AsyncClient
) -> None:
    assert (await failing_client.get("/_test/boom/x")).status_code == 500
    (line,) = access_lines(capsys)
    assert (line["route"], line["status"]) == ("/_test/boom/{item}", 500)


@pytest.fixture
async def probing_client(settings: Settings) -> AsyncIterator[AsyncClient]:
    """A client of an app that logs its successful health probes too."""
    app = create_app(settings.model_copy(update={"access_log_probes": True}))
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        yield client


async def test_successful_probes_are_quiet_unless_asked_for(
    capsys: pytest.CaptureFixture[str], client: AsyncClient, probing_client: AsyncClient
) -> None:
    assert (await client.get("/health/live")).status_code == 200
    assert access_lines(capsys) == []
    assert (await probing_client.get("/health/live")).status_code == 200
    (line,) = access_lines(capsys)
    assert (line["route"], line["status"]) == ("/health/live", 200)
