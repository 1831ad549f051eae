"""The generated project's container, compose, CI and pre-commit files, checked offline.

Each supported Python version is baked once. The files go through the tools
their own ecosystems use (hadolint, the compose-spec and GitHub workflow JSON
schemas vendored by check-jsonschema, pre-commit's validator), then through
assertions for what those tools cannot know: how the files must agree with
each other and with the rest of the generated project.

No Docker engine is needed: nothing here builds an image or starts a container.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from docker.utils.build import exclude_paths

from scripts.template import bake, python_versions

# A name with spaces and capitals, so a hard-coded slug or package name shows up.
PROJECT_NAME = "Acme Billing API"
SLUG = "acme-billing-api"
PACKAGE = "acme_billing_api"

EXACT_VERSION = r"v?\d+\.\d+\.\d+"
TEMPLATE_RESIDUE = re.compile(r"(?<!\$)\{\{|\{%|\{#")
TOOL_TIMEOUT_SECONDS = 120
# Settings that the test suite reads itself, not the app's Settings class.
TEST_ONLY_SETTINGS = {"TEST_DATABASE_URL"}


@dataclass(frozen=True)
class Baked:
    """One generated project and the Python version it was generated for."""

    path: Path
    python_version: str

    def text(self, name: str) -> str:
        """Return the text of a file of the project."""
        return (self.path / name).read_text(encoding="utf-8")

    def yaml(self, name: str) -> dict[Any, Any]:
        """Return a YAML file of the project, which must hold a mapping."""
        data = yaml.safe_load(self.text(name))
        assert isinstance(data, dict), f"{name} is not a YAML mapping"
        return data


@pytest.fixture(scope="module", params=python_versions(), ids=lambda v: f"py{v}")
def baked(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Baked:
    """Bake the template once per supported Python version, isolated from ~/.cookiecutterrc."""
    python_version: str = request.param
    path = bake(
        tmp_path_factory.mktemp(f"bake-py{python_version}"),
        {"project_name": PROJECT_NAME, "python_version": python_version},
    )
    assert path.name == SLUG
    return Baked(path=path, python_version=python_version)


# --- tools ------------------------------------------------------------------------


def _tool(name: str) -> str:
    """Find a console script beside the running interpreter, else on PATH."""
    found = shutil.which(name, path=sysconfig.get_path("scripts")) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed; it is a dev dependency of the template")
    return found


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a validator with no user-level overrides in its environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HADOLINT_")}
    env["NO_COLOR"] = "1"
    return subprocess.run(
        args,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=TOOL_TIMEOUT_SECONDS,
    )


def _assert_passes(result: subprocess.CompletedProcess[str]) -> None:
    """Fail with the tool's own output when it rejected its input."""
    assert result.returncode == 0, (
        f"{shlex.join(result.args)} exited {result.returncode}:\n{result.stdout}{result.stderr}"
    )


def hadolint(dockerfile: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Lint a Dockerfile, failing on warnings, with an explicit config (none from $HOME)."""
    config = tmp_path / "hadolint.yaml"
    config.write_text("failure-threshold: warning\n", encoding="utf-8")
    return _run(
        _tool("hadolint"),
        "--config",
        str(config),
        "--failure-threshold",
        "warning",
        "--no-color",
        str(dockerfile),
        cwd=tmp_path,
    )


def check_jsonschema(schema: str, instance: Path) -> subprocess.CompletedProcess[str]:
    """Validate a file against one of check-jsonschema's vendored schemas."""
    return _run(
        sys.executable,
        "-m",
        "check_jsonschema",
        "--builtin-schema",
        schema,
        str(instance),
        cwd=instance.parent,
    )


# --- Dockerfile parsing -------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction, continuation lines joined."""

    keyword: str
    args: str


def parse_dockerfile(text: str) -> list[Instruction]:
    """Split a Dockerfile into instructions (no heredocs are used in the template)."""
    instructions: list[Instruction] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        keyword, _, args = full.partition(" ")
        instructions.append(Instruction(keyword.upper(), " ".join(args.split())))
    assert not pending, "Dockerfile ends inside a continued line"
    return instructions


def stages(instructions: list[Instruction]) -> list[list[Instruction]]:
    """Group instructions by build stage; each group starts with its FROM."""
    groups: list[list[Instruction]] = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            groups.append([])
        if groups:
            groups[-1].append(instruction)
    return groups


def global_args(instructions: list[Instruction]) -> dict[str, str]:
    """Return the defaults of the ARGs declared before the first FROM."""
    defaults: dict[str, str] = {}
    for instruction in instructions:
        if instruction.keyword == "FROM":
            break
        if instruction.keyword == "ARG" and "=" in instruction.args:
            name, _, value = instruction.args.partition("=")
            defaults[name] = value
    return defaults


def exec_form(instruction: Instruction) -> list[str]:
    """Return the JSON argument list of an exec-form CMD (or HEALTHCHECK ... CMD)."""
    _, _, array = instruction.args.partition("[")
    value = json.loads("[" + array)
    assert isinstance(value, list), f"{instruction.keyword} is not in exec form"
    return [str(item) for item in value]


def copy_sources(instruction: Instruction) -> list[str]:
    """Return the source paths of a COPY from the build context."""
    words = [w for w in shlex.split(instruction.args) if not w.startswith("--")]
    return words[:-1]


# --- Dockerfile ---------------------------------------------------------------------


def test_dockerfile_passes_hadolint(baked: Baked, tmp_path: Path) -> None:
    """Hadolint finds nothing at warning level or above."""
    _assert_passes(hadolint(baked.path / "Dockerfile", tmp_path))


def test_hadolint_rejects_a_warning(tmp_path: Path) -> None:
    """The lint above can fail: an untagged base image is a warning (DL3006)."""
    bad = tmp_path / "Dockerfile"
    bad.write_text('FROM python\nCMD ["python"]\n', encoding="utf-8")
    result = hadolint(bad, tmp_path)
    assert result.returncode != 0
    assert "DL3006" in result.stdout


def test_dockerfile_is_multi_stage_on_the_chosen_python(baked: Baked) -> None:
    """A uv builder stage and a runtime stage, both on the slim image of the chosen Python."""
    instructions = parse_dockerfile(baked.text("Dockerfile"))
    groups = stages(instructions)
    assert len(groups) >= 2, "expected a builder stage and a runtime stage"
    args = global_args(instructions)
    expected_image = f"python:{baked.python_version}-slim-bookworm"
    for group in groups:
        image, *alias = group[0].args.split()
        resolved = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args[m[1] or m[2]], image)
        assert resolved == expected_image, f"{group[0]} does not resolve to {expected_image}"
        assert alias or group is groups[-1], f"stage {group[0]} needs a name for COPY --from"

    builder, runtime = groups[0], groups[-1]
    builder_text = "\n".join(f"{i.keyword} {i.args}" for i in builder)
    uv_image = re.search(r"COPY --from=ghcr\.io/astral-sh/uv:(\S+) /uv ", builder_text)
    assert uv_image, "the uv binary must come from the pinned ghcr.io/astral-sh/uv image"
    assert re.fullmatch(r"\d+\.\d+\.\d+", uv_image[1]), f"uv image not pinned: {uv_image[1]}"
    assert "UV_COMPILE_BYTECODE=1" in builder_text
    assert "--mount=type=cache,target=/root/.cache/uv" in builder_text
    assert "uv sync --locked --no-dev --no-editable" in builder_text

    builder_name = groups[0][0].args.split()[-1]
    runtime_copies = [i.args for i in runtime if i.keyword == "COPY"]
    assert runtime_copies == [
        f"--from={builder_name} /app/.venv /app/.venv",
        "alembic.ini ./",
        "migrations ./migrations",
    ], "the runtime stage copies the venv, alembic.ini and migrations/, nothing else"


def test_dockerfile_runs_uvicorn_as_non_root_with_a_healthcheck(baked: Baked) -> None:
    """USER is a non-root uid, HEALTHCHECK probes /health/live with urllib, CMD is uvicorn."""
    runtime = stages(parse_dockerfile(baked.text("Dockerfile")))[-1]
    users = [i.args for i in runtime if i.keyword == "USER"]
    assert users, "the runtime stage must set USER"
    user = users[-1].split(":")[0]
    assert user.isdigit(), "a numeric uid lets Kubernetes verify runAsNonRoot"
    assert user != "0"

    (healthcheck,) = [i for i in runtime if i.keyword == "HEALTHCHECK"]
    probe = exec_form(healthcheck)
    assert probe[:2] == ["python", "-c"], "slim images have no curl; probe with urllib"
    compile(probe[2], "<healthcheck>", "exec")
    assert "http://127.0.0.1:8000/health/live" in probe[2]
    assert "timeout=" in probe[2], "a hung probe must not outlive --timeout"

    (cmd,) = [i for i in runtime if i.keyword == "CMD"]
    command = exec_form(cmd)
    assert command[:2] == ["uvicorn", f"{PACKAGE}.main:app"]
    options = command[2:]
    assert options[options.index("--host") + 1] == "0.0.0.0"  # noqa: S104 - inside a container
    assert options[options.index("--port") + 1] == "8000"
    assert "--proxy-headers" in options
    assert "--reload" not in options


def test_build_context_holds_what_the_dockerfile_copies_and_no_secrets(baked: Baked, tmp_path: Path) -> None:
    """After .dockerignore, every COPY and bind source is sent, and .env, .venv, .git are not."""
    project = tmp_path / SLUG
    shutil.copytree(baked.path, project)
    # What a working copy holds that must never reach the builder.
    planted = [".env", ".venv/bin/python", ".git/config", f"src/{PACKAGE}/__pycache__/x.pyc"]
    for name in planted:
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text("local only\n", encoding="utf-8")

    patterns = [
        line.strip()
        for line in (project / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    context = set(exclude_paths(str(project), patterns))

    instructions = parse_dockerfile((project / "Dockerfile").read_text(encoding="utf-8"))
    needed: set[str] = set()
    for instruction in instructions:
        if instruction.keyword == "COPY" and "--from=" not in instruction.args:
            needed.update(copy_sources(instruction))
        needed.update(re.findall(r"--mount=type=bind,source=([^,\s]+)", instruction.args))
    problems = [
        f"the Dockerfile copies {source}, which is not baked"
        if not (project / source).exists()
        else f".dockerignore keeps {source} out of the build context"
        for source in sorted(needed)
        if source not in context
    ]
    problems += [f"{name} would be sent to the builder" for name in planted if name in context]
    assert not problems, "\n".join(problems)


# --- compose.yaml -------------------------------------------------------------------


def test_compose_matches_the_compose_spec(baked: Baked) -> None:
    """compose.yaml validates against the compose-spec JSON schema."""
    _assert_passes(check_jsonschema("vendor.compose-spec", baked.path / "compose.yaml"))


def test_compose_schema_check_can_fail(baked: Baked, tmp_path: Path) -> None:
    """The schema check above bites: an unknown depends_on condition is rejected."""
    text = baked.text("compose.yaml")
    assert "condition: service_completed_successfully" in text
    broken = tmp_path / "compose.yaml"
    broken.write_text(
        text.replace("condition: service_completed_successfully", "condition: service_done"),
        encoding="utf-8",
    )
    assert check_jsonschema("vendor.compose-spec", broken).returncode != 0


def test_compose_runs_db_then_migrations_then_api(baked: Baked) -> None:
    """The db is healthy before migrate runs, migrate succeeds before api starts, one image."""
    compose = baked.yaml("compose.yaml")
    services = compose["services"]
    assert set(services) == {"db", "migrate", "api"}

    db = services["db"]
    assert re.fullmatch(r"postgres:\d+\.\d+-alpine", db["image"]), "pin an exact PostgreSQL version"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    volume = db["volumes"][0].split(":")[0]
    assert volume in compose["volumes"], "PostgreSQL data lives in a named volume"

    migrate, api = services["migrate"], services["api"]
    assert migrate["command"] == ["alembic", "upgrade", "head"]
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    assert migrate["healthcheck"] == {"disable": True}
    assert api["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert any(str(port).endswith(":8000") for port in api["ports"])

    assert api["build"] == migrate["build"] == "."
    assert api["image"] == migrate["image"], "migrations must run from the API's own image"
    for service in (api, migrate):
        assert "user" not in service, "the image's non-root USER must not be overridden"
        env = service["environment"]
        assert re.fullmatch(r"\$\{SECRET_KEY:\?.+\}", env["SECRET_KEY"]), "SECRET_KEY required"
        assert "ENVIRONMENT" in env
        url = urlsplit(env["DATABASE_URL"])
        assert url.scheme == "postgresql+asyncpg"
        assert (url.hostname, url.port) == ("db", 5432)
        assert url.username == db["environment"]["POSTGRES_USER"]
        assert url.password == db["environment"]["POSTGRES_PASSWORD"]
        assert url.path == "/" + db["environment"]["POSTGRES_DB"]


# --- .github/workflows/ci.yml ---------------------------------------------------------

WORKFLOW = ".github/workflows/ci.yml"


@pytest.mark.parametrize("schema", ["vendor.github-workflows", "custom.github-workflows-require-timeout"])
def test_workflow_matches_the_github_schemas(baked: Baked, schema: str) -> None:
    """The workflow is valid for GitHub Actions and every job has a timeout."""
    _assert_passes(check_jsonschema(schema, baked.path / WORKFLOW))


def test_workflow_schema_check_can_fail(baked: Baked, tmp_path: Path) -> None:
    """The timeout check above bites: a job without timeout-minutes is rejected."""
    text = baked.text(WORKFLOW)
    without = re.sub(r"(?m)^\s*timeout-minutes:.*\n", "", text)
    assert without != text
    broken = tmp_path / "ci.yml"
    broken.write_text(without, encoding="utf-8")
    assert check_jsonschema("custom.github-workflows-require-timeout", broken).returncode != 0


def test_workflow_keeps_its_expressions(baked: Baked) -> None:
    """Cookiecutter renders `${{ }}` away unless it is raw: the expressions survive intact."""
    text = baked.text(WORKFLOW)
    expressions = re.findall(r"\$\{\{(.*?)\}\}", text)
    assert expressions, "the workflow lost its ${{ }} expressions"
    assert all(e.strip() for e in expressions), "an expression rendered empty"
    assert "github.ref" in text
    assert "raw %}" not in text


def test_workflow_runs_make_check_against_postgres(baked: Baked) -> None:
    """Read-only token, no overlapping runs, the chosen Python, the compose PostgreSQL."""
    workflow = baked.yaml(WORKFLOW)
    triggers = workflow["on"] if "on" in workflow else workflow[True]  # YAML 1.1: `on` is true
    assert {"push", "pull_request"} <= set(triggers)
    assert workflow["permissions"] == {"contents": "read"}
    assert "${{" in workflow["concurrency"]["group"]

    (job,) = workflow["jobs"].values()
    assert job["timeout-minutes"] > 0
    postgres = job["services"]["postgres"]
    compose_db = baked.yaml("compose.yaml")["services"]["db"]
    assert postgres["image"] == compose_db["image"], "CI and compose run the same PostgreSQL"
    assert "--health-cmd" in postgres["options"]
    assert "pg_isready" in postgres["options"]

    url = urlsplit(job["env"]["TEST_DATABASE_URL"])
    assert url.scheme == "postgresql+asyncpg"
    assert (url.hostname, url.port) == ("localhost", 5432)
    assert f"{url.port}:5432" in [str(p) for p in postgres["ports"]]
    assert url.username == postgres["env"]["POSTGRES_USER"]
    assert url.password == postgres["env"]["POSTGRES_PASSWORD"]

    steps = job["steps"]
    uses = [step["uses"] for step in steps if "uses" in step]
    assert any(u.startswith("actions/checkout@") for u in uses)
    (setup_uv,) = [step for step in steps if step.get("uses", "").startswith("astral-sh/setup-uv@")]
    assert setup_uv["with"]["python-version"] == baked.python_version
    assert setup_uv["with"]["enable-cache"] is True
    assert setup_uv["with"]["cache-dependency-glob"] == "uv.lock"
    runs = [step["run"].strip() for step in steps if "run" in step]
    assert runs.index("uv sync --locked") < runs.index("make check")
    assert re.search(r"^check:", baked.text("Makefile"), re.MULTILINE), "no `make check` target"


# Commit SHAs of the pinned actions, each found with the same version comment in
# several independent public repositories (no network to GitHub here).
PINNED_ACTIONS = {
    "actions/checkout": ("3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    "astral-sh/setup-uv": ("11f9893b081a58869d3b5fccaea48c9e9e46f990", "v8.3.2"),
}


def test_every_action_is_pinned_to_a_commit_with_its_version(baked: Baked) -> None:
    """A tag can be moved to other code; a full commit SHA cannot. The comment says which release."""
    lines = [line.strip() for line in baked.text(WORKFLOW).splitlines() if line.strip().startswith("- uses:")]
    assert lines, "the workflow uses no action"
    for line in lines:
        match = re.fullmatch(r"- uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)", line)
        assert match, f"not pinned to a full commit SHA with its version in a comment: {line}"
        action, sha, version = match.groups()
        assert PINNED_ACTIONS.get(action) == (sha, version), f"{action}@{sha} is not a verified pin"


def zizmor(project: Path) -> subprocess.CompletedProcess[str]:
    """Audit the workflows offline, reporting medium severity and above."""
    return _run(_tool("zizmor"), "--offline", "--no-progress", "--min-severity", "medium", ".", cwd=project)


def test_zizmor_finds_nothing_at_medium_or_above(baked: Baked) -> None:
    """No template injection, no credential persistence, no excessive permissions, every action pinned."""
    result = zizmor(baked.path)
    _assert_passes(result)
    assert "zizmor: ignore" not in baked.text(WORKFLOW), "no finding may be suppressed"


def test_zizmor_rejects_an_unpinned_action(baked: Baked, tmp_path: Path) -> None:
    """The audit above bites: a tag instead of a commit is a high finding (unpinned-uses)."""
    project = tmp_path / "project"
    shutil.copytree(baked.path / ".github", project / ".github")
    workflow = project / WORKFLOW
    text = workflow.read_text(encoding="utf-8")
    workflow.write_text(re.sub(r"actions/checkout@\S+ # \S+", "actions/checkout@v7", text), encoding="utf-8")
    result = zizmor(project)
    assert result.returncode != 0
    assert "unpinned-uses" in result.stdout


def test_dependabot_keeps_actions_uv_and_images_current(baked: Baked) -> None:
    """Valid for Dependabot; actions, uv.lock and the Docker images, each after a cooldown."""
    _assert_passes(check_jsonschema("vendor.dependabot", baked.path / ".github" / "dependabot.yml"))
    updates = baked.yaml(".github/dependabot.yml")["updates"]
    assert {update["package-ecosystem"] for update in updates} == {
        "github-actions",
        "uv",
        "docker",
        "docker-compose",
    }
    for update in updates:
        assert update["directory"] == "/"
        assert update["cooldown"]["default-days"] > 0, "a fresh release is not taken at once"


# --- .pre-commit-config.yaml ----------------------------------------------------------


def test_pre_commit_config_is_valid(baked: Baked) -> None:
    """pre-commit's own validator accepts the config (check-jsonschema vendors no schema)."""
    result = _run(
        sys.executable,
        "-m",
        "pre_commit",
        "validate-config",
        ".pre-commit-config.yaml",
        cwd=baked.path,
    )
    _assert_passes(result)


def test_pre_commit_hooks_agree_with_the_lock(baked: Baked) -> None:
    """Ruff runs at the locked version; mypy and import contracts run from the locked env."""
    config = baked.yaml(".pre-commit-config.yaml")
    repos = {repo["repo"]: repo for repo in config["repos"]}
    locked = {package["name"]: package["version"] for package in tomllib.loads(baked.text("uv.lock"))["package"]}

    ruff = repos["https://github.com/astral-sh/ruff-pre-commit"]
    assert ruff["rev"] == f"v{locked['ruff']}", "pre-commit and `make lint` would format apart"
    assert [h["id"] for h in ruff["hooks"]] == ["ruff-check", "ruff-format"]
    assert ruff["hooks"][0]["args"] == ["--fix"]

    basics = {h["id"] for h in repos["https://github.com/pre-commit/pre-commit-hooks"]["hooks"]}
    assert {
        "trailing-whitespace",
        "end-of-file-fixer",
        "check-yaml",
        "check-toml",
        "check-added-large-files",
        "detect-private-key",
    } <= basics
    for repo in config["repos"]:
        if repo["repo"] != "local":
            assert re.fullmatch(EXACT_VERSION, repo["rev"]), f"{repo['repo']} is not pinned"

    local = {h["entry"]: h for h in repos["local"]["hooks"]}
    for entry, package in (
        ("uv run --locked mypy", "mypy"),
        ("uv run --locked lint-imports", "import-linter"),
    ):
        hook = local[entry]
        assert hook["language"] == "system"
        assert hook["pass_filenames"] is False
        assert package in locked, f"{package} is not in the locked dev dependencies"


# --- CODEOWNERS ----------------------------------------------------------------------


def test_codeowners_name_an_owner_for_the_schema(baked: Baked) -> None:
    """Migrations and models need their owner's review (R6.2), and the rules page says so."""
    rules = [line.split() for line in baked.text(".github/CODEOWNERS").splitlines() if line and line[0] != "#"]
    owners = {pattern: owners for pattern, *owners in rules}
    assert owners == {"/migrations/": ["you@example.com"], f"/src/{PACKAGE}/models/": ["you@example.com"]}
    for pattern in owners:
        assert (baked.path / pattern.strip("/")).is_dir(), f"CODEOWNERS names {pattern}, which does not exist"
    assert "`.github/CODEOWNERS`" in baked.text("docs/RULES.md").split("| R6.2 |")[1].split("\n")[0]


# --- .env.example, .gitignore, template residue ------------------------------------


def settings_fields(config_py: str) -> set[str]:
    """Return the environment names of the `Settings` fields in core/config.py."""
    module = ast.parse(config_py)
    for node in module.body:
        if isinstance(node, ast.ClassDef) and node.name == "Settings":
            return {
                stmt.target.id.upper()
                for stmt in node.body
                if isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and stmt.target.id != "model_config"
            }
    pytest.fail("core/config.py defines no Settings class")


def test_env_example_documents_every_setting(baked: Baked) -> None:
    """Each setting appears once, under its own comment, with the local default."""
    lines = baked.text(".env.example").splitlines()
    documented: dict[str, str] = {}
    for number, line in enumerate(lines):
        match = re.fullmatch(r"(?:# )?([A-Z][A-Z0-9_]*)=(.*)", line)
        if match is None:
            continue
        name, value = match.groups()
        assert name not in documented, f"{name} appears twice"
        assert number > 0, f"{name} has no comment"
        assert lines[number - 1].startswith("# "), f"{name} has no comment"
        documented[name] = value

    fields = settings_fields(baked.text(f"src/{PACKAGE}/core/config.py"))
    assert set(documented) == fields | TEST_ONLY_SETTINGS
    assert documented["ENVIRONMENT"] == "local"
    assert int(documented["ACCESS_TOKEN_EXPIRE_MINUTES"]) == 15
    assert int(documented["REFRESH_TOKEN_EXPIRE_DAYS"]) == 14
    assert int(documented["MAX_BODY_BYTES"]) == 1024 * 1024
    assert isinstance(json.loads(documented["CORS_ORIGINS"]), list)
    assert any("secrets.token_urlsafe" in line for line in lines)

    # The default URL reaches the database that `docker compose up db` publishes.
    db = baked.yaml("compose.yaml")["services"]["db"]
    url = urlsplit(documented["DATABASE_URL"])
    assert url.scheme == "postgresql+asyncpg"
    assert f"127.0.0.1:{url.port}:5432" in db["ports"]
    assert url.hostname == "localhost"
    assert url.username == db["environment"]["POSTGRES_USER"]
    assert url.password == db["environment"]["POSTGRES_PASSWORD"]
    assert url.path == f"/{PACKAGE}" == "/" + db["environment"]["POSTGRES_DB"]


def test_gitignore_keeps_secrets_and_local_state_out(baked: Baked, tmp_path: Path) -> None:
    """Let git decide: .env and caches are ignored; .env.example and the code are not."""
    shutil.copy(baked.path / ".gitignore", tmp_path / ".gitignore")
    git = _tool("git")
    _assert_passes(_run(git, "init", "--quiet", cwd=tmp_path))

    def ignored(path: str) -> bool:
        result = _run(git, "check-ignore", "--quiet", "--no-index", path, cwd=tmp_path)
        assert result.returncode in {0, 1}, result.stderr
        return result.returncode == 0

    for path in [
        ".env",
        ".env.production",
        ".venv/bin/python",
        f"src/{PACKAGE}/__pycache__/main.cpython-313.pyc",
        ".mypy_cache/x",
        ".ruff_cache/x",
        ".pytest_cache/x",
        ".coverage",
        "htmlcov/index.html",
        "dist/x.whl",
    ]:
        assert ignored(path), f"{path} should be ignored"
    for path in [".env.example", "uv.lock", f"src/{PACKAGE}/main.py", "migrations/env.py"]:
        assert not ignored(path), f"{path} must stay tracked"


@pytest.mark.parametrize(
    "name",
    [
        "Dockerfile",
        ".dockerignore",
        ".gitignore",
        "compose.yaml",
        ".env.example",
        WORKFLOW,
        ".github/dependabot.yml",
        ".pre-commit-config.yaml",
    ],
)
def test_no_template_syntax_left(baked: Baked, name: str) -> None:
    """No Jinja markup survives rendering (GitHub's `${{` is not Jinja)."""
    text = baked.text(name)
    assert not TEMPLATE_RESIDUE.search(text), f"unrendered template syntax in {name}"
    assert "cookiecutter" not in text
