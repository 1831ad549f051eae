"""Lock the generated project's dependencies once per supported Python.

Run by ``make lock``. A baked project's ``uv.lock`` is a Jinja include of
``templates/locks/uv-<python_version>.lock`` (cookiecutter's loader searches
``templates/`` beside the project template), so ``uv sync --locked`` works right
after generation. The resolution depends on the Python floor: one lock per choice.

Existing pins are kept, as plain ``uv lock`` keeps them; ``--upgrade`` re-resolves.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from uv import find_uv_bin

from scripts.interpreters import find_python
from scripts.template import PROJECT_TEMPLATE, ROOT, bake, python_versions

LOCKS = ROOT / "templates" / "locks"
SLUG_PLACEHOLDER = "{{ cookiecutter.project_slug }}"
_JINJA_DELIMITERS = ("{{", "{%", "{#")
_COPY_IGNORE = shutil.ignore_patterns(".venv", "__pycache__", ".*_cache")


def lock_path(version: str) -> Path:
    """Return the lock file that projects baked for Python ``version`` include."""
    return LOCKS / f"uv-{version}.lock"


def to_template(lock: str, slug: str) -> str:
    """Turn a baked project's ``uv.lock`` into the Jinja template every bake includes.

    Only the project's own entry names the project; a Jinja delimiter anywhere
    else would be interpreted at bake time and corrupt the lock, so refuse it.
    """
    for delimiter in _JINJA_DELIMITERS:
        if delimiter in lock:
            msg = f"uv.lock contains {delimiter!r}, which Jinja would interpret"
            raise ValueError(msg)
    entry = f'\nname = "{slug}"\n'
    if lock.count(entry) != 1:
        msg = f"expected exactly one package entry named {slug!r} in uv.lock"
        raise ValueError(msg)
    return lock.replace(entry, f'\nname = "{SLUG_PLACEHOLDER}"\n')


def lock(version: str, *, upgrade: bool) -> Path:
    """Bake the defaults for ``version``, lock them with uv, and store the template lock."""
    target = lock_path(version)
    with tempfile.TemporaryDirectory(prefix="fastapi-strict-lock-") as work:
        project = bake(
            Path(work) / "out", {"python_version": version}, template=_stage_template(Path(work) / "template")
        )
        if target.exists() and not upgrade:
            (project / "uv.lock").write_text(
                target.read_text(encoding="utf-8").replace(SLUG_PLACEHOLDER, project.name), encoding="utf-8"
            )
        env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
        subprocess.run(
            [find_uv_bin(), "lock", "--no-python-downloads", "--python", str(find_python(version))],
            cwd=project,
            env=env,
            check=True,
        )
        text = to_template((project / "uv.lock").read_text(encoding="utf-8"), project.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".lock.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(target)
    return target


def _stage_template(destination: Path) -> Path:
    """Copy the template without its ``uv.lock`` include: baking it needs the lock being made."""
    destination.mkdir(parents=True)
    shutil.copy2(ROOT / "cookiecutter.json", destination)
    shutil.copytree(ROOT / "hooks", destination / "hooks", ignore=_COPY_IGNORE)
    shutil.copytree(ROOT / PROJECT_TEMPLATE, destination / PROJECT_TEMPLATE, ignore=_COPY_IGNORE)
    (destination / PROJECT_TEMPLATE / "uv.lock").unlink(missing_ok=True)
    return destination


def main(argv: list[str] | None = None) -> int:
    """Lock every supported Python, or the versions named on the command line."""
    supported = python_versions()
    parser = argparse.ArgumentParser(
        prog="python -m scripts.lock", description="Lock the generated project for each supported Python."
    )
    parser.add_argument("versions", nargs="*", metavar="VERSION", help=f"one of {', '.join(supported)}; default all")
    parser.add_argument("--upgrade", action="store_true", help="re-resolve instead of keeping existing pins")
    args = parser.parse_args(argv)
    unsupported = sorted(set(args.versions) - set(supported))
    if unsupported:
        parser.error(f"unsupported Python: {', '.join(unsupported)}")
    for version in args.versions or supported:
        written = lock(version, upgrade=args.upgrade)
        print(f"wrote {written.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
