"""Authentication: password login."""

from sqlalchemy.ext.asyncio import AsyncSession

from {{ cookiecutter.package_name }}.core.errors import AuthenticationError
from {{ cookiecutter.package_name }}.core.passwords import verify_password
from {{ cookiecutter.package_name }}.core.tokens import TokenCodec
from {{ cookiecutter.package_name }}.schemas.token import TokenPair
from {{ cookiecutter.package_name }}.services import tokens, users
from {{ cookiecutter.package_name }}.services.users import Credentials


class InvalidCredentialsError(AuthenticationError):
    """Wrong email or password; which one is never revealed."""

    description = "Incorrect email or password."


async def authenticate(session: AsyncSession, *, email: str, password: str) -> Credentials:
    """The active user with these credentials; unknown emails cost the same time."""
    user = await users.get_credentials(session, email=email)
    valid = await verify_password(password, user.password_hash if user else None)
    if user is None or not valid or not user.is_active:
        raise InvalidCredentialsError
    return user


async def login(
    session: AsyncSession, *, email: str, password: str, codec: TokenCodec
) -> TokenPair:
    """A new token pair, and a new refresh-token family, for valid credentials."""
    user = await authenticate(session, email=email, password=password)
    return await tokens.issue(session, user_id=user.id, codec=codec)
