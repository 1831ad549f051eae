"""What runs: this service's distribution name and installed version."""

from functools import cache
from importlib.metadata import version

DISTRIBUTION = "{{ cookiecutter.project_slug }}"


@cache
def release_version() -> str:
    """The installed version, pyproject.toml's (uv installs the project into its environment)."""
    return version(DISTRIBUTION)
