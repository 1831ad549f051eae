"""Authentication: registration and password login, both behind brute-force limits."""

from {{ cookiecutter.package_name }}.core.db import Session
from {{ cookiecutter.package_name }}.core.errors import AuthenticationError, PermissionDeniedError
from {{ cookiecutter.package_name }}.core.security.account_tokens import AccountPolicy
from {{ cookiecutter.package_name }}.core.security.limits import Client
from {{ cookiecutter.package_name }}.core.security.passwords import PasswordHasher
from {{ cookiecutter.package_name }}.core.security.tokens import TokenCodec
from {{ cookiecutter.package_name }}.schemas.auth import PasswordGrantForm
from {{ cookiecutter.package_name }}.schemas.token import TokenPair
from {{ cookiecutter.package_name }}.schemas.user import UserCreate, UserRead
from {{ cookiecutter.package_name }}.services import attempts, tokens, users


class InvalidCredentialsError(AuthenticationError):
    """Wrong email or password; which one is never revealed. The attempt stays counted."""

    description = "Incorrect email or password."


class EmailNotVerifiedError(PermissionDeniedError):
    """The password is right, but the service requires a verified address to log in."""

    description = (
        "Verify your email address first: follow the link sent to it, or ask for a new one."
    )


async def authenticate(
    session: Session, *, email: str, password: str, hasher: PasswordHasher, client: Client
) -> users.Credentials:
    """The active user with these credentials; unknown emails cost the same time.

    The attempt is reserved against the account and the address, and the
    credentials read, in a transaction of its own that is committed before
    any hashing: a burst of guesses is counted one by one, and refused past
    either limit without a hash. The hash is then checked with no connection
    held. A success gives its reservations back; a hash made with older
    parameters is replaced by one made with the current ones.
    """
    email = email.lower()
    limits = client.limits
    async with session.committed():
        reserved = await attempts.reserve(
            session,
            attempts=[
                (limits.failed_logins_per_account, email),
                (limits.failed_logins_per_address, client.address),
            ],
        )
        credentials = await users.get_credentials(session, email=email)
    stored_hash = None if credentials is None else credentials.password_hash
    verification = await hasher.verify(password, stored_hash)
    if credentials is None or not verification.valid or not credentials.is_active:
        raise InvalidCredentialsError
    await attempts.give_back(session, reservations=reserved)
    if verification.new_hash is not None:
        await users.set_password_hash(
            session, user_id=credentials.id, password_hash=verification.new_hash
        )
    return credentials


async def login(  # noqa: PLR0913 - the form, what checks it, and what it grants
    session: Session,
    *,
    form: PasswordGrantForm,
    codec: TokenCodec,
    hasher: PasswordHasher,
    client: Client,
    policy: AccountPolicy,
) -> TokenPair:
    """A new token pair, and a new refresh-token family, for valid credentials.

    With EMAIL_VERIFICATION_REQUIRED, only once the account's address is verified.
    """
    credentials = await authenticate(
        session, email=form.username, password=form.password, hasher=hasher, client=client
    )
    if policy.verification_required and not credentials.email_verified:
        raise EmailNotVerifiedError
    return await tokens.issue(session, user_id=credentials.id, codec=codec)


async def register(
    session: Session, *, data: UserCreate, hasher: PasswordHasher, client: Client
) -> UserRead:
    """A new account; the attempt is counted against the address before hashing, and kept."""
    async with session.committed():
        await attempts.reserve(
            session, attempts=[(client.limits.registrations_per_address, client.address)]
        )
    password_hash = await hasher.hash(data.password)
    return await users.create(session, data=data, password_hash=password_hash)
