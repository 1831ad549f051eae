"""The table model's columns and constraints, from the fields."""

from collections.abc import Sequence

from tools.fields.grammar import FieldSpec
from tools.fields.imports import imports


def _column(spec: FieldSpec) -> str:
    """`name: type = Field(...)`: the column of `spec`, nullable if optional."""
    arguments = (["default=None"] if spec.optional else []) + spec.type.column_arguments()
    annotation = spec.type.python + (" | None" if spec.optional else "")
    if arguments == ["default=None"]:
        return f"    {spec.column}: {annotation} = None\n"
    value = f" = Field({', '.join(arguments)})" if arguments else ""
    return f"    {spec.column}: {annotation}{value}\n"


def model_placeholders(
    fields: Sequence[FieldSpec], *, table: str, scope: str | None
) -> dict[str, str]:
    """`model_imports`, `table_args` and `columns` of the model of `table` with these fields.

    `scope` is the column that says whose a row is (`owner_id`, the parent's
    link), or None for a shared table. A unique field is unique within it, so
    one user's 409 cannot reveal another user's values; its constraint keeps
    the name `uq_<table>_<column>` whatever columns it spans: the resource
    maps that name to the field's 409.
    """
    columns = [_column(spec) for spec in fields]
    needed = imports("sqlalchemy", "Index")
    if scope is not None or any("Field(" in column for column in columns):
        needed |= imports("sqlmodel", "Field")
    if scope is not None:
        needed |= imports("uuid", "UUID")  # The owner or parent link.
    constraints: list[str] = []
    for spec in fields:
        needed |= spec.type.model_imports()
        for name, sql in spec.type.checks(spec.column):
            needed |= imports("sqlalchemy", "CheckConstraint")
            constraints.append(f'CheckConstraint({sql!r}, name="{name}")')
        if spec.unique:
            needed |= imports("sqlalchemy", "UniqueConstraint")
            within = f'"{scope}", ' if scope else ""
            name = f"uq_{table}_{spec.column}"
            constraints.append(f'UniqueConstraint({within}"{spec.column}", name="{name}")')
    return {
        "model_imports": needed.lines(),
        "table_args": "".join(f" {constraint}," for constraint in constraints),
        "columns": "".join(columns),
    }


def constraint_names(fields: Sequence[FieldSpec], *, table: str) -> list[str]:
    """Every name the constraints and indexes of these fields take, to check their length."""
    names = [f"ck_{table}_{name}" for spec in fields for name, _ in spec.type.checks(spec.column)]
    names += [f"uq_{table}_{spec.column}" for spec in fields if spec.unique]
    for spec in fields:
        if spec.ref is not None:
            names += [f"ix_{table}_{spec.column}", f"fk_{table}_{spec.column}_{spec.ref.target}"]
    return names
