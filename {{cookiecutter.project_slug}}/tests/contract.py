"""The contract every resource keeps, written once: each feature's tests declare themselves into it.

A feature's test module states what the contract needs to know (its route
names, its kind, a body to create one, and what a body cannot hold fixed: a
row of another feature for each reference, a new value for each unique field)
and gets one parametrised test of every clause:

    CONTRACT = Contract("todos", item="todo", kind=Kind.OWNED, body={"title": "Write tests"})
    test_contract = contract_tests(CONTRACT)

so the module itself keeps only what is particular to the feature and its fields.
"""

from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import count
from typing import Any
from uuid import uuid4

import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Response

from tests.conftest import LoginFactory

Headers = dict[str, str]
# What tells two problem bodies apart although they answer alike: where, and which request.
PER_REQUEST = frozenset({"instance", "request_id"})
# Numbers no two bodies of one run share, for the values of unique fields.
_SERIAL = count(1)


class Kind(StrEnum):
    """Who sees a resource's rows and who may write them (`core/db/resource.py`)."""

    OWNED = "owned"
    SHARED = "shared"
    NESTED = "nested"


@dataclass(frozen=True)
class Contract:
    """What the contract needs to know of one feature's routes."""

    plural: str
    item: str
    kind: Kind
    body: Mapping[str, object]
    # A nested feature's parent: its contract, whose `body` creates the parent row.
    parent: "Contract | None" = None
    # Columns naming a row of another feature: its contract, which creates one for each body.
    references: Mapping[str, "Contract"] = field(default_factory=dict)
    # Unique columns: each makes its value for a body from a number no other body is given.
    fresh: Mapping[str, Callable[[int], object]] = field(default_factory=dict)
    # Route names: `list_<plural>`, `create_<item>`, `get_<item>`, `update_<item>`, `delete_<item>`.
    routes: Mapping[str, str] = field(init=False)

    def __post_init__(self) -> None:
        routes = {"list": f"list_{self.plural}", "create": f"create_{self.item}"}
        routes |= {verb: f"{verb}_{self.item}" for verb in ("get", "update", "delete")}
        object.__setattr__(self, "routes", routes)


@dataclass
class World:
    """The app, a client, and a way to make users, for one clause of one feature's contract."""

    contract: Contract
    client: AsyncClient
    app: FastAPI
    login: LoginFactory
    superuser: Headers

    def path(self, route: str, **params: object) -> str:
        """The path of the contract's `route` (`list`, `get`, ...) under `parent_id` if nested."""
        parent = self.contract.parent
        if parent is not None and "parent_id" in params:
            params[f"{parent.item}_id"] = params.pop("parent_id")
        return self.app.url_path_for(self.contract.routes[route], **params)

    def item_path(self, route: str, item_id: object, **params: object) -> str:
        """The path of an item route for `item_id`."""
        return self.path(route, **{f"{self.contract.item}_id": item_id}, **params)

    async def owner(self) -> Headers:
        """Headers of a caller that may create rows: a superuser for a shared resource."""
        return self.superuser if self.contract.kind is Kind.SHARED else await self.login()

    async def body(self, headers: Headers, contract: Contract | None = None) -> dict[str, object]:
        """A body that creates a row of `contract` (this feature's by default) for `headers`.

        Each reference names a new row of its feature, the caller's own (a
        superuser's if that feature is shared), and each unique field a new value.
        """
        contract = contract or self.contract
        body = dict(contract.body)
        for column, target in contract.references.items():
            writer = self.superuser if target.kind is Kind.SHARED else headers
            body[column] = (await self._post(target, writer))["id"]
        return body | {column: new(next(_SERIAL)) for column, new in contract.fresh.items()}

    async def parent_of(self, headers: Headers) -> dict[str, object]:
        """For a nested feature, a new parent row of `headers`' caller: `{"parent_id": ...}`."""
        parent = self.contract.parent
        if parent is None:
            return {}
        return {"parent_id": (await self._post(parent, headers))["id"]}

    async def create(self, headers: Headers, **where: object) -> dict[str, Any]:
        """A new row, created through the API by `headers`' caller."""
        response = await self.client.post(
            self.path("create", **where), json=await self.body(headers), headers=headers
        )
        assert response.status_code == 201, response.text
        row: dict[str, Any] = response.json()
        return row

    async def _post(self, contract: Contract, headers: Headers) -> dict[str, Any]:
        """A new row of the top-level feature `contract`, created by `headers`' caller."""
        response = await self.client.post(
            self.app.url_path_for(contract.routes["create"]),
            json=await self.body(headers, contract),
            headers=headers,
        )
        assert response.status_code == 201, response.text
        row: dict[str, Any] = response.json()
        return row


Clause = Callable[[World], Awaitable[None]]


def _alike(first: Response, second: Response) -> bool:
    """Whether two answers are the same but for where and which request they answer."""

    def strip(response: Response) -> dict[str, object]:
        return {k: v for k, v in response.json().items() if k not in PER_REQUEST}

    return first.status_code == second.status_code and strip(first) == strip(second)


async def every_route_needs_a_token(world: World) -> None:
    """401, with a Bearer challenge, on every route without a token."""
    where = {"parent_id": uuid4()} if world.contract.parent else {}
    calls = [("GET", world.path("list", **where)), ("POST", world.path("create", **where))]
    calls += [
        (method, world.item_path(route, uuid4(), **where))
        for method, route in (("GET", "get"), ("PATCH", "update"), ("DELETE", "delete"))
    ]
    for method, path in calls:
        response = await world.client.request(method, path, json={} if method != "GET" else None)
        assert response.status_code == 401, f"{method} {path} answered {response.status_code}"
        assert response.headers["www-authenticate"] == "Bearer"


async def create_answers_201_with_a_location_that_answers_200(world: World) -> None:
    """The created row comes back, and `Location` reads it back the same."""
    headers = await world.owner()
    where = await world.parent_of(headers)
    response = await world.client.post(
        world.path("create", **where), json=await world.body(headers), headers=headers
    )
    assert response.status_code == 201, response.text
    row = response.json()
    assert response.headers["location"] == world.item_path("get", row["id"], **where)
    assert row["created_at"] == row["updated_at"]
    fetched = await world.client.get(response.headers["location"], headers=headers)
    assert fetched.status_code == 200
    assert fetched.json() == row


async def an_empty_patch_changes_nothing(world: World) -> None:
    """PATCH `{}` answers the row as it was, `updated_at` included; on a missing row, 404."""
    headers = await world.owner()
    where = await world.parent_of(headers)
    row = await world.create(headers, **where)
    path = world.item_path("update", row["id"], **where)
    response = await world.client.patch(path, json={}, headers=headers)
    assert response.status_code == 200
    assert response.json() == row
    missing = world.item_path("update", uuid4(), **where)
    assert (await world.client.patch(missing, json={}, headers=headers)).status_code == 404


async def a_deleted_row_is_404(world: World) -> None:
    """DELETE answers 204 with no body; the row then answers 404 to every item route."""
    headers = await world.owner()
    where = await world.parent_of(headers)
    row = await world.create(headers, **where)
    path = world.item_path("delete", row["id"], **where)
    deleted = await world.client.delete(path, headers=headers)
    assert (deleted.status_code, deleted.content) == (204, b"")
    for method in ("GET", "PATCH", "DELETE"):
        response = await world.client.request(
            method, path, json={} if method == "PATCH" else None, headers=headers
        )
        assert response.status_code == 404, f"{method} of a deleted row: {response.status_code}"


async def paging_bounds_and_a_malformed_id_are_422(world: World) -> None:
    """Out-of-range paging, an unknown query parameter and an id that is no UUID: 422 problems."""
    headers = await world.owner()
    where = await world.parent_of(headers)
    for params in ({"limit": 101}, {"limit": 0}, {"offset": -1}, {"limit": "x"}, {"colour": 1}):
        response = await world.client.get(
            world.path("list", **where), params=params, headers=headers
        )
        assert response.status_code == 422, f"list with {params}: {response.status_code}"
        assert response.headers["content-type"] == "application/problem+json"
    response = await world.client.get(
        world.item_path("get", "not-a-uuid", **where), headers=headers
    )
    assert response.status_code == 422


async def another_users_row_answers_like_a_missing_one(world: World) -> None:
    """GET, PATCH and DELETE of another user's row answer exactly what a missing row answers."""
    owner, intruder = await world.login(), await world.login()
    where = await world.parent_of(owner)
    row = await world.create(owner, **where)
    for method, route in (("GET", "get"), ("PATCH", "update"), ("DELETE", "delete")):
        body: dict[str, object] | None = {} if method == "PATCH" else None
        theirs = await world.client.request(
            method, world.item_path(route, row["id"], **where), json=body, headers=intruder
        )
        missing = await world.client.request(
            method, world.item_path(route, uuid4(), **where), json=body, headers=intruder
        )
        assert theirs.status_code == 404, f"{method} of another user's row: {theirs.status_code}"
        assert _alike(theirs, missing), f"{method}: {theirs.json()} != {missing.json()}"
    unchanged = await world.client.get(world.item_path("get", row["id"], **where), headers=owner)
    assert unchanged.json() == row


async def another_users_parent_answers_like_a_missing_parent(world: World) -> None:
    """Under another user's parent, the list and create answer the missing parent's 404."""
    owner, intruder = await world.login(), await world.login()
    theirs = await world.parent_of(owner)
    missing = {"parent_id": uuid4()}
    body = await world.body(intruder)
    for method, json in (("GET", None), ("POST", body)):
        route = "list" if method == "GET" else "create"
        answers = [
            await world.client.request(
                method, world.path(route, **where), json=json, headers=intruder
            )
            for where in (theirs, missing)
        ]
        assert answers[0].status_code == 404, f"{method} under another user's parent"
        assert _alike(*answers), f"{method}: {answers[0].json()} != {answers[1].json()}"


async def only_superusers_write(world: World) -> None:
    """Every user reads a shared row; a write by anyone but a superuser is 403."""
    row = await world.create(world.superuser)
    user = await world.login()
    read = await world.client.get(world.item_path("get", row["id"]), headers=user)
    assert read.status_code == 200
    writes = [
        ("POST", world.path("create"), await world.body(user)),
        ("PATCH", world.item_path("update", row["id"]), {}),
        ("DELETE", world.item_path("delete", row["id"]), None),
    ]
    for method, path, body in writes:
        response = await world.client.request(method, path, json=body, headers=user)
        assert response.status_code == 403, f"{method} by a user: {response.status_code}"


def _clauses(contract: Contract) -> Iterator[Clause]:
    yield every_route_needs_a_token
    yield create_answers_201_with_a_location_that_answers_200
    yield an_empty_patch_changes_nothing
    yield a_deleted_row_is_404
    yield paging_bounds_and_a_malformed_id_are_422
    if contract.kind is Kind.SHARED:
        yield only_superusers_write
    else:
        yield another_users_row_answers_like_a_missing_one
    if contract.kind is Kind.NESTED:
        yield another_users_parent_answers_like_a_missing_parent


def world_fixture(contract: Contract) -> object:
    """A fixture of the feature `contract` describes, for a module's own tests.

    `world = world_fixture(CONTRACT)` gives each test of the module a `world: World`.
    """

    @pytest.fixture
    def world(
        client: AsyncClient, app: FastAPI, login: LoginFactory, superuser_headers: Headers
    ) -> World:
        """The feature's routes, a client and a way to make users and rows."""
        return World(contract, client, app, login, superuser_headers)

    return world


def contract_tests(contract: Contract) -> Callable[..., Awaitable[None]]:
    """One test per clause of the contract, for the feature `contract` describes."""
    clauses = list(_clauses(contract))

    @pytest.mark.parametrize("clause", clauses, ids=[clause.__name__ for clause in clauses])
    async def test_contract(
        clause: Clause,
        client: AsyncClient,
        app: FastAPI,
        login: LoginFactory,
        superuser_headers: Headers,
    ) -> None:
        world = World(contract, client, app, login, superuser_headers)
        await clause(world)

    test_contract.__doc__ = f"The {contract.plural} resource keeps the shared contract."
    return test_contract
