"""OpenAPI that tells the truth about errors (every one is problem+json) and how calls chain."""

import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from pydantic.json_schema import models_json_schema

from {{ cookiecutter.package_name }}.core.http.problems import (
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

    Also documents what any operation can answer: 500, 503 (the database is
    down or too slow, see `core/db/`), and 400 (malformed) and 413
    (too large) where a body is read.
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
            responses.setdefault(
                str(int(HTTPStatus.SERVICE_UNAVAILABLE)),
                {"description": "Temporarily unavailable; retry after `Retry-After` seconds."},
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


def _path_parameters(path: str) -> list[str]:
    return re.findall(r"\{(\w+)\}", path)


def document_links(openapi: dict[str, Any]) -> None:
    """Link each create (a POST answering 201) to what its new id opens, in place.

    `POST /todos` links to every operation on `/todos/{todo_id}` and below, its
    parameter read from the created body's `id`, the rest from the create's own
    path: clients (and Schemathesis' stateful tests) learn how the calls chain.
    """
    paths = openapi.get("paths", {})
    for collection, path_item in paths.items():
        created = path_item.get("post", {}).get("responses", {}).get(str(int(HTTPStatus.CREATED)))
        if created is None:
            continue
        inherited = {name: f"$request.path.{name}" for name in _path_parameters(collection)}
        for item_path, item in paths.items():
            new_id = re.match(re.escape(collection) + r"/\{(\w+)\}", item_path)
            if new_id is None:
                continue
            parameters = {**inherited, new_id.group(1): "$response.body#/id"}
            if not set(_path_parameters(item_path)) <= parameters.keys():
                continue  # Needs an id this create does not give, as a grandchild's does.
            for operation in item.values():
                created.setdefault("links", {})[operation["operationId"]] = {
                    "operationId": operation["operationId"],
                    "parameters": parameters,
                }


class ProblemDocumentingFastAPI(FastAPI):
    """FastAPI whose OpenAPI document describes errors as they are really sent."""

    def openapi(self) -> dict[str, Any]:
        """Build the document once, then serve the cached copy."""
        if self.openapi_schema is None:
            document = super().openapi()
            document_problems(document)
            document_links(document)
        return super().openapi()
