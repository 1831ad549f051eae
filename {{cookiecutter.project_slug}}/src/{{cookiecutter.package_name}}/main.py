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
from {{ cookiecutter.package_name }}.core.security.limits import AttemptLimits
from {{ cookiecutter.package_name }}.core.security.passwords import PasswordHasher
from {{ cookiecutter.package_name }}.core.security.tokens import TokenCodec
from {{ cookiecutter.package_name }}.routers import health, well_known
from {{ cookiecutter.package_name }}.routers.api import api_router


def is_uuid(value: str) -> bool:
    """Whether an incoming X-Request-ID is a UUID (any version) and may be kept."""
    try:
        UUID(value)
    except ValueError:
        return False
    return True


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Release the connection pool and the hashing threads at shutdown."""
    yield
    database: Database = app.state.database
    await database.dispose()
    hasher: PasswordHasher = app.state.password_hasher
    hasher.shutdown()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; everything that can be done once is done here, not per request."""
    settings = settings or Settings()
    configure_logging(
        json_logs=settings.log_json, level=logging.DEBUG if settings.debug else logging.INFO
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
    )
    app.state.database = Database(settings)
    app.state.token_codec = TokenCodec.from_settings(settings)
    app.state.password_hasher = PasswordHasher.from_settings(settings)
    app.state.attempt_limits = AttemptLimits.from_settings(settings)

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
    # Inside the request id, so the access line carries it; probes are quiet unless asked.
    app.add_middleware(
        AccessLogMiddleware,
        routes=app.routes,
        quiet_routes=[] if settings.access_log_probes else health.router.routes,
    )
    # The id reaches handlers and logs through `correlation_id`, so the request's own
    # headers are left as they came, and the id as it was made (no transformer).
    app.add_middleware(
        CorrelationIdMiddleware, validator=is_uuid, transformer=None, update_request_header=False
    )
    app.add_middleware(SecurityHeadersMiddleware, private_prefix=api_router.prefix)

    app.include_router(health.router)
    app.include_router(api_router)
    app.include_router(well_known.router)
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
