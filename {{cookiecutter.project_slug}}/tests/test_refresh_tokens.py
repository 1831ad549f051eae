"""Refresh tokens (house rule R3): rotated on use; reuse revokes the login; logout revokes."""

from fastapi import FastAPI
from httpx import AsyncClient, Response
from sqlalchemy import update

from {{ cookiecutter.package_name }}.core.db import Connection
from {{ cookiecutter.package_name }}.models import User

from tests.conftest import PASSWORD, UserFactory, run


async def _login(client: AsyncClient, app: FastAPI, register: UserFactory) -> dict[str, str]:
    user = await register()
    response = await client.post(
        app.url_path_for("token"), data={"username": user["email"], "password": PASSWORD}
    )
    pair: dict[str, str] = response.json()
    return pair


async def _refresh(client: AsyncClient, app: FastAPI, refresh_token: str) -> Response:
    return await client.post(app.url_path_for("refresh"), json={"refresh_token": refresh_token})


async def _logout(
    client: AsyncClient, app: FastAPI, pair: dict[str, str], refresh_token: str
) -> int:
    response = await client.post(
        app.url_path_for("logout"),
        json={"refresh_token": refresh_token},
        headers={"Authorization": f"Bearer {pair['access_token']}"},
    )
    return response.status_code


async def test_refresh_returns_a_new_pair_that_works(
    client: AsyncClient, app: FastAPI, register: UserFactory
) -> None:
    pair = await _login(client, app, register)
    response = await _refresh(client, app, pair["refresh_token"])
    assert response.status_code == 200
    renewed = response.json()
    assert renewed["token_type"] == "bearer"
    assert renewed["refresh_token"] != pair["refresh_token"]
    me = await client.get(
        app.url_path_for("read_me"), headers={"Authorization": f"Bearer {renewed['access_token']}"}
    )
    assert me.status_code == 200


async def test_r3_a_spent_refresh_token_gets_401_and_revokes_its_family(
    client: AsyncClient, app: FastAPI, register: UserFactory
) -> None:
    pair = await _login(client, app, register)
    renewed = (await _refresh(client, app, pair["refresh_token"])).json()

    reused = await _refresh(client, app, pair["refresh_token"])
    assert reused.status_code == 401, "R3 JWT done right: a spent refresh token was accepted"
    assert reused.headers["www-authenticate"] == "Bearer"
    descendant = await _refresh(client, app, renewed["refresh_token"])
    assert descendant.status_code == 401, "R3: reuse did not revoke the rest of the login"


async def test_r3_an_access_token_is_not_a_refresh_token(
    client: AsyncClient, app: FastAPI, register: UserFactory
) -> None:
    pair = await _login(client, app, register)
    response = await _refresh(client, app, pair["access_token"])
    assert response.status_code == 401, "R3 JWT done right: an access token refreshed"


async def test_r3_a_refresh_token_is_not_an_access_token(
    client: AsyncClient, app: FastAPI, register: UserFactory
) -> None:
    pair = await _login(client, app, register)
    response = await client.get(
        app.url_path_for("read_me"), headers={"Authorization": f"Bearer {pair['refresh_token']}"}
    )
    assert response.status_code == 401, "R3 JWT done right: a refresh token opened a route"


async def test_r3_refresh_for_an_inactive_user_gets_401(
    client: AsyncClient, app: FastAPI, register: UserFactory, connection: Connection
) -> None:
    pair = await _login(client, app, register)
    await run(connection, update(User).values(is_active=False))
    assert (await _refresh(client, app, pair["refresh_token"])).status_code == 401


async def test_garbage_refresh_token_gets_401(client: AsyncClient, app: FastAPI) -> None:
    response = await _refresh(client, app, "not-a-token")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_logout_revokes_the_refresh_token(
    client: AsyncClient, app: FastAPI, register: UserFactory
) -> None:
    pair = await _login(client, app, register)
    assert await _logout(client, app, pair, pair["refresh_token"]) == 204
    assert (await _refresh(client, app, pair["refresh_token"])).status_code == 401


async def test_logout_answers_204_for_a_dead_or_foreign_token_and_revokes_nothing(
    client: AsyncClient, app: FastAPI, register: UserFactory
) -> None:
    mine, theirs = await _login(client, app, register), await _login(client, app, register)
    assert await _logout(client, app, mine, "not-a-token") == 204
    assert await _logout(client, app, mine, theirs["refresh_token"]) == 204
    assert (await _refresh(client, app, theirs["refresh_token"])).status_code == 200


async def test_refresh_and_logout_without_a_token_field_are_422(
    client: AsyncClient, app: FastAPI, register: UserFactory
) -> None:
    pair = await _login(client, app, register)
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    refresh = await client.post(app.url_path_for("refresh"), json={})
    logout = await client.post(app.url_path_for("logout"), json={}, headers=headers)
    assert (refresh.status_code, logout.status_code) == (422, 422)
