"""Registration and login (public)."""

from typing import Annotated

from fastapi import APIRouter, Form, status

from {{ cookiecutter.package_name }}.core.errors import responses
from {{ cookiecutter.package_name }}.dependencies.auth import TokenCodecDep
from {{ cookiecutter.package_name }}.dependencies.database import SessionDep
from {{ cookiecutter.package_name }}.schemas.auth import PasswordGrantForm
from {{ cookiecutter.package_name }}.schemas.token import TokenPair
from {{ cookiecutter.package_name }}.schemas.user import UserCreate, UserRead
from {{ cookiecutter.package_name }}.services import auth, users
from {{ cookiecutter.package_name }}.services.auth import InvalidCredentialsError
from {{ cookiecutter.package_name }}.services.users import EmailTakenError

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/register", status_code=status.HTTP_201_CREATED, responses=responses(EmailTakenError))
async def register(data: UserCreate, session: SessionDep) -> UserRead:
    """Create an account; the email must not be registered yet, in any letter case."""
    return UserRead.model_validate(await users.create(session, data=data))


@router.post("/token", responses=responses(InvalidCredentialsError))
async def token(
    form: Annotated[PasswordGrantForm, Form()], session: SessionDep, codec: TokenCodecDep
) -> TokenPair:
    """Exchange email (as `username`) and password for an access and a refresh token."""
    user = await auth.authenticate(session, email=form.username, password=form.password)
    return auth.issue_tokens(user=user, codec=codec)
