"""Exception handlers: every error leaves the app as problem+json, nothing leaks."""

from collections.abc import Callable, Coroutine
from http import HTTPStatus
from typing import Any

import structlog
from asgi_correlation_id import correlation_id
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Match

from {{ cookiecutter.package_name }}.core.errors import AppError
from {{ cookiecutter.package_name }}.core.http.middleware import NO_STORE, SECURITY_HEADERS
from {{ cookiecutter.package_name }}.core.http.problems import (
    FieldError,
    ProblemResponse,
    problem_response,
)
from {{ cookiecutter.package_name }}.core.metrics import Metrics

logger = structlog.get_logger(__name__)
# Refusals for want of a resource: the database, a hashing slot, the client's attempts.
_REFUSALS = frozenset({HTTPStatus.SERVICE_UNAVAILABLE, HTTPStatus.TOO_MANY_REQUESTS})


async def handle_app_error(request: Request, exc: AppError) -> ProblemResponse:
    """A domain error raised on purpose by a service or dependency; refusals are counted."""
    if exc.status_code in _REFUSALS:
        metrics: Metrics | None = request.app.state.metrics
        if metrics is not None:
            metrics.refusals.count(exc.status_code, type(exc))
    return problem_response(
        status=exc.status_code,
        detail=exc.detail,
        instance=request.url.path,
        headers=exc.response_headers(),
    )


def _allowed_methods(request: Request) -> str:
    """Every method the path supports; Starlette's 405 names only those of one route."""
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        match, _ = route.matches(request.scope)
        if match is Match.PARTIAL:
            methods |= route.methods or set()
    return ", ".join(sorted(methods))


async def handle_http_error(request: Request, exc: HTTPException) -> ProblemResponse:
    """Starlette's and FastAPI's own HTTP errors, router 404 and 405 included."""
    # FastAPI's HTTPException allows any JSON as detail; only text is a problem `detail`.
    raw_detail: object = exc.detail
    detail = raw_detail if isinstance(raw_detail, str) else HTTPStatus(exc.status_code).phrase
    headers = dict(exc.headers or {})
    if exc.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
        headers["Allow"] = _allowed_methods(request)
    return problem_response(
        status=exc.status_code, detail=detail, instance=request.url.path, headers=headers
    )


async def handle_validation_error(request: Request, exc: RequestValidationError) -> ProblemResponse:
    """A 422 listing each invalid field without echoing the submitted values."""
    errors = [
        FieldError(loc=list(error["loc"]), msg=error["msg"], type=error["type"])
        for error in exc.errors()
    ]
    return problem_response(
        status=HTTPStatus.UNPROCESSABLE_ENTITY,
        detail="The request is invalid; see `errors`.",
        instance=request.url.path,
        errors=errors,
    )


async def handle_unexpected_error(request: Request, exc: Exception) -> ProblemResponse:
    """Log the bug with its traceback; answer a bare 500 that reveals nothing.

    This runs in Starlette's outermost middleware, outside the request-id and
    security-header middleware, so their headers are set here.
    """
    logger.error("unhandled exception", exc_info=exc, path=request.url.path)
    request_id = correlation_id.get() or ""
    return problem_response(
        status=HTTPStatus.INTERNAL_SERVER_ERROR,
        detail="An unexpected error occurred. Quote the request id when reporting it.",
        instance=request.url.path,
        headers={**SECURITY_HEADERS, **NO_STORE, "X-Request-ID": request_id},
    )


ExceptionHandler = Callable[[Request, Any], Coroutine[Any, Any, Response]]


def exception_handlers() -> dict[int | type[Exception], ExceptionHandler]:
    """The handlers for the app factory; the `Exception` one lands in ServerErrorMiddleware."""
    return {
        AppError: handle_app_error,
        HTTPException: handle_http_error,
        RequestValidationError: handle_validation_error,
        Exception: handle_unexpected_error,
    }
