"""Proof that the reference does the service's work: the same responses and the same SQL.

One request of each kind, and one with a forged token, goes to each app
while PostgreSQL logs every statement. The responses must match byte for
byte once ids and timestamps are replaced by placeholders (the `Date` header
aside), and the statements each app sent must match once whitespace is
collapsed. Otherwise the bench refuses to report, and shows both sides.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

import httpx

from bench.endpoints import Endpoint
from bench.postgres import Postgres

_UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")
_WHITESPACE = re.compile(r"\s+")
# SQLAlchemy names the server's default level when it switches a connection back from autocommit.
_DEFAULT_ISOLATION = "BEGIN ISOLATION LEVEL READ COMMITTED"
_IGNORED_HEADERS = frozenset({"date"})


class ParityError(RuntimeError):
    """The two apps answered differently, or sent different SQL."""


@dataclass(frozen=True)
class App:
    """An app under comparison: its base URL and the application name its connections report."""

    name: str
    url: str
    application_name: str


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
                responses = [_send(client, app, endpoint) for app in apps]
                logged = postgres.statements_since(mark)
                sql = ["\n".join(map(normalise_statement, logged.get(app.application_name, []))) for app in apps]
                differences += _differences(f"{endpoint.name} response", responses, apps)
                differences += _differences(f"{endpoint.name} SQL", sql, apps)
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


def _send(client: httpx.Client, app: App, endpoint: Endpoint) -> str:
    url = app.url + endpoint.paths[0]
    response = client.request(endpoint.method, url, headers=endpoint.headers, content=endpoint.body)
    return normalise_response(response)


def _differences(what: str, texts: list[str], apps: tuple[App, App]) -> list[str]:
    if texts[0] == texts[1]:
        return []
    diff = difflib.unified_diff(
        texts[0].splitlines(), texts[1].splitlines(), fromfile=apps[0].name, tofile=apps[1].name, lineterm=""
    )
    return [f"{what} differs:", *diff]
