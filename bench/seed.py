"""The bench's data, made through the service's own API as a client would make it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import httpx

TODOS_PER_LIST = 20


class SeedError(RuntimeError):
    """The service refused a call the bench needs."""


@dataclass(frozen=True)
class Account:
    """A registered user, and an access token that outlives the bench."""

    email: str
    password: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        """Return the bearer header for this account."""
        return {"Authorization": f"Bearer {self.token}"}


@dataclass(frozen=True)
class Fixture:
    """Who reads and who writes.

    The reader owns exactly `TODOS_PER_LIST` todos for the whole run; creates
    go to the writer, so the list does not grow, and slow down, under the
    runs that come after a create run.
    """

    reader: Account
    writer: Account
    todo_ids: tuple[str, ...]


def seed(base_url: str) -> Fixture:
    """Register a reader with `TODOS_PER_LIST` todos, and a writer with none."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        reader, writer = _account(client, "reader"), _account(client, "writer")
        ids = [
            _expect(
                client.post("/api/v1/todos", json={"title": f"Todo {number}"}, headers=reader.headers),
                httpx.codes.CREATED,
            )["id"]
            for number in range(TODOS_PER_LIST)
        ]
    return Fixture(reader=reader, writer=writer, todo_ids=tuple(map(str, ids)))


def _account(client: httpx.Client, role: str) -> Account:
    email = f"bench-{role}-{secrets.token_hex(4)}@example.com"
    password = secrets.token_urlsafe(16)
    _expect(
        client.post("/api/v1/auth/register", json={"email": email, "password": password, "full_name": role}),
        httpx.codes.CREATED,
    )
    pair = _expect(
        client.post("/api/v1/auth/token", data={"grant_type": "password", "username": email, "password": password}),
        httpx.codes.OK,
    )
    return Account(email=email, password=password, token=str(pair["access_token"]))


def _expect(response: httpx.Response, status: int) -> dict[str, object]:
    if response.status_code != status:
        msg = f"{response.request.method} {response.request.url.path}: {response.status_code} {response.text}"
        raise SeedError(msg)
    body: dict[str, object] = response.json()
    return body
