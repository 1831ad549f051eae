"""The reference's access line: the service's JSON line, written with the standard library alone.

The service writes one line per request through structlog into the standard
library's logging, and structlog's JSON renderer calls `json.dumps`. Here the
same line costs one log record, one `json.dumps` and one write to stdout, the
least that work costs on this stack. The keys come in the service's order, and
successful health probes are quiet, as they are by the service's default.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from time import perf_counter
from typing import TextIO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("access")
QUIET_PREFIX = "/health/"
_FIRST_ERROR_STATUS = 400


class JsonLineFormatter(logging.Formatter):
    """Render a record as the service does: its access fields, then event, level, logger, timestamp, request id."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as one JSON object (the fields arrive as `extra`)."""
        extra = vars(record)
        return json.dumps(
            {
                **extra["access"],
                "event": record.getMessage(),
                "level": record.levelname.lower(),
                "logger": record.name,
                "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat().replace("+00:00", "Z"),
                "request_id": extra["request_id"],
            }
        )


def write_access_lines_to(stream: TextIO) -> None:
    """Send the access lines to ``stream``, one record each, with no caller, thread or process gathered.

    The service turns the same record details off (the logging HOWTO's "Optimization").
    """
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLineFormatter())
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logging._srcfile = None  # noqa: SLF001 - the documented switch
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


def access_log_middleware(app: ASGIApp) -> ASGIApp:
    """Log method, route template, status, duration_ms and client once the response is sent.

    Inside the request-id middleware, which puts the id in ``scope["state"]``. A
    request that raises is logged as a 500, the status the server answers it with.
    """

    async def with_access_log(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        start = perf_counter()
        status = 500

        async def send_capturing_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, send_capturing_status)
        finally:
            duration_ms = round((perf_counter() - start) * 1000, 2)
            if status >= _FIRST_ERROR_STATUS or not scope["path"].startswith(QUIET_PREFIX):
                client = scope.get("client")
                fields = {
                    "method": scope["method"],
                    # An unmatched path has no route.
                    "route": getattr(scope.get("route"), "path_format", None),
                    "status": status,
                    "duration_ms": duration_ms,
                    "client": client[0] if client else None,
                }
                logger.info("request", extra={"access": fields, "request_id": scope["state"]["request_id"]})

    return with_access_log
