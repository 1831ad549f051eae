"""Users: lookup, registration, and what superusers may change."""

from dataclasses import dataclass
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert

from {{ cookiecutter.package_name }}.core.database import Session, Statement
from {{ cookiecutter.package_name }}.core.errors import ConflictError, NotFoundError
from {{ cookiecutter.package_name }}.core.statements import PageStatements
from {{ cookiecutter.package_name }}.models import User
from {{ cookiecutter.package_name }}.models.base import table_of, utc_now
from {{ cookiecutter.package_name }}.schemas.page import PageQuery
from {{ cookiecutter.package_name }}.schemas.user import (
    UserAdminRead,
    UserCreate,
    UserPage,
    UserRead,
    UserUpdate,
)

users = table_of(User)
_READ_COLUMNS = [users.c[name] for name in UserRead.model_fields]
_ADMIN_COLUMNS = [users.c[name] for name in UserAdminRead.model_fields]
# Runs on every authenticated request: built once, and one indexed row read.
_GET_ACTIVE = Statement(
    select(*_ADMIN_COLUMNS).where(users.c.id == bindparam("user_id"), users.c.is_active)
)
_PAGE = PageStatements(
    users, _ADMIN_COLUMNS, where=[], order_by=[users.c.created_at.desc(), users.c.id.desc()]
)
_CREDENTIALS = Statement(
    select(users.c.id, users.c.password_hash, users.c.is_active).where(
        users.c.email == bindparam("address")
    )
)
_GET = Statement(select(*_ADMIN_COLUMNS).where(users.c.id == bindparam("user_id")))
# Bound parameter names differ from column names, which UPDATE reserves for SET.
_UPDATE = Statement(
    sa.update(users).where(users.c.id == bindparam("user_id")).returning(*_ADMIN_COLUMNS)
)
_PROMOTE = Statement(
    sa.update(users)
    .where(users.c.email == bindparam("address"))
    .values(is_superuser=True, updated_at=bindparam("now"))
    .returning(*_ADMIN_COLUMNS)
)
_SET_PASSWORD_HASH = Statement(
    sa.update(users)
    .where(users.c.id == bindparam("user_id"))
    .values(password_hash=bindparam("new_hash"), updated_at=bindparam("now"))
)
_REGISTER = Statement(
    insert(users).on_conflict_do_nothing(index_elements=[users.c.email]).returning(*_READ_COLUMNS)
)


class EmailTakenError(ConflictError):
    """An account with this email already exists (in any letter case)."""

    description = "An account with this email already exists."


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a login checks: the stored hash, and whether the account may log in."""

    id: UUID
    password_hash: str
    is_active: bool


class UserNotFoundError(NotFoundError):
    """No account has this id (or email)."""

    description = "User not found."


async def get_active(session: Session, *, user_id: UUID) -> UserAdminRead | None:
    """The user with `user_id`, if it exists and is active."""
    row = await session.fetch_one(_GET_ACTIVE, user_id=user_id)
    return None if row is None else UserAdminRead.model_validate(row)


async def get_credentials(session: Session, *, email: str) -> Credentials | None:
    """The credentials of the account registered with `email` (lower case), if any."""
    row = await session.fetch_one(_CREDENTIALS, address=email)
    return None if row is None else Credentials(**row)


async def get_page(session: Session, *, query: PageQuery) -> UserPage:
    """Every account, newest first, and their total, in one statement."""
    page = await _PAGE.fetch(session, limit=query.limit, offset=query.offset)
    return UserPage.model_validate(page)


async def update(session: Session, *, user_id: UUID, data: UserUpdate) -> UserAdminRead:
    """Apply the flags sent, in one statement; an unknown id raises `UserNotFoundError`.

    A user deactivated here is refused from their next request on: every
    access and refresh token is checked against the active flag.
    """
    changes = data.model_dump(exclude_unset=True)
    if changes:
        row = await session.fetch_one(_UPDATE, **changes, updated_at=utc_now(), user_id=user_id)
    else:
        row = await session.fetch_one(_GET, user_id=user_id)
    if row is None:
        raise UserNotFoundError
    return UserAdminRead.model_validate(row)


async def promote(session: Session, *, email: str) -> UserAdminRead:
    """Make the user registered with `email` (any letter case) a superuser."""
    row = await session.fetch_one(_PROMOTE, address=email.lower(), now=utc_now())
    if row is None:
        raise UserNotFoundError
    return UserAdminRead.model_validate(row)


async def set_password_hash(session: Session, *, user_id: UUID, password_hash: str) -> None:
    """Store a new hash of the user's password (rehashed with the current parameters)."""
    await session.execute(
        _SET_PASSWORD_HASH, user_id=user_id, new_hash=password_hash, now=utc_now()
    )


async def create(session: Session, *, data: UserCreate, password_hash: str) -> UserRead:
    """Register a user in one race-free statement; a taken email raises `EmailTakenError`.

    `password_hash` is the hash of `data.password`, computed beforehand with
    no connection held.
    """
    now = utc_now()
    row = await session.fetch_one(
        _REGISTER,
        created_at=now,
        updated_at=now,
        email=data.email.lower(),
        full_name=data.full_name,
        password_hash=password_hash,
    )
    if row is None:
        raise EmailTakenError
    return UserRead.model_validate(row)
