"""The versioned API. Authentication is attached here, once, where routers are included."""

from fastapi import APIRouter, Depends

from {{ cookiecutter.package_name }}.core.errors import AuthenticationError, responses
from {{ cookiecutter.package_name }}.dependencies.auth import get_current_user
from {{ cookiecutter.package_name }}.routers import auth, todos, users
from {{ cookiecutter.package_name }}.services.health import DatabaseUnavailableError

api_router = APIRouter(prefix="/api/v1", responses=responses(DatabaseUnavailableError))
api_router.include_router(auth.router)

# Everything below requires a valid access token; public routes go above.
for protected in (auth.session_router, users.router, todos.router):
    api_router.include_router(
        protected,
        dependencies=[Depends(get_current_user)],
        responses=responses(AuthenticationError),
    )
