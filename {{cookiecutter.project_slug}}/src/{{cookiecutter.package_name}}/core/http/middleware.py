"""Pure ASGI middleware (no BaseHTTPMiddleware: it costs throughput on every request)."""

from collections.abc import Mapping
from http import HTTPStatus
from types import MappingProxyType

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from {{ cookiecutter.package_name }}.core.http.problems import problem_response

TOO_LARGE_DETAIL = "The request body is larger than this service accepts."
# On every response: no MIME sniffing of JSON into HTML, no URL leaked in a Referer.
SECURITY_HEADERS: Mapping[str, str] = MappingProxyType(
    {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
)
# On responses that carry tokens or a user's data: no browser or proxy may keep a copy.
NO_STORE: Mapping[str, str] = MappingProxyType({"Cache-Control": "no-store"})


def _raw(headers: Mapping[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode(), value.encode()) for name, value in headers.items()]


class SecurityHeadersMiddleware:
    """Add `SECURITY_HEADERS` to every response, and `NO_STORE` under `private_prefix`.

    Every response under the API prefix is a token exchange or carries a
    bearer token's data, so all of them are `no-store`. The header lists are
    encoded once, here; a request only picks one.
    """

    def __init__(self, app: ASGIApp, *, private_prefix: str) -> None:
        self.app = app
        self.private_prefix = private_prefix
        self.public_headers = _raw(SECURITY_HEADERS)
        self.private_headers = _raw({**SECURITY_HEADERS, **NO_STORE})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Append the headers to the response start, whoever sends it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = scope["path"].startswith(self.private_prefix)
        extra = self.private_headers if private else self.public_headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodySizeLimitMiddleware:
    """Answer 413 problem+json to bodies over `max_bytes`, declared or streamed (chunked).

    FastAPI's own `max_body_size` answers a declared oversize body in plain
    text, which would break the one error format.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse early on Content-Length, and count the bytes as they arrive."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = next(
            (value for name, value in scope["headers"] if name == b"content-length"), b""
        )
        if declared.isdigit() and int(declared) > self.max_bytes:
            response = problem_response(
                status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                detail=TOO_LARGE_DETAIL,
                instance=scope["path"],
            )
            await response(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Raised inside the app, so the problem handlers answer it.
                    raise HTTPException(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, TOO_LARGE_DETAIL)
            return message

        await self.app(scope, counting_receive, send)
