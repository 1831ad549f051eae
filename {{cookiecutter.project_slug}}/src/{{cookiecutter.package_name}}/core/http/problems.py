"""RFC 9457 problem details: the one shape every error response has."""

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from asgi_correlation_id import correlation_id
from pydantic import BaseModel, Field
from starlette.responses import JSONResponse

PROBLEM_MEDIA_TYPE = "application/problem+json"


class Problem(BaseModel):
    """An error response (RFC 9457) with the id of the request that caused it."""

    type: str = Field(default="about:blank", description="A URI naming the problem type.")
    title: str = Field(description="The HTTP status phrase.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong, for the client.")
    instance: str = Field(description="The path of the request.")
    request_id: str = Field(description="The X-Request-ID of the request, for support.")


class FieldError(BaseModel):
    """One invalid input value; the value itself is never echoed."""

    loc: list[str | int]
    msg: str
    type: str


class ValidationProblem(Problem):
    """A 422 problem with one entry per invalid field."""

    errors: list[FieldError]


class ProblemResponse(JSONResponse):
    """A JSON response with the problem+json media type."""

    media_type = PROBLEM_MEDIA_TYPE


def problem_response(
    *,
    status: int,
    detail: str,
    instance: str,
    headers: Mapping[str, str] | None = None,
    errors: list[FieldError] | None = None,
) -> ProblemResponse:
    """Build the problem+json response for `status`, tagged with the current request id."""
    fields: dict[str, Any] = {
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": instance,
        "request_id": correlation_id.get() or "",
    }
    problem = Problem(**fields) if errors is None else ValidationProblem(**fields, errors=errors)
    return ProblemResponse(problem.model_dump(mode="json"), status_code=status, headers=headers)
