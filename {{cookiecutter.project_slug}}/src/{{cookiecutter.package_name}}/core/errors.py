"""Domain errors: raised by services, mapped to problem+json by `core.http.handlers`.

Each class carries its HTTP status and a description, so routers can document
the errors they may answer with `responses(...)` instead of repeating status codes.
"""

from collections.abc import Mapping
from http import HTTPStatus
from types import MappingProxyType
from typing import Any, ClassVar


class AppError(Exception):
    """An error the API answers on purpose, with a status code and a safe detail."""

    status_code: ClassVar[HTTPStatus] = HTTPStatus.INTERNAL_SERVER_ERROR
    description: ClassVar[str] = "Internal server error."
    headers: ClassVar[Mapping[str, str]] = MappingProxyType({})

    def __init__(
        self, detail: str | None = None, *, retry_after_seconds: int | None = None
    ) -> None:
        self.detail = detail or self.description
        # Sent as `Retry-After` when set: when the client may try again.
        self.retry_after_seconds = retry_after_seconds
        super().__init__(self.detail)

    def response_headers(self) -> dict[str, str]:
        """The headers this error's response carries."""
        headers = dict(self.headers)
        if self.retry_after_seconds is not None:
            headers["Retry-After"] = str(self.retry_after_seconds)
        return headers


class NotFoundError(AppError):
    """The resource does not exist, or belongs to someone else (answered alike)."""

    status_code = HTTPStatus.NOT_FOUND
    description = "The resource was not found."


class PermissionDeniedError(AppError):
    """The caller is authenticated but lacks the permission the route requires."""

    status_code = HTTPStatus.FORBIDDEN
    description = "You lack the permission this requires."


class ConflictError(AppError):
    """The request clashes with the current state, e.g. a duplicate email."""

    status_code = HTTPStatus.CONFLICT
    description = "The resource already exists."


class AuthenticationError(AppError):
    """Credentials are missing, malformed, expired or no longer valid."""

    status_code = HTTPStatus.UNAUTHORIZED
    description = "Not authenticated."
    headers = MappingProxyType({"WWW-Authenticate": "Bearer"})


class TooManyRequestsError(AppError):
    """The client made too many attempts; `Retry-After` says when it may try again."""

    status_code = HTTPStatus.TOO_MANY_REQUESTS
    description = "Too many attempts; retry later."


class ServiceUnavailableError(AppError):
    """A dependency (the database) does not answer; the client may retry."""

    status_code = HTTPStatus.SERVICE_UNAVAILABLE
    description = "The service is temporarily unavailable."


def responses(*errors: type[AppError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the given errors; `core.http.openapi` adds the problem schema."""
    documented: dict[int | str, dict[str, Any]] = {}
    for error in errors:
        entry = documented.setdefault(int(error.status_code), {"description": error.description})
        if error.description not in entry["description"]:
            entry["description"] += " " + error.description
    return documented
