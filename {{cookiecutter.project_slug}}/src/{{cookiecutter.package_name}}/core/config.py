"""Settings, read once from the environment and validated before the app starts."""

import json
{% if cookiecutter.auth == "local" -%}
import os
{% endif -%}
from enum import StrEnum
{% if cookiecutter.auth == "local" -%}
from pathlib import Path
{% endif -%}
from typing import Annotated, Self
{%- if cookiecutter.auth == "oidc" %}
from urllib.parse import urlsplit
{%- endif %}

from pydantic import (
    AnyHttpUrl,
{%- if cookiecutter.auth == "local" %}
    EmailStr,
{%- endif %}
    Field,
    PostgresDsn,
{%- if cookiecutter.auth == "local" %}
    SecretStr,
{%- endif %}
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from {{ cookiecutter.package_name }}.core.local_postgres import local_database_url
{% if cookiecutter.auth == "local" %}
LOCAL_SENDER = "no-reply@example.com"
LOCAL_FRONTEND = "http://localhost:3000"
DEFAULT_SECRET_KEY = "change-me-local-only-secret-key-0123456789"  # noqa: S105 - refused outside local
MIN_SECRET_KEY_LENGTH = 32
{%- else %}
# Signature algorithms an identity provider's token may use: asymmetric ones only, so
# `none` and HMAC (signed with a public key anyone has) are refused whatever the header says.
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
{%- endif %}

{%- if cookiecutter.auth == "local" %}


class SmtpSecurity(StrEnum):
    """How the connection to the mail server is secured."""

    NONE = "none"  # plain SMTP: a relay on the same host or network only
    STARTTLS = "starttls"  # upgraded to TLS after connecting (port 587)
    TLS = "tls"  # TLS from the first byte (port 465)
{%- endif %}


class Environment(StrEnum):
    """Where the service runs; everything but `local` gets the strict checks."""

    LOCAL = "local"
    TEST = "test"
    STAGING = "staging"
    PRODUCTION = "production"
{%- if cookiecutter.auth == "local" %}


class JwtAlgorithm(StrEnum):
    """The algorithms that may sign this service's tokens: one shared secret, or a key pair."""

    HS256 = "HS256"
    EDDSA = "EdDSA"
    ES256 = "ES256"
{%- endif %}


class Settings(BaseSettings):
    """Every setting the service reads, from the environment or `.env`."""

    # An empty variable (`DATABASE_URL=`) means unset, as it does for TEST_DATABASE_URL.
    model_config = SettingsConfigDict(
        env_file=".env", env_ignore_empty=True, extra="ignore", frozen=True
    )

    environment: Environment = Environment.LOCAL
    debug: bool = False
    # Unset: the project-local PostgreSQL in `local`, refused elsewhere.
    database_url: PostgresDsn = Field(default_factory=local_database_url)
    # Per pool: the process keeps a read-only and a writing pool of up to this size.
    database_pool_size: int = Field(default=10, ge=1)
    database_connect_timeout_seconds: float = Field(default=3.0, gt=0)
    database_statement_timeout_seconds: float = Field(default=8.0, gt=0)
{%- if cookiecutter.auth == "local" %}
    secret_key: SecretStr = Field(
        default=SecretStr(DEFAULT_SECRET_KEY), min_length=MIN_SECRET_KEY_LENGTH
    )
    # HS256 signs with SECRET_KEY; EdDSA and ES256 with JWT_PRIVATE_KEY (or _FILE), and
    # publish the public key at /.well-known/jwks.json.
    jwt_algorithm: JwtAlgorithm = JwtAlgorithm.HS256
    jwt_private_key: SecretStr | None = None
    jwt_private_key_file: Path | None = None
    # Keys that signed before the current one; they verify until their tokens expire.
    jwt_previous_keys: Annotated[list[SecretStr], NoDecode] = []
    jwt_issuer: str = "{{ cookiecutter.project_slug }}"
    jwt_audience: str = "{{ cookiecutter.project_slug }}-api"
    access_token_expire_minutes: int = Field(default=15, ge=1)
    refresh_token_expire_days: int = Field(default=14, ge=1)
    # Argon2 cost; stored hashes made with other values are rehashed at the next login.
    password_hash_time_cost: int = Field(default=3, ge=1)
    password_hash_memory_kib: int = Field(default=64 * 1024, ge=8)
    password_hash_parallelism: int = Field(default=4, ge=1)
    # Hashes computed at once (each holds PASSWORD_HASH_MEMORY_KIB); the rest wait for a slot.
    password_hashing_concurrency: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    # A login or registration that waits longer than this for a slot gets 503.
    password_hashing_timeout_seconds: float = Field(default=5.0, gt=0)
    # Brute-force limits, counted in PostgreSQL so every replica shares them.
    login_failures_per_account: int = Field(default=5, ge=1)
    login_failures_per_address: int = Field(default=20, ge=1)
    login_failure_window_seconds: int = Field(default=15 * 60, ge=1)
    registrations_per_address: int = Field(default=30, ge=1)
    registration_window_seconds: int = Field(default=60 * 60, ge=1)
{%- else %}
    # The identity provider whose tokens are trusted, as its tokens' `iss` names it: https
    # only (http on a loopback host in `local` and `test`). Its keys are found through
    # `{issuer}/.well-known/openid-configuration`.
    oidc_issuer: str
    # The `aud` every token must name: this API's identifier at the provider.
    oidc_audience: str = Field(min_length=1)
    # Where a token holds the caller's roles: a claim, or a dotted path (`realm_access.roles`).
    oidc_roles_claim: str = Field(default="roles", min_length=1)
    # The role that opens the superuser routes.
    oidc_superuser_role: str = Field(default="admin", min_length=1)
    oidc_algorithms: Annotated[list[str], NoDecode] = ["RS256", "PS256", "ES256", "EdDSA"]
    # Clock skew tolerated on `exp`, `nbf` and `iat`.
    oidc_leeway_seconds: int = Field(default=30, ge=0, le=300)
    # Longest wait for the provider's discovery document and key set, together.
    oidc_http_timeout_seconds: float = Field(default=3.0, gt=0, le=30)
    # A token with an unknown `kid` fetches the key set again at most this often.
    oidc_jwks_min_refresh_seconds: int = Field(default=60, ge=0)
    # An older key set is fetched again, so that keys the provider dropped stop verifying.
    oidc_jwks_max_age_seconds: int = Field(default=3600, ge=1)
{%- endif %}
    cors_origins: Annotated[list[str], NoDecode] = []
    cors_allow_credentials: bool = False
    max_body_bytes: int = Field(default=1024 * 1024, ge=1)
    # Unset: the OpenAPI document and the docs pages are served in `local` only.
    api_docs: bool | None = None
    log_json: bool = True
    # Successful health probes and scrapes are left out of the access log; failures never are.
    access_log_probes: bool = False
    # Prometheus metrics at /metrics, counted on every request.
    metrics_enabled: bool = True
    # The OTLP/HTTP collector traces go to; unset, nothing is traced.
    otel_exporter_otlp_endpoint: AnyHttpUrl | None = None
{%- if cookiecutter.auth == "local" %}
    # Outgoing email: password recovery and email verification links. Unset SMTP_HOST: in
    # `local`, each message is written to the log instead; elsewhere the app refuses to start.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_security: SmtpSecurity = SmtpSecurity.STARTTLS
    # A mail server slower than this is given up on (and logged); no request waits for it.
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    # The sender of every message; required outside `local`.
    emails_from: EmailStr | None = None
    # Where the links in messages point: `{FRONTEND_URL}/reset-password?token=...`.
    frontend_url: AnyHttpUrl | None = None
    password_reset_expire_minutes: int = Field(default=30, ge=1, le=24 * 60)
    email_verification_expire_hours: int = Field(default=48, ge=1, le=30 * 24)
    # On: an account whose address is not verified cannot log in (403).
    email_verification_required: bool = False
    # Recovery and verification emails asked for, and reset tokens tried, per window.
    account_emails_per_account: int = Field(default=5, ge=1)
    account_emails_per_address: int = Field(default=20, ge=1)
    account_email_window_seconds: int = Field(default=60 * 60, ge=1)

    @property
    def sender(self) -> str:
        """The `From` address: EMAILS_FROM, or in `local` a placeholder no mail server sees."""
        return str(self.emails_from or LOCAL_SENDER)

    @property
    def frontend(self) -> str:
        """FRONTEND_URL without its trailing slash, or in `local` a frontend on this machine."""
        return str(self.frontend_url or LOCAL_FRONTEND).rstrip("/")
{%- endif %}

    @property
    def serves_api_docs(self) -> bool:
        """Whether the OpenAPI document and docs pages are served (`API_DOCS`, else local only)."""
        if self.api_docs is None:
            return self.environment is Environment.LOCAL
        return self.api_docs

    @field_validator("database_url", mode="before")
    @classmethod
    def _use_asyncpg_driver(cls, value: object) -> object:
        """Accept a plain `postgresql://` URL and point it at the asyncpg driver."""
        if isinstance(value, str):
            for prefix in ("postgresql://", "postgres://"):
                if value.startswith(prefix):
                    return "postgresql+asyncpg://" + value.removeprefix(prefix)
        return value
{%- if cookiecutter.auth == "local" %}

    def jwt_signing_pem(self) -> str:
        """The PEM private key of an asymmetric `JWT_ALGORITHM`, inline or read from its file."""
        if self.jwt_private_key_file is not None:
            return self.jwt_private_key_file.read_text(encoding="utf-8")
        return "" if self.jwt_private_key is None else self.jwt_private_key.get_secret_value()
{%- endif %}

    @field_validator("cors_origins", {{ '"jwt_previous_keys"' if cookiecutter.auth == "local" else '"oidc_algorithms"' }}, mode="before")
    @classmethod
    def _split_lists(cls, value: object) -> object:
        """Read list settings as a comma-separated list or a JSON list."""
        if isinstance(value, str):
            if value.lstrip().startswith("["):
                return json.loads(value)
            return [item.strip() for item in value.split(",") if item.strip()]
        return value
{%- if cookiecutter.auth == "local" %}

    @model_validator(mode="after")
    def _one_private_key_for_asymmetric_algorithms(self) -> Self:
        """An asymmetric algorithm needs its private key once, inline or as a readable file."""
        given = [
            name
            for name, value in (
                ("JWT_PRIVATE_KEY", self.jwt_private_key),
                ("JWT_PRIVATE_KEY_FILE", self.jwt_private_key_file),
            )
            if value is not None
        ]
        if self.jwt_algorithm is JwtAlgorithm.HS256:
            if given:
                msg = f"{given[0]} is only read with JWT_ALGORITHM EdDSA or ES256"
                raise ValueError(msg)
            return self
        if len(given) != 1:
            msg = f"JWT_ALGORITHM {self.jwt_algorithm} needs one of JWT_PRIVATE_KEY or _FILE"
            raise ValueError(msg)
        if self.jwt_private_key_file is not None and not self.jwt_private_key_file.is_file():
            msg = f"JWT_PRIVATE_KEY_FILE {self.jwt_private_key_file} is not a readable file"
            raise ValueError(msg)
        return self
{%- else %}

    @field_validator("oidc_algorithms")
    @classmethod
    def _asymmetric_algorithms_only(cls, value: list[str]) -> list[str]:
        """Refuse an empty list, `none` and HMAC: only a provider's private key may sign."""
        refused = sorted(set(value) - ASYMMETRIC_ALGORITHMS)
        if refused or not value:
            allowed = ", ".join(sorted(ASYMMETRIC_ALGORITHMS))
            msg = f"{refused or 'an empty list'} refused; choose among {allowed}"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _issuer_over_https(self) -> Self:
        """The keys that decide who is who come over https; plain http only from this host."""
        url = urlsplit(self.oidc_issuer)
        loopback_allowed = self.environment in {Environment.LOCAL, Environment.TEST}
        if url.scheme == "https" and url.hostname:
            return self
        if url.scheme == "http" and url.hostname in LOOPBACK_HOSTS and loopback_allowed:
            return self
        msg = (
            f"OIDC_ISSUER {self.oidc_issuer!r} must be an https URL "
            "(http only on localhost, in the local and test environments)"
        )
        raise ValueError(msg)
{%- endif %}

    @model_validator(mode="after")
    def _refuse_unsafe_production_config(self) -> Self:
        """Outside `local`, refuse settings that are only acceptable on a laptop."""
        if self.environment is Environment.LOCAL:
            return self
        if "database_url" not in self.model_fields_set:
            msg = "DATABASE_URL must be set outside the local environment"
            raise ValueError(msg)
{%- if cookiecutter.auth == "local" %}
        if self.secret_key.get_secret_value() == DEFAULT_SECRET_KEY:
            msg = "SECRET_KEY must be set to a random value outside the local environment"
            raise ValueError(msg)
{%- endif %}
        if self.debug:
            msg = "DEBUG must be off outside the local environment"
            raise ValueError(msg)
        if self.cors_allow_credentials and "*" in self.cors_origins:
            msg = "CORS_ORIGINS may not contain '*' when CORS_ALLOW_CREDENTIALS is on"
            raise ValueError(msg)
{%- if cookiecutter.auth == "local" %}
        for name, value in (
            ("SMTP_HOST", self.smtp_host),
            ("EMAILS_FROM", self.emails_from),
            ("FRONTEND_URL", self.frontend_url),
        ):
            if value is None:
                msg = f"{name} must be set outside the local environment: accounts send email"
                raise ValueError(msg)
{%- endif %}
        return self


def load_settings() -> Settings:
    """The settings, or exit with one line per refused setting, naming it.

    No traceback: pydantic's would print the values given, secrets included.
    """
    try:
        return Settings()
    except ValidationError as refused:
        reasons = (
            f"{'.'.join(map(str, error['loc'])).upper()}: {error['msg']}"
            if error["loc"]
            else error["msg"].removeprefix("Value error, ")
            for error in refused.errors()
        )
        raise SystemExit("Refusing to start: " + "; ".join(reasons)) from None
