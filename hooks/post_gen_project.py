"""Prune what the chosen options leave out, then tell the user what to do next.

Cookiecutter runs this inside the new project. The template holds the files
of every option; this removes those of the options not chosen. It reads no
network and only removes what is still there, so running it again changes
nothing (`cruft update` renders the template, hooks included, for each diff).
The answers arrive as one JSON string literal, so the unrendered module stays
importable and ``prune`` is unit-tested.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

# Rendered by cookiecutter; JSON escapes quotes and backslashes (see pre_gen_project).
_ANSWERS_JSON = r"""{{ cookiecutter | tojson }}"""

# GitHub reads CODEOWNERS from .github/; GitLab from the root, docs/ or .gitlab/.
GITHUB_CODEOWNERS = Path(".github/CODEOWNERS")
GITLAB_CODEOWNERS = Path(".gitlab/CODEOWNERS")
# What only a service with accounts of its own has (auth=local): passwords, its own
# tokens and their keys, the brute-force limits, and their tests.
LOCAL_AUTH_PACKAGE = (
    "core/mail",
    "core/security/account_tokens.py",
    "core/security/keys.py",
    "core/security/limits.py",
    "core/security/passwords.py",
    "core/security/tokens.py",
    "dependencies/accounts.py",
    "models/account_token.py",
    "models/attempt_counter.py",
    "models/refresh_token.py",
    "routers/accounts.py",
    "routers/auth.py",
    "routers/well_known.py",
    "schemas/account.py",
    "schemas/auth.py",
    "schemas/email.py",
    "schemas/keys.py",
    "schemas/token.py",
    "services/accounts.py",
    "services/attempts.py",
    "services/auth.py",
    "services/tokens.py",
)
LOCAL_AUTH_PROJECT = (
    "migrations/versions/20261206_0007_add_account_tokens_and_users_email_.py",
    "tests/mail.py",
    "tests/test_accounts.py",
    "tests/test_admin_users.py",
    "tests/test_attempt_bursts.py",
    "tests/test_attempt_limits.py",
    "tests/test_auth.py",
    "tests/test_email_addresses.py",
    "tests/test_passwords.py",
    "tests/test_refresh_tokens.py",
    "tests/test_secrets.py",
    "tests/test_signing_keys.py",
    "tests/test_superuser_races.py",
    "tests/test_superuser_tool.py",
    "tests/test_users.py",
    "tools/superuser.py",
)
# What only a service that trusts an identity provider has (auth=oidc).
OIDC_PACKAGE = ("core/security/oidc.py",)
OIDC_PROJECT = (
    "migrations/versions/20261206_0007_users_of_an_identity_provider.py",
    "tests/identity_provider.py",
    "tests/test_oidc.py",
    "tests/test_oidc_first_sight.py",
)


def unwanted_paths(answers: Mapping[str, object]) -> list[Path]:
    """Return the files and folders, relative to the project, that the answers leave out."""
    paths: list[Path] = []
    if answers["ci"] != "github":
        paths += [Path(".github/workflows"), Path(".github/dependabot.yml")]
    if answers["ci"] != "gitlab":
        paths.append(Path(".gitlab-ci.yml"))
    if answers["use_docker"] != "yes":
        paths += [Path("Dockerfile"), Path(".dockerignore"), Path("compose.yaml")]
    if answers["use_kubernetes"] != "yes":
        # The Grafana dashboard beside it, deploy/grafana/, serves any deployment.
        paths.append(Path("deploy/kubernetes"))
    package = Path("src", str(answers["package_name"]))
    if answers["auth"] == "oidc":
        paths += [package / name for name in LOCAL_AUTH_PACKAGE] + [Path(name) for name in LOCAL_AUTH_PROJECT]
    else:
        paths += [package / name for name in OIDC_PACKAGE] + [Path(name) for name in OIDC_PROJECT]
    return paths


def prune(project: Path, answers: Mapping[str, object]) -> None:
    """Remove what the answers leave out and move CODEOWNERS where the chosen forge reads it."""
    for relative in unwanted_paths(answers):
        path = project / relative
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    if answers["ci"] == "gitlab" and (project / GITHUB_CODEOWNERS).exists():
        (project / GITLAB_CODEOWNERS).parent.mkdir(exist_ok=True)
        (project / GITHUB_CODEOWNERS).replace(project / GITLAB_CODEOWNERS)
    github = project / ".github"
    if github.is_dir() and not any(github.iterdir()):
        github.rmdir()


def next_steps(slug: str) -> str:
    """Return the commands a new project starts with; the project README says more."""
    return (
        f"Created {slug}. Next:\n"
        f"  cd {slug}\n"
        "  make test   # its tests, on TEST_DATABASE_URL or else a PostgreSQL of its own it starts\n"
        "  make run    # serve it on http://127.0.0.1:8000, on DATABASE_URL or else that PostgreSQL\n"
        "  make check  # every house rule, as CI runs them (docs/RULES.md)\n"
    )


if __name__ == "__main__":
    ANSWERS = json.loads(_ANSWERS_JSON)
    prune(Path.cwd(), ANSWERS)
    sys.stdout.write(next_steps(ANSWERS["project_slug"]))
