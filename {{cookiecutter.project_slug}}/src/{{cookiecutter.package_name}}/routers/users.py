"""The caller's own account, and every account for superusers."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from {{ cookiecutter.package_name }}.core.errors import PermissionDeniedError, responses
from {{ cookiecutter.package_name }}.dependencies.auth import (
    CurrentSuperuser,
    CurrentUser,
    get_current_superuser,
)
from {{ cookiecutter.package_name }}.dependencies.database import SessionDep
from {{ cookiecutter.package_name }}.schemas.page import PageQuery
from {{ cookiecutter.package_name }}.schemas.user import (
    UserAdminRead,
    UserPage,
    UserRead,
    UserUpdate,
)
from {{ cookiecutter.package_name }}.services import users
from {{ cookiecutter.package_name }}.services.users import (
{%- if cookiecutter.auth == "local" %}
    LastSuperuserError,
{%- endif %}
    SelfDemotionError,
    UserNotFoundError,
)

router = APIRouter(prefix="/users", tags=["users"])
# Superusers only: each route depends on `get_current_superuser` once (the
# caller solved twice would cost twice), and any other authenticated user gets 403.
admin_router = APIRouter(
    prefix="/users",
    tags=["users"],
    responses=responses(PermissionDeniedError),
)


@router.get("/me", name="read_me")
async def read_me(user: CurrentUser) -> UserRead:
    """The authenticated user."""
    return user


@admin_router.get("", name="list_users", dependencies=[Depends(get_current_superuser)])
async def list_users(query: Annotated[PageQuery, Query()], session: SessionDep) -> UserPage:
    """Every account, newest first."""
    return await users.get_page(session, query=query)


# `:uuid`: `/users/me` is not a user id, so PATCH /users/me is no route at all.
@admin_router.patch(
    "/{user_id:uuid}",
    name="update_user",
    # The router's 403 too: a route's entry for a status replaces its router's.
{%- if cookiecutter.auth == "local" %}
    responses=responses(
        PermissionDeniedError, SelfDemotionError, UserNotFoundError, LastSuperuserError
    ),
{%- else %}
    responses=responses(PermissionDeniedError, SelfDemotionError, UserNotFoundError),
{%- endif %}
)
async def update_user(
    user_id: UUID, data: UserUpdate, admin: CurrentSuperuser, session: SessionDep
) -> UserAdminRead:
{%- if cookiecutter.auth == "local" %}
    """Activate or deactivate an account, or grant or revoke superuser.

    A deactivated user's access and refresh tokens are refused from their next use.
    No superuser may deactivate or demote itself (403), and the last active
    superuser cannot be deactivated or demoted (409).
    """
{%- else %}
    """Activate or deactivate an account; superuser is a role at the identity provider.

    A deactivated user's tokens are refused from their next use; no superuser
    may deactivate itself (403).
    """
{%- endif %}
    return await users.update(session, user_id=user_id, data=data, caller_id=admin.id)
