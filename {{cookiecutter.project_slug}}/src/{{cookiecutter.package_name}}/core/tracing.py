"""OpenTelemetry traces, off unless `OTEL_EXPORTER_OTLP_ENDPOINT` names a collector.

FastAPI makes the request's server span itself (its native telemetry,
which continues a caller's W3C `traceparent`), and asyncpg's
instrumentation a child span per statement: its SQL with `$1` placeholders,
never the values bound to them. Spans leave in a background thread, in
batches, over OTLP/HTTP: a slow or missing collector costs dropped spans,
never a request's time. The standard `OTEL_*` variables (service name,
resource attributes, sampler, headers, timeout) are read from the
environment by the SDK.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.sdk.resources import (
    SERVICE_NAME,
    SERVICE_VERSION,
    OTELResourceDetector,
    Resource,
)
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.core.release import DISTRIBUTION, release_version

# OTLP/HTTP's path for traces under the collector's base URL (the OTLP exporter spec).
TRACES_PATH = "v1/traces"
# The instrumentor (a process-wide singleton) as typed as its documented constructor;
# the library leaves the constructor unannotated.
_asyncpg_instrumentor = cast("Callable[..., AsyncPGInstrumentor]", AsyncPGInstrumentor)


@dataclass(frozen=True, slots=True)
class Tracing:
    """The tracer provider of an app whose requests are traced, and its statement spans."""

    provider: TracerProvider

    @classmethod
    def from_settings(cls, settings: Settings) -> "Tracing | None":
        """Tracing to the configured collector, or None when no collector is configured."""
        if settings.otel_exporter_otlp_endpoint is None:
            return None
        # Imported here: the exporter and its HTTP stack load only where spans are sent.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # noqa: PLC0415
            OTLPSpanExporter,
        )

        base = str(settings.otel_exporter_otlp_endpoint).rstrip("/")
        exporter = OTLPSpanExporter(endpoint=f"{base}/{TRACES_PATH}")
        return cls.to(BatchSpanProcessor(exporter))

    @classmethod
    def to(cls, processor: SpanProcessor) -> "Tracing":
        """Tracing whose spans go to `processor` (tests give one with an in-memory exporter)."""
        provider = TracerProvider(resource=_resource())
        provider.add_span_processor(processor)
        return cls(provider)

    def instrument_statements(self) -> None:
        """Give every asyncpg statement of the process a span; its arguments stay out."""
        instrumentor = _asyncpg_instrumentor(capture_parameters=False)
        instrumentor.instrument(tracer_provider=self.provider)

    def shutdown(self) -> None:
        """Stop the statement spans, then send what is queued.

        With the collector down, this waits out the exporter's timeout
        (`OTEL_EXPORTER_OTLP_TIMEOUT`, 10 s unless set) once, at shutdown.
        """
        _asyncpg_instrumentor().uninstrument()
        self.provider.shutdown()


def _resource() -> Resource:
    """This service and its release; `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES` win."""
    defaults = {SERVICE_NAME: DISTRIBUTION, SERVICE_VERSION: release_version()}
    return Resource.create({**defaults, **OTELResourceDetector().detect().attributes})
