"""The pure parts of `make bench`: what it compares, how it reads wrk and PostgreSQL, how it summarises."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import shutil
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request as StarletteRequest
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from bench.__main__ import measures_as_published, parse_args
from bench.endpoints import NAMES, endpoints, parity_probes
from bench.load import LoadError, Request, Run, SocketErrors, WrkResult, parse_result, run_wrk, wrk_command
from bench.parity import log_lines_since, normalise_log_line, normalise_response, normalise_statement
from bench.postgres import statements_by_application
from bench.reference_access_log import access_log_middleware, write_access_lines_to
from bench.reference_access_log import logger as access_logger
from bench.report import README_BEGIN, README_END, EndpointFigures, median_ratio, replace_readme_section
from bench.seed import Account, Fixture

TODO = (
    '{"id":"0b6a6f5e-2d4c-4a59-9d1e-3f0a4b8c9d10","title":"x","created_at":"2026-12-02T02:38:03.215214Z",'
    '"updated_at":"2026-12-02T02:38:03Z"}'
)


def test_responses_compare_without_ids_timestamps_or_date() -> None:
    response = httpx.Response(
        201,
        headers={
            "date": "Wed, 02 Dec 2026 02:38:02 GMT",
            "location": "/api/v1/todos/0b6a6f5e-2d4c-4a59-9d1e-3f0a4b8c9d10",
            "x-request-id": "38a17eac4c6a43b38f3d48eeb74ed236",
            "content-type": "application/json",
        },
        text=TODO,
    )
    assert normalise_response(response).splitlines() == [
        "201",
        f"content-length: {len(TODO)}",
        "content-type: application/json",
        "location: /api/v1/todos/<uuid>",
        "x-request-id: <uuid>",
        "",
        '{"id":"<uuid>","title":"x","created_at":"<timestamp>","updated_at":"<timestamp>"}',
    ]


def test_responses_differing_in_a_value_stay_different() -> None:
    completed = httpx.Response(200, json={"completed": True})
    not_completed = httpx.Response(200, json={"completed": False})
    assert normalise_response(completed) != normalise_response(not_completed)


@pytest.mark.parametrize(
    ("logged", "normalised"),
    [
        ("BEGIN ISOLATION LEVEL READ COMMITTED;", "BEGIN"),
        ("BEGIN;", "BEGIN"),
        ("COMMIT;", "COMMIT"),
        ("SELECT a \n\tFROM t \n\tWHERE a = $1::UUID", "SELECT a FROM t WHERE a = $1::UUID"),
        ("BEGIN ISOLATION LEVEL SERIALIZABLE;", "BEGIN ISOLATION LEVEL SERIALIZABLE"),
    ],
)
def test_statements_compare_without_layout(logged: str, normalised: str) -> None:
    assert normalise_statement(logged) == normalised


def test_the_statement_log_is_split_per_application_with_multiline_statements_whole() -> None:
    log = (
        "<todo-service> LOG:  statement: BEGIN;\n"
        "<todo-service> LOG:  execute __asyncpg_stmt_8__: SELECT users.id \n"
        "\tFROM users \n"
        "\tWHERE users.id = $1::UUID\n"
        "<todo-service> DETAIL:  Parameters: $1 = '9b7d9ad3-aa01-459e-a747-e8d2febe13f1'\n"
        "<bench-reference> LOG:  execute __asyncpg_stmt_2__: SELECT 1\n"
        "<todo-service> LOG:  statement: COMMIT;\n"
        "<> LOG:  checkpoint starting: time\n"
    )
    assert statements_by_application(log) == {
        "todo-service": ["BEGIN;", "SELECT users.id \n\tFROM users \n\tWHERE users.id = $1::UUID", "COMMIT;"],
        "bench-reference": ["SELECT 1"],
    }


def test_the_wrk_result_line_is_read_among_wrk_output_with_each_kind_of_error_apart() -> None:
    output = (
        "Running 10s test @ http://127.0.0.1:1/api/v1/todos\n"
        "  Non-2xx or 3xx responses: 3\n"
        'BENCH_RESULT {"requests": 2000, "duration_us": 10000000, "error_statuses": {"503": 2, "401": 1}, '
        '"connect": 0, "read": 1, "write": 0, "timeout": 1, "p50_us": 1500, "p99_us": 12500}\n'
    )
    result = parse_result(output)
    assert result == WrkResult(
        requests=2000,
        seconds=10.0,
        p50_ms=1.5,
        p99_ms=12.5,
        error_statuses={503: 2, 401: 1},
        socket_errors=SocketErrors(read=1, timeout=1),
    )
    assert (result.rps, result.errors) == (200, 5)
    assert result.describe_errors() == "5 errors (401 x1, 503 x2, read 1, timeout 1)"


def test_a_run_without_errors_says_so() -> None:
    assert WrkResult(requests=1, seconds=1, p50_ms=1, p99_ms=1).describe_errors() == "0 errors"


class _HalfBusyHandler(BaseHTTPRequestHandler):
    """Answer 503 on `/busy` and 200 elsewhere, on kept-alive connections."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        status = HTTPStatus.SERVICE_UNAVAILABLE if self.path == "/busy" else HTTPStatus.OK
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the overridden signature
        """Keep the test's output clean."""


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (make bench installs it)")
def test_wrk_reports_error_statuses_by_status_and_no_socket_errors_for_them() -> None:
    with ThreadingHTTPServer(("127.0.0.1", 0), _HalfBusyHandler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            url = f"http://127.0.0.1:{server.server_address[1]}"
            result = run_wrk("wrk", Request("GET", url, ("/ok", "/busy"), {}), connections=2, seconds=1)
        finally:
            server.shutdown()
    assert set(result.error_statuses) == {HTTPStatus.SERVICE_UNAVAILABLE}
    # Each connection alternates; the requests in flight when wrk stops are not counted.
    assert abs(2 * result.error_statuses[HTTPStatus.SERVICE_UNAVAILABLE] - result.requests) <= 2
    assert result.socket_errors == SocketErrors()


def test_wrk_without_a_result_line_is_an_error() -> None:
    with pytest.raises(LoadError, match="BENCH_RESULT"):
        parse_result("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_wrk_gets_the_method_body_and_paths_as_script_arguments_after_the_first_url() -> None:
    paths = ("/api/v1/todos/1", "/api/v1/todos/2")
    request = Request("PATCH", "http://127.0.0.1:1", paths, {"Content-Type": "application/json"}, "{}")
    command = wrk_command("wrk", request, connections=32, seconds=10)
    assert command[:4] == ["wrk", "-t1", "-c32", "-d10s"]
    assert command[-8:] == [
        "-H",
        "Content-Type: application/json",
        "http://127.0.0.1:1/api/v1/todos/1",
        "--",
        "PATCH",
        "{}",
        *paths,
    ]


def test_wrk_gets_an_empty_body_for_none() -> None:
    request = Request("GET", "http://127.0.0.1:1", ("/health/live",), {})
    assert wrk_command("wrk", request, connections=1, seconds=1)[-3:] == ["GET", "", "/health/live"]


def test_the_ratio_is_the_median_of_per_round_ratios() -> None:
    # Per-round ratios 0.5, 0.25 and 0.4; the ratio of the medians (400 / 1000) would hide the spread.
    assert median_ratio([500, 400, 200], [1000, 1600, 500]) == 0.4


def test_endpoint_figures_take_medians_and_sum_errors() -> None:
    def run(rps: int, errors: int, cpu: float) -> Run:
        result = WrkResult(requests=rps * 10, seconds=10, p50_ms=1, p99_ms=rps / 100, error_statuses={503: errors})
        return Run(result, cpu)

    figures = EndpointFigures.from_rounds(
        [run(100, 1, 3.0), run(300, 0, 1.0), run(200, 2, 2.0)], [run(400, 0, 0.5), run(600, 0, 0.4), run(500, 0, 0.6)]
    )
    assert (figures.service_rps, figures.limit_rps, figures.ratio) == (200, 500, 0.4)
    assert (figures.service_p99_ms, figures.service_cpu_ms, figures.limit_cpu_ms) == (2, 2, 0.5)
    assert (figures.errors, figures.limit_errors) == (3, 0)


def test_the_readme_table_is_replaced_between_its_markers_only() -> None:
    readme = f"# Title\n\n{README_BEGIN}\nold table\n{README_END}\n\nmore\n"
    replaced = replace_readme_section(readme, "new table\n")
    assert replaced == f"# Title\n\n{README_BEGIN}\nnew table\n{README_END}\n\nmore\n"
    with pytest.raises(ValueError, match="bench:begin"):
        replace_readme_section("# Title\n", "new table\n")


def test_reads_and_updates_go_round_every_todo_and_a_forged_token_is_probed_too() -> None:
    reader, writer = Account("r@example.com", "pw", "h.c.signature"), Account("w@example.com", "pw", "h.c.other")
    fixture = Fixture(reader=reader, writer=writer, todo_ids=("1", "2"))
    kinds = endpoints(fixture)
    assert tuple(kinds) == NAMES
    assert kinds["update"].paths == kinds["get"].paths == ("/api/v1/todos/1", "/api/v1/todos/2")
    assert kinds["create"].account == writer
    forged = parity_probes(fixture)[-1]
    assert forged.headers == {"Authorization": "Bearer h.c.forged-signature"}


@pytest.mark.parametrize(
    ("arguments", "published"),
    [
        ([], True),
        (["--template", "snapshot"], True),
        (["--duration", "3", "--rounds", "1"], False),
        (["--endpoints", "list"], False),
        (["--no-login-load"], False),
    ],
)
def test_only_the_default_settings_replace_the_published_table(arguments: list[str], *, published: bool) -> None:
    assert measures_as_published(parse_args(arguments)) is published


# The keys of the service's access line, in order, as core/http/access_log.py and core/logging.py's
# JSON renderer write them; the bench's parity check compares the two apps' lines for real.
SERVICE_ACCESS_LINE_KEYS = [
    "method",
    "route",
    "status",
    "duration_ms",
    "client",
    "event",
    "level",
    "logger",
    "timestamp",
    "request_id",
]
REQUEST_ID = "38a17eac4c6a43b38f3d48eeb74ed236"


@pytest.fixture
def access_lines(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """Send the reference's access lines to a buffer; logging is as it was after the test."""
    for name in ("_srcfile", "logThreads", "logProcesses", "logMultiprocessing"):
        monkeypatch.setattr(logging, name, getattr(logging, name))
    for name, value in (("handlers", []), ("level", access_logger.level), ("propagate", access_logger.propagate)):
        monkeypatch.setattr(access_logger, name, value)
    stream = io.StringIO()
    write_access_lines_to(stream)
    return stream


def _with_request_id(app: ASGIApp) -> ASGIApp:
    """Stand in for the reference's request-id middleware."""

    async def call(scope: Scope, receive: Receive, send: Send) -> None:
        scope.setdefault("state", {})["request_id"] = REQUEST_ID
        await app(scope, receive, send)

    return call


async def _ok(_request: StarletteRequest) -> JSONResponse:
    return JSONResponse({})


async def _unavailable(_request: StarletteRequest) -> JSONResponse:
    return JSONResponse({}, HTTPStatus.SERVICE_UNAVAILABLE)


async def _raise(_request: StarletteRequest) -> JSONResponse:
    raise RuntimeError


def _get_from_logged_app(access_lines: io.StringIO, *paths: str) -> list[dict[str, object]]:
    """Send GETs to an app behind the reference's access log; return the lines it wrote."""
    app = Starlette(
        routes=[
            Route("/api/v1/todos/{todo_id:uuid}", _ok),
            Route("/api/v1/broken", _raise),
            Route("/health/live", _ok),
            Route("/health/ready", _unavailable),
        ],
        middleware=[Middleware(_with_request_id), Middleware(access_log_middleware)],
    )

    async def send_all() -> None:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            for path in paths:
                await client.get(path)

    asyncio.run(send_all())
    return [json.loads(line) for line in access_lines.getvalue().splitlines()]


def test_the_reference_writes_the_services_access_line_for_a_request(access_lines: io.StringIO) -> None:
    (line,) = _get_from_logged_app(access_lines, "/api/v1/todos/0b6a6f5e-2d4c-4a59-9d1e-3f0a4b8c9d10")
    assert list(line) == SERVICE_ACCESS_LINE_KEYS
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z", str(line.pop("timestamp")))
    assert isinstance(line.pop("duration_ms"), float)
    assert line == {
        "method": "GET",
        "route": "/api/v1/todos/{todo_id}",
        "status": 200,
        "client": "127.0.0.1",
        "event": "request",
        "level": "info",
        "logger": "access",
        "request_id": REQUEST_ID,
    }


def test_the_reference_skips_successful_health_probes_and_logs_failures_errors_and_unknown_paths(
    access_lines: io.StringIO,
) -> None:
    lines = _get_from_logged_app(access_lines, "/health/live", "/health/ready", "/api/v1/broken", "/nowhere")
    assert [(line["route"], line["status"]) for line in lines] == [
        ("/health/ready", HTTPStatus.SERVICE_UNAVAILABLE),
        ("/api/v1/broken", HTTPStatus.INTERNAL_SERVER_ERROR),
        (None, HTTPStatus.NOT_FOUND),
    ]


def test_log_lines_compare_without_request_id_timestamp_or_duration_in_their_order() -> None:
    line = {"method": "GET", "status": 200, "duration_ms": 3.21, "timestamp": "2026-12-02T02:38:03Z", "request_id": "a"}
    assert json.loads(normalise_log_line(line)) == {
        "method": "GET",
        "status": 200,
        "duration_ms": "<duration>",
        "timestamp": "<timestamp>",
        "request_id": "<request id>",
    }
    assert normalise_log_line(line) != normalise_log_line({**line, "status": 401})
    assert normalise_log_line(line) != normalise_log_line(dict(reversed(line.items())))


def test_the_log_lines_of_a_request_are_the_complete_json_lines_after_the_mark_with_its_id(tmp_path: Path) -> None:
    log = tmp_path / "service.log"
    before = json.dumps({"event": "request", "request_id": "mine", "status": 200}) + "\n"
    log.write_text(before)
    mine = {"event": "request", "request_id": "mine", "status": 201}
    with log.open("a") as file:
        file.write("INFO:     Uvicorn running on http://127.0.0.1:1\n")
        file.write(json.dumps({"event": "request", "request_id": "another", "status": 200}) + "\n")
        file.write(json.dumps(mine) + "\n")
        file.write(json.dumps({"event": "request", "request_id": "mine", "status": 500})[:20])
    assert log_lines_since(log, len(before), "mine") == [mine]
