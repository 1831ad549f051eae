"""The caller's own account."""

from fastapi import APIRouter

from {{ cookiecutter.package_name }}.dependencies.auth import CurrentUser
from {{ cookiecutter.package_name }}.schemas.user import UserRead

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/me", name="read_me")
async def read_me(user: CurrentUser) -> UserRead:
    """The authenticated user."""
    return user
