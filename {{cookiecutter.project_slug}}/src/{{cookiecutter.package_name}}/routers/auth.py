"""Registration, login and token refresh (public), and logout (bearer)."""

from typing import Annotated

from fastapi import APIRouter, Form, status

from {{ cookiecutter.package_name }}.core.errors import responses
from {{ cookiecutter.package_name }}.core.security.passwords import HashingBusyError
from {{ cookiecutter.package_name }}.core.security.tokens import InvalidTokenError
from {{ cookiecutter.package_name }}.dependencies.accounts import AccountPolicyDep, OutboxDep
from {{ cookiecutter.package_name }}.dependencies.auth import (
    ClientDep,
    CurrentUser,
    PasswordHasherDep,
    TokenCodecDep,
)
from {{ cookiecutter.package_name }}.dependencies.database import SessionDep
from {{ cookiecutter.package_name }}.schemas.auth import PasswordGrantForm
from {{ cookiecutter.package_name }}.schemas.token import RefreshRequest, TokenPair
from {{ cookiecutter.package_name }}.schemas.user import UserCreate, UserRead
from {{ cookiecutter.package_name }}.services import accounts, auth, tokens
from {{ cookiecutter.package_name }}.services.attempts import TooManyAttemptsError
from {{ cookiecutter.package_name }}.services.auth import (
    EmailNotVerifiedError,
    InvalidCredentialsError,
)
from {{ cookiecutter.package_name }}.services.users import EmailTakenError

router = APIRouter(prefix="/auth", tags=["auth"])
# Its routes take the caller; included with the protected routers in routers/api.py.
session_router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/register",
    name="register",
    status_code=status.HTTP_201_CREATED,
    responses=responses(EmailTakenError, TooManyAttemptsError, HashingBusyError),
)
async def register(  # noqa: PLR0913 - the body, and what admits and welcomes it
    *,
    data: UserCreate,
    session: SessionDep,
    hasher: PasswordHasherDep,
    client: ClientDep,
    policy: AccountPolicyDep,
    outbox: OutboxDep,
) -> UserRead:
    """Create an account; the email must not be registered yet, in any letter case.

    Registrations are counted per client address; past the limit, 429. A link
    to verify the address is emailed after the response.
    """
    return await accounts.register(
        session, data=data, hasher=hasher, client=client, policy=policy, outbox=outbox
    )


@router.post(
    "/token",
    name="token",
    responses=responses(
        InvalidCredentialsError, EmailNotVerifiedError, TooManyAttemptsError, HashingBusyError
    ),
)
async def token(  # noqa: PLR0913 - the form, and what checks it and grants tokens
    *,
    form: Annotated[PasswordGrantForm, Form()],
    session: SessionDep,
    codec: TokenCodecDep,
    hasher: PasswordHasherDep,
    client: ClientDep,
    policy: AccountPolicyDep,
) -> TokenPair:
    """Exchange email (as `username`) and password for an access and a refresh token.

    Failed logins are counted per account and per client address; past either
    limit, every login for them gets 429 until the window ends, even with the
    right password.
    """
    return await auth.login(
        session, form=form, codec=codec, hasher=hasher, client=client, policy=policy
    )


@router.post("/refresh", name="refresh", responses=responses(InvalidTokenError))
async def refresh(data: RefreshRequest, session: SessionDep, codec: TokenCodecDep) -> TokenPair:
    """Spend a refresh token for a new pair; reusing a spent one revokes the whole login."""
    return await tokens.rotate(session, refresh_token=data.refresh_token, codec=codec)


@session_router.post("/logout", name="logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(
    data: RefreshRequest, user: CurrentUser, session: SessionDep, codec: TokenCodecDep
) -> None:
    """Revoke the caller's refresh token; 204 whether or not it was still live."""
    await tokens.revoke(session, refresh_token=data.refresh_token, owner_id=user.id, codec=codec)
