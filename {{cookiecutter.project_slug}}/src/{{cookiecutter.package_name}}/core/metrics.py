"""Prometheus metrics: what each request did, how busy the pools are, what was refused.

Each app owns its registry, and each process serves its own series: the
service runs one uvicorn worker per container and scales by replicas, and
Prometheus scrapes every replica on its own (README, "Operating"). Figures
that exist anyway, the pools' and the hashing queue's, are read when
Prometheus scrapes, so requests pay nothing for them.
"""

import platform
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import cast

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
)
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

# From a millisecond to ten seconds, the statement timeout's order.
DURATION_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# The one route label of every path no route matches: raw paths would be a label per id.
UNMATCHED_ROUTE = "<unmatched>"
# Any other method is one label value too: clients choose the method token freely.
KNOWN_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"})
OTHER_METHOD = "_OTHER"
_WORD_BOUNDARY = re.compile(r"(?<!^)(?=[A-Z])")
# As typed as it is documented; the library leaves this function unannotated.
_disable_created_metrics = cast("Callable[[], None]", disable_created_metrics)


@dataclass(frozen=True, slots=True)
class PoolUsage:
    """One connection pool's figures at a scrape."""

    pool: str
    size: int
    in_use: int
    waiting: int


{%- if cookiecutter.auth == "local" %}


@dataclass(frozen=True, slots=True)
class HashingUsage:
    """The password hasher's figures at a scrape."""

    slots: int
    running: int
    queued: int
{%- endif %}


class RequestMetrics:
    """A counter and a latency histogram per method, route template and status.

    The labelled children are looked up once per label combination and kept:
    a request pays for two increments, not for resolving its labels again.
    """

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=registry,
        )
        self.duration = Histogram(
            "http_request_duration_seconds",
            "Time from the request's arrival to its last response byte, by status class.",
            ["method", "route", "status_class"],
            buckets=DURATION_BUCKETS,
            registry=registry,
        )
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def observe(self, method: str, route: str | None, status: int, seconds: float) -> None:
        """Count one answered request and its duration."""
        if method not in KNOWN_METHODS:
            method = OTHER_METHOD
        key = (method, route or UNMATCHED_ROUTE, status)
        children = self._children.get(key) or self._add_children(key)
        children[0].inc()
        children[1].observe(seconds)

    def _add_children(self, key: tuple[str, str, int]) -> tuple[Counter, Histogram]:
        method, route, status = key
        children = (
            self.requests.labels(method, route, str(status)),
            self.duration.labels(method, route, f"{status // 100}xx"),
        )
        self._children[key] = children
        return children


class RefusalMetrics:
    """The 503s and 429s given because a resource ran out, by reason."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.refusals = Counter(
            "http_refusals",
            "Requests refused with 503 or 429, by status and reason "
            "(database_unavailable, hashing_busy, too_many_attempts).",
            ["status", "reason"],
            registry=registry,
        )

    def count(self, status: int, error: type[Exception]) -> None:
        """Count one refusal, its reason named after the domain error that caused it."""
        self.refusals.labels(str(status), refusal_reason(error)).inc()


def refusal_reason(error: type[Exception]) -> str:
    """`HashingBusyError` -> `hashing_busy`: a label value fixed by the code, never by input."""
    return _WORD_BOUNDARY.sub("_", error.__name__.removesuffix("Error")).lower()


class _ScrapeTimeGauges(Collector):
    """Gauges read from the pools and the hasher when Prometheus scrapes."""

    def __init__(
        self,
        pools: Callable[[], Iterable[PoolUsage]],
{%- if cookiecutter.auth == "local" %}
        hashing: Callable[[], HashingUsage],
{%- endif %}
    ) -> None:
        self._pools = pools
{%- if cookiecutter.auth == "local" %}
        self._hashing = hashing
{%- endif %}

    def collect(self) -> Iterator[Metric]:
        """The current figures, one sample per pool."""
        size = GaugeMetricFamily(
            "db_pool_size", "Most connections the pool opens.", labels=["pool"]
        )
        in_use = GaugeMetricFamily(
            "db_pool_connections_in_use", "Connections taken by requests.", labels=["pool"]
        )
        waiting = GaugeMetricFamily(
            "db_pool_waiting_requests",
            "Requests waiting for a connection, served in arrival order.",
            labels=["pool"],
        )
        for usage in self._pools():
            size.add_metric([usage.pool], usage.size)
            in_use.add_metric([usage.pool], usage.in_use)
            waiting.add_metric([usage.pool], usage.waiting)
{%- if cookiecutter.auth == "local" %}
        hashing = self._hashing()
        yield from (size, in_use, waiting)
        yield GaugeMetricFamily(
            "password_hashing_slots", "Password hashes that may run at once.", hashing.slots
        )
        yield GaugeMetricFamily(
            "password_hashes_running", "Password hashes computing now.", hashing.running
        )
        yield GaugeMetricFamily(
            "password_hashes_queued", "Password hashes waiting for a slot.", hashing.queued
        )
{%- else %}
        yield from (size, in_use, waiting)
{%- endif %}


class _BuildInfo(Collector):
    """`app_build_info`, always 1, its labels naming what runs."""

    def __init__(self, release: str) -> None:
        self._labels = {"version": release, "python_version": platform.python_version()}

    def collect(self) -> Iterator[Metric]:
        """The one sample."""
        info = GaugeMetricFamily(
            "app_build_info", "The running release and Python.", labels=list(self._labels)
        )
        info.add_metric(list(self._labels.values()), 1)
        yield info


class Metrics:
    """The app's registry: request metrics, refusals, scrape-time gauges, build and process."""

    def __init__(
        self,
        *,
        release: str,
        pools: Callable[[], Iterable[PoolUsage]],
{%- if cookiecutter.auth == "local" %}
        hashing: Callable[[], HashingUsage],
{%- endif %}
    ) -> None:
        # No `_created` series beside each counter and histogram: Prometheus's text
        # format has no use for them, and they would double what every scrape reads.
        _disable_created_metrics()
        self.registry = CollectorRegistry()
        self.requests = RequestMetrics(self.registry)
        self.refusals = RefusalMetrics(self.registry)
        for collector in (
            _ScrapeTimeGauges(pools{% if cookiecutter.auth == "local" %}, hashing{% endif %}),
            _BuildInfo(release),
            # The process's CPU, memory and file descriptors, the interpreter and its GC.
            PROCESS_COLLECTOR,
            PLATFORM_COLLECTOR,
            GC_COLLECTOR,
        ):
            self.registry.register(collector)

    def exposition(self, accept: str) -> tuple[bytes, str]:
        """The registry in the format the scraper asks for (Prometheus text or OpenMetrics)."""
        encode, media_type = choose_encoder(accept)
        return encode(self.registry), media_type
