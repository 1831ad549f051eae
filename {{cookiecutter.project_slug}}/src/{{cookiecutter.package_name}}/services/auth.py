"""Authentication: registration and password login, both behind brute-force limits."""

from uuid import UUID

from sqlalchemy import bindparam, select

from {{ cookiecutter.package_name }}.core.database import Session, Statement
from {{ cookiecutter.package_name }}.core.errors import AuthenticationError
from {{ cookiecutter.package_name }}.core.limits import Client
from {{ cookiecutter.package_name }}.core.passwords import PasswordHasher
from {{ cookiecutter.package_name }}.core.tokens import TokenCodec
from {{ cookiecutter.package_name }}.models.base import utc_now
from {{ cookiecutter.package_name }}.schemas.auth import PasswordGrantForm
from {{ cookiecutter.package_name }}.schemas.token import TokenPair
from {{ cookiecutter.package_name }}.schemas.user import UserCreate, UserRead
from {{ cookiecutter.package_name }}.services import attempts, tokens, users

_gate = attempts.BLOCKED_UNTIL.subquery("gate")
# Whether the account or the address is blocked, and the account's credentials,
# in one statement; the gate's one row stays when no account has the email.
_LOGIN = Statement(
    select(
        _gate.c.blocked_until,
        users.users.c.id,
        users.users.c.password_hash,
        users.users.c.is_active,
    ).select_from(_gate.outerjoin(users.users, users.users.c.email == bindparam("email")))
)


class InvalidCredentialsError(AuthenticationError):
    """Wrong email or password; which one is never revealed. The failure is counted."""

    description = "Incorrect email or password."
    commits_changes = True


async def authenticate(
    session: Session, *, email: str, password: str, hasher: PasswordHasher, client: Client
) -> UUID:
    """The id of the active user with these credentials; unknown emails cost the same time.

    A blocked account or address is refused before any hashing. The hash is
    checked with no connection held (see `Session.release`); a failure
    counts against the account and the address; a hash made with older
    parameters is replaced by one made with the current ones.
    """
    email = email.lower()
    limits = client.limits
    keys = [
        limits.failed_logins_per_account.key(email),
        limits.failed_logins_per_address.key(client.address),
    ]
    now = utc_now()
    # The gate's one row, with or without an account.
    (row,) = await session.fetch_all(_LOGIN, keys=keys, now=now, email=email)
    attempts.raise_if_blocked(row["blocked_until"], now=now)
    await session.release()
    verification = await hasher.verify(password, row["password_hash"])
    if row["id"] is None or not verification.valid or not row["is_active"]:
        failures = [
            (limits.failed_logins_per_account, email),
            (limits.failed_logins_per_address, client.address),
        ]
        await attempts.record(session, attempts=failures)
        raise InvalidCredentialsError
    user_id: UUID = row["id"]
    if verification.new_hash is not None:
        await users.set_password_hash(session, user_id=user_id, password_hash=verification.new_hash)
    return user_id


async def login(
    session: Session,
    *,
    form: PasswordGrantForm,
    codec: TokenCodec,
    hasher: PasswordHasher,
    client: Client,
) -> TokenPair:
    """A new token pair, and a new refresh-token family, for valid credentials."""
    user_id = await authenticate(
        session, email=form.username, password=form.password, hasher=hasher, client=client
    )
    return await tokens.issue(session, user_id=user_id, codec=codec)


async def register(
    session: Session, *, data: UserCreate, hasher: PasswordHasher, client: Client
) -> UserRead:
    """A new account, counted against the client's address; refused before hashing if blocked."""
    limit = client.limits.registrations_per_address
    await attempts.check(session, keys=[limit.key(client.address)])
    await session.release()
    password_hash = await hasher.hash(data.password)
    await attempts.count(session, limit=limit, value=client.address)
    return await users.create(session, data=data, password_hash=password_hash)
