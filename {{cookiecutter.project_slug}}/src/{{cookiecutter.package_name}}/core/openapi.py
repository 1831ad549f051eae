"""OpenAPI that tells the truth about errors: every one is problem+json."""

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from pydantic.json_schema import models_json_schema

from {{ cookiecutter.package_name }}.core.problems import (
    PROBLEM_MEDIA_TYPE,
    Problem,
    ValidationProblem,
)

SCHEMA_REF = "#/components/schemas/{model}"
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def _problem_content(status: int) -> dict[str, Any]:
    model = ValidationProblem if status == HTTPStatus.UNPROCESSABLE_ENTITY else Problem
    return {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": SCHEMA_REF.format(model=model.__name__)}}}


def document_problems(openapi: dict[str, Any]) -> None:
    """Rewrite every error response of `openapi` to the problem+json schemas, in place.

    Also documents what any operation can answer: 500, and 400 (malformed) and
    413 (too large) where a body is read.
    """
    _, definitions = models_json_schema(
        [(Problem, "serialization"), (ValidationProblem, "serialization")], ref_template=SCHEMA_REF
    )
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    for name in FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    schemas.update(definitions["$defs"])
    for path_item in openapi.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            responses.setdefault(
                str(int(HTTPStatus.INTERNAL_SERVER_ERROR)), {"description": "Unexpected error."}
            )
            if "requestBody" in operation:
                responses.setdefault(
                    str(int(HTTPStatus.BAD_REQUEST)), {"description": "The body cannot be parsed."}
                )
                responses.setdefault(
                    str(int(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)),
                    {"description": "The request body is too large."},
                )
            for status, response in responses.items():
                if status.isdigit() and int(status) >= HTTPStatus.BAD_REQUEST:
                    response["content"] = _problem_content(int(status))


class ProblemDocumentingFastAPI(FastAPI):
    """FastAPI whose OpenAPI document describes errors as they are really sent."""

    def openapi(self) -> dict[str, Any]:
        """Build the document once, then serve the cached copy."""
        if self.openapi_schema is None:
            document_problems(super().openapi())
        return super().openapi()
