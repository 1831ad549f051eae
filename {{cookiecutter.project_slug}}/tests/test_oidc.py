"""Tokens of the identity provider the tests run, and every way one can be wrong (rule R3).

The provider (tests/identity_provider.py) serves its discovery document and
key set over HTTP on a local port; the app finds and fetches them itself.
"""

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from pydantic import ValidationError

from {{ cookiecutter.package_name }}.core.config import Environment, Settings
from {{ cookiecutter.package_name }}.main import create_app

from tests.conftest import LoginFactory, TransactionalDatabase
from tests.identity_provider import IdentityProvider, running_identity_provider


def _segment(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _hmac_with_public_key(provider: IdentityProvider, subject: str) -> str:
    """HS256 keyed with the provider's public key, the confusion attack; PyJWT will not sign it."""
    public_pem = provider.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    good = jwt.decode(provider.token(subject), options={"verify_signature": False})
    signing_input = (
        _segment({"alg": "HS256", "typ": "JWT", "kid": provider.kid}) + "." + _segment(good)
    )
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()


def _unsigned(provider: IdentityProvider, subject: str) -> str:
    good = jwt.decode(provider.token(subject), options={"verify_signature": False})
    return jwt.encode(good, "", algorithm="none", headers={"kid": provider.kid})


def _ago(**delta: float) -> datetime:
    return datetime.now(UTC) - timedelta(**delta)


def _ahead(**delta: float) -> datetime:
    return datetime.now(UTC) + timedelta(**delta)


BadToken = Callable[[IdentityProvider, str], str]
BAD_TOKENS: dict[str, BadToken] = {
    "garbage": lambda _provider, _sub: "not.a.jwt",
    "alg-none": _unsigned,
    "hmac-signed-with-the-public-key": _hmac_with_public_key,
    "wrong-issuer": lambda p, sub: p.token(sub, iss="https://someone-else.example"),
    "wrong-audience": lambda p, sub: p.token(sub, aud="another-api"),
    "expired": lambda p, sub: p.token(sub, exp=_ago(minutes=5)),
    "not-yet-valid": lambda p, sub: p.token(sub, nbf=_ahead(minutes=5)),
    "issued-in-the-future": lambda p, sub: p.token(sub, iat=_ahead(minutes=5)),
    "unknown-kid": lambda p, sub: p.token(sub, headers={"kid": "not-a-key-of-the-provider"}),
    "refresh-token-type": lambda p, sub: p.token(sub, headers={"typ": "rt+jwt"}),
    "id-token-type": lambda p, sub: p.token(sub, headers={"typ": "ID"}),
    "no-kid": lambda p, sub: jwt.encode(
        {"iss": p.issuer, "sub": sub}, "irrelevant-secret-long-enough-for-hmac-0123456789"
    ),
    "no-exp": lambda p, sub: p.token(sub, exp=None),
    "no-iat": lambda p, sub: p.token(sub, iat=None),
    "no-sub": lambda p, _sub: p.token("", sub=None),
    "empty-sub": lambda p, _sub: p.token(""),
}


@asynccontextmanager
async def _started(
    settings: Settings, database: TransactionalDatabase
) -> AsyncIterator[tuple[FastAPI, AsyncClient]]:
    """A start of the service with `settings`, on the test's database."""
    app = create_app(settings)
    app.state.database = database
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        yield app, client
    await app.state.oidc_verifier.keys.aclose()


async def _me(client: AsyncClient, app: FastAPI, token: str) -> Response:
    return await client.get(
        app.url_path_for("read_me"), headers={"Authorization": f"Bearer {token}"}
    )


async def test_a_good_token_is_accepted_and_its_user_recorded(
    client: AsyncClient, app: FastAPI, identity_provider: IdentityProvider
) -> None:
    token = identity_provider.token("ada")
    first, again = await _me(client, app, token), await _me(client, app, token)
    assert first.status_code == 200, first.text
    body = first.json()
    assert set(body) == {"id", "email", "full_name", "is_active", "created_at"}
    assert (body["email"], body["full_name"]) == ("ada@example.com", "Ada Lovelace")
    assert again.json() == body, "the second request finds the user recorded by the first"


@pytest.mark.parametrize("defect", BAD_TOKENS)
async def test_r3_bad_tokens_get_401_with_bearer_challenge(
    client: AsyncClient, app: FastAPI, identity_provider: IdentityProvider, defect: str
) -> None:
    assert (await _me(client, app, identity_provider.token("control"))).status_code == 200
    response = await _me(client, app, BAD_TOKENS[defect](identity_provider, "mallory"))
    assert response.status_code == 401, f"R3 JWT done right: a {defect} token was accepted"
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "Invalid or expired token.", "a word on which check"


async def test_a_small_clock_skew_is_tolerated(
    client: AsyncClient, app: FastAPI, identity_provider: IdentityProvider
) -> None:
    token = identity_provider.token("skewed", nbf=_ahead(seconds=10), iat=_ahead(seconds=10))
    assert (await _me(client, app, token)).status_code == 200


async def test_a_rotated_provider_key_is_accepted_after_one_refresh(
    settings: Settings, database: TransactionalDatabase
) -> None:
    with running_identity_provider() as provider:
        rotating = settings.model_copy(
            update={"oidc_issuer": provider.issuer, "oidc_jwks_min_refresh_seconds": 0}
        )
        async with _started(rotating, database) as (app, client):
            assert (await _me(client, app, provider.token("before"))).status_code == 200
            assert provider.key_set_fetches == 1
            provider.rotate()
            assert (await _me(client, app, provider.token("after"))).status_code == 200
            assert provider.key_set_fetches == 2, "one refresh for the new kid"
            assert (await _me(client, app, provider.token("again"))).status_code == 200
            assert provider.key_set_fetches == 2, "the new key is cached"


async def test_unknown_kids_refetch_the_key_set_at_most_once_per_interval(
    settings: Settings, database: TransactionalDatabase
) -> None:
    with running_identity_provider() as provider:
        limited = settings.model_copy(
            update={"oidc_issuer": provider.issuer, "oidc_jwks_min_refresh_seconds": 60}
        )
        async with _started(limited, database) as (app, client):
            assert (await _me(client, app, provider.token("first"))).status_code == 200
            for attempt in range(5):
                forged = provider.token("forger", headers={"kid": f"forged-{attempt}"})
                assert (await _me(client, app, forged)).status_code == 401
            assert provider.key_set_fetches == 1, "a flood of unknown kids refetched the set"


async def test_while_the_provider_is_down_cached_keys_verify_and_unknown_kids_get_401(
    settings: Settings, database: TransactionalDatabase
) -> None:
    provider = IdentityProvider()
    down = settings.model_copy(
        update={"oidc_issuer": provider.issuer, "oidc_jwks_min_refresh_seconds": 0}
    )
    async with _started(down, database) as (app, client):
        assert (await _me(client, app, provider.token("known"))).status_code == 200
        provider.stop()
        assert (await _me(client, app, provider.token("still-known"))).status_code == 200
        provider.rotate()  # Signed by a key the service never saw, and cannot fetch now.
        started = time.monotonic()
        response = await _me(client, app, provider.token("unknown"))
        assert response.status_code == 401
        assert time.monotonic() - started < settings.oidc_http_timeout_seconds
        assert (await client.get(app.url_path_for("ready"))).status_code == 200


async def test_the_service_starts_live_but_not_ready_while_the_provider_is_down(
    settings: Settings, database: TransactionalDatabase
) -> None:
    provider = IdentityProvider()
    provider.stop()
    down = settings.model_copy(update={"oidc_issuer": provider.issuer})
    async with _started(down, database) as (app, client):
        assert (await client.get(app.url_path_for("live"))).status_code == 200
        ready = await client.get(app.url_path_for("ready"))
        assert ready.status_code == 503
        assert ready.json()["detail"] == "The identity provider's keys could not be fetched."
        assert (await _me(client, app, provider.token("anyone"))).status_code == 401


async def test_ready_once_the_keys_are_fetched(client: AsyncClient, app: FastAPI) -> None:
    assert (await client.get(app.url_path_for("ready"))).status_code == 200


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


async def test_only_signing_keys_of_allowed_algorithms_are_kept_from_the_key_set(
    settings: Settings, database: TransactionalDatabase
) -> None:
    secret = b"a-shared-secret-published-by-mistake-0123456789"
    with running_identity_provider() as provider:
        provider.extra_jwks = [
            {"kty": "oct", "kid": "hmac", "k": _b64(secret)},
            {**provider.token_jwk(), "kid": "for-encryption", "use": "enc"},
            {"kty": "unknown", "kid": "strange"},
            "not a key",
        ]
        trusting = settings.model_copy(
            update={"oidc_issuer": provider.issuer, "oidc_jwks_min_refresh_seconds": 0}
        )
        async with _started(trusting, database) as (app, client):
            assert (await _me(client, app, provider.token("good"))).status_code == 200
            claims = jwt.decode(provider.token("hmac"), options={"verify_signature": False})
            hmac_token = jwt.encode(claims, secret, algorithm="HS256", headers={"kid": "hmac"})
            encryption_key = provider.token("enc", headers={"kid": "for-encryption"})
            for refused in (hmac_token, encryption_key):
                assert (await _me(client, app, refused)).status_code == 401


@pytest.mark.parametrize(
    "metadata",
    [
        {"issuer": "https://impostor.example"},
        {"jwks_uri": "http://elsewhere.example/certs"},
        {"jwks_uri": None},
    ],
    ids=["another-issuer", "key-set-over-plain-http-elsewhere", "no-key-set"],
)
async def test_a_discovery_document_not_to_be_trusted_gives_no_key(
    settings: Settings, database: TransactionalDatabase, metadata: dict[str, Any]
) -> None:
    with running_identity_provider() as provider:
        provider.metadata = metadata
        untrusted = settings.model_copy(update={"oidc_issuer": provider.issuer})
        async with _started(untrusted, database) as (app, client):
            assert (await _me(client, app, provider.token("anyone"))).status_code == 401
            assert (await client.get(app.url_path_for("ready"))).status_code == 503
        assert provider.key_set_fetches == 0


async def test_the_superuser_role_opens_the_admin_routes(
    client: AsyncClient, app: FastAPI, login: LoginFactory
) -> None:
    admin, member = await login(roles=("admin", "staff")), await login(roles=("staff",))
    assert (await client.get(app.url_path_for("list_users"), headers=member)).status_code == 403
    listed = await client.get(app.url_path_for("list_users"), headers=admin)
    assert listed.status_code == 200, listed.text
    assert {"issuer", "subject"} <= set(listed.json()["items"][0])


async def test_the_roles_claim_may_be_a_dotted_path(
    settings: Settings, database: TransactionalDatabase, identity_provider: IdentityProvider
) -> None:
    keycloak_like = settings.model_copy(
        update={"oidc_roles_claim": "realm_access.roles", "oidc_superuser_role": "ops"}
    )
    async with _started(keycloak_like, database) as (app, client):
        nested = identity_provider.token("keycloak-admin", realm_access={"roles": ["ops"]})
        spaced = identity_provider.token("spaced", realm_access={"roles": "staff ops"})
        top_level = identity_provider.token("top-level", roles=["ops"])
        for token, status in ((nested, 200), (spaced, 200), (top_level, 403)):
            response = await client.get(
                app.url_path_for("list_users"), headers={"Authorization": f"Bearer {token}"}
            )
            assert response.status_code == status, response.text


async def test_a_namespaced_roles_claim_with_dots_in_its_name_is_read_whole(
    settings: Settings, database: TransactionalDatabase, identity_provider: IdentityProvider
) -> None:
    auth0_like = settings.model_copy(update={"oidc_roles_claim": "https://example.com/roles"})
    async with _started(auth0_like, database) as (app, client):
        namespaced: dict[str, Any] = {"https://example.com/roles": ["admin"]}
        token = identity_provider.token("auth0-admin", **namespaced)
        response = await client.get(
            app.url_path_for("list_users"), headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 200, response.text


async def test_a_deactivated_user_gets_401_though_the_provider_still_vouches(
    client: AsyncClient, app: FastAPI, identity_provider: IdentityProvider
) -> None:
    admin = {"Authorization": f"Bearer {identity_provider.token('boss', roles=['admin'])}"}
    member_token = identity_provider.token("leaver")
    member = (await _me(client, app, member_token)).json()
    own = (await _me(client, app, identity_provider.token("boss", roles=["admin"]))).json()
    patched = await client.patch(
        app.url_path_for("update_user", user_id=member["id"]),
        json={"is_active": False},
        headers=admin,
    )
    assert patched.status_code == 200, patched.text
    response = await _me(client, app, member_token)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    itself = await client.patch(
        app.url_path_for("update_user", user_id=own["id"]),
        json={"is_active": False},
        headers=admin,
    )
    assert itself.status_code == 403


async def test_the_same_subject_of_another_issuer_is_another_user(
    settings: Settings,
    database: TransactionalDatabase,
    client: AsyncClient,
    app: FastAPI,
    identity_provider: IdentityProvider,
) -> None:
    subject = f"shared-{uuid4().hex}"
    ours = (await _me(client, app, identity_provider.token(subject))).json()
    with running_identity_provider() as other:
        elsewhere = settings.model_copy(update={"oidc_issuer": other.issuer})
        async with _started(elsewhere, database) as (other_app, other_client):
            theirs = (await _me(other_client, other_app, other.token(subject))).json()
    assert ours["id"] != theirs["id"]


async def test_r5_no_token_reaches_a_log_line_or_an_error_body(
    settings: Settings,
    database: TransactionalDatabase,
    identity_provider: IdentityProvider,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Debug logging on, SQL echoed: the most a deployment could ever log."""
    database.echo = True
    good = identity_provider.token("logged", roles=["admin"])
    bad = identity_provider.token("logged", aud="another-api")
    async with _started(settings.model_copy(update={"debug": True}), database) as (app, client):
        accepted = await _me(client, app, good)
        refused = await _me(client, app, bad)
    assert (accepted.status_code, refused.status_code) == (200, 401)
    logs = capsys.readouterr().out
    assert "SELECT" in logs, "the SQL echo this test relies on is missing"
    for name, token in {"accepted token": good, "refused token": bad}.items():
        signature = token.rsplit(".", 1)[1]
        assert signature not in logs, f"R5.1 nothing leaks: the logs carry the {name}"
        assert signature not in refused.text, f"R5.1 nothing leaks: the 401 carries the {name}"


@pytest.mark.parametrize(
    ("fields", "refusal"),
    [
        (
            {"environment": Environment.PRODUCTION, "oidc_issuer": "http://127.0.0.1:8080"},
            "must be an https URL",
        ),
        ({"oidc_issuer": "http://idp.example.com"}, "must be an https URL"),
        ({"oidc_algorithms": "RS256,HS256"}, "['HS256'] refused"),
        ({"oidc_algorithms": '["none"]'}, "['none'] refused"),
    ],
    ids=["loopback-in-production", "plain-http", "hmac", "none"],
)
def test_provider_settings_that_would_trust_too_much_are_refused(
    fields: dict[str, Any], refusal: str
) -> None:
    with pytest.raises(ValidationError, match=re.escape(refusal)):
        Settings(_env_file=None, **fields)


def test_an_https_issuer_and_a_dotted_roles_claim_are_accepted() -> None:
    settings = Settings(
        _env_file=None,
        oidc_issuer="https://tenant.eu.auth0.com/",
        oidc_audience="https://api.example.com",
        oidc_roles_claim="realm_access.roles",
        oidc_algorithms=["RS256", "EdDSA"],
    )
    assert settings.oidc_algorithms == ["RS256", "EdDSA"]
