"""The create, update and read schemas' fields, with the same bounds as the columns."""

import textwrap
from collections.abc import Sequence

from tools.fields.field_types import BASE_SCHEMAS, EnumType
from tools.fields.grammar import FieldSpec
from tools.fields.imports import PACKAGE, imports

# Names a schema module binds besides its aliases: an alias may not take one of them.
SCHEMA_NAMES = frozenset(
    {"Annotated", "Decimal", "DecimalText", "Field", "InputSchema", "IsoDate", "IsoDatetime"}
    | {"JsonInteger", "Literal", "OutputSchema", "Page", "SkipJsonSchema", "StrictBool", "UUID"}
)
# An Update's validator for its required fields: a PATCH may leave them out, not null them.
NOT_NULL = '''
    @field_validator({columns})
    @classmethod
    def _not_null(cls, value: object) -> object:
        """Refuse an explicit `null`; an omitted field never reaches this validator."""
        if value is None:
            msg = "may be omitted but not null"
            raise ValueError(msg)
        return value
'''


def camel(name: str) -> str:
    """`due_date` as `DueDate`."""
    return "".join(word.capitalize() for word in name.split("_"))


def _alias_names(fields: Sequence[FieldSpec], cls: str) -> dict[str, str]:
    """The type alias of each field that has one: `title` -> `Title` (`TitleValue` if taken)."""
    taken = SCHEMA_NAMES | {f"{cls}{suffix}" for suffix in ("Create", "Update", "Read", "Page")}
    return {
        spec.name: camel(spec.name) + ("Value" if camel(spec.name) in taken else "")
        for spec in fields
        if spec.type.alias() is not None
    }


def null_rule(fields: Sequence[FieldSpec]) -> str:
    """What `null` does in a PATCH, in words."""
    optional = [f"`{spec.column}`" for spec in fields if spec.optional]
    if not optional:
        return "`null` is refused for every field"
    cleared = optional[0] if len(optional) == 1 else f"{', '.join(optional[:-1])} or {optional[-1]}"
    if len(optional) == len(fields):
        return f"`null` clears {cleared}"
    return f"`null` clears {cleared}, and is refused for the others"


def schema_placeholders(fields: Sequence[FieldSpec], *, cls: str) -> dict[str, str]:
    """The schema module's imports, aliases and the fields of `<cls>Create`, `Update`, `Read`."""
    aliases = _alias_names(fields, cls)
    needed = imports("uuid", "UUID") | imports("datetime", "datetime")
    needed |= imports(BASE_SCHEMAS, "InputSchema", "OutputSchema")
    needed |= imports(f"{PACKAGE}.schemas.page", "Page")
    definitions, create, update, read = [], [], [], []
    for spec in fields:
        needed |= spec.type.schema_imports()
        alias = spec.type.alias()
        if alias is not None:
            definitions.append(f"{aliases[spec.name]} = {alias}\n")
        annotation = aliases.get(spec.name, spec.type.input_type())
        default = None if spec.default is None else spec.type.default_source(spec.default)
        if spec.optional:
            create.append(f"    {spec.column}: {annotation} | None = {default or 'None'}\n")
            update.append(f"    {spec.column}: {annotation} | None = None\n")
        else:
            create.append(f"    {spec.column}: {annotation}{f' = {default}' if default else ''}\n")
            update.append(f"    {spec.column}: {annotation} | SkipJsonSchema[None] = None\n")
        shown = aliases[spec.name] if isinstance(spec.type, EnumType) else spec.type.python
        read.append(f"    {spec.column}: {shown}{' | None' if spec.optional else ''}\n")
    required = [f'"{spec.column}"' for spec in fields if not spec.optional]
    validator = ""
    if required:
        needed |= imports("pydantic", "field_validator")
        needed |= imports("pydantic.json_schema", "SkipJsonSchema")
        validator = NOT_NULL.format(columns=", ".join(required))
    rule = null_rule(fields)
    optional = sum(spec.optional for spec in fields)
    short = "`null` clears an optional field" if optional else "`null` is refused"
    return {
        "schema_imports": needed.lines(),
        "aliases": "".join(definitions),
        "create_fields": "".join(create),
        "update_fields": "".join(update) + validator,
        "read_fields": "".join(read),
        "null_rule": short,  # For a docstring's first line, the routers'.
        "null_rule_doc": textwrap.fill(
            f"{rule}.", width=96, initial_indent="    ", subsequent_indent="    "
        ),
    }
