"""wrk runs, one request kind at a time, read back from the Lua `done` hook in `wrk/request.lua`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bench.servers import Server

SCRIPT = Path(__file__).with_name("wrk") / "request.lua"
RESULT_PREFIX = "BENCH_RESULT "
# Past this a request counts as an error rather than a latency; well above any p99 here.
TIMEOUT = "10s"


class LoadError(RuntimeError):
    """wrk is missing, failed, or printed no result."""


@dataclass(frozen=True)
class Request:
    """What wrk sends, over and over: one method, headers and body, to each of ``paths`` in turn."""

    method: str
    base_url: str
    paths: tuple[str, ...]
    headers: Mapping[str, str]
    body: str | None = None


@dataclass(frozen=True)
class WrkResult:
    """One wrk run: completed requests, failures (non-2xx or socket errors) and latency percentiles."""

    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        """Return the completed requests per second."""
        return self.requests / self.seconds


@dataclass(frozen=True)
class Run:
    """A measured run against one server, with the CPU its process spent."""

    result: WrkResult
    cpu_ms_per_request: float


def ensure_wrk() -> str:
    """Return wrk's path, installing it with apt-get when root and it is missing."""
    found = shutil.which("wrk")
    if found is None and os.geteuid() == 0 and shutil.which("apt-get") is not None:
        install = ["apt-get", "install", "-y", "-qq", "wrk"]
        if subprocess.run(install, capture_output=True, check=False).returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], capture_output=True, check=False)
            subprocess.run(install, capture_output=True, check=False)
        found = shutil.which("wrk")
    if found is None:
        msg = "wrk is not installed and cannot be installed here: install it (apt-get install wrk), then rerun"
        raise LoadError(msg)
    return found


def wrk_command(wrk: str, request: Request, *, connections: int, seconds: float) -> list[str]:
    """Return the command for one wrk run of ``request`` on one thread."""
    headers = [argument for name, value in request.headers.items() for argument in ("-H", f"{name}: {value}")]
    return [
        wrk,
        "-t1",
        f"-c{connections}",
        f"-d{seconds:g}s",
        f"--timeout={TIMEOUT}",
        "-s",
        str(SCRIPT),
        *headers,
        request.base_url + request.paths[0],
        "--",
        request.method,
        request.body or "",
        *request.paths,
    ]


def run_wrk(wrk: str, request: Request, *, connections: int, seconds: float) -> WrkResult:
    """Run wrk for ``seconds`` and return its result."""
    command = wrk_command(wrk, request, connections=connections, seconds=seconds)
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        msg = f"wrk failed ({completed.returncode}): {completed.stderr.strip()}"
        raise LoadError(msg)
    return parse_result(completed.stdout)


def parse_result(output: str) -> WrkResult:
    """Read the line the `done` hook printed from wrk's output."""
    for line in output.splitlines():
        if line.startswith(RESULT_PREFIX):
            fields = json.loads(line.removeprefix(RESULT_PREFIX))
            return WrkResult(
                requests=fields["requests"],
                seconds=fields["duration_us"] / 1e6,
                errors=fields["non_2xx"] + fields["socket_errors"],
                p50_ms=fields["p50_us"] / 1000,
                p99_ms=fields["p99_us"] / 1000,
            )
    msg = f"wrk printed no {RESULT_PREFIX.strip()} line:\n{output}"
    raise LoadError(msg)


def measure(  # noqa: PLR0913 - every argument is a setting of the run
    wrk: str, server: Server, request: Request, *, connections: int, warmup: float, seconds: float
) -> Run:
    """Warm ``server`` up with ``request``, then measure a run and the CPU time the server spent on it."""
    try:
        run_wrk(wrk, request, connections=connections, seconds=warmup)
        before = server.cpu_seconds()
        result = run_wrk(wrk, request, connections=connections, seconds=seconds)
    finally:
        # wrk counts a dead server's refusals as errors and goes on: say why instead.
        server.ensure_running()
    spent = server.cpu_seconds() - before
    return Run(result=result, cpu_ms_per_request=spent * 1000 / max(result.requests, 1))


def measure_under(  # noqa: PLR0913 - every argument is a setting of the run
    wrk: str,
    background: Request,
    request: Request,
    *,
    background_connections: int,
    connections: int,
    warmup: float,
    seconds: float,
) -> tuple[WrkResult, WrkResult]:
    """Measure ``request`` while a second wrk sends ``background`` from before it starts to after it ends.

    Returns the measured run and the background run.
    """
    command = wrk_command(wrk, background, connections=background_connections, seconds=warmup + seconds + 2)
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as loader:
        try:
            time.sleep(warmup)
            measured = run_wrk(wrk, request, connections=connections, seconds=seconds)
            output, errors = loader.communicate()
        finally:
            if loader.poll() is None:
                loader.kill()
    if loader.returncode != 0:
        msg = f"background wrk failed ({loader.returncode}): {errors.strip()}"
        raise LoadError(msg)
    return measured, parse_result(output)
