"""The pre-generation hook's rules, tested on the unrendered module."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hooks.pre_gen_project import (
    CI_PROVIDERS,
    MAX_PACKAGE_NAME_LENGTH,
    RESERVED_PACKAGE_NAMES,
    SUPPORTED_PYTHONS,
    validate,
)
from scripts.lock import LOCKS

_VALID = {
    "project_name": "Zoë's Tasks",
    "project_slug": "zoes-tasks",
    "package_name": "zoes_tasks",
    "description": "Tracks what Zoë's team has to do.",
    "author_name": "Zoë O'Brien",
    "author_email": "zoe.obrien+tasks@mail.example.org",
    "python_version": "3.12",
    "ci": "github",
    "use_docker": "yes",
    "use_kubernetes": "yes",
    "auth": "local",
}

# Distributions whose import name is not their normalized distribution name.
_IMPORT_NAMES = {
    "argon2_cffi": "argon2",
    "atpublic": "public",
    "dnspython": "dns",
    "googleapis_common_protos": "google",
    "graphql_core": "graphql",
    "import_linter": "importlinter",
    "markdown_it_py": "markdown_it",
    "protobuf": "google",
    "pyjwt": "jwt",
    "python_dotenv": "dotenv",
    "pytest_xdist": "xdist",
    "pyyaml": "yaml",
}
# Every OpenTelemetry distribution installs a part of the `opentelemetry` namespace package.
_NAMESPACES = ("opentelemetry",)
# Distributions that install no public top-level package.
_NO_PUBLIC_PACKAGE = {"argon2_cffi_bindings"}


def test_valid_answers_pass() -> None:
    assert validate(_VALID) == []


@pytest.mark.parametrize("slug", ["a", "api2", "todo-service", "a1-b2-c3"])
def test_valid_slugs_pass(slug: str) -> None:
    assert validate(_VALID | {"project_slug": slug}) == []


@pytest.mark.parametrize(
    "slug", ["", "Todo", "todo_service", "todo service", "-todo", "todo-", "todo--service", "1todo", "tödo", "a.b"]
)
def test_slug_must_be_a_normalized_distribution_name(slug: str) -> None:
    (problem,) = validate(_VALID | {"project_slug": slug})
    assert problem.startswith(f"project_slug {slug!r} must be")


@pytest.mark.parametrize("package", ["", "Todo", "todo-service", "1todo", "_todo", "todo service", "tödo"])
def test_package_must_be_a_lowercase_identifier(package: str) -> None:
    (problem,) = validate(_VALID | {"package_name": package})
    assert problem.startswith(f"package_name {package!r} must be")


def test_package_name_length_is_capped() -> None:
    longest = "p" * MAX_PACKAGE_NAME_LENGTH
    assert validate(_VALID | {"package_name": longest}) == []
    assert validate(_VALID | {"package_name": longest + "x"}) == [
        f"package_name {longest + 'x'!r} is longer than {MAX_PACKAGE_NAME_LENGTH} characters"
    ]


@pytest.mark.parametrize("package", ["class", "async", "lambda"])
def test_package_must_not_be_a_keyword(package: str) -> None:
    assert validate(_VALID | {"package_name": package}) == [f"package_name {package!r} is a Python keyword"]


def test_auth_must_be_an_offered_mode() -> None:
    assert validate(_VALID | {"auth": "ldap"}) == ["auth 'ldap' is not one of local, oidc"]


@pytest.mark.parametrize("package", ["json", "email", "logging", "asyncio", "types", "secrets"])
def test_package_must_not_shadow_the_standard_library(package: str) -> None:
    assert validate(_VALID | {"package_name": package}) == [
        f"package_name {package!r} would shadow the standard library module of that name"
    ]


@pytest.mark.parametrize("package", ["fastapi", "sqlmodel", "jwt", "pwdlib", "tests", "migrations", "pytest"])
def test_package_must_not_shadow_a_dependency_or_folder(package: str) -> None:
    assert validate(_VALID | {"package_name": package}) == [
        f"package_name {package!r} would shadow a dependency or folder of the generated project"
    ]


@pytest.mark.parametrize("lock", sorted(LOCKS.glob("uv-*.lock")), ids=lambda path: path.name)
def test_every_locked_distribution_is_a_reserved_package_name(lock: Path) -> None:
    # Fails when the generated project gains a dependency: add its import name to the hook.
    text = lock.read_text(encoding="utf-8")
    distributions = {name.replace("-", "_") for name in re.findall(r'^name = "([^"{]+)"$', text, re.MULTILINE)}
    imports = {_import_name(name) for name in distributions - _NO_PUBLIC_PACKAGE}
    assert sorted(imports - RESERVED_PACKAGE_NAMES) == []


def _import_name(distribution: str) -> str:
    """Return the top-level package a distribution installs (its name, unless mapped)."""
    namespace = next((name for name in _NAMESPACES if distribution.startswith(f"{name}_")), None)
    return namespace or _IMPORT_NAMES.get(distribution, distribution)


@pytest.mark.parametrize("python", SUPPORTED_PYTHONS)
def test_supported_pythons_pass(python: str) -> None:
    assert validate(_VALID | {"python_version": python}) == []


@pytest.mark.parametrize("python", ["2.7", "3.10", "3.14", "3", ""])
def test_other_pythons_fail(python: str) -> None:
    (problem,) = validate(_VALID | {"python_version": python})
    assert problem.startswith(f"python_version {python!r} is not supported")


@pytest.mark.parametrize(
    "email", ["nobody", "a@b", "a b@c.de", '"x"@y.z', "a@-b.com", "a@b-.com", "a@@b.com", "a@b..com", ""]
)
def test_author_email_must_look_like_an_address(email: str) -> None:
    assert validate(_VALID | {"author_email": email}) == [f"author_email {email!r} is not an email address"]


@pytest.mark.parametrize("key", ["project_name", "description", "author_name"])
@pytest.mark.parametrize("text", ['say "hi"', "back\\slash", "two\nlines", "tab\there"])
def test_free_text_must_be_safe_inside_string_literals(key: str, text: str) -> None:
    assert validate(_VALID | {key: text}) == [f"{key} must be one line without double quotes or backslashes"]


def test_every_problem_is_reported() -> None:
    problems = validate({})
    assert [problem.split()[0] for problem in problems] == [
        "project_slug",
        "package_name",
        "python_version",
        "author_email",
        "ci",
        "use_docker",
        "use_kubernetes",
        "auth",
    ]


@pytest.mark.parametrize("ci", CI_PROVIDERS)
@pytest.mark.parametrize(("docker", "kubernetes"), [("yes", "yes"), ("yes", "no"), ("no", "no")])
def test_supported_option_combinations_pass(ci: str, docker: str, kubernetes: str) -> None:
    assert validate(_VALID | {"ci": ci, "use_docker": docker, "use_kubernetes": kubernetes}) == []


def test_kubernetes_needs_docker() -> None:
    assert validate(_VALID | {"use_docker": "no", "use_kubernetes": "yes"}) == [
        "use_kubernetes 'yes' needs use_docker 'yes': the manifests run the image the Dockerfile builds"
    ]


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ({"ci": "jenkins"}, "ci 'jenkins' is not one of github, gitlab, none"),
        ({"use_docker": "true"}, "use_docker 'true' must be yes or no"),
        ({"use_kubernetes": "Yes"}, "use_kubernetes 'Yes' must be yes or no"),
    ],
)
def test_options_outside_their_choices_fail(answer: dict[str, str], problem: str) -> None:
    assert validate(_VALID | answer) == [problem]
