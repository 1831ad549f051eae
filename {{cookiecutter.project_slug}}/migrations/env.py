"""Alembic environment: async, reading DATABASE_URL from the app's settings.

In `local` with DATABASE_URL unset, it migrates the project-local PostgreSQL,
started if need be: never a server on localhost:5432 the project did not
start. Tests pass an open connection in `config.attributes["connection"]`, so
the migrations run inside the test harness's event loop and transaction.
"""

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from {{ cookiecutter.package_name }}.core.config import Environment, load_settings
from {{ cookiecutter.package_name }}.models import metadata

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name)


def database_url() -> str:
    """DATABASE_URL; in `local` with it unset, the project-local PostgreSQL, started if need be."""
    settings = load_settings()
    unset = "database_url" not in settings.model_fields_set
    if settings.environment is Environment.LOCAL and unset:
        # Imported here only: tools/ and its embedded PostgreSQL are dev-only, not in the image.
        from tools.local_database import project_database_url  # noqa: PLC0415

        return project_database_url().render_as_string(hide_password=False)
    return str(settings.database_url)


def run_migrations(connection: Connection) -> None:
    """Run the migrations on `connection`, comparing types so autogenerate sees changes."""
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations(url: str) -> None:
    """Connect to `url` with the app's driver, then migrate."""
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(run_migrations)
    await engine.dispose()


def run_migrations_offline() -> None:
    """Emit SQL for `alembic upgrade --sql` without a database."""
    context.configure(
        url=str(load_settings().database_url),
        target_metadata=metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
elif (connection := config.attributes.get("connection")) is not None:
    run_migrations(connection)
else:
    # Resolved first: starting the local PostgreSQL runs an event loop of its own.
    asyncio.run(run_async_migrations(database_url()))
