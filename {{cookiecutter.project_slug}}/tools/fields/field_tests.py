"""A feature's generated tests of its fields, and what its contract needs to create a row.

`tests/test_<plural>_fields.py` round-trips the values at both ends of every
bound, sends each bound's invalid value on create and on update, and tests
each default, unique field and reference; `Contract(references=..., fresh=...)`
lets the shared contract create rows whose references and unique values no
fixed body could hold.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tools.fields.grammar import FieldSpec
from tools.fields.service import Target
from tools.templates import render


@dataclass(frozen=True)
class Subject:
    """The feature whose fields are tested: its names, kind, and the features its refs name."""

    plural: str
    thing: str
    # The parent's singular in prose if nested; whether only superusers write it.
    parent_thing: str | None
    shared: bool
    targets: Mapping[str, Target]


def _literal(value: object) -> str:
    """`value` as Python source; a long run of one character as `"x" * 201`."""
    if isinstance(value, str) and len(value) > 10 and len(set(value)) == 1:  # noqa: PLR2004
        return f"{value[0]!r} * {len(value)}"
    return repr(value)


def _mapping(values: Mapping[str, object]) -> str:
    return "{" + ", ".join(f"{name!r}: {_literal(value)}" for name, value in values.items()) + "}"


def sample_values(fields: Sequence[FieldSpec]) -> dict[str, str]:
    """Both ends of the bounds (`low`, `high`), each invalid value, and the optional fields.

    References are left out: the tests name rows they create.
    """
    plain = [spec for spec in fields if spec.ref is None]
    invalid = [
        f"pytest.param({spec.column!r}, {_literal(value)}, id={spec.column + '-' + label!r})"
        for spec in fields
        for label, value in spec.type.invalid()
    ]
    invalid += [
        f"pytest.param({spec.column!r}, None, id={spec.column + '-null'!r})"
        for spec in fields
        if not spec.optional
    ]
    return {
        "low": _mapping({spec.column: spec.type.edges()[0] for spec in plain}),
        "high": _mapping({spec.column: spec.type.edges()[1] for spec in plain}),
        "invalid": "[\n    " + ",\n    ".join(invalid) + ",\n]",
        "optional": repr([spec.column for spec in fields if spec.optional]),
    }


def contract_placeholders(fields: Sequence[FieldSpec]) -> dict[str, str]:
    """The contract's `create_body`, its `references=` and `fresh=`, and the imports they need.

    The body holds the required fields that need neither: at the low end of their bounds.
    """
    body = {
        spec.column: spec.type.edges()[0]
        for spec in fields
        if spec.required and spec.ref is None and not spec.unique
    }
    refs = {spec.column: spec.ref.target for spec in fields if spec.ref is not None}
    fresh = {spec.column: spec.type.fresh() for spec in fields if spec.unique}
    options = ""
    if refs:
        listed = ", ".join(f'"{column}": {target.upper()}' for column, target in refs.items())
        options += ", references={" + listed + "}"
    if made := {column: source for column, source in fresh.items() if source is not None}:
        listed = ", ".join(f'"{column}": {source}' for column, source in made.items())
        options += ", fresh={" + listed + "}"
    return {
        "create_body": _mapping(body),
        "contract_options": options,
        "contract_imports": "".join(
            f"from tests.test_{target} import CONTRACT as {target.upper()}\n"
            for target in sorted(set(refs.values()))
        ),
    }


def _unique_test(spec: FieldSpec, subject: Subject) -> str:
    if spec.ref is not None or subject.shared:
        elsewhere = ""  # A reference names the caller's own rows; a shared table is one scope.
    elif subject.parent_thing is None:
        elsewhere = (
            "    # Unique among the rows the caller sees: another user's may have it too.\n"
            "    bob = await world.login()\n"
            "    theirs = {**await world.body(bob), **LOW}\n"
            '    await _create(world, bob, world.path("create"), theirs)\n'
        )
    else:
        elsewhere = (
            f"    # Unique within one {subject.parent_thing}: another may have it too.\n"
            '    elsewhere = world.path("create", **await world.parent_of(headers))\n'
            "    await _create(world, headers, elsewhere, body)\n"
        )
    words = spec.column.replace("_", " ")
    values = {
        "column": spec.column,
        "detail": f"A {subject.thing} with this {words} exists.",
        "elsewhere": elsewhere,
    }
    return render("fields_tests_unique.py", values)


def _ref_tests(spec: FieldSpec, subject: Subject) -> str:
    """A ref's two tests: an id the caller cannot see, and deleting the row it names."""
    assert spec.ref is not None  # noqa: S101 - only refs are passed
    target = subject.targets[spec.ref.target]
    theirs = f', (await world.body(await world.login()))["{spec.column}"]'
    values = {
        "column": spec.column,
        "target_item": target.item,
        "missing_detail": repr(target.missing_detail),
        "in_use_detail": repr(target.in_use_detail),
        "others_row": "" if target.shared else theirs,
        "target_headers": "world.superuser" if target.shared else "headers",
    }
    behaviour = f"fields_tests_{spec.ref.on_delete}.py"
    return render("fields_tests_ref.py", values) + render(behaviour, values)


def fields_tests(fields: Sequence[FieldSpec], subject: Subject) -> str:
    """The module `tests/test_<plural>_fields.py`."""
    parts = ""
    defaults = {spec.column: spec.default for spec in fields if not spec.required}
    if defaults:
        parts += render("fields_tests_defaults.py", {"defaults": _mapping(defaults)})
    if required := [spec.column for spec in fields if spec.required]:
        parts += render("fields_tests_required.py", {"required": repr(required)})
    parts += "".join(_unique_test(spec, subject) for spec in fields if spec.unique)
    parts += "".join(_ref_tests(spec, subject) for spec in fields if spec.ref is not None)
    has_refs = any(spec.ref is not None for spec in fields)
    values = sample_values(fields) | {
        "items": subject.plural,
        "Items": subject.plural.replace("_", " ").capitalize(),
        "things": subject.plural.replace("_", " "),
        "thing": subject.thing,
        "test_imports": "from uuid import uuid4\n" if has_refs else "",
        "parts": parts,
    }
    return render("fields_tests.py", values)
