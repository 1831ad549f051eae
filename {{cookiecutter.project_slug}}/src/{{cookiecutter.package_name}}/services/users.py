"""Users: lookup and registration."""

from uuid import UUID

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from {{ cookiecutter.package_name }}.core.errors import ConflictError
from {{ cookiecutter.package_name }}.core.passwords import hash_password
from {{ cookiecutter.package_name }}.models import User
from {{ cookiecutter.package_name }}.schemas.user import UserCreate


class EmailTakenError(ConflictError):
    """An account with this email already exists (in any letter case)."""

    description = "An account with this email already exists."


async def get(session: AsyncSession, *, user_id: UUID) -> User | None:
    """The user with `user_id`, if any."""
    return await session.get(User, user_id)


async def get_by_email(session: AsyncSession, *, email: str) -> User | None:
    """The user registered with `email`, compared without letter case."""
    result = await session.execute(select(User).where(User.email == email.lower()))
    return result.scalar_one_or_none()


async def create(session: AsyncSession, *, data: UserCreate) -> User:
    """Register a user in one race-free statement; a taken email raises `EmailTakenError`."""
    statement = (
        insert(User)
        .values(
            email=data.email.lower(),
            full_name=data.full_name,
            password_hash=await hash_password(data.password),
        )
        .on_conflict_do_nothing(index_elements=[User.email])
        .returning(User)
    )
    user = (await session.scalars(statement)).one_or_none()
    if user is None:
        raise EmailTakenError
    return user
