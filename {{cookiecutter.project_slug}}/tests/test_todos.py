"""Todos CRUD, pagination, and object-level authorisation."""

from typing import Any
from uuid import uuid4

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from tests.conftest import LoginFactory

Headers = dict[str, str]


async def _create(
    client: AsyncClient, app: FastAPI, headers: Headers, **fields: object
) -> dict[str, Any]:
    response = await client.post(
        app.url_path_for("create_todo"), json={"title": "Write tests", **fields}, headers=headers
    )
    assert response.status_code == 201, response.text
    todo: dict[str, Any] = response.json()
    return todo


async def test_create_returns_201_with_location(
    client: AsyncClient, app: FastAPI, auth_headers: Headers
) -> None:
    response = await client.post(
        app.url_path_for("create_todo"),
        json={"title": "Buy milk", "description": "Semi-skimmed", "due_date": "2030-01-31"},
        headers=auth_headers,
    )
    assert response.status_code == 201
    todo = response.json()
    assert response.headers["location"] == app.url_path_for("get_todo", todo_id=todo["id"])
    assert todo["title"] == "Buy milk"
    assert todo["description"] == "Semi-skimmed"
    assert todo["due_date"] == "2030-01-31"
    assert todo["completed"] is False
    fetched = await client.get(response.headers["location"], headers=auth_headers)
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


@pytest.mark.parametrize(
    "params",
    [{"limit": 101}, {"limit": 0}, {"offset": -1}, {"limit": "many"}, {"colour": "red"}],
    ids=["limit-101", "limit-0", "negative-offset", "limit-not-int", "unknown-param"],
)
async def test_list_rejects_out_of_range_paging(
    client: AsyncClient, app: FastAPI, auth_headers: Headers, params: dict[str, Any]
) -> None:
    response = await client.get(app.url_path_for("list_todos"), params=params, headers=auth_headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"]


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


async def test_a_new_todo_was_created_and_updated_at_one_instant(
    client: AsyncClient, app: FastAPI, auth_headers: Headers
) -> None:
    todo = await _create(client, app, auth_headers)
    assert todo["created_at"] == todo["updated_at"]


async def test_an_empty_patch_changes_nothing(
    client: AsyncClient, app: FastAPI, auth_headers: Headers
) -> None:
    todo = await _create(client, app, auth_headers)
    path = app.url_path_for("update_todo", todo_id=todo["id"])
    response = await client.patch(path, json={}, headers=auth_headers)
    assert response.status_code == 200
    assert response.json() == todo
    missing = app.url_path_for("update_todo", todo_id=str(uuid4()))
    assert (await client.patch(missing, json={}, headers=auth_headers)).status_code == 404


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


async def test_delete_returns_204_then_404(
    client: AsyncClient, app: FastAPI, auth_headers: Headers
) -> None:
    todo = await _create(client, app, auth_headers)
    url = app.url_path_for("delete_todo", todo_id=todo["id"])
    deleted = await client.delete(url, headers=auth_headers)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert (await client.get(url, headers=auth_headers)).status_code == 404


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_another_users_todo_answers_exactly_like_a_missing_one(
    client: AsyncClient, app: FastAPI, login: LoginFactory, method: str
) -> None:
    owner, intruder = await login(), await login()
    todo = await _create(client, app, owner)
    body = {"title": "mine now"} if method == "PATCH" else None

    theirs = await client.request(
        method, app.url_path_for("get_todo", todo_id=todo["id"]), json=body, headers=intruder
    )
    missing = await client.request(
        method, app.url_path_for("get_todo", todo_id=str(uuid4())), json=body, headers=intruder
    )

    assert theirs.status_code == missing.status_code == 404
    strip = {"instance", "request_id"}
    assert {k: v for k, v in theirs.json().items() if k not in strip} == {
        k: v for k, v in missing.json().items() if k not in strip
    }
    unchanged = await client.get(app.url_path_for("get_todo", todo_id=todo["id"]), headers=owner)
    assert unchanged.json() == todo


async def test_todo_id_must_be_a_uuid(client: AsyncClient, auth_headers: Headers) -> None:
    response = await client.get("/api/v1/todos/not-a-uuid", headers=auth_headers)
    assert response.status_code == 422


async def test_list_of_a_user_without_todos_is_empty(
    client: AsyncClient, app: FastAPI, auth_headers: Headers
) -> None:
    response = await client.get(app.url_path_for("list_todos"), headers=auth_headers)
    assert response.json() == {"items": [], "total": 0, "limit": 20, "offset": 0}
