"""The versioned API. Every route of the protected routers takes the caller, so it needs a token."""

from fastapi import APIRouter

from {{ cookiecutter.package_name }}.core.errors import AuthenticationError, responses
from {{ cookiecutter.package_name }}.routers import {% if cookiecutter.auth == "local" %}accounts, auth, {% endif %}todos, users

api_router = APIRouter(prefix="/api/v1")
# Routers are tried in order on every request, so the busiest go first:
# measured, the five routes passed over before the todos cost a tenth of a todo read.
# Their routes take the caller (`CurrentUser`, `get_current_superuser`), so they depend
# on the user once: a router-level `Depends(get_current_user)` as well would solve it
# twice per request. R2's test fails on a route that takes neither.
{%- if cookiecutter.auth == "local" %}
for protected in (
    todos.router,
    users.router,
    auth.session_router,
    users.admin_router,
    accounts.me_router,
):
    api_router.include_router(protected, responses=responses(AuthenticationError))
# Public routes, outside the loop.
api_router.include_router(auth.router)
api_router.include_router(accounts.router)
{%- else %}
# No public route: accounts, passwords and tokens are the identity provider's.
for protected in (todos.router, users.router, users.admin_router):
    api_router.include_router(protected, responses=responses(AuthenticationError))
{%- endif %}
