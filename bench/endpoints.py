"""The five request kinds the bench sends, the same bytes to both apps."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bench.load import Request
from bench.seed import Account, Fixture

NAMES = ("list", "get", "create", "update", "live")


@dataclass(frozen=True)
class Endpoint:
    """One kind of request, repeated for a whole run, over one or more paths in turn."""

    name: str
    method: str
    paths: tuple[str, ...]
    body: str | None = None
    account: Account | None = None

    @property
    def headers(self) -> dict[str, str]:
        """Return the request's headers: its bearer token and its body's type, if any."""
        headers = {} if self.account is None else dict(self.account.headers)
        if self.body is not None:
            headers["Content-Type"] = "application/json"
        return headers

    def request(self, base_url: str) -> Request:
        """Return this request as wrk sends it to the app at ``base_url``."""
        return Request(self.method, base_url, self.paths, self.headers, self.body)


def endpoints(fixture: Fixture) -> dict[str, Endpoint]:
    """Return every request kind by name, in `NAMES` order.

    `get` and `update` go round the reader's todos, so no single row's lock
    serialises the updates.
    """
    todos = tuple(f"/api/v1/todos/{todo_id}" for todo_id in fixture.todo_ids)
    return {
        "list": Endpoint("list", "GET", ("/api/v1/todos",), account=fixture.reader),
        "get": Endpoint("get", "GET", todos, account=fixture.reader),
        "create": Endpoint("create", "POST", ("/api/v1/todos",), '{"title": "Bench todo"}', fixture.writer),
        "update": Endpoint("update", "PATCH", todos, '{"completed": true}', fixture.reader),
        "live": Endpoint("live", "GET", ("/health/live",)),
    }


def parity_probes(fixture: Fixture) -> list[Endpoint]:
    """Return every request kind, plus a list request whose token's signature is wrong: refusals must match too."""
    header_and_claims = fixture.reader.token.rpartition(".")[0]
    forged = replace(fixture.reader, token=f"{header_and_claims}.forged-signature")
    return [*endpoints(fixture).values(), Endpoint("forged", "GET", ("/api/v1/todos",), account=forged)]
