"""SQLModel table models: the database schema. Import every model here for Alembic."""
{% if cookiecutter.auth == "local" %}
from {{ cookiecutter.package_name }}.models.account_token import AccountToken
from {{ cookiecutter.package_name }}.models.attempt_counter import AttemptCounter
from {{ cookiecutter.package_name }}.models.base import metadata
from {{ cookiecutter.package_name }}.models.refresh_token import RefreshToken
from {{ cookiecutter.package_name }}.models.todo import Todo
from {{ cookiecutter.package_name }}.models.user import User

__all__ = ["AccountToken", "AttemptCounter", "RefreshToken", "Todo", "User", "metadata"]
{%- else %}
from {{ cookiecutter.package_name }}.models.base import metadata
from {{ cookiecutter.package_name }}.models.todo import Todo
from {{ cookiecutter.package_name }}.models.user import User

__all__ = ["Todo", "User", "metadata"]
{%- endif %}
