"""Signing keys rotate between two starts of the service, and the public ones are published."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import (
    SECP256R1,
    EllipticCurvePrivateKey,
    generate_private_key,
)
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from pydantic import SecretStr, ValidationError

from {{ cookiecutter.package_name }}.core.config import JwtAlgorithm, Settings
from {{ cookiecutter.package_name }}.main import create_app

from tests.conftest import PASSWORD, TransactionalDatabase, UserFactory

ANOTHER_SECRET = "another-test-secret-key-long-enough-for-hmac-0123456789abcdef"


def _pem(key: Ed25519PrivateKey | EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _public_pem(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


NEW_KEYS: dict[JwtAlgorithm, Callable[[], str]] = {
    JwtAlgorithm.HS256: lambda: ANOTHER_SECRET,
    JwtAlgorithm.EDDSA: lambda: _pem(Ed25519PrivateKey.generate()),
    JwtAlgorithm.ES256: lambda: _pem(generate_private_key(SECP256R1())),
}


def _signing_with(
    settings: Settings, algorithm: JwtAlgorithm, key: str, previous: list[str]
) -> Settings:
    """`settings` signing with `key`, still trusting `previous` (validated as the env would be)."""
    fields = settings.model_dump() | {
        "jwt_algorithm": algorithm,
        "jwt_previous_keys": [SecretStr(value) for value in previous],
    }
    if algorithm is JwtAlgorithm.HS256:
        fields["secret_key"] = SecretStr(key)
    else:
        fields["jwt_private_key"] = SecretStr(key)
    return Settings(_env_file=None, **fields)


@asynccontextmanager
async def _started(
    settings: Settings, database: TransactionalDatabase
) -> AsyncIterator[tuple[FastAPI, AsyncClient]]:
    """A start of the service with `settings`, on the test's database."""
    app = create_app(settings)
    app.state.database = database
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        yield app, client


async def _log_in(client: AsyncClient, app: FastAPI, email: str) -> str:
    response = await client.post(
        app.url_path_for("token"), data={"username": email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


async def _me(client: AsyncClient, app: FastAPI, token: str) -> int:
    response = await client.get(
        app.url_path_for("read_me"), headers={"Authorization": f"Bearer {token}"}
    )
    return response.status_code


@pytest.mark.parametrize("algorithm", list(JwtAlgorithm))
async def test_a_rotated_key_signs_while_the_previous_one_still_verifies(
    settings: Settings,
    database: TransactionalDatabase,
    register: UserFactory,
    algorithm: JwtAlgorithm,
) -> None:
    user = await register()
    old_key, new_key = NEW_KEYS[algorithm](), NEW_KEYS[algorithm]()
    if algorithm is JwtAlgorithm.HS256:
        old_key = settings.secret_key.get_secret_value()
    before = _signing_with(settings, algorithm, old_key, previous=[])
    async with _started(before, database) as (app, client):
        old_token = await _log_in(client, app, user["email"])
        assert await _me(client, app, old_token) == 200
    old_kid = jwt.get_unverified_header(old_token)["kid"]

    after = _signing_with(settings, algorithm, new_key, previous=[old_key])
    async with _started(after, database) as (app, client):
        assert await _me(client, app, old_token) == 200, "a token of the previous key"
        new_token = await _log_in(client, app, user["email"])
        assert await _me(client, app, new_token) == 200
    new_header = jwt.get_unverified_header(new_token)
    assert new_header["alg"] == algorithm
    assert new_header["kid"] != old_kid

    forgotten = _signing_with(settings, algorithm, new_key, previous=[])
    async with _started(forgotten, database) as (app, client):
        assert await _me(client, app, old_token) == 401, "a key no longer trusted"
        assert await _me(client, app, new_token) == 200


async def test_the_previous_key_may_be_given_by_its_public_half(
    settings: Settings, database: TransactionalDatabase, register: UserFactory
) -> None:
    user = await register()
    old_key = NEW_KEYS[JwtAlgorithm.EDDSA]()
    async with _started(
        _signing_with(settings, JwtAlgorithm.EDDSA, old_key, previous=[]), database
    ) as (app, client):
        old_token = await _log_in(client, app, user["email"])
    # The algorithm changes too: each previous key keeps verifying with its own.
    after = _signing_with(
        settings, JwtAlgorithm.ES256, NEW_KEYS[JwtAlgorithm.ES256](), [_public_pem(old_key)]
    )
    async with _started(after, database) as (app, client):
        assert await _me(client, app, old_token) == 200


async def test_the_public_keys_are_published_and_verify_the_tokens(
    settings: Settings, database: TransactionalDatabase, register: UserFactory
) -> None:
    user = await register()
    previous = NEW_KEYS[JwtAlgorithm.ES256]()
    current = _signing_with(
        settings, JwtAlgorithm.EDDSA, NEW_KEYS[JwtAlgorithm.EDDSA](), [previous, ANOTHER_SECRET]
    )
    async with _started(current, database) as (app, client):
        token = await _log_in(client, app, user["email"])
        jwks = await client.get(app.url_path_for("jwks"))
        metadata = await client.get(app.url_path_for("issuer_metadata"))
    assert jwks.status_code == 200
    keys = jwks.json()["keys"]
    assert [(key["kty"], key["alg"]) for key in keys] == [("OKP", "EdDSA"), ("EC", "ES256")]
    assert all("d" not in key and "k" not in key for key in keys), "a private part published"
    published = jwt.PyJWKSet.from_dict(jwks.json())
    signing = published[jwt.get_unverified_header(token)["kid"]]
    claims = jwt.decode(token, signing, algorithms=["EdDSA"], audience=settings.jwt_audience)
    assert claims["sub"] == user["id"]
    assert metadata.json() == {
        "issuer": settings.jwt_issuer,
        "jwks_uri": "http://test" + app.url_path_for("jwks"),
        "token_endpoint": "http://test" + app.url_path_for("token"),
    }


async def test_a_shared_secret_is_never_published(client: AsyncClient, app: FastAPI) -> None:
    response = await client.get(app.url_path_for("jwks"))
    assert response.json() == {"keys": []}


@pytest.mark.parametrize(
    ("fields", "refusal"),
    [
        ({"jwt_algorithm": JwtAlgorithm.EDDSA}, "needs one of JWT_PRIVATE_KEY"),
        (
            {
                "jwt_algorithm": JwtAlgorithm.EDDSA,
                "jwt_private_key": "k",
                "jwt_private_key_file": "f",
            },
            "needs one of JWT_PRIVATE_KEY",
        ),
        ({"jwt_private_key": "k"}, "only read with JWT_ALGORITHM EdDSA or ES256"),
        (
            {"jwt_algorithm": JwtAlgorithm.ES256, "jwt_private_key_file": "/nonexistent.pem"},
            "is not a readable file",
        ),
    ],
    ids=["no-key", "two-keys", "key-for-hs256", "missing-file"],
)
def test_key_settings_that_cannot_sign_are_refused(fields: dict[str, Any], refusal: str) -> None:
    with pytest.raises(ValidationError, match=refusal):
        Settings(_env_file=None, **fields)


@pytest.mark.parametrize(
    ("algorithm", "key", "refusal"),
    [
        (JwtAlgorithm.ES256, NEW_KEYS[JwtAlgorithm.EDDSA](), "the key is for EdDSA, not ES256"),
        (JwtAlgorithm.EDDSA, "not a key", "not an unencrypted PEM key"),
        (
            JwtAlgorithm.EDDSA,
            _public_pem(NEW_KEYS[JwtAlgorithm.EDDSA]()),
            "a private key is needed to sign",
        ),
    ],
    ids=["wrong-algorithm", "not-pem", "public-only"],
)
def test_a_key_unfit_for_its_algorithm_stops_the_start(
    settings: Settings, algorithm: JwtAlgorithm, key: str, refusal: str
) -> None:
    with pytest.raises(ValueError, match=refusal):
        create_app(_signing_with(settings, algorithm, key, previous=[]))


def test_the_private_key_may_come_from_a_file(settings: Settings, tmp_path: Path) -> None:
    key_file = tmp_path / "signing.pem"
    key_file.write_text(NEW_KEYS[JwtAlgorithm.ES256](), encoding="utf-8")
    fields = settings.model_dump() | {
        "jwt_algorithm": JwtAlgorithm.ES256,
        "jwt_private_key_file": key_file,
    }
    app = create_app(Settings(_env_file=None, **fields))
    assert app.state.token_codec.keys.signing.verification.algorithm is JwtAlgorithm.ES256
