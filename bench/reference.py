"""The limit of the stack: the service's todo API in plain Starlette, asyncpg, PyJWT and json.

`make bench` serves this beside a default bake, with the same uvicorn from the
bake's own environment, and compares the two. Per request it does the
service's work and nothing more: the same token checks, the user confirmed
active, the same SQL statements (``bench.reference_sql``), the same JSON
bytes, status codes and headers, and the same JSON access line on stdout
(``bench.reference_access_log``); writes in one transaction, reads in none.
No ORM, no validation library. It serves what the bench sends (PATCH sets
``completed`` only) and reads the service's setting names from the environment.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from http import HTTPStatus
from types import MappingProxyType
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import jwt
from asyncpg.pool import PoolConnectionProxy
from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bench import reference_sql as sql
from bench.reference_access_log import access_log_middleware, write_access_lines_to

SECRET_KEY = os.environ["SECRET_KEY"]
ISSUER = os.environ["JWT_ISSUER"]
AUDIENCE = os.environ["JWT_AUDIENCE"]
ACCESS_TOKEN_TYPE = "at+jwt"  # noqa: S105 - a JWT `typ` header, not a secret
REQUIRED_CLAIMS = ["exp", "iat", "nbf", "sub", "iss", "aud", "jti"]
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_OFFSET = 1_000_000
MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 2000
TODO_FIELDS = frozenset({"title", "description", "due_date"})

_jwt = jwt.PyJWT(options={"enforce_minimum_key_length": True})


class ProblemError(Exception):
    """An error answered as RFC 9457 problem+json, as the service answers it."""

    status: HTTPStatus
    detail: str
    headers: Mapping[str, str] | None = None


class InvalidTokenError(ProblemError):
    """Any defect of the bearer token, or its user gone or inactive: one 401 for all."""

    status = HTTPStatus.UNAUTHORIZED
    detail = "Invalid or expired token."
    headers = MappingProxyType({"WWW-Authenticate": "Bearer"})


class TodoNotFoundError(ProblemError):
    """No todo with this id belongs to the caller."""

    status = HTTPStatus.NOT_FOUND
    detail = "Todo not found."


class InvalidInputError(ProblemError):
    """The body or a query parameter is not what the route accepts."""

    status = HTTPStatus.UNPROCESSABLE_ENTITY
    detail = "The request is invalid."


# The service's security headers: on every response, and `no-store` on every API response.
_SECURITY_HEADERS = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"))
_API_SECURITY_HEADERS = (*_SECURITY_HEADERS, ("Cache-Control", "no-store"))


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    """Keep a well-formed incoming X-Request-ID, else make one; answer with it and the security headers."""

    async def with_request_id(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get("x-request-id", "")
        request_id = incoming if _is_uuid(incoming) else uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id

        extra = _API_SECURITY_HEADERS if scope["path"].startswith("/api/") else _SECURITY_HEADERS

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.append("X-Request-ID", request_id)
                for name, value in extra:
                    headers.append(name, value)
            await send(message)

        await app(scope, receive, send_with_id)

    return with_request_id


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


def _json(
    content: object,
    status: int = HTTPStatus.OK,
    headers: Mapping[str, str] | None = None,
    media_type: str = "application/json",
) -> Response:
    body = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
    return Response(body, status, headers, media_type=media_type)


def _timestamp(value: datetime) -> str:
    # asyncpg returns timestamptz in UTC; pydantic writes UTC as "Z".
    return value.isoformat().replace("+00:00", "Z")


def _todo(row: asyncpg.Record) -> dict[str, object]:
    """Return the todo as the service's `TodoRead` writes it, fields in its order."""
    due_date: date | None = row["due_date"]
    return {
        "id": str(row["id"]),
        "title": row["title"],
        "description": row["description"],
        "completed": row["completed"],
        "due_date": None if due_date is None else due_date.isoformat(),
        "created_at": _timestamp(row["created_at"]),
        "updated_at": _timestamp(row["updated_at"]),
    }


def _token_subject(request: Request) -> UUID:
    """Return the user the access token names, checked as the service's `TokenCodec.decode` checks it."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise InvalidTokenError
    try:
        decoded = _jwt.decode_complete(
            token,
            SECRET_KEY,
            algorithms=["HS256"],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": REQUIRED_CLAIMS},
        )
        if decoded["header"].get("typ") != ACCESS_TOKEN_TYPE:
            raise InvalidTokenError
        payload = decoded["payload"]
        UUID(payload["jti"])
        return UUID(payload["sub"])
    except (jwt.PyJWTError, ValueError, TypeError) as error:
        raise InvalidTokenError from error


async def _confirm_active(connection: PoolConnectionProxy, user_id: UUID) -> None:
    if await connection.fetchrow(sql.ACTIVE_USER, user_id) is None:
        raise InvalidTokenError


def _pool(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.app.state.pool
    return pool


def _page_parameter(request: Request, name: str, default: int, bounds: range) -> int:
    text = request.query_params.get(name)
    if text is None:
        return default
    if not text.isdigit() or int(text) not in bounds:
        raise InvalidInputError
    return int(text)


async def _json_object(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body())
    except ValueError as error:
        raise InvalidInputError from error
    if not isinstance(body, dict):
        raise InvalidInputError
    return body


def _new_todo_fields(body: Mapping[str, Any]) -> tuple[str, str | None, date | None]:
    """Return the title, description and due date of a new todo, bounded as the service's `TodoCreate` bounds them."""
    title, description, due_date = body.get("title"), body.get("description"), body.get("due_date")
    if (
        not body.keys() <= TODO_FIELDS
        or not isinstance(title, str)
        or not 1 <= len(title) <= MAX_TITLE_LENGTH
        or not (description is None or (isinstance(description, str) and len(description) <= MAX_DESCRIPTION_LENGTH))
        or not (due_date is None or isinstance(due_date, str))
    ):
        raise InvalidInputError
    try:
        return title, description, None if due_date is None else date.fromisoformat(due_date)
    except ValueError as error:
        raise InvalidInputError from error


async def live(_request: Request) -> Response:
    """Answer that the process is up."""
    return _json({"status": "ok"})


async def list_todos(request: Request) -> Response:
    """Answer the caller's todos, newest first, and their total."""
    user_id = _token_subject(request)
    limit = _page_parameter(request, "limit", DEFAULT_PAGE_SIZE, range(1, MAX_PAGE_SIZE + 1))
    offset = _page_parameter(request, "offset", 0, range(MAX_OFFSET + 1))
    async with _pool(request).acquire() as connection:
        await _confirm_active(connection, user_id)
        rows = await connection.fetch(sql.TODO_PAGE, user_id, limit, offset)
        if rows:
            total = rows[0]["total"]
        elif offset == 0:
            total = 0
        else:  # Past the last page no row carries the total.
            total = await connection.fetchval(sql.TODO_COUNT, user_id)
    return _json({"items": [_todo(row) for row in rows], "total": total, "limit": limit, "offset": offset})


async def create_todo(request: Request) -> Response:
    """Create a todo; `Location` names it."""
    user_id = _token_subject(request)
    title, description, due_date = _new_todo_fields(await _json_object(request))
    now, completed = datetime.now(UTC), False
    async with _pool(request).acquire() as connection, connection.transaction():
        await _confirm_active(connection, user_id)
        (row,) = await connection.fetch(
            sql.INSERT_TODO, uuid4(), now, now, user_id, title, description, completed, due_date
        )
    todo = _todo(row)
    return _json(todo, HTTPStatus.CREATED, {"Location": f"/api/v1/todos/{todo['id']}"})


async def get_todo(request: Request) -> Response:
    """Answer one of the caller's todos."""
    user_id = _token_subject(request)
    async with _pool(request).acquire() as connection:
        await _confirm_active(connection, user_id)
        row = await connection.fetchrow(sql.TODO_BY_ID, request.path_params["todo_id"], user_id)
    if row is None:
        raise TodoNotFoundError
    return _json(_todo(row))


async def complete_todo(request: Request) -> Response:
    """Set `completed`, the one field the bench's PATCH sends."""
    user_id = _token_subject(request)
    body = await _json_object(request)
    completed = body.get("completed")
    if body.keys() != {"completed"} or not isinstance(completed, bool):
        raise InvalidInputError
    async with _pool(request).acquire() as connection, connection.transaction():
        await _confirm_active(connection, user_id)
        row = await connection.fetchrow(
            sql.COMPLETE_TODO, datetime.now(UTC), completed, request.path_params["todo_id"], user_id
        )
    if row is None:
        raise TodoNotFoundError
    return _json(_todo(row))


async def problem(request: Request, error: Exception) -> Response:
    """Answer a `ProblemError` with problem+json, as the service's handlers do."""
    if not isinstance(error, ProblemError):
        raise error
    body = {
        "type": "about:blank",
        "title": error.status.phrase,
        "status": error.status.value,
        "detail": error.detail,
        "instance": request.url.path,
        "request_id": request.state.request_id,
    }
    return _json(body, error.status, error.headers, "application/problem+json")


async def _keep_session(_connection: asyncpg.Connection) -> None:
    """Return connections to the pool as they are, as SQLAlchemy's pool does.

    asyncpg's default reset sends `RESET ALL` and friends on every release, a
    statement the service never sends; no request here leaves session state.
    """


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    """Open the pool, sized as the service's, for the life of the process."""
    size = int(os.environ["DATABASE_POOL_SIZE"])
    async with asyncpg.create_pool(
        os.environ["DATABASE_URL"],
        min_size=size,
        max_size=size,
        reset=_keep_session,
        command_timeout=float(os.environ["DATABASE_STATEMENT_TIMEOUT_SECONDS"]),
        server_settings={"application_name": os.environ["APPLICATION_NAME"]},
    ) as pool:
        app.state.pool = pool
        yield


write_access_lines_to(sys.stdout)
app = Starlette(
    routes=[
        Route("/health/live", live),
        Route("/api/v1/todos", list_todos),
        Route("/api/v1/todos", create_todo, methods=["POST"]),
        Route("/api/v1/todos/{todo_id:uuid}", get_todo),
        Route("/api/v1/todos/{todo_id:uuid}", complete_todo, methods=["PATCH"]),
    ],
    exception_handlers={ProblemError: problem},
    # The access line inside the request id, as the service logs it.
    middleware=[Middleware(request_id_middleware), Middleware(access_log_middleware)],
    lifespan=lifespan,
)
