"""Authentication: password login and token issuance."""

from sqlalchemy.ext.asyncio import AsyncSession

from {{ cookiecutter.package_name }}.core.errors import AuthenticationError
from {{ cookiecutter.package_name }}.core.passwords import verify_password
from {{ cookiecutter.package_name }}.core.tokens import TokenCodec, TokenType
from {{ cookiecutter.package_name }}.models import User
from {{ cookiecutter.package_name }}.schemas.token import TokenPair
from {{ cookiecutter.package_name }}.services import users


class InvalidCredentialsError(AuthenticationError):
    """Wrong email or password; which one is never revealed."""

    description = "Incorrect email or password."


async def authenticate(session: AsyncSession, *, email: str, password: str) -> User:
    """The active user with these credentials; unknown emails cost the same time."""
    user = await users.get_by_email(session, email=email)
    valid = await verify_password(password, user.password_hash if user else None)
    if user is None or not valid or not user.is_active:
        raise InvalidCredentialsError
    return user


def issue_tokens(*, user: User, codec: TokenCodec) -> TokenPair:
    """A fresh access and refresh token for `user`."""
    access = codec.issue(subject=user.id, token_type=TokenType.ACCESS)
    refresh = codec.issue(subject=user.id, token_type=TokenType.REFRESH)
    return TokenPair(
        access_token=access.token,
        refresh_token=refresh.token,
        expires_in=int(codec.lifetime(TokenType.ACCESS).total_seconds()),
    )
