"""Bake the template into a directory and drive the baked project's Makefile as a user would.

Every bake shares one uv cache, so only the first one downloads and the
others link the same wheels; each gets its own database on the run's server.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from scripts.interpreters import find_python
from scripts.template import ROOT, bake, isolated_config, python_versions
from tests.postgres import unique_database_url

UV_CACHE = Path(os.environ.get("UV_CACHE_DIR") or ROOT / ".cache" / "uv")
# Variables of this run that would change how the baked project's tools behave.
_LEAKY_VARIABLES = frozenset(
    {
        "ARGS",
        "MAKEFLAGS",
        "MAKELEVEL",
        "MAKEOVERRIDES",
        "MFLAGS",
        "PYTHONPATH",
        "UV_PROJECT_ENVIRONMENT",
        "UV_RUN_RECURSION_DEPTH",
        "VIRTUAL_ENV",
    }
)


@dataclass(frozen=True)
class BakedProject:
    """A generated project and the answers it was generated from."""

    path: Path
    answers: Mapping[str, str] = field(default_factory=dict)

    @property
    def python_version(self) -> str:
        """Return the Python the project was baked for (the default when not answered)."""
        return self.answers.get("python_version", python_versions()[0])


def bake_project(output_dir: Path, **answers: str) -> BakedProject:
    """Bake the template with ``answers`` over the defaults; unknown keys raise ValueError."""
    return BakedProject(bake(output_dir, answers), answers)


def run_cookiecutter_cli(home: Path, output_dir: Path, *answers: str) -> subprocess.CompletedProcess[str]:
    """Run the cookiecutter command line on this template, as a user would, without prompts.

    ``home`` holds the isolated config; ``answers`` are ``key=value`` overrides.
    """
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "cookiecutter",
            "--no-input",
            "--config-file",
            str(isolated_config(home)),
            "--output-dir",
            str(output_dir),
            str(ROOT),
            *answers,
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def run_make(
    project: BakedProject, *targets: str, timeout: float = 1500, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``make *targets`` in ``project``, in ``env`` or else `project_env`; output is stdout and stderr combined.

    The whole process group is killed on timeout, so no uv, mypy or pytest
    of the baked project outlives the test.
    """
    command = ["make", *targets]
    with subprocess.Popen(
        command,
        cwd=project.path,
        env=project_env(project) if env is None else env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    ) as process:
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
            output += f"\n[killed after {timeout:.0f} s]\n"
    return subprocess.CompletedProcess(command, process.returncode, output)


def broken_uv_shim(directory: Path) -> Path:
    """Write into ``directory`` a ``uv`` that fails as a pyenv shim for another Python's uv does; return the folder."""
    directory.mkdir(parents=True, exist_ok=True)
    shim = directory / "uv"
    shim.write_text('#!/bin/sh\necho "pyenv: uv: command not found" >&2\nexit 127\n', encoding="utf-8")
    shim.chmod(0o755)
    return directory


def project_env(project: BakedProject) -> dict[str, str]:
    """Return the environment a user would have in ``project``, plus the run's shared resources."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in _LEAKY_VARIABLES and not key.startswith(("PYTEST_", "COV_CORE_"))
    }
    UV_CACHE.mkdir(parents=True, exist_ok=True)
    # Hard links only work within one filesystem; uv warns on every command when it falls back.
    same_device = UV_CACHE.stat().st_dev == project.path.stat().st_dev
    env.update(
        TEST_DATABASE_URL=unique_database_url(),
        UV_CACHE_DIR=str(UV_CACHE),
        UV_LINK_MODE="hardlink" if same_device else "copy",
        UV_PYTHON=str(find_python(project.python_version)),
        UV_PYTHON_DOWNLOADS="never",
        UV_NO_PROGRESS="1",
    )
    return env
