"""Pure ASGI middleware (no BaseHTTPMiddleware: it costs throughput on every request)."""

from http import HTTPStatus

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from {{ cookiecutter.package_name }}.core.problems import problem_response

TOO_LARGE_DETAIL = "The request body is larger than this service accepts."


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
        declared = Headers(scope=scope).get("content-length", "")
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
