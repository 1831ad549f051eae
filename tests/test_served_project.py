"""A baked service, served by uvicorn in production mode, answers the SPEC §4 calls over real HTTP.

One bake, one server for the module: the spec calls, the superuser routes and
`make superuser`, the brute-force limits, the security headers, and a burst of
concurrent logins against the server's memory and connection pools. Two more
servers of the same install over the same database make three replicas, as a
load balancer would spread the service: whatever one does, the others see.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.baking import BakedProject, bake_project, project_env, run_make

PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's password
PROBLEM = "application/problem+json"
# Failed logins count in a window this short here, so a test can wait for it to end;
# long enough that the failures (each a real Argon2 hash) all fall within it.
LOGIN_FAILURES_PER_ACCOUNT = 3
LOGIN_FAILURE_WINDOW_SECONDS = 6
CONCURRENT_LOGINS = 64
MAX_PEAK_RSS_MB = 400


@dataclass(frozen=True)
class Served:
    """The running service: its client, its project and environment, and its process id."""

    client: httpx.Client
    project: BakedProject
    env: dict[str, str]
    pid: int


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _uv(project: BakedProject, env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "uv", "run", "--locked", *args],
        cwd=project.path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"uv run {' '.join(args)}:\n{result.stdout}{result.stderr}"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Serve the "Acme Tasks" bake on a free port, its database built by `alembic upgrade head`."""
    project = bake_project(tmp_path_factory.mktemp("served"), project_name="Acme Tasks")
    installed = run_make(project, "install")
    assert installed.returncode == 0, installed.stdout
    env = project_env(project)
    env.update(
        DATABASE_URL=env["TEST_DATABASE_URL"],
        ENVIRONMENT="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        LOGIN_FAILURES_PER_ACCOUNT=str(LOGIN_FAILURES_PER_ACCOUNT),
        LOGIN_FAILURE_WINDOW_SECONDS=str(LOGIN_FAILURE_WINDOW_SECONDS),
        # Every test account registers from 127.0.0.1; the limit itself is tested in the bake.
        REGISTRATIONS_PER_ADDRESS="1000",
        # Verification links go to a port nothing listens on: sent after each response, logged.
        SMTP_HOST="127.0.0.1",
        SMTP_PORT="9",
        SMTP_SECURITY="none",
        EMAILS_FROM="no-reply@example.com",
        FRONTEND_URL="https://app.example.com",
    )
    _uv(
        project,
        env,
        "python",
        "-c",
        "import asyncio, os; from tests.database import recreate_database; "
        "asyncio.run(recreate_database(os.environ['DATABASE_URL']))",
    )
    _uv(project, env, "alembic", "upgrade", "head")
    with _serving(project, env, "uvicorn") as (client, uv_pid):
        yield Served(client, project, env, _uvicorn_pid(uv_pid))


@contextmanager
def _serving(project: BakedProject, env: dict[str, str], name: str) -> Iterator[tuple[httpx.Client, int]]:
    """Serve the project with uvicorn on a free port, logging to `name`.log; stop it on exit."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = project.path / f"{name}.log"
    with (
        log.open("wb") as log_file,
        subprocess.Popen(
            [sys.executable, "-m", "uv", "run", "--locked", "uvicorn", "acme_tasks.main:app", "--port", str(port)],
            cwd=project.path,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        ) as server,
    ):
        try:
            _wait_until_live(base_url, server, log)
            with httpx.Client(base_url=base_url, timeout=10) as client:
                yield client, server.pid
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


@pytest.fixture(scope="module")
def replicas(served: Served) -> Iterator[list[httpx.Client]]:
    """Return the served process and two more of its install, database and secret: three replicas."""
    with ExitStack() as stack:
        others = [stack.enter_context(_serving(served.project, served.env, f"replica-{n}")) for n in (2, 3)]
        yield [served.client, *(client for client, _ in others)]


@pytest.fixture(scope="module")
def service(served: Served) -> httpx.Client:
    """Return the served API's client."""
    return served.client


def _uvicorn_pid(uv_pid: int) -> int:
    """Return the pid of the uvicorn process `uv run` started, whose memory is the service's."""
    # Any of uv's threads may have spawned it; where uv execs instead, it is uv's own pid.
    tasks = Path(f"/proc/{uv_pid}/task").iterdir()
    children = [int(pid) for task in tasks for pid in (task / "children").read_text().split()]
    return children[0] if children else uv_pid


def _peak_rss_mb(pid: int) -> float:
    """Return the process's peak resident memory so far (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    pytest.fail(f"no VmHWM in /proc/{pid}/status")


def _wait_until_live(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"uvicorn exited with {server.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/health/live", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"uvicorn did not answer /health/live within 60 s:\n{log.read_text()}")


def _login(client: httpx.Client) -> tuple[dict[str, str], dict[str, str]]:
    email = f"{uuid4().hex}@Example.com"
    registered = client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "full_name": "A"})
    assert registered.status_code == 201, registered.text
    token = client.post(
        "/api/v1/auth/token", data={"grant_type": "password", "username": email.lower(), "password": PASSWORD}
    )
    assert token.status_code == 200, token.text
    pair = token.json()
    assert pair["token_type"] == "bearer"  # noqa: S105 - the OAuth2 token type
    assert pair["expires_in"] == 900
    return {"Authorization": f"Bearer {pair['access_token']}"}, pair


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_served_api_answers_the_spec_calls(service: httpx.Client) -> None:
    assert service.get("/health/ready").json() == {"status": "ok"}
    alice, alice_tokens = _login(service)
    bob, _ = _login(service)

    created = service.post("/api/v1/todos", json={"title": "Ship it", "due_date": "2030-01-31"}, headers=alice)
    assert created.status_code == 201
    todo = created.json()
    assert created.headers["location"] == f"/api/v1/todos/{todo['id']}"
    assert service.get(created.headers["location"], headers=alice).json() == todo

    page = service.get("/api/v1/todos", params={"limit": 10}, headers=alice).json()
    assert (page["total"], [item["id"] for item in page["items"]]) == (1, [todo["id"]])

    patched = service.patch(f"/api/v1/todos/{todo['id']}", json={"completed": True, "due_date": None}, headers=alice)
    assert (patched.status_code, patched.json()["completed"], patched.json()["due_date"]) == (200, True, None)

    theirs = service.get(f"/api/v1/todos/{todo['id']}", headers=bob)
    assert (theirs.status_code, theirs.headers["content-type"]) == (404, PROBLEM)

    anonymous = service.get("/api/v1/todos")
    assert (anonymous.status_code, anonymous.headers["www-authenticate"]) == (401, "Bearer")

    too_many = service.get("/api/v1/todos", params={"limit": 101}, headers=alice)
    assert (too_many.status_code, too_many.headers["content-type"]) == (422, PROBLEM)
    assert too_many.json()["request_id"] == too_many.headers["x-request-id"]

    assert service.delete(f"/api/v1/todos/{todo['id']}", headers=alice).status_code == 204
    assert service.get(f"/api/v1/todos/{todo['id']}", headers=alice).status_code == 404

    renewed = service.post("/api/v1/auth/refresh", json={"refresh_token": alice_tokens["refresh_token"]})
    assert renewed.status_code == 200
    logout = service.post("/api/v1/auth/logout", json={"refresh_token": renewed.json()["refresh_token"]}, headers=alice)
    assert logout.status_code == 204
    spent = service.post("/api/v1/auth/refresh", json={"refresh_token": renewed.json()["refresh_token"]})
    assert spent.status_code == 401


def _register(client: httpx.Client) -> str:
    email = f"{uuid4().hex}@example.com"
    registered = client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "full_name": "A"})
    assert registered.status_code == 201, registered.text
    return email


def _tokens(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    return client.post("/api/v1/auth/token", data={"username": email, "password": password})


def _bearer(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _make_superuser(served: Served, email: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "superuser", f"email={email}"],
        cwd=served.project.path,
        env=served.env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_superuser_routes_answer_403_to_others_and_deactivation_stops_tokens(served: Served) -> None:
    client = served.client
    admin_email, user_email = _register(client), _register(client)

    unknown = _make_superuser(served, "nobody@example.com")
    assert unknown.returncode != 0
    assert "No user has the email 'nobody@example.com'" in unknown.stderr
    promoted = _make_superuser(served, admin_email.upper())
    assert promoted.returncode == 0, promoted.stdout + promoted.stderr
    assert f"{admin_email} (id " in promoted.stdout
    assert "is now a superuser." in promoted.stdout

    admin = _bearer(_tokens(client, admin_email))
    user_tokens = _tokens(client, user_email)
    user = _bearer(user_tokens)
    user_id = client.get("/api/v1/users/me", headers=user).json()["id"]

    for method, path in [("GET", "/api/v1/users"), ("PATCH", f"/api/v1/users/{user_id}")]:
        forbidden = client.request(method, path, json={"is_active": False}, headers=user)
        assert (forbidden.status_code, forbidden.headers["content-type"]) == (403, PROBLEM), forbidden.text
        anonymous = client.request(method, path, json={"is_active": False})
        assert (anonymous.status_code, anonymous.headers["www-authenticate"]) == (401, "Bearer")

    page = client.get("/api/v1/users", params={"limit": 100}, headers=admin)
    assert page.status_code == 200
    assert {admin_email, user_email} <= {item["email"] for item in page.json()["items"]}

    deactivated = client.patch(f"/api/v1/users/{user_id}", json={"is_active": False}, headers=admin)
    assert (deactivated.status_code, deactivated.json()["is_active"]) == (200, False)
    assert client.get("/api/v1/users/me", headers=user).status_code == 401
    refresh = client.post("/api/v1/auth/refresh", json={"refresh_token": user_tokens.json()["refresh_token"]})
    assert refresh.status_code == 401


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_failed_logins_are_throttled_until_the_window_passes(service: httpx.Client) -> None:
    email = _register(service)
    for _ in range(LOGIN_FAILURES_PER_ACCOUNT):
        assert _tokens(service, email, "wrong password").status_code == 401
    throttled = _tokens(service, email)
    assert (throttled.status_code, throttled.headers["content-type"]) == (429, PROBLEM), throttled.text
    retry_after = int(throttled.headers["retry-after"])
    assert 1 <= retry_after <= LOGIN_FAILURE_WINDOW_SECONDS
    time.sleep(retry_after + 0.5)
    assert _tokens(service, email).status_code == 200


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_security_headers_on_every_response_and_no_docs_in_production(service: httpx.Client) -> None:
    for path in ("/openapi.json", "/docs", "/redoc"):
        assert service.get(path).status_code == 404, f"{path} is served in production"
    token = _tokens(service, "nobody@example.com")
    for response in (service.get("/health/live"), service.get("/api/v1/todos"), token):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
    assert service.get("/api/v1/todos").headers["cache-control"] == "no-store"
    assert token.headers["cache-control"] == "no-store"


async def _burst(base_url: str, emails: list[str], bystander: dict[str, str]) -> tuple[list[object], list[int]]:
    """64 logins at once, while another user reads and writes: every login's status (or error)."""
    limits = httpx.Limits(max_connections=CONCURRENT_LOGINS + 8)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:

        async def login(email: str) -> object:
            try:
                response = await client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
            except httpx.TransportError as error:
                return f"{type(error).__name__}: {error}"
            return response.status_code

        async def meanwhile() -> list[int]:
            statuses = []
            for number in range(10):
                await asyncio.sleep(0.3)
                read = await client.get("/api/v1/todos", headers=bystander)
                written = await client.post("/api/v1/todos", json={"title": f"during {number}"}, headers=bystander)
                statuses += [read.status_code, written.status_code]
            return statuses

        logins = asyncio.gather(*(login(email) for email in emails))
        others = asyncio.create_task(meanwhile())
        return list(await logins), await others


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_64_concurrent_logins_stay_bounded_in_memory_and_starve_no_one(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    accounts = [_register(served.client) for _ in range(8)]
    bystander = _bearer(_tokens(served.client, _register(served.client)))
    emails = [accounts[number % len(accounts)] for number in range(CONCURRENT_LOGINS)]

    started = time.monotonic()
    logins, others = asyncio.run(_burst(str(served.client.base_url), emails, bystander))
    seconds = time.monotonic() - started
    peak_mb = _peak_rss_mb(served.pid)

    counts = {status: logins.count(status) for status in set(logins)}
    with capsys.disabled():
        sys.stdout.write(
            f"\n{CONCURRENT_LOGINS} concurrent logins in {seconds:.1f} s: {counts}; server peak RSS {peak_mb:.0f} MB\n"
        )
    assert set(logins) <= {200, 429, 503}, f"a login got a 500 or lost its connection: {counts}"
    assert 200 in counts
    assert set(others) <= {200, 201}, f"another user's reads and writes during the burst: {others}"
    assert peak_mb < MAX_PEAK_RSS_MB, f"peak RSS {peak_mb:.0f} MB"


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_replicas_share_tokens_revocations_and_writes(replicas: list[httpx.Client]) -> None:
    first, second, third = replicas
    headers, pair = _login(first)
    # An access token issued by one replica is accepted by the others.
    me = [replica.get("/api/v1/users/me", headers=headers) for replica in replicas]
    assert [response.status_code for response in me] == [200] * len(replicas)
    assert me[1].json() == me[2].json() == me[0].json()

    # A refresh token spent on one replica is refused by the others, and its
    # reuse revokes the family: the pair the first refresh gave stops working too.
    renewed = second.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert renewed.status_code == 200, renewed.text
    reused = third.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert (reused.status_code, reused.headers["www-authenticate"]) == (401, "Bearer")
    family = first.post("/api/v1/auth/refresh", json={"refresh_token": renewed.json()["refresh_token"]})
    assert family.status_code == 401

    # Concurrent writes through all three lose nothing.
    titles = [f"todo {number}" for number in range(30)]

    def create(number: int) -> httpx.Response:
        replica = replicas[number % len(replicas)]
        return replica.post("/api/v1/todos", json={"title": titles[number]}, headers=headers)

    with ThreadPoolExecutor(max_workers=2 * len(replicas)) as pool:
        created = list(pool.map(create, range(len(titles))))
    assert [response.status_code for response in created] == [201] * len(titles)
    for replica in replicas:
        page = replica.get("/api/v1/todos", params={"limit": 100}, headers=headers).json()
        assert page["total"] == len(titles)
        assert sorted(item["title"] for item in page["items"]) == sorted(titles)


Counted = dict[tuple[str, str, str], float]


def _samples(client: httpx.Client) -> list[tuple[str, dict[str, str], float]]:
    """Return every sample of the server's /metrics, parsed by prometheus-client's own parser."""
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return [
        (sample.name, sample.labels, sample.value)
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    ]


def _requests_counted(client: httpx.Client) -> Counted:
    return {
        (labels["method"], labels["route"], labels["status"]): value
        for name, labels, value in _samples(client)
        if name == "http_requests_total"
    }


def _since(before: Counted, after: Counted) -> Counted:
    return {key: after[key] - before.get(key, 0) for key in after if after[key] != before.get(key, 0)}


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_metrics_count_the_requests_served_by_route_template_and_status(service: httpx.Client) -> None:
    headers, _ = _login(service)
    before = _requests_counted(service)
    todo = service.post("/api/v1/todos", json={"title": "counted"}, headers=headers).json()
    for _ in range(2):
        assert service.get(f"/api/v1/todos/{todo['id']}", headers=headers).status_code == 200
    random_paths = [f"/{uuid4()}" for _ in range(3)]
    missing = str(uuid4())
    assert service.get(f"/api/v1/todos/{missing}", headers=headers).status_code == 404
    for path in random_paths:
        assert service.get(path).status_code == 404
    assert service.get("/api/v1/todos").status_code == 401
    after = _requests_counted(service)

    assert _since(before, after) == {
        ("GET", "/metrics", "200"): 1,  # the first scrape, counted once answered
        ("POST", "/api/v1/todos", "201"): 1,
        ("GET", "/api/v1/todos/{todo_id}", "200"): 2,
        ("GET", "/api/v1/todos/{todo_id}", "404"): 1,
        ("GET", "<unmatched>", "404"): 3,
        ("GET", "/api/v1/todos", "401"): 1,
    }
    labels = " ".join(route for _, route, _ in after)
    ids = [todo["id"], missing, *(path.strip("/") for path in random_paths)]
    assert not [value for value in ids if value in labels], "a path became a label value"


async def _scrape_during_burst(base_url: str, headers: dict[str, str]) -> list[dict[str, float]]:
    """Read the pool gauges over and over while 64 list requests run at once; every reading."""
    limits = httpx.Limits(max_connections=CONCURRENT_LOGINS + 8)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:

        async def read() -> int:
            return (await client.get("/api/v1/todos", headers=headers)).status_code

        burst = asyncio.gather(*(read() for _ in range(CONCURRENT_LOGINS)))
        readings = []
        while not burst.done():
            text = (await client.get("/metrics")).text
            readings.append(
                {
                    f"{sample.name}:{sample.labels.get('pool', '')}": sample.value
                    for family in text_string_to_metric_families(text)
                    for sample in family.samples
                    if sample.name.startswith("db_pool_")
                }
            )
        assert set(await burst) == {200}
        return readings


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_pool_gauges_move_under_concurrent_requests(service: httpx.Client) -> None:
    headers, _ = _login(service)
    idle = {name: value for name, _, value in _samples(service) if name.startswith("db_pool_")}
    assert idle["db_pool_size"] > 0

    readings = asyncio.run(_scrape_during_burst(str(service.base_url), headers))
    in_use = max(reading["db_pool_connections_in_use:read"] for reading in readings)
    waiting = max(reading["db_pool_waiting_requests:read"] for reading in readings)
    size = readings[0]["db_pool_size:read"]
    assert 1 <= in_use <= size, readings
    assert waiting >= 1, f"64 requests on a pool of {size} and none waited: {readings}"
    after = {f"{name}:{labels.get('pool', '')}": value for name, labels, value in _samples(service)}
    assert after["db_pool_waiting_requests:read"] == 0


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_each_replica_counts_its_own_requests(replicas: list[httpx.Client]) -> None:
    """One process per replica, each scraped on its own: their counts add up to the requests."""
    before = [_requests_counted(replica).get(("GET", "/health/live", "200"), 0) for replica in replicas]
    for number, replica in enumerate(replicas):
        for _ in range(number + 1):
            assert replica.get("/health/live").status_code == 200
    after = [_requests_counted(replica).get(("GET", "/health/live", "200"), 0) for replica in replicas]
    assert [now - then for now, then in zip(after, before, strict=True)] == [1, 2, 3]


def _closed_port() -> int:
    port = _free_port()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
    return port


def _timed_reads(client: httpx.Client, headers: dict[str, str], count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        assert client.get("/api/v1/todos", headers=headers).status_code == 200
    return time.perf_counter() - started


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_traces_with_the_collector_down_cost_no_request_its_speed(served: Served) -> None:
    """Traced to a closed port, requests answer as fast, and their log lines carry the trace id."""
    env = {
        **served.env,
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{_closed_port()}",
        "OTEL_BSP_SCHEDULE_DELAY": "50",  # exports, all failing, while the requests run
        "OTEL_EXPORTER_OTLP_TIMEOUT": "2",
    }
    headers, _ = _login(served.client)
    trace_id = secrets.token_hex(16)
    with _serving(served.project, env, "traced") as (traced, _):
        _timed_reads(traced, headers, 20)  # warm-up
        _timed_reads(served.client, headers, 20)
        traced_seconds = _timed_reads(traced, headers, 200)
        untraced_seconds = _timed_reads(served.client, headers, 200)
        parent = f"00-{trace_id}-{secrets.token_hex(8)}-01"
        assert traced.get("/api/v1/todos", headers={**headers, "traceparent": parent}).status_code == 200
        time.sleep(0.5)  # past an export attempt or two
    assert traced_seconds < 2 * untraced_seconds, (traced_seconds, untraced_seconds)
    log = (served.project.path / "traced.log").read_text(encoding="utf-8")
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    traced_lines = [line for line in lines if line.get("trace_id") == trace_id]
    assert [line["logger"] for line in traced_lines] == ["access"], traced_lines
    assert traced_lines[0]["route"] == "/api/v1/todos"
