"""Schema changes only by migration (house rule R6)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from {{ cookiecutter.package_name }}.models import metadata

from tests.database import migrate, recreate_database, related_database_url, unmigrate


def _model_diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


async def _diff(connection: AsyncConnection) -> list[object]:
    return await connection.run_sync(_model_diff)


async def test_r6_migrations_match_models_and_round_trip(database_url: str) -> None:
    url = related_database_url(database_url, "_migrations")
    await recreate_database(url)
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await migrate(connection)
            diff = await _diff(connection)
            assert diff == [], f"R6: models differ from the migrations; add a migration: {diff}"

            await unmigrate(connection)
            assert await connection.run_sync(_tables) == set(), "R6: downgrade left tables"

            await migrate(connection)
            assert await _diff(connection) == []
    finally:
        await engine.dispose()
