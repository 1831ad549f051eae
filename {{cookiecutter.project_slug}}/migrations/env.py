"""Alembic environment: async, reading DATABASE_URL from the app's settings.

Tests pass an open connection in `config.attributes["connection"]`, so the
migrations run inside the test harness's event loop and transaction.
"""

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.models import metadata

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name)


def run_migrations(connection: Connection) -> None:
    """Run the migrations on `connection`, comparing types so autogenerate sees changes."""
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    """Connect with the app's own URL and driver, then migrate."""
    engine = create_async_engine(str(Settings().database_url))
    async with engine.connect() as connection:
        await connection.run_sync(run_migrations)
    await engine.dispose()


def run_migrations_offline() -> None:
    """Emit SQL for `alembic upgrade --sql` without a database."""
    context.configure(
        url=str(Settings().database_url),
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
    asyncio.run(run_async_migrations())
