"""Todos: their fields, the completion filter and the list's order.

What every resource answers alike (401s, another user's todo as a missing one,
paging bounds, Location, an empty PATCH, a deleted todo) is the shared
contract, declared below.
"""

from typing import Any
from uuid import uuid4

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from tests.conftest import LoginFactory
from tests.contract import Contract, Kind, contract_tests

Headers = dict[str, str]
CONTRACT = Contract("todos", item="todo", kind=Kind.OWNED, body={"title": "Write tests"})
test_contract = contract_tests(CONTRACT)


async def _create(
    client: AsyncClient, app: FastAPI, headers: Headers, **fields: object
) -> dict[str, Any]:
    response = await client.post(
        app.url_path_for("create_todo"), json={"title": "Write tests", **fields}, headers=headers
    )
    assert response.status_code == 201, response.text
    todo: dict[str, Any] = response.json()
    return todo


async def test_create_keeps_every_field_and_starts_open(
    client: AsyncClient, app: FastAPI, auth_headers: Headers
) -> None:
    fields = {"title": "Buy milk", "description": "Semi-skimmed", "due_date": "2030-01-31"}
    todo = await _create(client, app, auth_headers, **fields)
    assert {name: todo[name] for name in fields} == fields
    assert todo["completed"] is False
    fetched = await client.get(
        app.url_path_for("get_todo", todo_id=todo["id"]), headers=auth_headers
    )
    assert fetched.json() == todo


@pytest.mark.parametrize(
    "body",
    [
        {"title": ""},
        {"title": "x" * 201},
        {"title": "ok", "description": "x" * 2001},
        {"title": "ok", "due_date": "31/01/2030"},
        {"title": "ok", "due_date": 0},
        {"title": "ok", "owner_id": str(uuid4())},
        {"title": "ok", "id": str(uuid4())},
    ],
    ids=["empty-title", "long-title", "long-description", "bad-date", "unix-time", "owner", "id"],
)
async def test_create_rejects_invalid_or_server_owned_fields(
    client: AsyncClient, app: FastAPI, auth_headers: Headers, body: dict[str, Any]
) -> None:
    response = await client.post(app.url_path_for("create_todo"), json=body, headers=auth_headers)
    assert response.status_code == 422


async def test_list_is_newest_first_with_total_and_only_the_callers(
    client: AsyncClient, app: FastAPI, login: LoginFactory
) -> None:
    alice, bob = await login(), await login()
    for title in ("first", "second", "third"):
        await _create(client, app, alice, title=title)
    await _create(client, app, bob, title="bob's")

    response = await client.get(app.url_path_for("list_todos"), params={"limit": 2}, headers=alice)
    assert response.status_code == 200
    page = response.json()
    assert [todo["title"] for todo in page["items"]] == ["third", "second"]
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 0)

    rest = await client.get(
        app.url_path_for("list_todos"), params={"limit": 2, "offset": 2}, headers=alice
    )
    assert [todo["title"] for todo in rest.json()["items"]] == ["first"]


async def test_list_past_the_last_page_still_reports_the_total(
    client: AsyncClient, app: FastAPI, auth_headers: Headers
) -> None:
    await _create(client, app, auth_headers)
    response = await client.get(
        app.url_path_for("list_todos"), params={"offset": 50}, headers=auth_headers
    )
    assert response.json() == {"items": [], "total": 1, "limit": 20, "offset": 50}


async def test_list_past_the_last_page_counts_only_the_filtered(
    client: AsyncClient, app: FastAPI, auth_headers: Headers
) -> None:
    await _create(client, app, auth_headers)
    done = await _create(client, app, auth_headers)
    await client.patch(
        app.url_path_for("update_todo", todo_id=done["id"]),
        json={"completed": True},
        headers=auth_headers,
    )
    response = await client.get(
        app.url_path_for("list_todos"),
        params={"offset": 50, "completed": "true"},
        headers=auth_headers,
    )
    assert response.json() == {"items": [], "total": 1, "limit": 20, "offset": 50}


async def test_list_filters_by_completed(
    client: AsyncClient, app: FastAPI, auth_headers: Headers
) -> None:
    done = await _create(client, app, auth_headers, title="done")
    await _create(client, app, auth_headers, title="open")
    await client.patch(
        app.url_path_for("update_todo", todo_id=done["id"]),
        json={"completed": True},
        headers=auth_headers,
    )
    response = await client.get(
        app.url_path_for("list_todos"), params={"completed": "true"}, headers=auth_headers
    )
    assert [todo["title"] for todo in response.json()["items"]] == ["done"]


async def test_patch_changes_only_the_fields_sent(
    client: AsyncClient, app: FastAPI, auth_headers: Headers
) -> None:
    todo = await _create(client, app, auth_headers, description="keep me", due_date="2030-01-01")
    response = await client.patch(
        app.url_path_for("update_todo", todo_id=todo["id"]),
        json={"completed": True, "title": "Renamed"},
        headers=auth_headers,
    )
    assert response.status_code == 200
    updated = response.json()
    assert (updated["title"], updated["completed"]) == ("Renamed", True)
    assert (updated["description"], updated["due_date"]) == ("keep me", "2030-01-01")
    assert updated["updated_at"] > todo["updated_at"]


async def test_patch_null_clears_description_and_due_date(
    client: AsyncClient, app: FastAPI, auth_headers: Headers
) -> None:
    todo = await _create(client, app, auth_headers, description="gone", due_date="2030-01-01")
    response = await client.patch(
        app.url_path_for("update_todo", todo_id=todo["id"]),
        json={"description": None, "due_date": None},
        headers=auth_headers,
    )
    assert response.status_code == 200
    assert (response.json()["description"], response.json()["due_date"]) == (None, None)


@pytest.mark.parametrize(
    "body",
    [
        {"title": None},
        {"completed": None},
        {"completed": "yes"},
        {"title": ""},
        {"owner_id": str(uuid4())},
    ],
)
async def test_patch_rejects_null_title_or_completed_and_server_fields(
    client: AsyncClient, app: FastAPI, auth_headers: Headers, body: dict[str, Any]
) -> None:
    todo = await _create(client, app, auth_headers)
    response = await client.patch(
        app.url_path_for("update_todo", todo_id=todo["id"]), json=body, headers=auth_headers
    )
    assert response.status_code == 422


async def test_list_of_a_user_without_todos_is_empty(
    client: AsyncClient, app: FastAPI, auth_headers: Headers
) -> None:
    response = await client.get(app.url_path_for("list_todos"), headers=auth_headers)
    assert response.json() == {"items": [], "total": 0, "limit": 20, "offset": 0}
