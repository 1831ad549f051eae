"""House rules over the schemas, the table models and the settings, read from the classes.

Every schema and model is imported through the app, so a new feature is
covered with no edit here.
"""

import re
from importlib import import_module
from pathlib import Path
from pkgutil import iter_modules
from typing import Any

from pydantic import BaseModel
from sqlmodel import SQLModel

import {{ cookiecutter.package_name }}.main  # noqa: F401 - imports every router, schema and model
from {{ cookiecutter.package_name }} import services
from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.core.db.resource import Resource
from {{ cookiecutter.package_name }}.models.base import TableBase, metadata
from {{ cookiecutter.package_name }}.schemas.base import InputSchema

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SCHEMAS_PACKAGE = "{{ cookiecutter.package_name }}.schemas."
# Columns a client chooses although they hold a foreign key: each resource's declared references.
CLIENT_CHOSEN_REFERENCES = {
    reference.column
    for module in iter_modules(services.__path__)
    for value in vars(import_module(f"{services.__name__}.{module.name}")).values()
    if isinstance(value, Resource)
    for reference in value.references
}
# Set by the server, never read from a client: the key, the timestamps, and every owner link
# (a foreign key no resource declares as a reference: the owner, a nested row's parent).
SERVER_OWNED_FIELDS = set(TableBase.model_fields) | {
    column.name
    for table in metadata.tables.values()
    for column in table.columns
    if column.foreign_keys and column.name not in CLIENT_CHOSEN_REFERENCES
}


def _subclasses(cls: type[Any]) -> set[type[Any]]:
    found = set(cls.__subclasses__())
    for subclass in list(found):
        found |= _subclasses(subclass)
    return found


def test_r4_input_schemas_take_no_server_owned_field() -> None:
    taken = sorted(
        f"{schema.__name__}.{field}"
        for schema in _subclasses(InputSchema)
        for field in schema.model_fields
        if field in SERVER_OWNED_FIELDS
    )
    assert not taken, (
        f"R4.1 validate at the boundary: input schemas read server-owned fields {taken}. "
        "Keys, owners and timestamps are set by the service from the path, the caller and "
        "the clock; remove them from the input schema."
    )


def test_r1_no_schema_is_named_like_a_table_model() -> None:
    tables = {model.__name__ for model in _subclasses(SQLModel) if hasattr(model, "__table__")}
    schemas = {
        schema.__name__
        for schema in _subclasses(BaseModel)
        if schema.__module__.startswith(SCHEMAS_PACKAGE)
    }
    clashes = sorted(tables & schemas)
    assert not clashes, (
        f"R1.4 layers: schemas named like table models {clashes}. Name them by their role "
        "(`TodoCreate`, `TodoUpdate`, `TodoRead` beside the table model `Todo`)."
    )


def test_r9_every_setting_is_documented_in_env_example() -> None:
    example = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")
    missing = [
        name.upper()
        for name in Settings.model_fields
        if not re.search(rf"^(# ?)?{name.upper()}=", example, flags=re.MULTILINE)
    ]
    assert not missing, (
        f"R9.1 configuration is validated: settings missing from .env.example: {missing}. "
        "Add a line for each, with a comment saying what it sets."
    )
