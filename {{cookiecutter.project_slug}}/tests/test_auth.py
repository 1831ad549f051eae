"""Registration, login, and every way a bearer token can be wrong (house rule R3)."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import jwt
import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from pydantic import SecretStr
from sqlalchemy import update

from {{ cookiecutter.package_name }}.core.config import JwtAlgorithm, Settings
from {{ cookiecutter.package_name }}.core.db import Connection
from {{ cookiecutter.package_name }}.core.security.keys import KeyRing
from {{ cookiecutter.package_name }}.core.security.tokens import TokenCodec, TokenType
from {{ cookiecutter.package_name }}.models import User

from tests.conftest import PASSWORD, TEST_SECRET_KEY, LoginFactory, UserFactory, run


async def test_register_returns_the_user_without_any_hash(
    client: AsyncClient, app: FastAPI
) -> None:
    response = await client.post(
        app.url_path_for("register"),
        json={"email": "Ada@Example.com", "password": PASSWORD, "full_name": "Ada Lovelace"},
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "email", "full_name", "is_active", "email_verified", "created_at"}
    assert body["email"] == "ada@example.com"
    assert body["is_active"] is True


async def test_register_an_existing_email_in_any_case_is_409(
    client: AsyncClient, app: FastAPI, register: UserFactory
) -> None:
    await register(email="grace@example.com")
    response = await client.post(
        app.url_path_for("register"),
        json={"email": "GRACE@example.COM", "password": PASSWORD, "full_name": "Grace"},
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-email", "password": PASSWORD, "full_name": "X"},
        {"email": "a@example.com", "password": "short", "full_name": "X"},
        {"email": "a@example.com", "password": "x" * 129, "full_name": "X"},
        {"email": "a@example.com", "password": PASSWORD, "full_name": ""},
        {"email": "a@example.com", "password": PASSWORD, "full_name": "X", "is_active": False},
    ],
    ids=["bad-email", "short-password", "long-password", "empty-name", "unknown-field"],
)
async def test_register_rejects_invalid_input(
    client: AsyncClient, app: FastAPI, body: dict[str, Any]
) -> None:
    response = await client.post(app.url_path_for("register"), json=body)
    assert response.status_code == 422


async def test_token_grants_a_bearer_pair(
    client: AsyncClient, app: FastAPI, register: UserFactory
) -> None:
    user = await register()
    response = await client.post(
        app.url_path_for("token"),
        data={"grant_type": "password", "username": user["email"], "password": PASSWORD},
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 15 * 60
    me = await client.get(
        app.url_path_for("read_me"), headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert me.json()["id"] == user["id"]


async def test_wrong_password_and_unknown_email_get_the_same_401(
    client: AsyncClient, app: FastAPI, register: UserFactory
) -> None:
    user = await register()
    wrong_password = await client.post(
        app.url_path_for("token"), data={"username": user["email"], "password": "wrong pass"}
    )
    unknown_email = await client.post(
        app.url_path_for("token"), data={"username": "nobody@example.com", "password": "wrong pass"}
    )
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json()["detail"] == unknown_email.json()["detail"]


async def test_token_refuses_another_grant_type(
    client: AsyncClient, app: FastAPI, register: UserFactory
) -> None:
    user = await register()
    response = await client.post(
        app.url_path_for("token"),
        data={"grant_type": "client_credentials", "username": user["email"], "password": PASSWORD},
    )
    assert response.status_code == 422


def _claims(subject: str, **overrides: object) -> dict[str, object]:
    now = datetime.now(UTC)
    claims = {
        "sub": subject,
        "jti": str(uuid4()),
        "iss": "{{ cookiecutter.project_slug }}",
        "aud": "{{ cookiecutter.project_slug }}-api",
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(minutes=5),
    }
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


def _kid(secret: str) -> str:
    """The `kid` this service gives a secret's tokens."""
    return KeyRing.from_settings(
        Settings(_env_file=None, secret_key=SecretStr(secret))
    ).signing.verification.kid


TEST_KID = _kid(TEST_SECRET_KEY)


def _sign(
    claims: dict[str, object],
    *,
    key: str = TEST_SECRET_KEY,
    typ: str = TokenType.ACCESS,
    algorithm: str = "HS256",
    kid: str | None = TEST_KID,
) -> str:
    headers = {"typ": typ} | ({} if kid is None else {"kid": kid})
    return jwt.encode(claims, key, algorithm=algorithm, headers=headers)


BadToken = Callable[[str], str]
BAD_TOKENS: dict[str, BadToken] = {
    "garbage": lambda _sub: "not.a.jwt",
    "expired": lambda sub: _sign(_claims(sub, exp=datetime.now(UTC) - timedelta(seconds=1))),
    "not-yet-valid": lambda sub: _sign(_claims(sub, nbf=datetime.now(UTC) + timedelta(hours=1))),
    "wrong-key": lambda sub: _sign(_claims(sub), key="another-secret-key-of-sufficient-length-000"),
    "wrong-key-own-kid": lambda sub: _sign(
        _claims(sub),
        key="another-secret-key-of-sufficient-length-000",
        kid=_kid("another-secret-key-of-sufficient-length-000"),
    ),
    "no-kid": lambda sub: _sign(_claims(sub), kid=None),
    "wrong-algorithm": lambda sub: _sign(_claims(sub), algorithm="HS512"),
    "alg-none": lambda sub: jwt.encode(_claims(sub), "", algorithm="none"),
    "wrong-audience": lambda sub: _sign(_claims(sub, aud="someone-else")),
    "wrong-issuer": lambda sub: _sign(_claims(sub, iss="someone-else")),
    "refresh-as-access": lambda sub: _sign(_claims(sub), typ=TokenType.REFRESH),
    "no-exp": lambda sub: _sign(_claims(sub, exp=None)),
    "no-iat": lambda sub: _sign(_claims(sub, iat=None)),
    "no-jti": lambda sub: _sign(_claims(sub, jti=None)),
    "no-sub": lambda sub: _sign(_claims(sub, sub=None)),
    "sub-not-a-uuid": lambda _sub: _sign(_claims("admin")),
    "unknown-user": lambda _sub: _sign(_claims(str(uuid4()))),
}


@pytest.mark.parametrize("defect", BAD_TOKENS)
async def test_r3_bad_tokens_get_401_with_bearer_challenge(
    client: AsyncClient, app: FastAPI, register: UserFactory, defect: str
) -> None:
    user = await register()
    token = BAD_TOKENS[defect](user["id"])
    response = await client.get(
        app.url_path_for("read_me"), headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401, f"R3 JWT done right: a {defect} token was accepted"
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_well_formed_token_is_accepted(
    client: AsyncClient, app: FastAPI, register: UserFactory
) -> None:
    """The control for the bad-token cases: the same recipe, unaltered, works."""
    user = await register()
    response = await client.get(
        app.url_path_for("read_me"),
        headers={"Authorization": f"Bearer {_sign(_claims(user['id']))}"},
    )
    assert response.status_code == 200


async def test_r3_token_of_an_inactive_user_gets_401(
    client: AsyncClient, app: FastAPI, login: LoginFactory, connection: Connection
) -> None:
    headers = await login()
    await run(connection, update(User).values(is_active=False))
    response = await client.get(app.url_path_for("read_me"), headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_r3_codec_refuses_a_key_too_short_for_hs256() -> None:
    codec = TokenCodec(
        keys=KeyRing.from_settings(
            Settings.model_construct(
                jwt_algorithm=JwtAlgorithm.HS256,
                secret_key=SecretStr("short"),
                jwt_previous_keys=[],
            )
        ),
        issuer="i",
        audience="a",
        access_ttl=timedelta(minutes=1),
        refresh_ttl=timedelta(days=1),
    )
    with pytest.raises(jwt.InvalidKeyError):
        codec.issue(subject=uuid4(), token_type=TokenType.ACCESS)
