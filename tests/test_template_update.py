"""A project made with cruft takes a later template change with `cruft update`, cleanly.

cruft renders the template at the project's commit and at the newest one,
hooks included, and applies the difference to the project: so rendering must
be deterministic and the post-generation hook idempotent, or the update would
carry noise or conflicts.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import cruft

from scripts.template import PROJECT_TEMPLATE, ROOT, isolated_config

# What cookiecutter reads from the template repository.
TEMPLATE_PARTS = ("cookiecutter.json", "hooks", "templates", PROJECT_TEMPLATE)
README_TEMPLATE = Path(PROJECT_TEMPLATE) / "README.md"
ADDED_SECTION = "\n## Added by a later template\n\nThis section came with `cruft update`.\n"


def git(cwd: Path, *args: str) -> str:
    """Run git with a fixed identity and no user or system configuration."""
    env = {
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Template Test",
        "GIT_AUTHOR_EMAIL": "template@example.com",
        "GIT_COMMITTER_NAME": "Template Test",
        "GIT_COMMITTER_EMAIL": "template@example.com",
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }
    result = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"git {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result.stdout


def commit_all(repository: Path, message: str) -> str:
    """Commit everything in ``repository`` and return the commit's SHA."""
    git(repository, "add", "--all")
    git(repository, "commit", "--quiet", "--message", message)
    return git(repository, "rev-parse", "HEAD").strip()


def test_cruft_update_applies_a_template_change_cleanly(tmp_path: Path) -> None:
    # A throwaway git copy of the template as it is now, committed once.
    template = tmp_path / "template"
    template.mkdir()
    for part in TEMPLATE_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, template / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, template / part)
    git(template, "init", "--quiet", "--initial-branch=main")
    first = commit_all(template, "The template as it is")

    # Options whose files the hook prunes: a hook that is not idempotent shows up in the diff.
    project = cruft.create(
        str(template),
        output_dir=tmp_path / "projects",
        config_file=isolated_config(tmp_path),
        extra_context={"ci": "gitlab", "use_kubernetes": "yes"},
    )
    assert json.loads((project / ".cruft.json").read_text(encoding="utf-8"))["commit"] == first
    git(project, "init", "--quiet", "--initial-branch=main")
    commit_all(project, "Generated")

    with (template / README_TEMPLATE).open("a", encoding="utf-8") as readme:
        readme.write(ADDED_SECTION)
    second = commit_all(template, "A later template change")

    assert cruft.update(project, skip_apply_ask=True) is True
    changed = git(project, "diff", "HEAD", "--name-only").splitlines()
    assert changed == [".cruft.json", "README.md"], "the update brought more than the change"
    assert git(project, "ls-files", "--others") == "", "the update left files behind (rejects, prunings)"
    assert (project / "README.md").read_text(encoding="utf-8").endswith(ADDED_SECTION)
    assert json.loads((project / ".cruft.json").read_text(encoding="utf-8"))["commit"] == second
    assert cruft.check(project) is True
