"""Proof that the reference does the service's work: the same responses, SQL and access lines.

One request of each kind, and one with a forged token, goes to each app
while PostgreSQL logs every statement. The responses must match byte for
byte once ids and timestamps are replaced by placeholders (the `Date` header
aside), the statements each app sent must match once whitespace is
collapsed, and the log lines each app wrote for the request (found by the
request id it answered with) must match once their request id, timestamp
and duration are placeholders too. Otherwise the bench refuses to report,
and shows both sides.
"""

from __future__ import annotations

import difflib
import json
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.endpoints import Endpoint
from bench.postgres import Postgres

_UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")
_WHITESPACE = re.compile(r"\s+")
# SQLAlchemy names the server's default level when it switches a connection back from autocommit.
_DEFAULT_ISOLATION = "BEGIN ISOLATION LEVEL READ COMMITTED"
_IGNORED_HEADERS = frozenset({"date"})
# Fields of a log line that differ from request to request, and what stands in for them.
_VARIABLE_FIELDS = {"request_id": "<request id>", "timestamp": "<timestamp>", "duration_ms": "<duration>"}
# Both apps write the access line after the response is sent; a request that logs nothing waits this long.
_LOG_LINE_WAIT_SECONDS = 1.0
_LOG_POLL_SECONDS = 0.02


class ParityError(RuntimeError):
    """The two apps answered differently, or sent different SQL."""


@dataclass(frozen=True)
class App:
    """An app under comparison: its base URL, the application name its connections report, and its log."""

    name: str
    url: str
    application_name: str
    log: Path


def check(postgres: Postgres, service: App, reference: App, endpoints: Iterable[Endpoint]) -> None:
    """Send each endpoint's request to both apps; raise `ParityError` listing every difference."""
    apps = (service, reference)
    endpoints = list(endpoints)
    differences: list[str] = []
    with httpx.Client(timeout=30) as client:
        # Connections opened and statements prepared first: per-connection set-up is not per-request work.
        for endpoint in endpoints:
            for app in apps:
                _send(client, app, endpoint)
        postgres.log_statements(enabled=True)
        try:
            for endpoint in endpoints:
                mark = postgres.log_size()
                log_marks = [app.log.stat().st_size for app in apps]
                responses = [_send(client, app, endpoint) for app in apps]
                logged = postgres.statements_since(mark)
                sql = ["\n".join(map(normalise_statement, logged.get(app.application_name, []))) for app in apps]
                request_ids = [response.headers.get("x-request-id", "") for response in responses]
                lines = _normalised_log_lines(apps, log_marks, request_ids)
                differences += _differences(f"{endpoint.name} response", list(map(normalise_response, responses)), apps)
                differences += _differences(f"{endpoint.name} SQL", sql, apps)
                differences += _differences(f"{endpoint.name} log", lines, apps)
        finally:
            postgres.log_statements(enabled=False)
    if differences:
        raise ParityError("\n".join(differences))


def normalise_response(response: httpx.Response) -> str:
    """Return the status, headers (sorted, `Date` left out) and body, with ids and timestamps as placeholders."""
    headers = sorted(
        f"{name}: {value}" for name, value in response.headers.items() if name.lower() not in _IGNORED_HEADERS
    )
    text = "\n".join([f"{response.status_code}", *headers, "", response.text])
    return _TIMESTAMP.sub("<timestamp>", _UUID.sub("<uuid>", text))


def normalise_statement(text: str) -> str:
    """Return a logged statement with whitespace collapsed, no final `;`, and a plain `BEGIN`."""
    collapsed = _WHITESPACE.sub(" ", text).strip().removesuffix(";")
    return "BEGIN" if collapsed == _DEFAULT_ISOLATION else collapsed


def normalise_log_line(line: dict[str, object]) -> str:
    """Return a JSON log line with its request id, timestamp and duration as placeholders, its keys in order."""
    return json.dumps({key: _VARIABLE_FIELDS.get(key, value) for key, value in line.items()})


def log_lines_since(log: Path, mark: int, request_id: str) -> list[dict[str, object]]:
    """Return the complete JSON lines written to ``log`` after byte ``mark`` that carry ``request_id``."""
    with log.open("rb") as file:
        file.seek(mark)
        *complete, _unfinished = file.read().decode(errors="replace").split("\n")
    lines = []
    for text in complete:
        try:
            line = json.loads(text)
        except ValueError:  # uvicorn's own start-up lines, in the reference, are plain text
            continue
        if isinstance(line, dict) and line.get("request_id") == request_id:
            lines.append(line)
    return lines


def _normalised_log_lines(apps: tuple[App, App], marks: list[int], request_ids: list[str]) -> list[str]:
    """Return each app's normalised lines for its request, once both have written some or the wait is over."""
    deadline = time.monotonic() + _LOG_LINE_WAIT_SECONDS
    pending = list(zip(apps, marks, request_ids, strict=True))
    while True:
        found = [log_lines_since(app.log, mark, request_id) for app, mark, request_id in pending]
        if all(found) or time.monotonic() >= deadline:
            return ["\n".join(map(normalise_log_line, lines)) for lines in found]
        time.sleep(_LOG_POLL_SECONDS)


def _send(client: httpx.Client, app: App, endpoint: Endpoint) -> httpx.Response:
    url = app.url + endpoint.paths[0]
    return client.request(endpoint.method, url, headers=endpoint.headers, content=endpoint.body)


def _differences(what: str, texts: list[str], apps: tuple[App, App]) -> list[str]:
    if texts[0] == texts[1]:
        return []
    diff = difflib.unified_diff(
        texts[0].splitlines(), texts[1].splitlines(), fromfile=apps[0].name, tofile=apps[1].name, lineterm=""
    )
    return [f"{what} differs:", *diff]
