"""Metrics: /metrics in Prometheus's format, requests counted by route template and status."""

import asyncio
import socket
from collections import Counter
from uuid import uuid4

import asyncpg
import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.core.db import Database
from {{ cookiecutter.package_name }}.core.metrics import DURATION_BUCKETS, UNMATCHED_ROUTE, Metrics
{%- if cookiecutter.auth == "local" %}
from {{ cookiecutter.package_name }}.core.security.passwords import PasswordHasher
{%- endif %}
from {{ cookiecutter.package_name }}.main import create_app
{%- if cookiecutter.auth == "local" %}

from tests.conftest import PASSWORD, TransactionalDatabase
from tests.test_passwords import SLOW_HASHING
{%- endif %}

Samples = dict[str, list[Sample]]


def parse(text: str) -> Samples:
    """Every sample of the exposition, by sample name (`http_requests_total`, ...)."""
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append(sample)
    return samples


async def scrape(client: AsyncClient, app: FastAPI) -> Samples:
    response = await client.get(app.url_path_for("metrics"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    return parse(response.text)


def requests_by_route(samples: Samples) -> Counter[tuple[str, str, str]]:
    return Counter(
        {
            (sample.labels["method"], sample.labels["route"], sample.labels["status"]): int(
                sample.value
            )
            for sample in samples["http_requests_total"]
        }
    )


def value(samples: Samples, name: str, **labels: str) -> float:
    (found,) = [sample.value for sample in samples[name] if sample.labels.items() >= labels.items()]
    return found


async def test_requests_are_counted_by_method_route_template_and_status(
    client: AsyncClient, app: FastAPI, auth_headers: dict[str, str]
) -> None:
    created = await client.post(
        app.url_path_for("create_todo"), json={"title": "counted"}, headers=auth_headers
    )
    todo = app.url_path_for("get_todo", todo_id=created.json()["id"])
    missing = app.url_path_for("get_todo", todo_id=str(uuid4()))
    for path in (todo, todo, missing):
        await client.get(path, headers=auth_headers)
    await client.get("/health/live")

    counted = requests_by_route(await scrape(client, app))
    assert counted == {
{%- if cookiecutter.auth == "local" %}
        ("POST", "/api/v1/auth/register", "201"): 1,
        ("POST", "/api/v1/auth/token", "200"): 1,
{%- endif %}
        ("POST", "/api/v1/todos", "201"): 1,
        ("GET", "/api/v1/todos/{todo_id}", "200"): 2,
        ("GET", "/api/v1/todos/{todo_id}", "404"): 1,
        ("GET", "/health/live", "200"): 1,
    }
    # The scrape counts itself once it is answered.
    counted = requests_by_route(await scrape(client, app))
    assert counted["GET", "/metrics", "200"] == 1


async def test_durations_are_a_histogram_by_status_class_in_milliseconds_to_seconds(
    client: AsyncClient, app: FastAPI
) -> None:
    for _ in range(3):
        await client.get("/health/live")
    await client.get("/api/v1/todos")  # 401
    samples = await scrape(client, app)
    live = {"method": "GET", "route": "/health/live"}
    assert value(samples, "http_request_duration_seconds_count", **live, status_class="2xx") == 3
    assert value(samples, "http_request_duration_seconds_sum", **live, status_class="2xx") > 0
    unauthorised = {"route": "/api/v1/todos", "status_class": "4xx"}
    assert value(samples, "http_request_duration_seconds_count", **unauthorised) == 1
    bounds = [
        float(sample.labels["le"])
        for sample in samples["http_request_duration_seconds_bucket"]
        if sample.labels.items() >= {**live, "status_class": "2xx"}.items()
    ]
    assert bounds == [*DURATION_BUCKETS, float("inf")]
    assert bounds[0] == 0.001


async def test_paths_no_route_matches_share_one_label_and_methods_are_bounded(
    client: AsyncClient, app: FastAPI, auth_headers: dict[str, str]
) -> None:
    for _ in range(3):
        await client.get(f"/{uuid4()}")
    await client.request("BREW", "/health/live")
    counted = requests_by_route(await scrape(client, app))
    assert counted["GET", UNMATCHED_ROUTE, "404"] == 3
    assert counted["_OTHER", "/health/live", "405"] == 1

    labels_before = set(counted)
    await client.get(f"/api/v1/todos/{uuid4()}/{uuid4()}", headers=auth_headers)
    await client.get(f"/{uuid4()}")
    counted = requests_by_route(await scrape(client, app))
    new_labels = set(counted) - labels_before
    assert new_labels == {("GET", "/metrics", "200")}, "a random path added a label value"
    assert counted["GET", UNMATCHED_ROUTE, "404"] == 5


async def test_a_scraper_asking_for_openmetrics_gets_it(client: AsyncClient, app: FastAPI) -> None:
    response = await client.get(
        app.url_path_for("metrics"), headers={"Accept": "application/openmetrics-text"}
    )
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.endswith("# EOF\n")


async def test_build_and_process_figures_are_exported(client: AsyncClient, app: FastAPI) -> None:
    samples = await scrape(client, app)
    (build,) = samples["app_build_info"]
    assert build.value == 1
    assert build.labels["version"] == "0.1.0"
    assert build.labels["python_version"]
    assert samples["process_resident_memory_bytes"][0].value > 0
    assert "_created" not in " ".join(samples), "created series double every scrape"


async def test_scrapes_are_left_out_of_the_access_log(
    capsys: pytest.CaptureFixture[str], client: AsyncClient, app: FastAPI
) -> None:
    await scrape(client, app)
    assert '"logger": "access"' not in capsys.readouterr().out


async def test_metrics_can_be_turned_off(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"metrics_enabled": False}))
    assert app.state.metrics is None
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        assert (await client.get("/metrics")).status_code == 404


{% if cookiecutter.auth == "local" -%}
async def test_refusals_are_counted_by_reason(
    settings: Settings, database: TransactionalDatabase
) -> None:
    limited = settings.model_copy(
        update={
            **SLOW_HASHING,
            "registrations_per_address": 1,
            "password_hashing_timeout_seconds": 0.001,
        }
    )
    app = create_app(limited)
    app.state.database = database
    hasher: PasswordHasher = app.state.password_hasher
    register = app.url_path_for("register")
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        # The only hashing slot busy: the registration waits past its timeout, 503.
        blocker = asyncio.create_task(hasher.hash(PASSWORD))
        await asyncio.sleep(0)
        body = {"email": "refused@example.com", "password": PASSWORD, "full_name": "R"}
        assert (await client.post(register, json=body)).status_code == 503
        await blocker
        # The one registration this address may make is spent by the refused one: 429.
        assert (await client.post(register, json=body)).status_code == 429
        samples = await scrape(client, app)
    refusals = {
        (sample.labels["status"], sample.labels["reason"]): sample.value
        for sample in samples["http_refusals_total"]
    }
    assert refusals == {("503", "hashing_busy"): 1, ("429", "too_many_attempts"): 1}


{% endif -%}
def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_a_database_outage_is_counted_as_a_refusal(settings: Settings) -> None:
    unreachable = f"postgresql+asyncpg://postgres@127.0.0.1:{_closed_port()}/nowhere"
    app = create_app(settings.model_copy(update={"database_url": unreachable}))
    try:
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
            assert (await client.get("/health/ready")).status_code == 503
            samples = await scrape(client, app)
    finally:
        await app.state.database.dispose()
    assert value(samples, "http_refusals_total", reason="database_unavailable") == 1


def _pool(metrics: Metrics, pool: str) -> tuple[float, float]:
    samples = parse(metrics.exposition("")[0].decode())
    return (
        value(samples, "db_pool_connections_in_use", pool=pool),
        value(samples, "db_pool_waiting_requests", pool=pool),
    )


async def test_pool_gauges_count_connections_in_use_and_requests_waiting(
    settings: Settings, pool: asyncpg.Pool
) -> None:
    del pool  # Only the worker's database, made by its fixture, is needed here.
    app = create_app(settings.model_copy(update={"database_pool_size": 1}))
    database: Database = app.state.database
    metrics: Metrics = app.state.metrics
    assert _pool(metrics, "read") == (0, 0)
    try:
        held = await database.acquire(read_only=True)
        waiter = asyncio.create_task(database.acquire(read_only=True))
        await asyncio.sleep(0.05)  # It waits for the only connection.
        assert _pool(metrics, "read") == (1, 1)
        assert _pool(metrics, "write") == (0, 0)
        await database.release(held, read_only=True)
        await database.release(await waiter, read_only=True)
        assert _pool(metrics, "read") == (0, 0)
        samples = parse(metrics.exposition("")[0].decode())
        assert value(samples, "db_pool_size", pool="read") == 1
    finally:
        await database.dispose()
{%- if cookiecutter.auth == "local" %}


async def test_hashing_gauges_count_hashes_running_and_queued(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"password_hashing_concurrency": 1}))
    hasher: PasswordHasher = app.state.password_hasher
    metrics: Metrics = app.state.metrics

    def hashing() -> tuple[float, float, float]:
        samples = parse(metrics.exposition("")[0].decode())
        return (
            value(samples, "password_hashing_slots"),
            value(samples, "password_hashes_running"),
            value(samples, "password_hashes_queued"),
        )

    hashes = [asyncio.create_task(hasher.hash(PASSWORD)) for _ in range(3)]
    await asyncio.sleep(0)  # One hash took the slot; the other two wait for it.
    assert hashing() == (1, 1, 2)
    await asyncio.gather(*hashes)
    assert hashing() == (1, 0, 0)
    hasher.shutdown()
{%- endif %}
