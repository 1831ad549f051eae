"""The app factory; `app`, what uvicorn serves, is built by it on first lookup.

Importing this module builds nothing: no settings read, no logging set up, no
pool or thread made. `uvicorn <package>.main:app` looks `app` up, and that
builds it, once.
"""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from uuid import UUID

from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from {{ cookiecutter.package_name }}.core.config import Settings, load_settings
from {{ cookiecutter.package_name }}.core.db import Database
from {{ cookiecutter.package_name }}.core.http.access_log import AccessLogMiddleware
from {{ cookiecutter.package_name }}.core.http.handlers import exception_handlers
from {{ cookiecutter.package_name }}.core.http.middleware import (
    BodySizeLimitMiddleware,
    SecurityHeadersMiddleware,
)
from {{ cookiecutter.package_name }}.core.http.openapi import ProblemDocumentingFastAPI
from {{ cookiecutter.package_name }}.core.logging import configure_logging
{%- if cookiecutter.auth == "local" %}
from {{ cookiecutter.package_name }}.core.mail.mailer import Mailer
{%- endif %}
from {{ cookiecutter.package_name }}.core.metrics import Metrics
from {{ cookiecutter.package_name }}.core.release import release_version
{%- if cookiecutter.auth == "local" %}
from {{ cookiecutter.package_name }}.core.security.account_tokens import AccountPolicy
from {{ cookiecutter.package_name }}.core.security.limits import AttemptLimits
from {{ cookiecutter.package_name }}.core.security.passwords import PasswordHasher
from {{ cookiecutter.package_name }}.core.security.tokens import TokenCodec
from {{ cookiecutter.package_name }}.core.tracing import Tracing
from {{ cookiecutter.package_name }}.routers import health, well_known
{%- else %}
from {{ cookiecutter.package_name }}.core.security.oidc import OidcVerifier
from {{ cookiecutter.package_name }}.core.tracing import Tracing
from {{ cookiecutter.package_name }}.routers import health
{%- endif %}
from {{ cookiecutter.package_name }}.routers.api import api_router
from {{ cookiecutter.package_name }}.routers.metrics import router as metrics_router


def is_uuid(value: str) -> bool:
    """Whether an incoming X-Request-ID is a UUID (any version) and may be kept."""
    try:
        UUID(value)
    except ValueError:
        return False
    return True


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
{%- if cookiecutter.auth == "local" %}
    """Release the connection pool and the hashing threads, and send the last spans, at shutdown."""
{%- else %}
    """Release the pool and the identity provider's connections, send the last spans, at exit."""
{%- endif %}
    yield
    database: Database = app.state.database
    await database.dispose()
{%- if cookiecutter.auth == "local" %}
    hasher: PasswordHasher = app.state.password_hasher
    hasher.shutdown()
{%- else %}
    verifier: OidcVerifier = app.state.oidc_verifier
    await verifier.keys.aclose()
{%- endif %}
    tracing: Tracing | None = app.state.tracing
    if tracing is not None:
        tracing.shutdown()


def create_app(settings: Settings | None = None, *, tracing: Tracing | None = None) -> FastAPI:
    """Build the app; everything that can be done once is done here, not per request.

    Requests are traced to `tracing` when given, else to the collector the
    settings name, if any.
    """
    settings = settings or Settings()
    tracing = tracing or Tracing.from_settings(settings)
    configure_logging(
        json_logs=settings.log_json,
        level=logging.DEBUG if settings.debug else logging.INFO,
        trace_ids=tracing is not None,
    )
    app = ProblemDocumentingFastAPI(
        title="{{ cookiecutter.project_name }}",
        description="{{ cookiecutter.description }}",
        version="0.1.0",
        lifespan=lifespan,
        exception_handlers=exception_handlers(),
        # Off outside `local` unless API_DOCS turns them on: the contract is for the
        # clients it was given to, not for whoever probes the host. Without the
        # document, FastAPI serves no docs pages either.
        openapi_url="/openapi.json" if settings.serves_api_docs else None,
        # FastAPI's own OpenTelemetry: the server span of each traced request, nothing else
        # (metrics are Prometheus's, log lines structlog's, no span per dependency solved).
        telemetry={
            "tracing": tracing is not None,
            "tracer_provider": tracing.provider if tracing else None,
            "metrics": False,
            "logs": False,
            "operation_spans": False,
            "auto_configure": False,
        },
    )
    database = Database(settings)
{%- if cookiecutter.auth == "local" %}
    hasher = PasswordHasher.from_settings(settings)
    app.state.database = database
    app.state.token_codec = TokenCodec.from_settings(settings)
    app.state.password_hasher = hasher
    app.state.attempt_limits = AttemptLimits.from_settings(settings)
    app.state.metrics = (
        Metrics(release=release_version(), pools=database.usage, hashing=hasher.usage)
        if settings.metrics_enabled
        else None
    )
{%- else %}
    app.state.database = database
    # Its keys are fetched on the first request that needs them: the service starts,
    # and answers /health/live, while the provider is down.
    app.state.oidc_verifier = OidcVerifier.from_settings(settings)
    app.state.metrics = (
        Metrics(release=release_version(), pools=database.usage)
        if settings.metrics_enabled
        else None
    )
{%- endif %}
    app.state.tracing = tracing
    if tracing is not None:
        tracing.instrument_statements()
{%- if cookiecutter.auth == "local" %}
    app.state.account_policy = AccountPolicy.from_settings(settings)
    app.state.mailer = Mailer(settings)
{%- endif %}

    # Added innermost first: the request id wraps everything, so every log line has it,
    # and the security headers wrap that, so CORS preflights and 413s carry them too.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=settings.cors_allow_credentials,
            allow_methods=["*"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["Location", "X-Request-ID"],
        )
    # Inside the request id, so the access line carries it; probes and scrapes are quiet
    # unless asked. Every request is counted, in the same middleware.
    polled = [*health.router.routes, *metrics_router.routes]
    app.add_middleware(
        AccessLogMiddleware,
        routes=app.routes,
        quiet_routes=[] if settings.access_log_probes else polled,
        metrics=app.state.metrics.requests if app.state.metrics else None,
    )
    # The id reaches handlers and logs through `correlation_id`, so the request's own
    # headers are left as they came, and the id as it was made (no transformer).
    app.add_middleware(
        CorrelationIdMiddleware, validator=is_uuid, transformer=None, update_request_header=False
    )
    app.add_middleware(SecurityHeadersMiddleware, private_prefix=api_router.prefix)

    app.include_router(health.router)
    app.include_router(api_router)
{%- if cookiecutter.auth == "local" %}
    app.include_router(well_known.router)
{%- endif %}
    # Last: routes are tried in order on every request, and scrapes are the rarest.
    if settings.metrics_enabled:
        app.include_router(metrics_router)
    return app


@cache
def _served_app() -> FastAPI:
    """The app of the settings in the environment, built once."""
    return create_app(load_settings())


def __getattr__(name: str) -> FastAPI:
    """`app` on first lookup; any other missing name is an `AttributeError`, as usual."""
    if name == "app":
        return _served_app()
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
