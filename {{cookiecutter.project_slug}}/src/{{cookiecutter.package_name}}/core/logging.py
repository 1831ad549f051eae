"""Structured logs: one JSON object per line, each with the request id.

While requests are traced, a line written while a span is current (the
access line included) carries its `trace_id` and `span_id` too, so a log
search leads to the trace and back.

structlog writes the app's own lines itself; the standard library's (uvicorn,
SQLAlchemy) pass through the same processors and renderer in a handler. A line
written by structlog skips the standard library's records and handlers, which
cost more than the rest of the line on every request's access line.
"""

import logging
import sys

import structlog
from asgi_correlation_id import correlation_id
from opentelemetry.trace import get_current_span
from structlog.typing import EventDict, Processor, WrappedLogger


def _add_request_id(_logger: WrappedLogger, _method: str, event: EventDict) -> EventDict:
    """Tag every line logged while a request is handled with its id."""
    if request_id := correlation_id.get():
        event.setdefault("request_id", request_id)
    return event


def _add_trace_ids(_logger: WrappedLogger, _method: str, event: EventDict) -> EventDict:
    """Tag a line written while a span is current with its trace and span ids, as hex."""
    context = get_current_span().get_span_context()
    if context.is_valid:
        event["trace_id"] = format(context.trace_id, "032x")
        event["span_id"] = format(context.span_id, "016x")
    return event


class _StdoutLogger(structlog.WriteLogger):
    """Writes to `sys.stdout` as it is when the logger is made; named for `add_logger_name`."""

    def __init__(self, name: str | None = None) -> None:
        super().__init__(sys.stdout)
        self.name = name


def configure_logging(
    *, json_logs: bool, level: int = logging.INFO, trace_ids: bool = False
) -> None:
    """Route structlog and the standard library (uvicorn, SQLAlchemy) through one renderer.

    `trace_ids` when requests are traced: untraced, no line looks for a span.
    """
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_request_id,
        *([_add_trace_ids] if trace_ids else []),
    ]
    renderer: Processor = (
        structlog.processors.JSONRenderer() if json_logs else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        # A logger made per line follows sys.stdout, which tests capture and swap.
        logger_factory=_StdoutLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    # No line prints the caller, thread or process, so records skip gathering them
    # (the logging HOWTO's "Optimization").
    logging._srcfile = None  # noqa: SLF001 - the documented switch
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        uvicorn_logger = logging.getLogger(name)
        # uvicorn's own handlers give way to ours.
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    # The app writes one access line per request (core/http/access_log.py). uvicorn
    # logs its own only when this logger has a handler, its own or inherited.
    uvicorn_access = logging.getLogger("uvicorn.access")
    uvicorn_access.handlers.clear()
    uvicorn_access.propagate = False
