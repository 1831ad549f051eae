"""The Grafana dashboard (deploy/grafana/dashboard.json) queries only the metrics exported."""

import json
import re
from collections.abc import Iterator
from pathlib import Path

from fastapi import FastAPI
from httpx import AsyncClient
from prometheus_client.parser import text_string_to_metric_families

DASHBOARD = Path(__file__).parents[1] / "deploy" / "grafana" / "dashboard.json"
# What a PromQL expression holds besides metric names: label matchers, strings, ranges,
# grouping clauses, and the names of functions, aggregations and operators.
_LABEL_MATCHERS = re.compile(r"\{[^}]*\}")
_STRINGS = re.compile(r'"[^"]*"')
_RANGES = re.compile(r"\[[^\]]*\]")
_GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_IDENTIFIER = re.compile(r"(?<![\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?")
_AGGREGATIONS = {"sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk"}
_KEYWORDS = _AGGREGATIONS | {"quantile", "count_values", "group", "bool", "and", "or"}
_KEYWORDS |= {"unless", "offset", "group_left", "group_right"}
_SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}


def metric_names(expression: str) -> set[str]:
    """The metric names a PromQL expression reads: identifiers that are no function or keyword."""
    bare = _LABEL_MATCHERS.sub("", _STRINGS.sub("", expression))
    bare = _GROUPING.sub("", _RANGES.sub("", bare))
    return {
        name
        for name, call in _IDENTIFIER.findall(bare)
        if not call and name not in _KEYWORDS and not name.startswith("$")
    }


def expressions(dashboard: dict[str, object]) -> Iterator[str]:
    """Every panel query of the dashboard."""
    panels = dashboard["panels"]
    assert isinstance(panels, list)
    for panel in panels:
        for target in panel["targets"]:
            yield target["expr"]


async def exported_names(client: AsyncClient, app: FastAPI) -> set[str]:
    """Every sample name the service's /metrics can hold, whether or not it has samples yet."""
    text = (await client.get(app.url_path_for("metrics"))).text
    return {
        family.name + suffix
        for family in text_string_to_metric_families(text)
        for suffix in _SUFFIXES.get(family.type, ("",))
    }


def test_the_query_reader_finds_the_metric_names() -> None:
    expression = (
        "histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket"
        '{job=~"$job", route!="x"}[$__rate_interval]))) / on(job) group_left sum(up) > bool 2'
    )
    assert metric_names(expression) == {"http_request_duration_seconds_bucket", "up"}


async def test_the_dashboard_queries_only_exported_metrics(
    client: AsyncClient, app: FastAPI
) -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    queried = {name for expression in expressions(dashboard) for name in metric_names(expression)}
    exported = await exported_names(client, app)
    assert queried, "the dashboard queries nothing"
    unknown = queried - exported
    assert not unknown, (
        f"deploy/grafana/dashboard.json queries {sorted(unknown)}, which /metrics does not "
        f"export; it exports {sorted(exported)}"
    )
    assert {"http_requests_total", "http_request_duration_seconds_bucket"} <= queried
