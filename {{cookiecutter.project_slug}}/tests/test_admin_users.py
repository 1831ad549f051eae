"""Superusers list and manage accounts; anyone else gets 403, and no token 401 (rule R3.1)."""

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select, update
from sqlmodel import col

from {{ cookiecutter.package_name }}.core.db import Connection
from {{ cookiecutter.package_name }}.dependencies.auth import get_current_superuser
from {{ cookiecutter.package_name }}.models import User
from {{ cookiecutter.package_name }}.schemas.user import UserAdminRead

from tests.conftest import PASSWORD, UserFactory, run


async def _tokens(client: AsyncClient, app: FastAPI, email: str) -> dict[str, str]:
    response = await client.post(
        app.url_path_for("token"), data={"username": email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    pair: dict[str, str] = response.json()
    return pair


def _bearer(pair: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {pair['access_token']}"}


async def _promote(connection: Connection, user: dict[str, str]) -> None:
    await run(
        connection, update(User).where(col(User.email) == user["email"]).values(is_superuser=True)
    )


@pytest.fixture
async def admin_user(register: UserFactory, connection: Connection) -> dict[str, str]:
    """A superuser's account."""
    user = await register()
    await _promote(connection, user)
    return user


@pytest.fixture
async def admin(client: AsyncClient, app: FastAPI, admin_user: dict[str, str]) -> dict[str, str]:
    """Bearer headers of the superuser `admin_user`."""
    return _bearer(await _tokens(client, app, admin_user["email"]))


async def test_a_regular_user_gets_403_on_every_admin_route(
    client: AsyncClient, app: FastAPI, auth_headers: dict[str, str], register: UserFactory
) -> None:
    other = await register()
    listed = await client.get(app.url_path_for("list_users"), headers=auth_headers)
    patched = await client.patch(
        app.url_path_for("update_user", user_id=other["id"]),
        json={"is_superuser": True},
        headers=auth_headers,
    )
    for response in (listed, patched):
        assert response.status_code == 403, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert "www-authenticate" not in response.headers


async def test_a_superuser_pages_through_every_account(
    client: AsyncClient, app: FastAPI, admin: dict[str, str], register: UserFactory
) -> None:
    newest = await register()
    page = await client.get(app.url_path_for("list_users"), params={"limit": 1}, headers=admin)
    assert page.status_code == 200
    body = page.json()
    assert (body["limit"], body["offset"]) == (1, 0)
    assert body["total"] >= 2
    assert body["items"] == [{**newest, "is_superuser": False}]
    too_many = await client.get(
        app.url_path_for("list_users"), params={"limit": 101}, headers=admin
    )
    assert too_many.status_code == 422


async def test_a_deactivated_users_tokens_stop_at_once(
    client: AsyncClient, app: FastAPI, admin: dict[str, str], register: UserFactory
) -> None:
    user = await register()
    pair = await _tokens(client, app, user["email"])
    assert (await client.get(app.url_path_for("read_me"), headers=_bearer(pair))).status_code == 200

    deactivated = await client.patch(
        app.url_path_for("update_user", user_id=user["id"]),
        json={"is_active": False},
        headers=admin,
    )
    assert deactivated.status_code == 200
    assert deactivated.json()["is_active"] is False

    me = await client.get(app.url_path_for("read_me"), headers=_bearer(pair))
    assert (me.status_code, me.headers["www-authenticate"]) == (401, "Bearer")
    renewed = await client.post(
        app.url_path_for("refresh"), json={"refresh_token": pair["refresh_token"]}
    )
    assert renewed.status_code == 401
    login = await client.post(
        app.url_path_for("token"), data={"username": user["email"], "password": PASSWORD}
    )
    assert login.status_code == 401


async def test_a_promoted_user_may_manage_accounts(
    client: AsyncClient, app: FastAPI, admin: dict[str, str], register: UserFactory
) -> None:
    user = await register()
    headers = _bearer(await _tokens(client, app, user["email"]))
    promoted = await client.patch(
        app.url_path_for("update_user", user_id=user["id"]),
        json={"is_superuser": True},
        headers=admin,
    )
    assert promoted.json()["is_superuser"] is True
    listed = await client.get(app.url_path_for("list_users"), headers=headers)
    assert listed.status_code == 200


async def test_an_empty_update_changes_nothing(
    client: AsyncClient, app: FastAPI, admin: dict[str, str], register: UserFactory
) -> None:
    user = await register()
    response = await client.patch(
        app.url_path_for("update_user", user_id=user["id"]), json={}, headers=admin
    )
    assert response.json() == {**user, "is_superuser": False}


async def test_an_unknown_user_is_404(
    client: AsyncClient, app: FastAPI, admin: dict[str, str]
) -> None:
    response = await client.patch(
        app.url_path_for("update_user", user_id=uuid4()), json={"is_active": False}, headers=admin
    )
    assert response.status_code == 404


@pytest.mark.parametrize("body", [{"is_active": None}, {"is_superuser": "yes"}, {"email": "x"}])
async def test_an_invalid_update_is_422(
    client: AsyncClient,
    app: FastAPI,
    admin: dict[str, str],
    register: UserFactory,
    body: dict[str, object],
) -> None:
    user = await register()
    response = await client.patch(
        app.url_path_for("update_user", user_id=user["id"]), json=body, headers=admin
    )
    assert response.status_code == 422


async def test_a_superuser_may_demote_another_superuser(
    client: AsyncClient,
    app: FastAPI,
    admin: dict[str, str],
    register: UserFactory,
    connection: Connection,
) -> None:
    other = await register()
    await _promote(connection, other)
    response = await client.patch(
        app.url_path_for("update_user", user_id=other["id"]),
        json={"is_superuser": False},
        headers=admin,
    )
    assert response.status_code == 200, response.text
    assert response.json() == {**other, "is_superuser": False}


@pytest.mark.parametrize("body", [{"is_active": False}, {"is_superuser": False}])
async def test_a_superuser_cannot_deactivate_or_demote_itself(
    client: AsyncClient,
    app: FastAPI,
    admin: dict[str, str],
    admin_user: dict[str, str],
    body: dict[str, bool],
) -> None:
    response = await client.patch(
        app.url_path_for("update_user", user_id=admin_user["id"]), json=body, headers=admin
    )
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == (
        "A superuser cannot deactivate or demote itself; another superuser can."
    )
    me = await client.get(app.url_path_for("read_me"), headers=admin)
    assert me.status_code == 200


async def test_a_superuser_may_confirm_its_own_flags(
    client: AsyncClient, app: FastAPI, admin: dict[str, str], admin_user: dict[str, str]
) -> None:
    response = await client.patch(
        app.url_path_for("update_user", user_id=admin_user["id"]),
        json={"is_active": True, "is_superuser": True},
        headers=admin,
    )
    assert response.status_code == 200, response.text
    assert response.json()["is_superuser"] is True


@pytest.mark.parametrize("body", [{"is_active": False}, {"is_superuser": False}])
async def test_the_last_active_superuser_cannot_be_deactivated_or_demoted(
    client: AsyncClient,
    app: FastAPI,
    admin: dict[str, str],
    admin_user: dict[str, str],
    connection: Connection,
    body: dict[str, bool],
) -> None:
    """A caller who lost its own superuser flag mid-request, as only a race allows, stands in.

    tests/test_superuser_races.py runs that race itself over two connections.
    """
    await run(
        connection,
        update(User).where(col(User.email) != admin_user["email"]).values(is_superuser=False),
    )

    async def former_superuser() -> UserAdminRead:
        return UserAdminRead(
            id=uuid4(),
            email="former@example.com",
            full_name="Former",
            is_active=True,
            email_verified=False,
            created_at=datetime.now(UTC),
            is_superuser=True,
        )

    app.dependency_overrides[get_current_superuser] = former_superuser
    response = await client.patch(
        app.url_path_for("update_user", user_id=admin_user["id"]), json=body, headers=admin
    )
    assert response.status_code == 409, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == (
        "The last active superuser cannot be deactivated or demoted."
    )
    kept = select(col(User.is_active) & col(User.is_superuser)).where(
        col(User.id) == UUID(admin_user["id"])
    )
    assert await run(connection, kept) is True
