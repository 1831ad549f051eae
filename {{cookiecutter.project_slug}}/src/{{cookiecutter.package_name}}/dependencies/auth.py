{% if cookiecutter.auth == "local" -%}
"""The current user, from a bearer access token: the one dependency that protects routes.

And the one that says who may do more: `get_current_superuser`.
"""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from {{ cookiecutter.package_name }}.core.errors import PermissionDeniedError
from {{ cookiecutter.package_name }}.core.security.limits import AttemptLimits, Client
from {{ cookiecutter.package_name }}.core.security.passwords import PasswordHasher
from {{ cookiecutter.package_name }}.core.security.tokens import (
    InvalidTokenError,
    TokenCodec,
    TokenType,
)
from {{ cookiecutter.package_name }}.dependencies.database import SessionDep
from {{ cookiecutter.package_name }}.schemas.user import UserAdminRead
from {{ cookiecutter.package_name }}.services import users

# Missing or non-bearer credentials get 401 with `WWW-Authenticate: Bearer` here.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token")


async def get_token_codec(request: Request) -> TokenCodec:
    """The process-wide `TokenCodec` the app factory created."""
    codec: TokenCodec = request.app.state.token_codec
    return codec


TokenCodecDep = Annotated[TokenCodec, Depends(get_token_codec)]


async def get_password_hasher(request: Request) -> PasswordHasher:
    """The process-wide `PasswordHasher` the app factory created."""
    hasher: PasswordHasher = request.app.state.password_hasher
    return hasher


PasswordHasherDep = Annotated[PasswordHasher, Depends(get_password_hasher)]


async def get_client(request: Request) -> Client:
    """The client's address and the brute-force limits that apply to it.

    The address is the peer's, or, behind a proxy that uvicorn trusts
    (`FORWARDED_ALLOW_IPS`), the one the proxy forwarded.
    """
    limits: AttemptLimits = request.app.state.attempt_limits
    return Client(address=request.client.host if request.client else "", limits=limits)


ClientDep = Annotated[Client, Depends(get_client)]


async def get_current_user(
    request: Request, token: Annotated[str, Depends(oauth2_scheme)], session: SessionDep
) -> UserAdminRead:
    """The active user the access token names; anything less is a 401.

    Runs on every protected request, so it calls `get_token_codec` itself
    rather than through `TokenCodecDep`: one dependency layer less.
    """
    codec = await get_token_codec(request)
    claims = codec.decode(token, expected_type=TokenType.ACCESS)
    user = await users.get_active(session, user_id=claims.subject)
    if user is None:
        raise InvalidTokenError
    return user


CurrentUser = Annotated[UserAdminRead, Depends(get_current_user)]


async def get_current_superuser(user: CurrentUser) -> UserAdminRead:
    """The current user if a superuser; any other authenticated user gets 403.

    Routes that depend on it document 403 (`responses(PermissionDeniedError)`);
    a rule test fails on one that does not.
    """
    if not user.is_superuser:
        raise PermissionDeniedError
    return user


CurrentSuperuser = Annotated[UserAdminRead, Depends(get_current_superuser)]
{%- else -%}
"""The current user, from the identity provider's bearer token: the dependency that protects routes.

And the one that says who may do more: `get_current_superuser`, from the token's roles.
"""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from {{ cookiecutter.package_name }}.core.errors import PermissionDeniedError
from {{ cookiecutter.package_name }}.core.security.oidc import InvalidTokenError, OidcVerifier
from {{ cookiecutter.package_name }}.dependencies.database import SessionDep
from {{ cookiecutter.package_name }}.schemas.user import Caller
from {{ cookiecutter.package_name }}.services import users

# Missing or non-bearer credentials get 401 with `WWW-Authenticate: Bearer` here.
bearer_scheme = HTTPBearer(
    bearerFormat="JWT", description="An access token issued by the identity provider."
)


async def get_oidc_verifier(request: Request) -> OidcVerifier:
    """The process-wide `OidcVerifier` the app factory created, with its cached keys."""
    verifier: OidcVerifier = request.app.state.oidc_verifier
    return verifier


OidcVerifierDep = Annotated[OidcVerifier, Depends(get_oidc_verifier)]


async def get_current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer_scheme)],
    session: SessionDep,
) -> Caller:
    """The active user the provider's token names, recorded on first sight; else a 401.

    Runs on every protected request, so it reads the verifier and the
    database from the app state rather than through dependencies: one
    dependency layer less each.
    """
    verifier = await get_oidc_verifier(request)
    identity = await verifier.verify(credentials.credentials)
    user = await users.sign_in(session, database=request.app.state.database, identity=identity)
    if not user.is_active:
        raise InvalidTokenError
    return Caller(**user.model_dump(), is_superuser=verifier.superuser_role in identity.roles)


CurrentUser = Annotated[Caller, Depends(get_current_user)]


async def get_current_superuser(user: CurrentUser) -> Caller:
    """The current user if its token carries `OIDC_SUPERUSER_ROLE`; anyone else gets 403.

    Routes that depend on it document 403 (`responses(PermissionDeniedError)`);
    a rule test fails on one that does not.
    """
    if not user.is_superuser:
        raise PermissionDeniedError
    return user


CurrentSuperuser = Annotated[Caller, Depends(get_current_superuser)]
{%- endif %}
