"""wrk runs, one request kind at a time, read back from the Lua `done` hook in `wrk/request.lua`."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
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
class SocketErrors:
    """What wrk counts as socket errors: failed connects, reads and writes, and responses slower than `TIMEOUT`.

    wrk 4.1 counts a connection the server closed between responses as a read error.
    """

    connect: int = 0
    read: int = 0
    write: int = 0
    timeout: int = 0

    def total(self) -> int:
        """Return the sum of the four counts."""
        return self.connect + self.read + self.write + self.timeout


@dataclass(frozen=True)
class WrkResult:
    """One wrk run: completed requests, failures and latency percentiles.

    A failure is either a response with a status of 400 or more (``error_statuses``,
    counts by status) or a socket error; wrk reports both as errors.
    """

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    error_statuses: Mapping[int, int] = field(default_factory=dict)
    socket_errors: SocketErrors = SocketErrors()

    @property
    def rps(self) -> float:
        """Return the completed requests per second."""
        return self.requests / self.seconds

    @property
    def errors(self) -> int:
        """Return the failures of either kind."""
        return sum(self.error_statuses.values()) + self.socket_errors.total()

    def describe_errors(self) -> str:
        """Say how many failures there were and of which kinds: `0 errors`, `2 errors (503 x1, read 1)`."""
        kinds = [f"{status} x{count}" for status, count in sorted(self.error_statuses.items())]
        kinds += [f"{name} {count}" for name, count in dataclasses.asdict(self.socket_errors).items() if count]
        return f"{self.errors} errors" + (f" ({', '.join(kinds)})" if kinds else "")


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
                p50_ms=fields["p50_us"] / 1000,
                p99_ms=fields["p99_us"] / 1000,
                error_statuses={int(status): count for status, count in fields["error_statuses"].items()},
                socket_errors=SocketErrors(**{kind: fields[kind] for kind in ("connect", "read", "write", "timeout")}),
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
