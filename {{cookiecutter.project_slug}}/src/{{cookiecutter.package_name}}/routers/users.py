"""The caller's own account, and every account for superusers."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from {{ cookiecutter.package_name }}.core.errors import PermissionDeniedError, responses
from {{ cookiecutter.package_name }}.dependencies.auth import CurrentUser, get_current_superuser
from {{ cookiecutter.package_name }}.dependencies.database import SessionDep
from {{ cookiecutter.package_name }}.schemas.page import PageQuery
from {{ cookiecutter.package_name }}.schemas.user import (
    UserAdminRead,
    UserPage,
    UserRead,
    UserUpdate,
)
from {{ cookiecutter.package_name }}.services import users
from {{ cookiecutter.package_name }}.services.users import UserNotFoundError

router = APIRouter(prefix="/users", tags=["users"])
# Superusers only: any other authenticated user gets 403.
admin_router = APIRouter(
    prefix="/users",
    tags=["users"],
    dependencies=[Depends(get_current_superuser)],
    responses=responses(PermissionDeniedError),
)


@router.get("/me", name="read_me")
async def read_me(user: CurrentUser) -> UserRead:
    """The authenticated user."""
    return user


@admin_router.get("", name="list_users")
async def list_users(query: Annotated[PageQuery, Query()], session: SessionDep) -> UserPage:
    """Every account, newest first."""
    return await users.get_page(session, query=query)


# `:uuid`: `/users/me` is not a user id, so PATCH /users/me is no route at all.
@admin_router.patch("/{user_id:uuid}", name="update_user", responses=responses(UserNotFoundError))
async def update_user(user_id: UUID, data: UserUpdate, session: SessionDep) -> UserAdminRead:
    """Activate or deactivate an account, or grant or revoke superuser.

    A deactivated user's access and refresh tokens are refused from their next use.
    """
    return await users.update(session, user_id=user_id, data=data)
