"""`make superuser email=<email>`: promotes a registered user, or fails saying why."""

import asyncio
from uuid import uuid4

import pytest
from sqlalchemy import Executable, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel import col

from {{ cookiecutter.package_name }}.models import User
from {{ cookiecutter.package_name }}.models.base import utc_now

from tools.superuser import main


async def _scalar(database_url: str, statement: Executable) -> object:
    """Run `statement` in a committed transaction of its own; its first value, if any."""
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as connection:
            result = await connection.execute(statement)
            return result.scalar() if result.returns_rows else None
    finally:
        await engine.dispose()


@pytest.fixture
def database(migrated_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch) -> str:
    """The worker's migrated database, as the tool finds it: in `DATABASE_URL`."""
    url = migrated_engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def test_a_registered_user_becomes_a_superuser(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    email = f"{uuid4().hex}@example.com"
    now = utc_now()
    row = {"email": email, "full_name": "Admin", "password_hash": "x", "is_active": True}
    user_id = asyncio.run(
        _scalar(
            database,
            insert(User).values(**row, created_at=now, updated_at=now).returning(col(User.id)),
        )
    )
    try:
        assert main([email.upper()]) == 0
        assert capsys.readouterr().out == f"{email} (id {user_id}) is now a superuser.\n"
        promoted = select(col(User.is_superuser)).where(col(User.id) == user_id)
        assert asyncio.run(_scalar(database, promoted)) is True
    finally:
        asyncio.run(_scalar(database, delete(User).where(col(User.id) == user_id)))


@pytest.mark.usefixtures("database")
def test_an_unknown_email_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["nobody@example.com"]) == 1
    captured = capsys.readouterr()
    assert captured.err == "No user has the email 'nobody@example.com'; nothing changed.\n"
    assert captured.out == ""
