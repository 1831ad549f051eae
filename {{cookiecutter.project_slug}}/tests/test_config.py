"""Configuration is validated (house rule R9): unsafe settings stop the app from starting."""

from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from {{ cookiecutter.package_name }}.core.config import DEFAULT_SECRET_KEY, Environment, Settings
from {{ cookiecutter.package_name }}.main import create_app

from tests.conftest import TEST_SECRET_KEY

SAFE: dict[str, Any] = {"secret_key": SecretStr(TEST_SECRET_KEY)}
UNSAFE_OUTSIDE_LOCAL: dict[str, dict[str, Any]] = {
    "default-secret": {"secret_key": SecretStr(DEFAULT_SECRET_KEY)},
    "debug-on": {**SAFE, "debug": True},
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


def test_r9_short_secret_is_refused_everywhere() -> None:
    with pytest.raises(ValidationError):
        Settings(_env_file=None, secret_key=SecretStr("too-short"))


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
    monkeypatch.setenv("SECRET_KEY", "")
    settings = Settings(_env_file=None)
    assert settings.database_url == Settings.model_fields["database_url"].default
    assert settings.secret_key == Settings.model_fields["secret_key"].default


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
