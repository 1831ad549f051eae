{% if cookiecutter.auth == "local" -%}
"""Users: lookup, registration, and what superusers may change."""

from dataclasses import dataclass
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.dialects.postgresql import insert

from {{ cookiecutter.package_name }}.core.db import Session, Statement
from {{ cookiecutter.package_name }}.core.db.pages import PageStatements
from {{ cookiecutter.package_name }}.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
)
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
    select(users.c.id, users.c.password_hash, users.c.is_active, users.c.email_verified).where(
        users.c.email == bindparam("address")
    )
)
_ACCOUNT = Statement(
    select(
        users.c.id, users.c.email, users.c.full_name, users.c.is_active, users.c.email_verified
    ).where(users.c.email == bindparam("address"))
)
_MARK_VERIFIED = Statement(
    sa.update(users)
    .where(users.c.id == bindparam("user_id"))
    .values(email_verified=True, updated_at=bindparam("now"))
)
_GET = Statement(select(*_ADMIN_COLUMNS).where(users.c.id == bindparam("user_id")))
# Bound parameter names differ from column names, which UPDATE reserves for SET.
_UPDATE = Statement(
    sa.update(users).where(users.c.id == bindparam("user_id")).returning(*_ADMIN_COLUMNS)
)
# Every active superuser, locked in id order until the transaction ends (see `update`).
_ACTIVE_SUPERUSERS = (
    select(users.c.id)
    .where(users.c.is_active, users.c.is_superuser)
    .order_by(users.c.id)
    .with_for_update(key_share=True)
    .cte("active_superusers")
)
# An update that may end a superuser's powers: refused (no row) if it would end the last one's.
_UPDATE_UNLESS_LAST_SUPERUSER = Statement(
    sa.update(users)
    .where(
        users.c.id == bindparam("user_id"),
        or_(
            ~(users.c.is_active & users.c.is_superuser),
            select(func.count()).select_from(_ACTIVE_SUPERUSERS).scalar_subquery() > 1,
        ),
    )
    .returning(*_ADMIN_COLUMNS)
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
    email_verified: bool


@dataclass(frozen=True, slots=True)
class Account:
    """Who an account's email goes to, and whether it may get one."""

    id: UUID
    email: str
    full_name: str
    is_active: bool
    email_verified: bool


class UserNotFoundError(NotFoundError):
    """No account has this id (or email)."""

    description = "User not found."


class SelfDemotionError(PermissionDeniedError):
    """A superuser tried to deactivate or demote its own account: another superuser must."""

    description = "A superuser cannot deactivate or demote itself; another superuser can."


class LastSuperuserError(ConflictError):
    """The change would leave no active superuser to manage the accounts."""

    description = "The last active superuser cannot be deactivated or demoted."


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


async def update(
    session: Session, *, user_id: UUID, data: UserUpdate, caller_id: UUID
) -> UserAdminRead:
    """Apply the flags sent, in one statement, on behalf of the superuser `caller_id`.

    Raises `UserNotFoundError` for an unknown id, `SelfDemotionError` when the
    caller deactivates or demotes itself, and `LastSuperuserError` when the
    change would leave no active superuser. A user deactivated here is refused
    from their next request on: every token is checked against the active flag.

    Race-free: two superusers demoting each other at once each see the other
    still active, so a read-then-write check would let both through. Here the
    write checks: it first locks every active superuser row in id order (one
    order for every caller, so no deadlock; `FOR NO KEY UPDATE`, so inserts
    that reference a user do not wait) and counts them in the same statement.
    A concurrent demotion waits for those locks; PostgreSQL then rechecks each
    row it waited for and skips those no longer active superusers, so it
    counts what the first one committed, and refuses.
    """
    changes = data.model_dump(exclude_unset=True)
    takes_away = False in changes.values()  # Deactivates or demotes.
    if not changes:
        row = await session.fetch_one(_GET, user_id=user_id)
    elif takes_away:
        if user_id == caller_id:
            raise SelfDemotionError
        row = await session.fetch_one(
            _UPDATE_UNLESS_LAST_SUPERUSER, **changes, updated_at=utc_now(), user_id=user_id
        )
        if row is None and await session.fetch_one(_GET, user_id=user_id) is not None:
            raise LastSuperuserError
    else:
        row = await session.fetch_one(_UPDATE, **changes, updated_at=utc_now(), user_id=user_id)
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


async def get_account(session: Session, *, email: str) -> Account | None:
    """The account registered with `email` (lower-cased), or None."""
    row = await session.fetch_one(_ACCOUNT, address=email)
    return None if row is None else Account(**row)


async def mark_email_verified(session: Session, *, user_id: UUID) -> None:
    """Record that the account's owner followed the link sent to its address."""
    await session.execute(_MARK_VERIFIED, user_id=user_id, now=utc_now())
{%- else -%}
"""Users of the identity provider: recorded at first sight, listed and (de)activated."""

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert

from {{ cookiecutter.package_name }}.core.db import Database, Session, Statement
from {{ cookiecutter.package_name }}.core.db.pages import PageStatements
from {{ cookiecutter.package_name }}.core.errors import NotFoundError, PermissionDeniedError
from {{ cookiecutter.package_name }}.core.security.oidc import Identity
from {{ cookiecutter.package_name }}.models import User
from {{ cookiecutter.package_name }}.models.base import table_of, utc_now
from {{ cookiecutter.package_name }}.schemas.page import PageQuery
from {{ cookiecutter.package_name }}.schemas.user import UserAdminRead, UserPage, UserUpdate

users = table_of(User)
_ADMIN_COLUMNS = [users.c[name] for name in UserAdminRead.model_fields]
# Runs on every authenticated request: built once, and one read of the unique index.
_GET_BY_SUBJECT = Statement(
    select(*_ADMIN_COLUMNS).where(
        users.c.issuer == bindparam("provider"), users.c.subject == bindparam("provider_id")
    )
)
# First sight: inserts the user, or, if a concurrent first request inserted it first,
# waits for that one and returns its row (the no-op update is what returns it).
_RECORD = Statement(
    insert(users)
    .on_conflict_do_update(
        index_elements=[users.c.issuer, users.c.subject],
        set_={"updated_at": users.c.updated_at},
    )
    .returning(*_ADMIN_COLUMNS)
)
_PAGE = PageStatements(
    users, _ADMIN_COLUMNS, where=[], order_by=[users.c.created_at.desc(), users.c.id.desc()]
)
# Bound parameter names differ from column names, which UPDATE reserves for SET.
_UPDATE = Statement(
    sa.update(users).where(users.c.id == bindparam("user_id")).returning(*_ADMIN_COLUMNS)
)


class UserNotFoundError(NotFoundError):
    """No account has this id."""

    description = "User not found."


class SelfDemotionError(PermissionDeniedError):
    """A superuser tried to deactivate its own account: another superuser must."""

    description = "A superuser cannot deactivate itself; another superuser can."


async def sign_in(session: Session, *, database: Database, identity: Identity) -> UserAdminRead:
    """The local user of `identity`, recorded in one race-free statement on first sight.

    Every request reads the user in the request's session. The first request
    of a subject records it in a writing session of its own, committed at
    once: the request may be a read (whose session cannot write), and the
    user is kept whatever becomes of the request. Two concurrent first
    requests insert one row; the second gets the first's.
    """
    row = await session.fetch_one(
        _GET_BY_SUBJECT, provider=identity.issuer, provider_id=identity.subject
    )
    if row is None:
        await session.release()
        now = utc_now()
        async with database.session(read_only=False) as writer, writer.committed():
            row = await writer.fetch_one(
                _RECORD,
                issuer=identity.issuer,
                subject=identity.subject,
                email=identity.email,
                full_name=identity.name,
                created_at=now,
                updated_at=now,
            )
    return UserAdminRead.model_validate(row)


async def get_page(session: Session, *, query: PageQuery) -> UserPage:
    """Every account, newest first, and their total, in one statement."""
    page = await _PAGE.fetch(session, limit=query.limit, offset=query.offset)
    return UserPage.model_validate(page)


async def update(
    session: Session, *, user_id: UUID, data: UserUpdate, caller_id: UUID
) -> UserAdminRead:
    """(De)activate an account on behalf of the superuser `caller_id`, in one statement.

    Raises `UserNotFoundError` for an unknown id and `SelfDemotionError` when
    the caller deactivates itself. A deactivated user's tokens are refused
    from their next request on, even though the provider still issues them.
    """
    if user_id == caller_id and not data.is_active:
        raise SelfDemotionError
    row = await session.fetch_one(
        _UPDATE, is_active=data.is_active, updated_at=utc_now(), user_id=user_id
    )
    if row is None:
        raise UserNotFoundError
    return UserAdminRead.model_validate(row)
{%- endif %}
