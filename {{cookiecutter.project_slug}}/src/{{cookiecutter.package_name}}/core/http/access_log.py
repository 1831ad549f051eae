"""One structured access line per request, written by the app (uvicorn's own is off).

A line names the route template (`/api/v1/todos/{todo_id}`), not the raw
path: aggregators can group by it, and ids in paths stay out of the logs.
The same middleware feeds the request metrics, from the same template,
status and duration: one wrapper and one route lookup per request, not two.
"""

from collections.abc import Sequence
from time import perf_counter

import structlog
from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from {{ cookiecutter.package_name }}.core.metrics import RequestMetrics

logger = structlog.get_logger("access")
_FIRST_ERROR_STATUS = 400


def route_templates(routes: Sequence[BaseRoute]) -> dict[int, str]:
    """Map the id of each route to its full path template, the prefixes of included routers too.

    The router puts the matched route in the scope, but an included route's own
    `path_format` lacks the prefixes it was included under. Routes are keyed by
    id: some (dataclasses) are unhashable, and the app keeps every one alive.
    """
    return {
        id(context.original_route): context.path_format
        for context in iter_route_contexts(routes)
        if context.path_format
    }


class AccessLogMiddleware:
    """Log method, route, status, duration_ms and client once the response is sent.

    Successful requests to `quiet_routes` (the health probes and the metrics,
    polled every few seconds) are not logged; their failures always are. Every
    request is counted in `metrics`, when given. A request that raises is
    logged and counted as a 500, the status the server answers it with.
    Starlette builds its middleware on the first request, when `routes` holds
    every route.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: Sequence[BaseRoute],
        quiet_routes: Sequence[BaseRoute],
        metrics: RequestMetrics | None,
    ) -> None:
        self.app = app
        self.templates = route_templates(routes)
        self.quiet_routes = frozenset(map(id, quiet_routes))
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Time the request and capture its status from the response start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = perf_counter()
        status = 500

        async def send_capturing_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_capturing_status)
        finally:
            seconds = perf_counter() - start
            # An unmatched path has no route.
            route = scope.get("route")
            template = self.templates.get(id(route)) or getattr(route, "path_format", None)
            if self.metrics is not None:
                self.metrics.observe(scope["method"], template, status, seconds)
            if status >= _FIRST_ERROR_STATUS or id(route) not in self.quiet_routes:
                client = scope.get("client")
                logger.info(
                    "request",
                    method=scope["method"],
                    route=template,
                    status=status,
                    duration_ms=round(seconds * 1000, 2),
                    client=client[0] if client else None,
                )
