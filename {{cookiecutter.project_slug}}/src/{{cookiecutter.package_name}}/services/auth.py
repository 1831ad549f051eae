"""Authentication: password login."""

from sqlalchemy.ext.asyncio import AsyncSession

from {{ cookiecutter.package_name }}.core.database import release_connection
from {{ cookiecutter.package_name }}.core.errors import AuthenticationError
from {{ cookiecutter.package_name }}.core.passwords import PasswordHasher
from {{ cookiecutter.package_name }}.core.tokens import TokenCodec
from {{ cookiecutter.package_name }}.schemas.token import TokenPair
from {{ cookiecutter.package_name }}.services import tokens, users
from {{ cookiecutter.package_name }}.services.users import Credentials


class InvalidCredentialsError(AuthenticationError):
    """Wrong email or password; which one is never revealed."""

    description = "Incorrect email or password."


async def authenticate(
    session: AsyncSession, *, email: str, password: str, hasher: PasswordHasher
) -> Credentials:
    """The active user with these credentials; unknown emails cost the same time.

    The hash is checked with no connection held (see `release_connection`).
    A hash made with older parameters is replaced by one made with the current ones.
    """
    user = await users.get_credentials(session, email=email)
    await release_connection(session)
    verification = await hasher.verify(password, user.password_hash if user else None)
    if user is None or not verification.valid or not user.is_active:
        raise InvalidCredentialsError
    if verification.new_hash is not None:
        await users.set_password_hash(session, user_id=user.id, password_hash=verification.new_hash)
    return user


async def login(
    session: AsyncSession, *, email: str, password: str, codec: TokenCodec, hasher: PasswordHasher
) -> TokenPair:
    """A new token pair, and a new refresh-token family, for valid credentials."""
    user = await authenticate(session, email=email, password=password, hasher=hasher)
    return await tokens.issue(session, user_id=user.id, codec=codec)
