"""Users: lookup and registration."""

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from {{ cookiecutter.package_name }}.core.errors import ConflictError
from {{ cookiecutter.package_name }}.core.rows import first_record
from {{ cookiecutter.package_name }}.models import User
from {{ cookiecutter.package_name }}.models.base import table_of, utc_now
from {{ cookiecutter.package_name }}.schemas.user import UserCreate, UserRead

users = table_of(User)
_READ_COLUMNS = [users.c[name] for name in UserRead.model_fields]
# Runs on every authenticated request: built once, and one indexed row read.
_GET_ACTIVE = select(*_READ_COLUMNS).where(users.c.id == bindparam("user_id"), users.c.is_active)
_SET_PASSWORD_HASH = (
    sa.update(users)
    .where(users.c.id == bindparam("user_id"))
    .values(password_hash=bindparam("new_hash"), updated_at=bindparam("now"))
)
_REGISTER = (
    insert(users).on_conflict_do_nothing(index_elements=[users.c.email]).returning(*_READ_COLUMNS)
)


class EmailTakenError(ConflictError):
    """An account with this email already exists (in any letter case)."""

    description = "An account with this email already exists."
    # The registration attempt still counts against the client's address.
    commits_changes = True


async def get_active(session: AsyncSession, *, user_id: UUID) -> UserRead | None:
    """The user with `user_id`, if it exists and is active."""
    row = first_record(await session.execute(_GET_ACTIVE, {"user_id": user_id}))
    return None if row is None else UserRead.model_validate(row)


async def set_password_hash(session: AsyncSession, *, user_id: UUID, password_hash: str) -> None:
    """Store a new hash of the user's password (rehashed with the current parameters)."""
    await session.execute(
        _SET_PASSWORD_HASH, {"user_id": user_id, "new_hash": password_hash, "now": utc_now()}
    )


async def create(session: AsyncSession, *, data: UserCreate, password_hash: str) -> UserRead:
    """Register a user in one race-free statement; a taken email raises `EmailTakenError`.

    `password_hash` is the hash of `data.password`, computed beforehand with
    no connection held.
    """
    now = utc_now()
    values = {
        "created_at": now,
        "updated_at": now,
        "email": data.email.lower(),
        "full_name": data.full_name,
        "password_hash": password_hash,
    }
    row = first_record(await session.execute(_REGISTER, values))
    if row is None:
        raise EmailTakenError
    return UserRead.model_validate(row)
