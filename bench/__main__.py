"""`make bench`: bake, migrate, serve the service and the reference, prove parity, load, report.

Everything lives in one temporary directory and is stopped on the way out,
on failure, Ctrl-C or SIGTERM alike.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import signal
import sys
import tempfile
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from urllib.parse import urlencode

from bench import parity
from bench.endpoints import NAMES, Endpoint, endpoints, parity_probes
from bench.load import LoadError, Request, Run, ensure_wrk, measure, measure_under, run_wrk
from bench.postgres import Postgres, PostgresError, running_postgres
from bench.project import Project, ProjectError, bake_and_install
from bench.report import EndpointFigures, LoginFigures, Results, markdown, publish
from bench.seed import Fixture, SeedError, seed
from bench.servers import App, Server, ServerError, serving
from scripts.template import ROOT

HERE = Path(__file__).resolve().parent
DATABASE = "bench"
REFERENCE_APPLICATION_NAME = "bench-reference"
FORM = "application/x-www-form-urlencoded"
_POSITIVE_SETTINGS = ("duration", "warmup", "rounds", "connections", "list_connections", "login_connections")
# Tokens issued at seeding must outlive every run.
TOKEN_LIFETIME_MINUTES = 24 * 60


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the run's settings; the defaults are the published run's."""
    parser = argparse.ArgumentParser(prog="make bench ARGS=...", description=__doc__)
    parser.add_argument("--duration", type=float, default=10, help="seconds per measured run (default 10)")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of warm-up before each run (default 3)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of alternated runs (default 3)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument(
        "--endpoints",
        type=lambda text: text.split(","),
        default=list(NAMES),
        help=f"comma-separated subset of {','.join(NAMES)} (default all)",
    )
    parser.add_argument(
        "--login-load",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="measure the list's p99 alone and while others log in (default on)",
    )
    parser.add_argument(
        "--template", type=Path, default=ROOT, help="bake this copy of the template (default: this working tree)"
    )
    parser.add_argument(
        "--list-connections", type=int, default=16, help="list connections under login load (default 16)"
    )
    parser.add_argument("--login-connections", type=int, default=4, help="connections logging in (default 4)")
    options = parser.parse_args(argv)
    if unknown := set(options.endpoints) - set(NAMES):
        parser.error(f"unknown endpoints: {', '.join(sorted(unknown))}")
    if not_positive := [name for name in _POSITIVE_SETTINGS if getattr(options, name) <= 0]:
        parser.error(f"must be positive: {', '.join('--' + name.replace('_', '-') for name in not_positive)}")
    return options


def main(argv: list[str] | None = None) -> int:
    """Run the bench; a failure prints one reason and exits 1 after everything is stopped."""
    options = parse_args(argv)
    for stop in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop, _stop)
    try:
        results = run(options)
    except (LookupError, ProjectError, PostgresError, ServerError, SeedError, parity.ParityError, LoadError) as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    print(f"\n{markdown(results)}")
    if measures_as_published(options):
        publish(results, json_path=HERE / "latest.json", markdown_path=HERE / "latest.md", readme=ROOT / "README.md")
        print("Written to bench/latest.json, bench/latest.md and README.md.")
    else:
        print("Not written: only a run with the default settings replaces bench/latest.* and the README's table.")
    return 0


def run(options: argparse.Namespace) -> Results:
    """Set everything up in a temporary directory, measure, and tear it all down."""
    wrk = ensure_wrk()
    # As root, embedded PostgreSQL opens every directory above its data to its own user: keep that in /tmp.
    with tempfile.TemporaryDirectory(prefix="fastapi-strict-bench-", dir="/tmp") as work, ExitStack() as stack:
        print("Baking the default project and installing it from its lock ...", flush=True)
        project = bake_and_install(Path(work), options.template)
        postgres = stack.enter_context(running_postgres(Path(work) / "postgres"))
        postgres.execute(f"CREATE DATABASE {DATABASE}")
        project.migrate(postgres.sqlalchemy_url(DATABASE))
        secret_key = secrets.token_hex(32)
        service = stack.enter_context(serving(_service(project, postgres, secret_key)))
        reference = stack.enter_context(serving(_reference(project, postgres, secret_key)))
        fixture = seed(service.url)
        requests = endpoints(fixture)
        print("Comparing one response, its SQL and its log lines for each request kind ...", flush=True)
        parity.check(
            postgres,
            parity.App("service", service.url, project.path.name, service.log),
            parity.App("reference", reference.url, REFERENCE_APPLICATION_NAME, reference.log),
            parity_probes(fixture),
        )
        chosen = [requests[name] for name in options.endpoints]
        figures = _alternated_rounds(wrk, (service, reference), chosen, options)
        rss = {"service": round(service.rss_mb(), 1), "limit": round(reference.rss_mb(), 1)}
        login = _login_load(wrk, service, fixture, options) if options.login_load else None
        metrics = "on" if project.settings["metrics_enabled"] == "True" else "off"
        return Results(
            endpoints=figures,
            rss_mb=rss,
            login_load=login,
            date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            machine=_machine(project),
            load=(
                f"one uvicorn worker each, the service with its defaults (metrics {metrics}, no tracing), "
                f"wrk -t1 -c{options.connections}, {options.rounds} round(s) of "
                f"{options.duration:g} s per app after {options.warmup:g} s of warm-up, service and limit "
                "alternated; ratio is the median of per-round ratios"
            ),
            versions=project.versions,
        )


def _service(project: Project, postgres: Postgres, secret_key: str) -> App:
    """Return the bake, in production mode with its own defaults, tokens aside."""
    env = {
        "DATABASE_URL": postgres.sqlalchemy_url(DATABASE),
        "ENVIRONMENT": "production",
        "SECRET_KEY": secret_key,
        "ACCESS_TOKEN_EXPIRE_MINUTES": str(TOKEN_LIFETIME_MINUTES),
        # Required outside `local`; the bench's registrations mail a port nothing listens on.
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": "9",
        "SMTP_SECURITY": "none",
        "EMAILS_FROM": "no-reply@example.com",
        "FRONTEND_URL": "https://app.example.com",
    }
    return App("service", f"{project.package}.main:app", project.interpreter, project.path, env)


def _reference(project: Project, postgres: Postgres, secret_key: str) -> App:
    """Return `bench/reference.py` on the bake's Python, with the service's settings and secret."""
    env = {
        "DATABASE_URL": postgres.asyncpg_dsn(DATABASE),
        "APPLICATION_NAME": REFERENCE_APPLICATION_NAME,
        "SECRET_KEY": secret_key,
        **{name.upper(): value for name, value in project.settings.items()},
    }
    return App("reference", "bench.reference:app", project.interpreter, project.path, env, app_dir=ROOT)


def _alternated_rounds(
    wrk: str, servers: tuple[Server, Server], chosen: list[Endpoint], options: argparse.Namespace
) -> dict[str, EndpointFigures]:
    """Measure each endpoint on the service and the reference, round by round, which goes first alternating."""
    runs: dict[str, tuple[list[Run], list[Run]]] = {endpoint.name: ([], []) for endpoint in chosen}
    sides = list(enumerate(servers))
    for round_number in range(1, options.rounds + 1):
        for endpoint in chosen:
            for side, server in sides if round_number % 2 else sides[::-1]:
                print(
                    f"round {round_number}/{options.rounds}  {endpoint.name:<6}  {server.name:<9}", end="", flush=True
                )
                run = measure(
                    wrk,
                    server,
                    endpoint.request(server.url),
                    connections=options.connections,
                    warmup=options.warmup,
                    seconds=options.duration,
                )
                runs[endpoint.name][side].append(run)
                print(
                    f"{run.result.rps:8.0f} req/s  p99 {run.result.p99_ms:7.1f} ms  "
                    f"{run.cpu_ms_per_request:5.2f} CPU ms/req  {run.result.describe_errors()}"
                )
    return {name: EndpointFigures.from_rounds(*pair) for name, pair in runs.items()}


def _login_load(wrk: str, service: Server, fixture: Fixture, options: argparse.Namespace) -> LoginFigures:
    """Measure the list's p99 on the service alone, then while other connections log in continuously."""
    listing = endpoints(fixture)["list"].request(service.url)
    form = urlencode({"grant_type": "password", "username": fixture.reader.email, "password": fixture.reader.password})
    login = Request("POST", service.url, ("/api/v1/auth/token",), {"Content-Type": FORM}, form)
    print(
        f"login load  list at {options.list_connections} connections alone, "
        f"then beside {options.login_connections} connections logging in",
        flush=True,
    )
    run_wrk(wrk, listing, connections=options.list_connections, seconds=options.warmup)
    alone = run_wrk(wrk, listing, connections=options.list_connections, seconds=options.duration)
    under_login, logins = measure_under(
        wrk,
        login,
        listing,
        background_connections=options.login_connections,
        connections=options.list_connections,
        warmup=options.warmup,
        seconds=options.duration,
    )
    connections = (options.list_connections, options.login_connections)
    return LoginFigures.from_runs(connections, alone, under_login, logins)


def measures_as_published(options: argparse.Namespace) -> bool:
    """Whether ``options`` measure what the README says it shows: the defaults (any template copy)."""
    defaults = vars(parse_args([]))
    return all(value == defaults[name] for name, value in vars(options).items() if name != "template")


def _machine(project: Project) -> str:
    """Describe the CPUs this process may use, and the bake's Python."""
    model = next(
        (
            line.partition(":")[2].strip()
            for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    return f"{len(os.sched_getaffinity(0))} CPUs ({model}), Linux {platform.release()}, Python {project.python}"


def _stop(number: int, _frame: FrameType | None) -> None:
    """Leave through the normal exit path, so every server is stopped, and let nothing interrupt that.

    A Ctrl-C reaches the bench twice: from the terminal, and forwarded by `uv run`.
    """
    for stop in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop, signal.SIG_IGN)
    print(f"\nbench: {signal.Signals(number).name}, stopping the servers and PostgreSQL", file=sys.stderr)
    raise SystemExit(128 + number)


if __name__ == "__main__":
    sys.exit(main())
