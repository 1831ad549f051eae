"""The two apps under test, each one uvicorn process measured from /proc.

uvicorn runs on the bake's own Python with no `uv run` in between, so the
process started is the one serving, and its CPU time and memory are the app's.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.project import clean_environment

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_START_TIMEOUT_SECONDS = 60
_STOP_TIMEOUT_SECONDS = 10
_LOG_TAIL_CHARACTERS = 4000


class ServerError(RuntimeError):
    """A server did not start, or exited while the bench needed it."""


@dataclass(frozen=True)
class Server:
    """A running uvicorn process serving one app on 127.0.0.1."""

    name: str
    pid: int
    port: int
    log: Path

    @property
    def url(self) -> str:
        """Return the base URL, without a trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    def cpu_seconds(self) -> float:
        """Return the user plus system CPU time the process has used so far."""
        fields = self._stat()
        # utime and stime are the 14th and 15th fields of the line, the 12th and 13th after the command name.
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS

    def ensure_running(self) -> None:
        """Raise `ServerError` with the end of the server's log if it has exited (a zombie until stopped)."""
        if self._stat()[0] == "Z":
            tail = self.log.read_text(errors="replace")[-_LOG_TAIL_CHARACTERS:]
            msg = f"{self.name} exited while the bench needed it; the end of its log:\n{tail}"
            raise ServerError(msg)

    def rss_mb(self) -> float:
        """Return the resident memory (VmRSS) in MiB."""
        for line in Path(f"/proc/{self.pid}/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        msg = f"{self.name}: no VmRSS in /proc/{self.pid}/status"
        raise ServerError(msg)

    def _stat(self) -> list[str]:
        """Return the fields of /proc/<pid>/stat after the parenthesised command name, the state first."""
        return Path(f"/proc/{self.pid}/stat").read_text(encoding="ascii").rpartition(")")[2].split()


@dataclass(frozen=True)
class App:
    """An ASGI app and where to start it; its log goes to ``cwd/<name>.log``."""

    name: str
    target: str
    interpreter: Path
    cwd: Path
    env: Mapping[str, str]
    app_dir: Path | None = None


@contextmanager
def serving(app: App) -> Iterator[Server]:
    """Serve ``app`` with one uvicorn worker on a free port; stop it on exit.

    uvicorn's own access log is off: each app writes its own access line to
    stdout, and both apps' output goes to a file of the same kind, so writing
    the lines costs them alike.
    """
    port = _free_port()
    command = [str(app.interpreter), "-m", "uvicorn", app.target, "--port", str(port), "--no-access-log"]
    if app.app_dir is not None:
        command += ["--app-dir", str(app.app_dir)]
    log = app.cwd / f"{app.name}.log"
    with (
        log.open("wb") as output,
        subprocess.Popen(
            command,
            cwd=app.cwd,
            env=clean_environment(dict(app.env)),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            # Its own session: Ctrl-C reaches the bench, which stops the server in order.
            start_new_session=True,
        ) as process,
    ):
        server = Server(name=app.name, pid=process.pid, port=port, log=log)
        try:
            _wait_until_live(server, process)
            yield server
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=_STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_until_live(server: Server, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + _START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            msg = f"{server.name} exited with {process.returncode}:\n{server.log.read_text(errors='replace')}"
            raise ServerError(msg)
        try:
            if httpx.get(f"{server.url}/health/live", timeout=1).status_code == httpx.codes.OK:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    log = server.log.read_text(errors="replace")
    msg = f"{server.name} did not answer /health/live in {_START_TIMEOUT_SECONDS} s:\n{log}"
    raise ServerError(msg)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
