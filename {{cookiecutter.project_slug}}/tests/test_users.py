"""The caller's own account."""

from fastapi import FastAPI
from httpx import AsyncClient

from tests.conftest import PASSWORD, UserFactory


async def test_me_returns_the_authenticated_user(
    client: AsyncClient, app: FastAPI, register: UserFactory
) -> None:
    user = await register(email="me@example.com")
    token = await client.post(
        app.url_path_for("token"), data={"username": "me@example.com", "password": PASSWORD}
    )
    response = await client.get(
        app.url_path_for("read_me"),
        headers={"Authorization": f"Bearer {token.json()['access_token']}"},
    )
    assert response.status_code == 200
    assert response.json() == user


async def test_me_without_a_token_is_401(client: AsyncClient, app: FastAPI) -> None:
    response = await client.get(app.url_path_for("read_me"))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
