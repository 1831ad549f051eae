"""Refresh tokens: issued per login, rotated on every use, revoked on reuse or logout."""

from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy import ColumnElement, bindparam, select

from {{ cookiecutter.package_name }}.core.db import Session, Statement
from {{ cookiecutter.package_name }}.core.security.tokens import (
    InvalidTokenError,
    TokenCodec,
    TokenType,
)
from {{ cookiecutter.package_name }}.models import RefreshToken
from {{ cookiecutter.package_name }}.models.base import table_of, utc_now
from {{ cookiecutter.package_name }}.schemas.token import TokenPair
from {{ cookiecutter.package_name }}.services import users

refresh_tokens = table_of(RefreshToken)
_INSERT = Statement(sa.insert(refresh_tokens))
# Locks the row, so two concurrent uses of one token cannot both rotate it.
_GET_FOR_UPDATE = Statement(
    select(
        refresh_tokens.c.user_id,
        refresh_tokens.c.family_id,
        refresh_tokens.c.used_at,
        refresh_tokens.c.revoked_at,
    )
    .where(refresh_tokens.c.id == bindparam("token_id"))
    .with_for_update()
)
_MARK_USED = Statement(
    sa.update(refresh_tokens)
    .where(refresh_tokens.c.id == bindparam("token_id"))
    .values(used_at=bindparam("now"), updated_at=bindparam("now"))
)


def _revoking(*conditions: ColumnElement[bool]) -> Statement:
    """Mark the live refresh tokens matching `conditions` revoked at the bound `now`."""
    return Statement(
        sa.update(refresh_tokens)
        .where(*conditions, refresh_tokens.c.revoked_at.is_(None))
        .values(revoked_at=bindparam("now"), updated_at=bindparam("now"))
    )


_REVOKE_FAMILY = _revoking(refresh_tokens.c.family_id == bindparam("family"))
_REVOKE_ALL = _revoking(refresh_tokens.c.user_id == bindparam("owner"))
_REVOKE_OWN = _revoking(
    refresh_tokens.c.id == bindparam("token_id"), refresh_tokens.c.user_id == bindparam("owner")
)


class RefreshTokenReusedError(InvalidTokenError):
    """A spent refresh token came back; its whole family is revoked, in a transaction of its own."""


async def issue(
    session: Session, *, user_id: UUID, codec: TokenCodec, family_id: UUID | None = None
) -> TokenPair:
    """A new access and refresh token; the refresh token is recorded in its login family."""
    access = codec.issue(subject=user_id, token_type=TokenType.ACCESS)
    refresh = codec.issue(subject=user_id, token_type=TokenType.REFRESH)
    now = utc_now()
    await session.execute(
        _INSERT,
        id=refresh.claims.token_id,
        user_id=user_id,
        family_id=family_id or uuid4(),
        expires_at=refresh.claims.expires_at,
        created_at=now,
        updated_at=now,
    )
    return TokenPair(
        access_token=access.token,
        refresh_token=refresh.token,
        expires_in=int(codec.lifetime(TokenType.ACCESS).total_seconds()),
    )


async def rotate(session: Session, *, refresh_token: str, codec: TokenCodec) -> TokenPair:
    """Spend `refresh_token` for a new pair; a spent one revokes its family (RFC 9700 4.14)."""
    claims = codec.decode(refresh_token, expected_type=TokenType.REFRESH)
    stored = await session.fetch_one(_GET_FOR_UPDATE, token_id=claims.token_id)
    if stored is None or stored["revoked_at"] is not None:
        raise InvalidTokenError
    if stored["used_at"] is not None:
        # Kept although the request fails: whoever holds the family is refused from now on.
        async with session.committed():
            await session.execute(_REVOKE_FAMILY, family=stored["family_id"], now=utc_now())
        raise RefreshTokenReusedError
    if await users.get_active(session, user_id=stored["user_id"]) is None:
        raise InvalidTokenError
    await session.execute(_MARK_USED, token_id=claims.token_id, now=utc_now())
    return await issue(
        session, user_id=stored["user_id"], codec=codec, family_id=stored["family_id"]
    )


async def revoke(
    session: Session, *, refresh_token: str, owner_id: UUID, codec: TokenCodec
) -> None:
    """Revoke `refresh_token` if it is valid and `owner_id`'s; anything else changes nothing."""
    try:
        claims = codec.decode(refresh_token, expected_type=TokenType.REFRESH)
    except InvalidTokenError:
        return
    await session.execute(_REVOKE_OWN, token_id=claims.token_id, owner=owner_id, now=utc_now())


async def revoke_all(session: Session, *, owner_id: UUID) -> None:
    """Revoke every live refresh token of `owner_id`: each login must start again."""
    await session.execute(_REVOKE_ALL, owner=owner_id, now=utc_now())
