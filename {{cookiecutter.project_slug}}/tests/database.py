"""Test database plumbing: a database per xdist worker, built by the migrations."""

import os
import shutil
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, make_url, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SET_URL_HINT = (
    "Set TEST_DATABASE_URL=postgresql+asyncpg://USER:PASSWORD@HOST:PORT/DBNAME "
    "(a database the tests may drop and recreate)"
)


def database_url_from_environment() -> str | None:
    """`TEST_DATABASE_URL`, normalised to the asyncpg driver, if it is set."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return None
    return make_url(url).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def throwaway_server_problem() -> str | None:
    """Why pytest-postgresql cannot start a throwaway server here, if it cannot."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return "PostgreSQL refuses to start a throwaway server as root. " + SET_URL_HINT
    if shutil.which("pg_ctl") is None and shutil.which("pg_config") is None:
        return "No PostgreSQL binaries (pg_ctl) found. " + SET_URL_HINT
    return None


def worker_database_url(base_url: str, worker_id: str) -> str:
    """One database per xdist worker, so parallel workers never share rows."""
    url = make_url(base_url)
    if worker_id != "master":
        url = url.set(database=f"{url.database}_{worker_id}")
    return url.render_as_string(hide_password=False)


async def recreate_database(url: str) -> None:
    """Drop and create the database `url` names, from the server's `postgres` database."""
    target = make_url(url)
    admin = create_async_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            name = connection.dialect.identifier_preparer.quote(target.database or "")
            await connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            await connection.execute(text(f"CREATE DATABASE {name}"))
    finally:
        await admin.dispose()


def alembic_config(connection: Connection) -> Config:
    """The project's Alembic config, bound to an open connection (see migrations/env.py)."""
    config = Config(PROJECT_ROOT / "alembic.ini")
    config.attributes["connection"] = connection
    config.attributes["configure_logger"] = False
    return config


async def migrate(connection: AsyncConnection, revision: str = "head") -> None:
    """Upgrade the database behind `connection` to `revision`."""
    await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))


async def unmigrate(connection: AsyncConnection, revision: str = "base") -> None:
    """Downgrade the database behind `connection` to `revision`."""
    await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), revision))


async def create_migrated_engine(url: str) -> AsyncEngine:
    """A fresh database at `url`, migrated to head."""
    await recreate_database(url)
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await migrate(connection)
    return engine


def exit_without_database(reason: str) -> None:
    """Stop the whole run with one line saying what to set."""
    pytest.exit(reason, returncode=pytest.ExitCode.USAGE_ERROR)
