"""Find the CPython interpreter for a ``python_version`` answer.

uv cannot download interpreters on our machines, and pyenv's shims for
inactive versions sit on PATH but fail when run, so uv's own discovery
picks broken shims there: ask pyenv first, then fall back to uv.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from uv import find_uv_bin


def find_python(version: str) -> Path:
    """Return the interpreter for ``version`` (``"3.12"``), or raise LookupError."""
    found = _from_pyenv(version) or _from_uv(version)
    if found is None:
        msg = f"no Python {version} interpreter found: install it (e.g. `pyenv install {version}`)"
        raise LookupError(msg)
    return found


def _from_pyenv(version: str) -> Path | None:
    pyenv = shutil.which("pyenv")
    if pyenv is None:
        return None
    result = subprocess.run([pyenv, "prefix", version], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return None
    candidate = Path(result.stdout.strip()) / "bin" / f"python{version}"
    return candidate if candidate.is_file() else None


def _from_uv(version: str) -> Path | None:
    result = subprocess.run(
        [find_uv_bin(), "python", "find", "--no-python-downloads", version],
        capture_output=True,
        text=True,
        check=False,
    )
    return Path(result.stdout.strip()) if result.returncode == 0 else None
