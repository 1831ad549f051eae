"""Both Makefiles pass over a ``uv`` on PATH that does not run, as a pyenv shim for another Python's uv.

Such a shim answers every command with "pyenv: uv: command not found"; each
test puts one first on PATH.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from scripts.template import ROOT
from tests.baking import bake_project, broken_uv_shim, project_env, run_make

# Prints the uv a Makefile chose, without running any of its targets.
_PRINT_UV = ["--no-print-directory", "--eval", "print-uv: ; @echo $(UV)", "print-uv"]


def _first_on_path(env: dict[str, str], directory: Path) -> dict[str, str]:
    """Return ``env`` with ``directory`` first on PATH and no ``UV`` to override the Makefile's choice."""
    return {key: value for key, value in env.items() if key != "UV"} | {
        "PATH": os.pathsep.join([str(directory), env["PATH"]])
    }


def _chosen_uv(project: Path, env: dict[str, str]) -> str:
    result = subprocess.run(["make", *_PRINT_UV], cwd=project, env=env, capture_output=True, text=True, check=True)
    return result.stdout.strip()


def _answers(uv: str, env: dict[str, str]) -> bool:
    result = subprocess.run([*uv.split(), "--version"], env=env, capture_output=True, text=True, check=False)
    return result.returncode == 0 and result.stdout.startswith("uv ")


@pytest.fixture
def shims(tmp_path: Path) -> Path:
    """Return a folder holding the broken ``uv`` shim."""
    return broken_uv_shim(tmp_path / "shims")


def test_the_template_makefile_passes_over_a_uv_that_does_not_run(shims: Path) -> None:
    env = _first_on_path(dict(os.environ), shims)
    uv = _chosen_uv(ROOT, env)
    assert not uv.startswith(str(shims)), uv
    assert _answers(uv, env), uv


def test_make_uv_installs_uv_with_pip_when_no_uv_answers(shims: Path, tmp_path: Path) -> None:
    calls = tmp_path / "python3-calls"
    # A python3 without a uv module, whose pip only notes that it was asked.
    python3 = shims / "python3"
    python3.write_text(f'#!/bin/sh\necho "$*" >> {calls}\n[ "$2" = pip ]\n', encoding="utf-8")
    python3.chmod(0o755)
    env = _first_on_path(dict(os.environ), shims)
    subprocess.run(["make", "uv"], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert calls.read_text(encoding="utf-8").splitlines() == ["-m uv --version", "-m pip install --quiet uv"]


@pytest.mark.timeout(600)
def test_the_baked_makefile_passes_over_a_uv_that_does_not_run(shims: Path, tmp_path: Path) -> None:
    project = bake_project(tmp_path)
    env = _first_on_path(project_env(project), shims)
    uv = _chosen_uv(project.path, env)
    assert not uv.startswith(str(shims)), uv
    assert _answers(uv, env), uv
    # A target that runs a tool through `uv run`, with the same PATH.
    linted = run_make(project, "lint", env=env)
    assert linted.returncode == 0, linted.stdout
