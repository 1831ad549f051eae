"""An account's lifecycle with a local password: recovery by email, verification, change.

Links carry single-use tokens (`core/security/account_tokens.py`): one live
token per account and purpose, so a newer link makes older ones useless, and
spending one deletes it. Messages leave through the request's outbox, after
the response: a mail server that is down or slow never fails a request, and
a request that fails sends nothing.
"""

from datetime import timedelta
from http import HTTPStatus
from uuid import UUID, uuid4

from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert

from {{ cookiecutter.package_name }}.core.db import Session, Statement
from {{ cookiecutter.package_name }}.core.errors import AppError
from {{ cookiecutter.package_name }}.core.mail.message import Message
from {{ cookiecutter.package_name }}.core.mail.outbox import Outbox
from {{ cookiecutter.package_name }}.core.security.account_tokens import (
    AccountPolicy,
    Purpose,
    digest,
    new_token,
)
from {{ cookiecutter.package_name }}.core.security.limits import Client
from {{ cookiecutter.package_name }}.core.security.passwords import PasswordHasher
from {{ cookiecutter.package_name }}.models import AccountToken
from {{ cookiecutter.package_name }}.models.base import table_of, utc_now
from {{ cookiecutter.package_name }}.schemas.user import UserCreate, UserRead
from {{ cookiecutter.package_name }}.services import attempts, auth, tokens, users
from {{ cookiecutter.package_name }}.services.auth import InvalidCredentialsError

account_tokens = table_of(AccountToken)
# A newer token for the same account and purpose replaces the older in its row.
_ISSUE = Statement(
    insert(account_tokens)
    .values(
        id=bindparam("id"),
        user_id=bindparam("user_id"),
        purpose=bindparam("purpose"),
        token_hash=bindparam("token_hash"),
        expires_at=bindparam("expires_at"),
        created_at=bindparam("now"),
        updated_at=bindparam("now"),
    )
    .on_conflict_do_update(
        index_elements=[account_tokens.c.user_id, account_tokens.c.purpose],
        set_={
            "token_hash": bindparam("token_hash"),
            "expires_at": bindparam("expires_at"),
            "updated_at": bindparam("now"),
        },
    )
)
_LIVE = (
    account_tokens.c.token_hash == bindparam("token_hash"),
    account_tokens.c.purpose == bindparam("purpose"),
    account_tokens.c.expires_at > bindparam("now"),
)
_HOLDER = Statement(select(account_tokens.c.user_id).where(*_LIVE))
_SPEND = Statement(delete(account_tokens).where(*_LIVE).returning(account_tokens.c.user_id))


class InvalidLinkError(AppError):
    """A token that is unknown, used, expired or superseded: one answer for each."""

    status_code = HTTPStatus.BAD_REQUEST
    description = "The link is invalid or has expired; ask for a new one."


class WrongPasswordError(AppError):
    """The current password given to change it is not the account's. The attempt stays counted."""

    status_code = HTTPStatus.BAD_REQUEST
    description = "The current password is not right."


async def register(  # noqa: PLR0913 - the account, what admits it, and where its link goes
    session: Session,
    *,
    data: UserCreate,
    hasher: PasswordHasher,
    client: Client,
    policy: AccountPolicy,
    outbox: Outbox,
) -> UserRead:
    """A new account (`auth.register`), and a link to verify its address, emailed."""
    user = await auth.register(session, data=data, hasher=hasher, client=client)
    await send_verification(
        session,
        user_id=user.id,
        email=user.email,
        name=user.full_name,
        policy=policy,
        outbox=outbox,
    )
    return user


async def request_password_reset(
    session: Session, *, email: str, client: Client, policy: AccountPolicy, outbox: Outbox
) -> None:
    """Email a reset link to the active account registered with `email`, if there is one.

    The caller learns nothing either way: the answer, and the work before it,
    are the same; only the message, sent after the response, differs.
    """
    account = await _counted_account(session, email=email, client=client)
    if account is None or not account.is_active:
        return
    link = await _issue(session, user_id=account.id, purpose=Purpose.PASSWORD_RESET, policy=policy)
    minutes = policy.lifetimes[Purpose.PASSWORD_RESET] // timedelta(minutes=1)
    outbox.send(
        Message.render(
            "password_reset",
            to=account.email,
            subject="Reset your password",
            link=link,
            name=account.full_name,
            minutes=str(minutes),
        )
    )


async def reset_password(
    session: Session, *, token: str, new_password: str, hasher: PasswordHasher, client: Client
) -> None:
    """Set a new password with a reset link's token, and end every login of the account.

    The try is counted against the client's address before anything else
    (a bad token stays counted); the token is spent only once the new
    password is hashed, with no connection held meanwhile.
    """
    now, token_hash = utc_now(), digest(token)
    async with session.committed():
        reserved = await attempts.reserve(
            session, attempts=[(client.limits.account_emails_per_address, client.address)]
        )
        holder = await session.fetch_value(
            _HOLDER, token_hash=token_hash, purpose=Purpose.PASSWORD_RESET, now=now
        )
    if holder is None:
        raise InvalidLinkError
    password_hash = await hasher.hash(new_password)
    user_id = await session.fetch_value(
        _SPEND, token_hash=token_hash, purpose=Purpose.PASSWORD_RESET, now=now
    )
    if user_id is None:  # Spent or replaced while the password was hashed.
        raise InvalidLinkError
    await attempts.give_back(session, reservations=reserved)
    await users.set_password_hash(session, user_id=user_id, password_hash=password_hash)
    await tokens.revoke_all(session, owner_id=user_id)


async def send_verification(  # noqa: PLR0913 - the recipient's three parts, the link's two
    session: Session,
    *,
    user_id: UUID,
    email: str,
    name: str,
    policy: AccountPolicy,
    outbox: Outbox,
) -> None:
    """Email a link proving `email` is its account owner's (at registration, and on request)."""
    link = await _issue(session, user_id=user_id, purpose=Purpose.EMAIL_VERIFICATION, policy=policy)
    hours = policy.lifetimes[Purpose.EMAIL_VERIFICATION] // timedelta(hours=1)
    outbox.send(
        Message.render(
            "email_verification",
            to=email,
            subject="Verify your email address",
            link=link,
            name=name,
            hours=str(hours),
        )
    )


async def request_verification(
    session: Session, *, email: str, client: Client, policy: AccountPolicy, outbox: Outbox
) -> None:
    """Email a new verification link to the unverified account of `email`, if there is one."""
    account = await _counted_account(session, email=email, client=client)
    if account is None or not account.is_active or account.email_verified:
        return
    await send_verification(
        session,
        user_id=account.id,
        email=account.email,
        name=account.full_name,
        policy=policy,
        outbox=outbox,
    )


async def verify_email(session: Session, *, token: str) -> None:
    """Mark the account's address verified with a verification link's token."""
    user_id = await session.fetch_value(
        _SPEND, token_hash=digest(token), purpose=Purpose.EMAIL_VERIFICATION, now=utc_now()
    )
    if user_id is None:
        raise InvalidLinkError
    await users.mark_email_verified(session, user_id=user_id)


async def change_password(  # noqa: PLR0913 - the caller, both passwords and what checks them
    session: Session,
    *,
    email: str,
    current_password: str,
    new_password: str,
    hasher: PasswordHasher,
    client: Client,
) -> None:
    """Replace the caller's password; a wrong current one counts as a failed login.

    Every refresh token of the account is revoked: other devices must log in
    again, and so does this one once its access token expires.
    """
    try:
        credentials = await auth.authenticate(
            session, email=email, password=current_password, hasher=hasher, client=client
        )
    except InvalidCredentialsError:
        raise WrongPasswordError from None
    password_hash = await hasher.hash(new_password)
    await users.set_password_hash(session, user_id=credentials.id, password_hash=password_hash)
    await tokens.revoke_all(session, owner_id=credentials.id)


async def _counted_account(session: Session, *, email: str, client: Client) -> users.Account | None:
    """The account of `email`, once the request is counted against it and the client's address."""
    email, limits = email.lower(), client.limits
    async with session.committed():
        await attempts.reserve(
            session,
            attempts=[
                (limits.account_emails_per_account, email),
                (limits.account_emails_per_address, client.address),
            ],
        )
    return await users.get_account(session, email=email)


async def _issue(
    session: Session, *, user_id: UUID, purpose: Purpose, policy: AccountPolicy
) -> str:
    """A new token for `purpose`, replacing the account's older one; the link that carries it."""
    token, now = new_token(), utc_now()
    await session.execute(
        _ISSUE,
        id=uuid4(),
        user_id=user_id,
        purpose=purpose,
        token_hash=digest(token),
        expires_at=now + policy.lifetimes[purpose],
        now=now,
    )
    return policy.link(purpose, token)
