"""The READMEs' commands work exactly as written, from a clean environment.

A new user has Python and nothing else: no ``DATABASE_URL``, no
``TEST_DATABASE_URL``, no PostgreSQL, no uv. The template README's generate
command runs in a copy of this repository (answering every prompt with its
default); the generated README's ``make run`` and ``make test`` then run in
the new project, which falls back on its embedded PostgreSQL. The template
README's other command, ``make test``, is what ``.ci/run`` runs.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from scripts.template import ROOT, questions
from tests.baking import UV_CACHE, broken_uv_shim

_COPY_IGNORE = shutil.ignore_patterns(".git", ".venv", ".cache", "build", "__pycache__", ".*_cache")
_SERVED = "http://127.0.0.1:8000"
# Set by what runs this test, or configuration a new user does not have
# (unbuffered output would hide a line lost to buffering).
_RUN_VARIABLES = frozenset(
    {
        "ARGS",
        "DATABASE_URL",
        "MAKEFLAGS",
        "MAKELEVEL",
        "MFLAGS",
        "PYTHONPATH",
        "PYTHONUNBUFFERED",
        "TEST_DATABASE_URL",
        "UV",
        "VIRTUAL_ENV",
    }
)
LOCAL_POSTGRES = "the project-local PostgreSQL in .postgres/ (`make db-stop` stops it)"


def readme_commands(readme: Path) -> list[str]:
    """Return the commands of the README's ``sh`` blocks, one per line, comments dropped."""
    blocks = re.findall(r"^```sh\n(.*?)^```", readme.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)
    lines = (line.split("#", 1)[0].strip() for block in blocks for line in block.splitlines())
    return [line for line in lines if line]


def clean_environment(home: Path) -> dict[str, str]:
    """Return this machine's environment as a new user has it: no database settings, no uv of ours.

    ``pip install --user`` writes under ``home``, whose ``bin`` comes first on
    PATH, as a login shell puts ``~/.local/bin``. What ran this test leaves:
    its virtualenv and uv's variables, and pyenv's exec, which pinned
    PYENV_VERSION and put its version's directories on PATH. First on PATH
    is a ``uv`` that fails as a pyenv shim for another Python's uv does. Only
    the run's download cache is shared, so nothing is fetched twice.
    """
    pyenv = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    added = (str(ROOT / ".venv" / "bin"), f"{pyenv}/versions/", f"{pyenv}/libexec", f"{pyenv}/plugins/")
    path = [
        entry
        for entry in os.environ["PATH"].split(os.pathsep)
        if not (entry.startswith(added) and not entry.endswith("/shims"))
    ]
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in _RUN_VARIABLES and not key.startswith(("UV_", "PYENV_", "PYTEST_", "COV_CORE_"))
    }
    if "PYENV_ROOT" in os.environ:
        env["PYENV_ROOT"] = os.environ["PYENV_ROOT"]
    shims = broken_uv_shim(home / "shims")
    env.update(
        PATH=os.pathsep.join([str(shims), str(home / "bin"), *path]),
        PYTHONUSERBASE=str(home),
        UV_CACHE_DIR=str(UV_CACHE),
    )
    return env


def run(command: str, cwd: Path, env: dict[str, str], *, stdin: str = "", timeout: float = 900) -> str:
    """Run one README line in a shell; fail the test with its output unless it succeeds."""
    result = subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = result.stdout + result.stderr
    if result.returncode != 0:
        pytest.fail(f"`{command}` failed ({result.returncode}):\n{output}", pytrace=False)
    return output


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_the_readme_commands_generate_a_service_that_tests_and_serves_on_its_own_database(tmp_path: Path) -> None:
    (generate,) = [line for line in readme_commands(ROOT / "README.md") if line.endswith("cookiecutter .")]
    clone = tmp_path / "fastapi-strict"
    shutil.copytree(ROOT, clone, ignore=_COPY_IGNORE)
    env = clean_environment(tmp_path / "user")
    run(generate, clone, env, stdin="\n" * len(questions()))
    project = clone / "todo-service"
    commands = readme_commands(project / "README.md")
    assert commands == ["make run", "make test"], commands
    try:
        tested = run("make test", project, env)
        assert f"Test database: todo_service_test on {LOCAL_POSTGRES}; TEST_DATABASE_URL is unset" in tested
        status, served = _serve(project, env)
    finally:
        run("make db-stop", project, env)
    assert status == 200, served
    named = [line for line in served.splitlines() if line.startswith("Database:")]
    assert named == [f"Database: todo_service on {LOCAL_POSTGRES}; DATABASE_URL is unset"], served


def _serve(project: Path, env: dict[str, str]) -> tuple[int, str]:
    """Run `make run` until /health/ready answers; return that status and what `make run` printed."""
    with httpx.Client() as probe:
        try:
            probe.get(_SERVED)
            pytest.fail(f"something already listens on {_SERVED}, where `make run` serves", pytrace=False)
        except httpx.TransportError:
            pass
    log = project / "make-run.log"
    with (
        log.open("w") as output,
        subprocess.Popen(
            ["bash", "-c", "make run"],
            cwd=project,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        ) as server,
    ):
        try:
            status = _ready_status(server, log)
        finally:
            os.killpg(server.pid, signal.SIGINT)
            server.wait(timeout=30)
    return status, log.read_text()


def _ready_status(server: subprocess.Popen[bytes], log: Path) -> int:
    """Return the first answer of /health/ready, waiting for `make run` to install, migrate and serve."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"make run exited with {server.returncode}:\n{log.read_text()}", pytrace=False)
        try:
            return httpx.get(f"{_SERVED}/health/ready", timeout=5).status_code
        except httpx.TransportError:
            time.sleep(0.5)
    pytest.fail(f"make run did not serve within 300 s:\n{log.read_text()}", pytrace=False)
