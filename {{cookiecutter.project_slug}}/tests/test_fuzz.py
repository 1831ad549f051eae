"""Fuzz every operation from the app's own OpenAPI document (Schemathesis).

Generated requests, valid and invalid, go over real HTTP to the app served by
uvicorn in a process of its own, as it runs in production. Each
response must be documented (status, media type, schema, `Allow`), no input
may cause a 500, valid input must be accepted and invalid input refused: what
rules R4 and R5 promise, checked by machine, with every check of
`st run --checks all`. A stateful run follows the document's links from each
create to the calls on what it created, as the fuzzer's own user, so the
success paths of id routes are fuzzed too.

CI sets `FUZZ_MAX_EXAMPLES` to the full budget; a local run tries fewer
examples per operation, so `make check` stays quick enough to run before
every commit.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
{%- if cookiecutter.auth == "local" %}
from uuid import UUID
{%- endif %}

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
{%- if cookiecutter.auth == "local" %}
from pydantic import PostgresDsn, SecretStr
from schemathesis import checks

from {{ cookiecutter.package_name }}.core.config import Environment, Settings
from {{ cookiecutter.package_name }}.core.db import Database
from {{ cookiecutter.package_name }}.core.local_postgres import local_database_url
from {{ cookiecutter.package_name }}.core.security.passwords import PasswordHasher
from {{ cookiecutter.package_name }}.core.security.tokens import TokenCodec, TokenType
from {{ cookiecutter.package_name }}.main import create_app
from {{ cookiecutter.package_name }}.schemas.user import UserCreate
from {{ cookiecutter.package_name }}.services import users

from tests.conftest import CHEAP_HASHING, PASSWORD, TEST_SECRET_KEY
from tests.database import create_migrated_engine, related_database_url
from tests.mail import NOWHERE
{%- else %}
from pydantic import PostgresDsn

from {{ cookiecutter.package_name }}.core.config import Environment, Settings
from {{ cookiecutter.package_name }}.core.local_postgres import local_database_url
from {{ cookiecutter.package_name }}.main import create_app

from tests.database import create_migrated_engine, related_database_url
from tests.identity_provider import AUDIENCE, IdentityProvider
{%- endif %}

Headers = dict[str, str]
{%- if cookiecutter.auth == "local" %}
# Bodies that carry a secret the fuzzer cannot know (a link's token, the caller's password):
# there, a body the schema allows is refused by design, so its acceptance is not checked.
SECRET_IN_BODY = frozenset(
    {
        "POST /api/v1/auth/password-reset",
        "POST /api/v1/auth/verify-email",
        "POST /api/v1/users/me/password",
    }
)
{%- endif %}
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "5"))
# Calls per stateful scenario: enough to create, then use what was created.
STATEFUL_STEPS = 6
# From an app that is never connected.
SCHEMA = schemathesis.openapi.from_dict(
    create_app(
        Settings(
            _env_file=None,
            environment=Environment.TEST,
            database_url=local_database_url(),
{%- if cookiecutter.auth == "local" %}
            secret_key=SecretStr(TEST_SECRET_KEY),
            **NOWHERE,
{%- endif %}
        )
    ).openapi()
)
# Every check `st run --checks all` runs, positive data acceptance included: a
# documented request refused with a 4xx the operation does not explain fails.
SCHEMA.config.checks.update(included_check_names=["all"])


{% if cookiecutter.auth == "local" -%}
@pytest.fixture(scope="module")
def fuzz_settings(database_url: str) -> Settings:
    """A database of its own: the fuzzer's requests commit."""
    return Settings(
        _env_file=None,
        environment=Environment.TEST,
        database_url=PostgresDsn(related_database_url(database_url, "_fuzz")),
        secret_key=SecretStr(TEST_SECRET_KEY),
        **CHEAP_HASHING,
        **NOWHERE,
    )


@pytest.fixture(scope="module")
async def fuzz_user_ids(fuzz_settings: Settings) -> dict[bool, UUID]:
    """The fuzzer's two users, a superuser (True) and not, in a freshly migrated database."""
    engine = await create_migrated_engine(str(fuzz_settings.database_url))
    await engine.dispose()
    database = Database(fuzz_settings)
    password_hash = await PasswordHasher.from_settings(fuzz_settings).hash(PASSWORD)
    ids = {}
    try:
        async with database.session(read_only=False) as session:
            for superuser, email in ((False, "fuzz@example.com"), (True, "fuzz-admin@example.com")):
                data = UserCreate(email=email, password=PASSWORD, full_name="Fuzz")
                user = await users.create(session, data=data, password_hash=password_hash)
                if superuser:
                    await users.promote(session, email=email)
                ids[superuser] = user.id
            await session.commit()
    finally:
        await database.dispose()
    return ids


@pytest.fixture(scope="module")
def fuzz_headers(fuzz_settings: Settings, fuzz_user_ids: dict[bool, UUID]) -> dict[bool, Headers]:
    """Bearer headers of the fuzzer's users: superuser (True) and not."""
    codec = TokenCodec.from_settings(fuzz_settings)
    tokens = {
        superuser: codec.issue(subject=user_id, token_type=TokenType.ACCESS).token
        for superuser, user_id in fuzz_user_ids.items()
    }
    return {superuser: {"Authorization": f"Bearer {token}"} for superuser, token in tokens.items()}


def _server_environment(settings: Settings) -> dict[str, str]:
    """This run's environment, with `settings` as the variables the served app reads."""
    overrides = settings.model_dump(
        include={"environment", "database_url", *CHEAP_HASHING, *NOWHERE}, mode="json"
    )
    overrides["secret_key"] = settings.secret_key.get_secret_value()
    # It runs elsewhere (see `server_url`): its coverage data comes back here to be combined.
    overrides["coverage_file"] = Path(os.environ.get("COVERAGE_FILE", ".coverage")).resolve()
    return os.environ | {name.upper(): str(value) for name, value in overrides.items()}


{% else -%}
@pytest.fixture(scope="module")
def fuzz_settings(database_url: str, identity_provider: IdentityProvider) -> Settings:
    """A database of its own: the fuzzer's requests commit."""
    return Settings(
        _env_file=None,
        environment=Environment.TEST,
        database_url=PostgresDsn(related_database_url(database_url, "_fuzz")),
        oidc_issuer=identity_provider.issuer,
        oidc_audience=AUDIENCE,
    )


@pytest.fixture(scope="module")
async def fuzz_headers(
    fuzz_settings: Settings, identity_provider: IdentityProvider
) -> dict[bool, Headers]:
    """Bearer headers of the fuzzer's users, superuser (True) and not, in a migrated database.

    The provider's tokens are valid for minutes: longer than the run.
    """
    engine = await create_migrated_engine(str(fuzz_settings.database_url))
    await engine.dispose()
    tokens = {
        superuser: identity_provider.token(f"fuzzer-{superuser}", roles=["admin"] * superuser)
        for superuser in (False, True)
    }
    return {superuser: {"Authorization": f"Bearer {token}"} for superuser, token in tokens.items()}


def _server_environment(settings: Settings) -> dict[str, str]:
    """This run's environment, with `settings` as the variables the served app reads."""
    overrides = settings.model_dump(
        include={"environment", "database_url", "oidc_issuer", "oidc_audience"}, mode="json"
    )
    # It runs elsewhere (see `server_url`): its coverage data comes back here to be combined.
    overrides["coverage_file"] = Path(os.environ.get("COVERAGE_FILE", ".coverage")).resolve()
    return os.environ | {name.upper(): str(value) for name, value in overrides.items()}


{% endif -%}
def _wait_until_live(process: subprocess.Popen[bytes], url: str) -> None:
    """Return once the app answers its liveness probe; fail if it exits or takes 30 s."""
    deadline = time.monotonic() + 30
    while True:
        assert process.poll() is None, f"uvicorn exited with {process.returncode} while starting"
        try:
            if httpx.get(f"{url}/health/live").is_success:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "uvicorn did not start within 30 s"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def server_url(fuzz_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served by uvicorn on a free port, in a process of its own.

    It runs in an empty directory, so a developer's `.env` cannot change what
    is fuzzed; its settings come from the environment.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "uvicorn", "{{ cookiecutter.package_name }}.main:app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen(  # noqa: S603 - a fixed argv, no shell
        command, cwd=tmp_path_factory.mktemp("fuzz"), env=_server_environment(fuzz_settings)
    )
    try:
        _wait_until_live(process, url)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


HYPOTHESIS_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@SCHEMA.parametrize()
@HYPOTHESIS_SETTINGS
def test_r5_every_response_is_documented_and_no_input_is_a_500(
    case: schemathesis.Case[Any], server_url: str, fuzz_headers: dict[bool, Headers]
) -> None:
    """As a superuser on the operations that answer others 403, so they are fuzzed past it."""
    superuser = "403" in case.operation.definition.raw.get("responses", {})
{%- if cookiecutter.auth == "local" %}
    guessed = [checks.positive_data_acceptance] if case.operation.label in SECRET_IN_BODY else []
    case.call_and_validate(
        base_url=server_url, headers=fuzz_headers[superuser], excluded_checks=guessed
    )
{%- else %}
    case.call_and_validate(base_url=server_url, headers=fuzz_headers[superuser])
{%- endif %}


def test_r5_created_resources_answer_every_call_they_link_to(
    server_url: str, fuzz_headers: dict[bool, Headers]
) -> None:
    """Stateful, as a superuser: create, then get, patch and delete it, through the links."""
    SCHEMA.config.update(base_url=server_url, headers=fuzz_headers[True])
    SCHEMA.as_state_machine().run(
        settings=settings(HYPOTHESIS_SETTINGS, stateful_step_count=STATEFUL_STEPS)
    )
