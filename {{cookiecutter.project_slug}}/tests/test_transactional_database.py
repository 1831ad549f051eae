"""The tests' database (`TransactionalDatabase`) keeps production's read/write split."""

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text

from {{ cookiecutter.package_name }}.core.db import Connection, Statement
from {{ cookiecutter.package_name }}.dependencies.database import SessionDep

from tests.conftest import TransactionalDatabase

WRITE = Statement(text("UPDATE users SET full_name = full_name"))
READ_ONLY = Statement(text("SHOW transaction_read_only"))


async def _write(session: SessionDep) -> None:
    """A handler that writes, whatever its method."""
    await session.execute(WRITE)


async def test_a_write_in_a_get_fails_as_in_production(app: FastAPI) -> None:
    app.add_api_route("/write", _write, methods=["GET", "POST"], status_code=204)
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        read = await client.get("/write")
        written = await client.post("/write")
    assert (read.status_code, written.status_code) == (500, 204)


async def test_a_read_leaves_the_test_transaction_writable(
    database: TransactionalDatabase, connection: Connection
) -> None:
    async with database.session(read_only=True) as reader:
        assert await reader.fetch_value(READ_ONLY) == "on"
    assert await connection.fetchval("SHOW transaction_read_only") == "off"
    async with database.session(read_only=False) as writer:
        await writer.execute(WRITE)
        await writer.commit()
