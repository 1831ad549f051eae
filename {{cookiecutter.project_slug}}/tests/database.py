"""Test database plumbing: a database per xdist worker, built by the migrations."""

import os

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, make_url, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from tools import local_database

PROJECT_ROOT = local_database.PROJECT_ROOT
TEST_DATABASE = "{{ cookiecutter.package_name }}_test"


def choose_test_database() -> str:
    """Keep `TEST_DATABASE_URL`, or point it at the local server; say which, in one line.

    Runs once per pytest run, before xdist starts the workers that inherit it.
    """
    if url := os.environ.get("TEST_DATABASE_URL"):
        return f"Test database: {make_url(url).render_as_string()} (TEST_DATABASE_URL)"
    url = local_database.server_url(TEST_DATABASE).render_as_string(hide_password=False)
    os.environ["TEST_DATABASE_URL"] = url
    return f"Test database: {TEST_DATABASE} on {local_database.WHERE}; TEST_DATABASE_URL is unset"


def database_url_from_environment() -> str:
    """`TEST_DATABASE_URL`, normalised to the asyncpg driver."""
    url = make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgresql+asyncpg")
    return url.render_as_string(hide_password=False)


def related_database_url(url: str, suffix: str) -> str:
    """The database named like the one `url` names plus `suffix`, on the same server."""
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}{suffix}").render_as_string(hide_password=False)


def worker_database_url(base_url: str, worker_id: str) -> str:
    """One database per xdist worker, so parallel workers never share rows."""
    return base_url if worker_id == "master" else related_database_url(base_url, f"_{worker_id}")


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
