"""Traces: a caller's trace continued, a span per statement without its values, ids in the logs."""

import json
import socket
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any
from uuid import uuid4

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.core.tracing import Tracing
from {{ cookiecutter.package_name }}.main import create_app

from tests.conftest import TransactionalDatabase

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN_ID = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{CALLER_SPAN_ID}-01"


@pytest.fixture
def exported() -> InMemorySpanExporter:
    """Where the traced app's spans go, as each one ends."""
    return InMemorySpanExporter()


@pytest.fixture
async def traced(
    settings: Settings, database: TransactionalDatabase, exported: InMemorySpanExporter
) -> AsyncIterator[AsyncClient]:
    """A client of the app traced to `exported`; its statement spans stop after the test."""
    tracing = Tracing.to(SimpleSpanProcessor(exported))
    app = create_app(settings, tracing=tracing)
    app.state.database = database
    try:
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
            yield client
    finally:
        tracing.shutdown()


def _lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]


def _server_span(spans: Sequence[ReadableSpan]) -> ReadableSpan:
    (server,) = [span for span in spans if span.kind is SpanKind.SERVER]
    return server


async def test_a_request_continues_the_callers_trace_with_a_span_per_statement(
    capsys: pytest.CaptureFixture[str],
    client: AsyncClient,
    app: FastAPI,
    auth_headers: dict[str, str],
    traced: AsyncClient,
    exported: InMemorySpanExporter,
) -> None:
    title = f"secret-{uuid4()}"
    created = await client.post(
        app.url_path_for("create_todo"), json={"title": title}, headers=auth_headers
    )
    todo_id = created.json()["id"]
    path = app.url_path_for("get_todo", todo_id=todo_id)
    capsys.readouterr()
    exported.clear()

    response = await traced.get(path, headers={**auth_headers, "traceparent": TRACEPARENT})
    assert response.status_code == 200

    spans = exported.get_finished_spans()
    server = _server_span(spans)
    assert server.context is not None
    assert format(server.context.trace_id, "032x") == TRACE_ID
    assert server.parent is not None
    assert format(server.parent.span_id, "016x") == CALLER_SPAN_ID
    assert server.name == "GET /api/v1/todos/{todo_id}"
    assert server.attributes is not None
    assert server.attributes["http.route"] == "/api/v1/todos/{todo_id}"

    statements = [span for span in spans if span.kind is SpanKind.CLIENT]
    texts = [str((span.attributes or {}).get("db.statement", "")) for span in statements]
    (read,) = [text for text in texts if "FROM todos" in text]
    assert "$1" in read, "the statement's text, its placeholders unbound"
    assert any("FROM users" in text for text in texts), "the caller is looked up: a span too"
    for span in statements:
        assert span.parent is not None
        assert span.parent.span_id == server.context.span_id
        assert span.context is not None
        assert span.context.trace_id == server.context.trace_id
        recorded = json.dumps(dict(span.attributes or {}))
        assert todo_id not in recorded, f"a statement span recorded an argument: {recorded}"

    (access,) = [line for line in _lines(capsys) if line.get("logger") == "access"]
    assert access["trace_id"] == TRACE_ID
    assert access["span_id"] == format(server.context.span_id, "016x")


async def test_without_a_caller_a_request_starts_its_own_trace(
    capsys: pytest.CaptureFixture[str], traced: AsyncClient, exported: InMemorySpanExporter
) -> None:
    assert (await traced.get("/api/v1/todos")).status_code == 401
    server = _server_span(exported.get_finished_spans())
    assert server.parent is None
    assert server.context is not None
    (access,) = [line for line in _lines(capsys) if line.get("logger") == "access"]
    assert access["trace_id"] == format(server.context.trace_id, "032x")


async def test_log_lines_outside_a_span_carry_no_trace_ids(
    capsys: pytest.CaptureFixture[str], traced: AsyncClient
) -> None:
    del traced  # Logging is set up for traces.
    capsys.readouterr()
    import structlog  # noqa: PLC0415 - the logger of this test only

    structlog.get_logger("test").info("outside any request")
    (line,) = _lines(capsys)
    assert "trace_id" not in line


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_a_collector_that_is_down_costs_requests_nothing(
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
    database: TransactionalDatabase,
    client: AsyncClient,
    auth_headers: dict[str, str],
) -> None:
    # Spans leave every few milliseconds, so exports fail while the requests run; each
    # export gives up after a second (the standard variable; the SDK's default is 10 s).
    monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "5")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "1")
    down = f"http://127.0.0.1:{_closed_port()}"
    app = create_app(settings.model_copy(update={"otel_exporter_otlp_endpoint": down}))
    app.state.database = database
    tracing: Tracing = app.state.tracing

    async def timed(client: AsyncClient) -> float:
        started = time.perf_counter()
        for _ in range(20):
            response = await client.get("/api/v1/todos", headers=auth_headers)
            assert response.status_code == 200
        return time.perf_counter() - started

    try:
        untraced_seconds = await timed(client)
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as traced:
            traced_seconds = await timed(traced)
    finally:
        started = time.perf_counter()
        tracing.shutdown()
        shutdown_seconds = time.perf_counter() - started
    assert traced_seconds < 3 * untraced_seconds + 0.5, (traced_seconds, untraced_seconds)
    assert shutdown_seconds < 3, "shutdown waits for the last export at most its timeout"
