"""Configuration is validated (house rule R9): unsafe settings stop the app from starting."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
{% if cookiecutter.auth == "local" -%}
from pydantic import PostgresDsn, SecretStr, ValidationError

from {{ cookiecutter.package_name }}.core.config import (
    DEFAULT_SECRET_KEY,
    Environment,
    Settings,
    load_settings,
)
{%- else -%}
from pydantic import PostgresDsn, ValidationError

from {{ cookiecutter.package_name }}.core.config import Environment, Settings, load_settings
{%- endif %}
from {{ cookiecutter.package_name }}.core.local_postgres import local_database_url
from {{ cookiecutter.package_name }}.main import create_app
{%- if cookiecutter.auth == "local" %}

from tests.conftest import TEST_SECRET_KEY
from tests.mail import NOWHERE
{%- endif %}

SAFE: dict[str, Any] = {
{%- if cookiecutter.auth == "local" %}
    "secret_key": SecretStr(TEST_SECRET_KEY),
{%- endif %}
    "database_url": PostgresDsn("postgresql+asyncpg://app:secret@db.example:5432/app"),
{%- if cookiecutter.auth == "local" %}
    **NOWHERE,
{%- endif %}
}
UNSAFE_OUTSIDE_LOCAL: dict[str, dict[str, Any]] = {
{%- if cookiecutter.auth == "local" %}
    "default-secret": {**SAFE, "secret_key": SecretStr(DEFAULT_SECRET_KEY)},
    "no-database-url": {"secret_key": SecretStr(TEST_SECRET_KEY)},
{%- else %}
    "no-database-url": {},
{%- endif %}
    "debug-on": {**SAFE, "debug": True},
{%- if cookiecutter.auth == "local" %}
    "no-mail-server": {**SAFE, "smtp_host": None},
    "no-sender": {**SAFE, "emails_from": None},
    "no-frontend": {**SAFE, "frontend_url": None},
{%- endif %}
    "wildcard-cors-with-credentials": {
        **SAFE,
        "cors_origins": ["*"],
        "cors_allow_credentials": True,
    },
}


@pytest.mark.parametrize("environment", [Environment.STAGING, Environment.PRODUCTION])
@pytest.mark.parametrize("unsafe", UNSAFE_OUTSIDE_LOCAL.values(), ids=UNSAFE_OUTSIDE_LOCAL.keys())
def test_r9_app_refuses_to_start_with_unsafe_settings(
    environment: Environment, unsafe: dict[str, Any]
) -> None:
    try:
        create_app(Settings(_env_file=None, environment=environment, **unsafe))
    except ValidationError:
        return
    pytest.fail(f"R9 configuration is validated: the app started in {environment} with {unsafe}")


@pytest.mark.parametrize("unsafe", UNSAFE_OUTSIDE_LOCAL.values(), ids=UNSAFE_OUTSIDE_LOCAL.keys())
def test_local_environment_allows_developer_conveniences(unsafe: dict[str, Any]) -> None:
    settings = Settings(_env_file=None, environment=Environment.LOCAL, **unsafe)
    assert settings.environment is Environment.LOCAL


{% if cookiecutter.auth == "local" -%}
def test_r9_short_secret_is_refused_everywhere() -> None:
    with pytest.raises(ValidationError):
        Settings(_env_file=None, secret_key=SecretStr("too-short"))


{% endif -%}
def test_production_starts_with_safe_settings() -> None:
    settings = Settings(_env_file=None, environment=Environment.PRODUCTION, **SAFE)
    assert create_app(settings).title


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u:p@db:5432/app", "postgresql+asyncpg://u:p@db:5432/app"),
        ("postgres://u:p@db:5432/app", "postgresql+asyncpg://u:p@db:5432/app"),
        ("postgresql+asyncpg://u:p@db:5432/app", "postgresql+asyncpg://u:p@db:5432/app"),
    ],
)
def test_plain_postgresql_urls_are_normalised_to_asyncpg(
    url: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    assert str(Settings(_env_file=None).database_url) == expected


def test_an_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "")
{%- if cookiecutter.auth == "local" %}
    monkeypatch.setenv("SECRET_KEY", "")
    settings = Settings(_env_file=None)
    assert settings.database_url == local_database_url()
    assert settings.secret_key == Settings.model_fields["secret_key"].default
{%- else %}
    assert Settings(_env_file=None).database_url == local_database_url()
{%- endif %}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://a.example, https://b.example", ["https://a.example", "https://b.example"]),
        ('["https://a.example"]', ["https://a.example"]),
    ],
)
def test_cors_origins_read_from_the_environment(
    raw: str, expected: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CORS_ORIGINS", raw)
    assert Settings(_env_file=None).cors_origins == expected


def test_in_local_an_unset_database_url_is_the_project_local_postgresql(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Never a server on localhost:5432 the project did not start."""
    monkeypatch.chdir(tmp_path)
    url = urlsplit(str(Settings(_env_file=None).database_url))
    assert url.port is None
    assert parse_qs(url.query)["host"] == [str(tmp_path.resolve() / ".postgres")]


def test_outside_local_an_unset_database_url_stops_the_app_with_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("ENVIRONMENT", "production")
{%- if cookiecutter.auth == "local" %}
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET_KEY)
{%- endif %}
    with pytest.raises(SystemExit) as stopped:
        load_settings()
    assert str(stopped.value) == (
        "Refusing to start: DATABASE_URL must be set outside the local environment"
    )


def test_importing_the_app_module_builds_nothing() -> None:
    """Settings, logging, pools and threads come with `app`, when it is first looked up."""
    code = (
        "import logging, threading\n"
        "import {{ cookiecutter.package_name }}.main as main\n"
        "assert not logging.getLogger().handlers, 'logging was set up at import'\n"
        "assert threading.active_count() == 1, 'a thread was started at import'\n"
        "print(type(main.app).__name__)\n"
    )
    # Settings that refuse to load: importing must not read them, looking up `app` must.
    environment = os.environ | {"ENVIRONMENT": "production", "SECRET_KEY": ""}
    imported = subprocess.run(  # noqa: S603 - a fixed argv, no shell
        [sys.executable, "-c", code.replace("print(type(main.app).__name__)\n", "")],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr
    built = subprocess.run(  # noqa: S603 - a fixed argv, no shell
        [sys.executable, "-c", code],
        env=os.environ | {"ENVIRONMENT": "local"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    assert built.stdout.splitlines()[-1] == "ProblemDocumentingFastAPI"
