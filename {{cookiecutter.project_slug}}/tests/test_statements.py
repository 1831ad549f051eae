"""The shared list statement (`core/db/pages.py`) under a parent the caller may not own."""

from uuid import uuid4

import pytest
from sqlalchemy import bindparam

from {{ cookiecutter.package_name }}.core.db.pages import PageStatements, Parent
from {{ cookiecutter.package_name }}.core.errors import NotFoundError
{%- if cookiecutter.auth == "local" %}
from {{ cookiecutter.package_name }}.schemas.user import UserCreate
{%- else %}
from {{ cookiecutter.package_name }}.core.security.oidc import Identity
{%- endif %}
from {{ cookiecutter.package_name }}.services import todos, users

from tests.conftest import {% if cookiecutter.auth == "local" %}PASSWORD, {% endif %}TransactionalDatabase


class OwnerNotFoundError(NotFoundError):
    """The parent of the list below is gone."""


# Todos listed as children of their owner's user row: the parent is the caller's while it exists.
TODOS = todos.todos.table
UNDER_OWNER = PageStatements(
    TODOS,
    [TODOS.c.id],
    where=[TODOS.c.owner_id == bindparam("owner")],
    order_by=[TODOS.c.id],
    parent=Parent(users.users.c.id == bindparam("owner"), OwnerNotFoundError),
)


async def test_a_list_under_a_parent_not_the_callers_raises_the_parents_error(
    database: TransactionalDatabase,
) -> None:
    async with database.session(read_only=True) as session:
        with pytest.raises(OwnerNotFoundError):
            await UNDER_OWNER.fetch(session, limit=5, offset=0, owner=uuid4())


@pytest.mark.parametrize("offset", [0, 10])
async def test_an_empty_list_under_the_callers_parent_has_a_total_of_zero(
    database: TransactionalDatabase, offset: int
) -> None:
    async with database.session(read_only=False) as session:
{%- if cookiecutter.auth == "local" %}
        data = UserCreate(email=f"{uuid4().hex}@example.com", password=PASSWORD, full_name="P")
        user = await users.create(session, data=data, password_hash="never-verified")
{%- else %}
        identity = Identity("https://idp.example", uuid4().hex, None, None, frozenset())
        user = await users.sign_in(session, database=database, identity=identity)
{%- endif %}
        page = await UNDER_OWNER.fetch(session, limit=5, offset=offset, owner=user.id)
    assert page == {"items": [], "total": 0, "limit": 5, "offset": offset}
