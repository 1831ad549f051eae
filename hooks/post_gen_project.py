"""Tell the user what to do next, once the project is written.

Cookiecutter runs this inside the new project. It writes nothing and reads no
network, so it is safe to run twice (as `cruft update` does). Options that
leave files to prune would prune them here.
"""

from __future__ import annotations

import sys

_SLUG = "{{ cookiecutter.project_slug }}"


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
    sys.stdout.write(next_steps(_SLUG))
