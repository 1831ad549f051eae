"""The post-generation hook prunes what the options leave out, and running it again changes nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hooks.post_gen_project import prune, unwanted_paths
from scripts.template import ROOT
from tests.baking import bake_project, run_cookiecutter_cli

HOOK = ROOT / "hooks" / "post_gen_project.py"
DEFAULTS = {
    "ci": "github",
    "use_docker": "yes",
    "use_kubernetes": "no",
    "auth": "local",
    "package_name": "todo_service",
}
# What each option value brings; the pruning removes the rest.
OPTION_FILES = {
    ("ci", "github"): {".github/workflows/ci.yml", ".github/dependabot.yml"},
    ("ci", "gitlab"): {".gitlab-ci.yml"},
    ("use_docker", "yes"): {"Dockerfile", ".dockerignore", "compose.yaml"},
    ("use_kubernetes", "yes"): {"deploy/kubernetes/kustomization.yaml", "deploy/kubernetes/deployment.yaml"},
    ("auth", "local"): {
        "src/todo_service/routers/auth.py",
        "src/todo_service/core/security/passwords.py",
        "src/todo_service/routers/well_known.py",
        "tests/test_refresh_tokens.py",
        "tools/superuser.py",
    },
    ("auth", "oidc"): {
        "src/todo_service/core/security/oidc.py",
        "tests/identity_provider.py",
        "tests/test_oidc.py",
    },
}


def files(project: Path) -> set[str]:
    """Return every file and folder of a project, relative to it."""
    return {path.relative_to(project).as_posix() for path in project.rglob("*")}


def test_generation_prints_the_next_steps(tmp_path: Path) -> None:
    output = tmp_path / "out"
    result = run_cookiecutter_cli(tmp_path, output)
    assert result.returncode == 0, result.stderr
    assert "cd todo-service" in result.stdout
    assert "make test" in result.stdout


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param(DEFAULTS, id="defaults"),
        pytest.param(DEFAULTS | {"ci": "gitlab", "use_kubernetes": "yes"}, id="gitlab-kubernetes"),
        pytest.param(DEFAULTS | {"ci": "none", "use_docker": "no", "auth": "oidc"}, id="none-no-docker-oidc"),
    ],
)
def test_a_bake_holds_the_files_of_the_chosen_options_only(tmp_path: Path, answers: dict[str, str]) -> None:
    project = bake_project(tmp_path, **answers).path
    present = files(project)
    for (option, value), option_files in OPTION_FILES.items():
        if answers[option] == value:
            assert option_files <= present, f"{option}={value} lost {sorted(option_files - present)}"
        else:
            assert not option_files & present, f"{option}={answers[option]} kept {sorted(option_files & present)}"
    for unwanted in unwanted_paths(answers):
        assert not (project / unwanted).exists()
    # CODEOWNERS is for the forge, not the CI: it stays unless GitLab reads it elsewhere.
    codeowners = ".gitlab/CODEOWNERS" if answers["ci"] == "gitlab" else ".github/CODEOWNERS"
    assert {path for path in present if path.endswith("CODEOWNERS")} == {codeowners}
    assert (".github" in present) == (answers["ci"] != "gitlab"), "an empty .github/ is left, or a needed one gone"
    assert ("deploy/kubernetes" in present) == (answers["use_kubernetes"] == "yes")
    assert "deploy/grafana/dashboard.json" in present, "the dashboard serves any deployment"


@pytest.mark.parametrize(("ci", "codeowners"), [("github", ".github"), ("gitlab", ".gitlab"), ("none", ".github")])
def test_codeowners_goes_where_the_forge_reads_it(tmp_path: Path, ci: str, codeowners: str) -> None:
    # GitLab reads CODEOWNERS from the root, docs/ or .gitlab/, never from .github/.
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "CODEOWNERS").write_text("* @team\n", encoding="utf-8")
    (tmp_path / ".gitlab-ci.yml").write_text("{}\n", encoding="utf-8")
    answers = DEFAULTS | {"ci": ci}
    prune(tmp_path, answers)
    assert (tmp_path / codeowners / "CODEOWNERS").read_text(encoding="utf-8") == "* @team\n"
    assert len(list(tmp_path.rglob("CODEOWNERS"))) == 1
    before = files(tmp_path)
    prune(tmp_path, answers)
    assert files(tmp_path) == before


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param(DEFAULTS, id="defaults"),
        pytest.param(DEFAULTS | {"ci": "gitlab", "use_kubernetes": "yes"}, id="gitlab-kubernetes"),
        pytest.param(DEFAULTS | {"ci": "none", "use_docker": "no", "auth": "oidc"}, id="none-no-docker-oidc"),
    ],
)
def test_running_the_rendered_hook_again_changes_nothing(tmp_path: Path, answers: dict[str, str]) -> None:
    project = bake_project(tmp_path, **answers)
    context = {"project_slug": project.path.name, **answers}
    rendered = HOOK.read_text().replace("{{ cookiecutter | tojson }}", json.dumps(context))
    before = files(project.path)
    outputs = [
        subprocess.run(
            [sys.executable, "-c", rendered], cwd=project.path, capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    ]
    assert outputs[0] == outputs[1]
    assert f"cd {project.path.name}" in outputs[0]
    assert files(project.path) == before
