"""Refresh tokens: issued per login, rotated on every use, revoked on reuse or logout."""

from uuid import UUID, uuid4

from sqlalchemy import ColumnElement, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from {{ cookiecutter.package_name }}.core.tokens import InvalidTokenError, TokenCodec, TokenType
from {{ cookiecutter.package_name }}.models import RefreshToken, User
from {{ cookiecutter.package_name }}.models.base import utc_now
from {{ cookiecutter.package_name }}.schemas.token import TokenPair
from {{ cookiecutter.package_name }}.services import users


class RefreshTokenReusedError(InvalidTokenError):
    """A spent refresh token came back; its whole family is revoked, and that sticks."""

    commits_changes = True


async def issue(
    session: AsyncSession, *, user_id: UUID, codec: TokenCodec, family_id: UUID | None = None
) -> TokenPair:
    """A new access and refresh token; the refresh token is recorded in its login family."""
    access = codec.issue(subject=user_id, token_type=TokenType.ACCESS)
    refresh = codec.issue(subject=user_id, token_type=TokenType.REFRESH)
    session.add(
        RefreshToken(
            id=refresh.claims.token_id,
            user_id=user_id,
            family_id=family_id or uuid4(),
            expires_at=refresh.claims.expires_at,
        )
    )
    await session.flush()
    return TokenPair(
        access_token=access.token,
        refresh_token=refresh.token,
        expires_in=int(codec.lifetime(TokenType.ACCESS).total_seconds()),
    )


async def rotate(session: AsyncSession, *, refresh_token: str, codec: TokenCodec) -> TokenPair:
    """Spend `refresh_token` for a new pair; a spent one revokes its family (RFC 9700 4.14)."""
    claims = codec.decode(refresh_token, expected_type=TokenType.REFRESH)
    stored = await session.scalar(
        select(RefreshToken).where(col(RefreshToken.id) == claims.token_id).with_for_update()
    )
    if stored is None or stored.revoked_at is not None:
        raise InvalidTokenError
    if stored.used_at is not None:
        await _revoke(session, col(RefreshToken.family_id) == stored.family_id)
        raise RefreshTokenReusedError
    user = await users.get(session, user_id=stored.user_id)
    if user is None or not user.is_active:
        raise InvalidTokenError
    stored.used_at = utc_now()
    return await issue(session, user_id=user.id, codec=codec, family_id=stored.family_id)


async def revoke(
    session: AsyncSession, *, refresh_token: str, owner: User, codec: TokenCodec
) -> None:
    """Revoke `refresh_token` if it is valid and `owner`'s; anything else changes nothing."""
    try:
        claims = codec.decode(refresh_token, expected_type=TokenType.REFRESH)
    except InvalidTokenError:
        return
    await _revoke(
        session,
        col(RefreshToken.id) == claims.token_id,
        col(RefreshToken.user_id) == owner.id,
    )


async def _revoke(session: AsyncSession, *conditions: ColumnElement[bool]) -> None:
    """Mark the live refresh tokens matching `conditions` revoked."""
    await session.execute(
        update(RefreshToken)
        .where(*conditions, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=utc_now())
    )
