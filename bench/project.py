"""The default bake, installed from its lock with the Python it was generated for."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from uv import find_uv_bin

from scripts.interpreters import find_python
from scripts.template import ROOT, bake, python_versions

UV_CACHE = Path(os.environ.get("UV_CACHE_DIR") or ROOT / ".cache" / "uv")
# Set by `uv run` for the template's own environment; the bake has its own.
_TEMPLATE_VARIABLES = ("VIRTUAL_ENV", "UV_RUN_RECURSION_DEPTH", "UV_PROJECT_ENVIRONMENT", "PYTHONPATH")
# What the service's settings default to, read from its own code so both apps get the same.
_DESCRIBE = """
import importlib.metadata, json, platform
from {package}.core.config import Settings
fields = Settings.model_fields
print(json.dumps({{
    "python": platform.python_version(),
    "versions": {{name: importlib.metadata.version(name) for name in {distributions!r}}},
    "settings": {{name: fields[name].default for name in {settings!r}}},
}}))
"""
_DISTRIBUTIONS = ("fastapi", "starlette", "sqlalchemy", "asyncpg", "pyjwt", "uvicorn")
_SETTINGS = (
    "database_pool_size",
    "database_statement_timeout_seconds",
    "jwt_issuer",
    "jwt_audience",
    "metrics_enabled",
)


class ProjectError(RuntimeError):
    """The bake could not be generated, installed or migrated."""


@dataclass(frozen=True)
class Project:
    """A baked, installed project and what the bench needs to know about it."""

    path: Path
    package: str
    python: str
    versions: dict[str, str]
    settings: dict[str, str]

    @property
    def interpreter(self) -> Path:
        """Return the project's own Python: servers run on it directly, with no `uv run` in between."""
        return _interpreter(self.path)

    def migrate(self, database_url: str) -> None:
        """Run `alembic upgrade head` against ``database_url``."""
        _run([str(self.interpreter), "-m", "alembic", "upgrade", "head"], self.path, {"DATABASE_URL": database_url})


def bake_and_install(directory: Path, template: Path = ROOT) -> Project:
    """Bake the defaults of ``template`` into ``directory`` and install them from the lock.

    Runtime dependencies only, on the Python the bake was generated for,
    found as the template's tests find it; uv downloads no interpreter.
    """
    path = bake(directory, template=template)
    package = path.name.replace("-", "_")
    UV_CACHE.mkdir(parents=True, exist_ok=True)
    _run(
        [find_uv_bin(), "sync", "--locked", "--no-dev", "--quiet"],
        path,
        {
            "UV_CACHE_DIR": str(UV_CACHE),
            "UV_PYTHON": str(find_python(python_versions()[0])),
            "UV_PYTHON_DOWNLOADS": "never",
            "UV_LINK_MODE": "hardlink" if UV_CACHE.stat().st_dev == path.stat().st_dev else "copy",
        },
    )
    script = _DESCRIBE.format(package=package, distributions=_DISTRIBUTIONS, settings=_SETTINGS)
    described = json.loads(_run([str(_interpreter(path)), "-c", script], path, {}))
    return Project(
        path=path,
        package=package,
        python=described["python"],
        versions=described["versions"],
        settings={name: str(value) for name, value in described["settings"].items()},
    )


def clean_environment(extra: dict[str, str]) -> dict[str, str]:
    """Return this process's environment without the template's uv variables, plus ``extra``."""
    env = {key: value for key, value in os.environ.items() if key not in _TEMPLATE_VARIABLES}
    env.update(extra)
    return env


def _interpreter(project: Path) -> Path:
    return project / ".venv" / "bin" / "python"


def _run(command: list[str], cwd: Path, extra: dict[str, str]) -> str:
    result = subprocess.run(command, cwd=cwd, env=clean_environment(extra), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        msg = f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
        raise ProjectError(msg)
    return result.stdout
