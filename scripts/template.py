"""The template's questions, and baking it in isolation.

Shared by ``scripts/lock.py`` and the template's tests so that both bake the
same way: no prompts, no user config, no replay files written to ``$HOME``.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from pathlib import Path

from cookiecutter.main import cookiecutter

ROOT = Path(__file__).resolve().parents[1]
PROJECT_TEMPLATE = "{{cookiecutter.project_slug}}"


def questions(template: Path = ROOT) -> dict[str, object]:
    """Return ``cookiecutter.json`` of ``template``: the questions and their defaults."""
    loaded: dict[str, object] = json.loads((template / "cookiecutter.json").read_text(encoding="utf-8"))
    return loaded


def python_versions(template: Path = ROOT) -> list[str]:
    """Return the supported ``python_version`` choices, the default first."""
    choices = questions(template)["python_version"]
    if not isinstance(choices, list):
        msg = "cookiecutter.json: python_version must be a list of choices"
        raise TypeError(msg)
    return [str(choice) for choice in choices]


def isolated_config(directory: Path) -> Path:
    """Write a cookiecutter config that keeps clones and replays inside ``directory``."""
    config = directory / "cookiecutter.yaml"
    # JSON strings are valid YAML scalars, whatever characters the path holds.
    config.write_text(
        f"cookiecutters_dir: {json.dumps(str(directory / 'cookiecutters'))}\n"
        f"replay_dir: {json.dumps(str(directory / 'replay'))}\n",
        encoding="utf-8",
    )
    return config


def bake(output_dir: Path, answers: Mapping[str, str] | None = None, template: Path = ROOT) -> Path:
    """Generate a project from ``template`` into ``output_dir`` and return its path.

    Unknown answer keys raise ValueError: cookiecutter silently ignores them,
    which would let a test believe it covered an option it never set.
    """
    answers = dict(answers or {})
    unknown = sorted(set(answers) - set(questions(template)))
    if unknown:
        msg = f"not questions in cookiecutter.json: {', '.join(unknown)}"
        raise ValueError(msg)
    with tempfile.TemporaryDirectory(prefix="cookiecutter-home-") as home:
        project = cookiecutter(
            str(template),
            no_input=True,
            extra_context=answers,
            output_dir=str(output_dir),
            config_file=str(isolated_config(Path(home))),
        )
    return Path(project)
