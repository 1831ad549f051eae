"""Password recovery and email verification (public), and a password change (the caller's)."""

from fastapi import APIRouter, status

from {{ cookiecutter.package_name }}.core.errors import responses
from {{ cookiecutter.package_name }}.core.security.passwords import HashingBusyError
from {{ cookiecutter.package_name }}.dependencies.accounts import AccountPolicyDep, OutboxDep
from {{ cookiecutter.package_name }}.dependencies.auth import (
    ClientDep,
    CurrentUser,
    PasswordHasherDep,
)
from {{ cookiecutter.package_name }}.dependencies.database import SessionDep
from {{ cookiecutter.package_name }}.schemas.account import (
    Accepted,
    EmailRequest,
    EmailVerification,
    PasswordReset,
)
from {{ cookiecutter.package_name }}.schemas.user import PasswordChange
from {{ cookiecutter.package_name }}.services import accounts
from {{ cookiecutter.package_name }}.services.accounts import InvalidLinkError, WrongPasswordError
from {{ cookiecutter.package_name }}.services.attempts import TooManyAttemptsError

router = APIRouter(prefix="/auth", tags=["accounts"])
# Its route takes the caller; included with the protected routers in routers/api.py.
me_router = APIRouter(prefix="/users/me", tags=["accounts"])
# Whether an account has the address or not: no caller may tell which.
SENT_IF_REGISTERED = Accepted(detail="If an account uses this address, a message is on its way.")


@router.post(
    "/password-recovery",
    name="request_password_reset",
    status_code=status.HTTP_202_ACCEPTED,
    responses=responses(TooManyAttemptsError),
)
async def request_password_reset(
    data: EmailRequest,
    session: SessionDep,
    client: ClientDep,
    policy: AccountPolicyDep,
    outbox: OutboxDep,
) -> Accepted:
    """Email a password-reset link to the account of this address, if any; 202 either way."""
    await accounts.request_password_reset(
        session, email=data.email, client=client, policy=policy, outbox=outbox
    )
    return SENT_IF_REGISTERED


@router.post(
    "/password-reset",
    name="reset_password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(InvalidLinkError, TooManyAttemptsError, HashingBusyError),
)
async def reset_password(
    data: PasswordReset, session: SessionDep, hasher: PasswordHasherDep, client: ClientDep
) -> None:
    """Set a new password with a reset link's token; every login of the account ends."""
    await accounts.reset_password(
        session, token=data.token, new_password=data.new_password, hasher=hasher, client=client
    )


@router.post(
    "/verify-email",
    name="verify_email",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(InvalidLinkError),
)
async def verify_email(data: EmailVerification, session: SessionDep) -> None:
    """Mark the account's address verified with a verification link's token."""
    await accounts.verify_email(session, token=data.token)


@router.post(
    "/verification-email",
    name="request_verification",
    status_code=status.HTTP_202_ACCEPTED,
    responses=responses(TooManyAttemptsError),
)
async def request_verification(
    data: EmailRequest,
    session: SessionDep,
    client: ClientDep,
    policy: AccountPolicyDep,
    outbox: OutboxDep,
) -> Accepted:
    """Email a new verification link to the unverified account of this address, if any."""
    await accounts.request_verification(
        session, email=data.email, client=client, policy=policy, outbox=outbox
    )
    return SENT_IF_REGISTERED


@me_router.post(
    "/password",
    name="change_password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(WrongPasswordError, TooManyAttemptsError, HashingBusyError),
)
async def change_password(
    data: PasswordChange,
    user: CurrentUser,
    session: SessionDep,
    hasher: PasswordHasherDep,
    client: ClientDep,
) -> None:
    """Replace the caller's password; every refresh token of the account is revoked."""
    await accounts.change_password(
        session,
        email=user.email,
        current_password=data.current_password,
        new_password=data.new_password,
        hasher=hasher,
        client=client,
    )
