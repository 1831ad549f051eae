"""`make feature name=<plural> [parent=<feature>] [kind=shared] [fields="..."]`: a CRUD feature.

Writes the schemas, model, service, router and tests from the templates in
`tools/feature_templates/` (`string.Template` placeholders such as `${Item}`),
adds the model to `models/__init__.py` and the router to the protected loop of
`routers/api.py`, found through their syntax trees (`tools/anchors.py`). Then
it generates the migration as `make migration` does (`tools/migration.py`):
against the database `make migrate` uses, migrated to head first so
autogenerate sees only the new table, and numbered after the last
revision. Last, `specs/<name>/`: a spec of what it wrote and its first task,
which names the migration by revision id (R6.3), with no placeholder left for
`make check` to refuse (R10.2).

`fields=` declares the feature's own fields in the grammar of `tools/fields/`
(`title:str(1..200) done:bool=false project:ref(projects)?`); without it, a
`name` and an optional `description`. Its columns, constraints, schemas and
`tests/test_<name>_fields.py` come from it; a `restrict` ref also gives the
referenced feature's service and router the 409 it answers while referenced.

A feature is owned by default: each row is one user's. With `kind=shared`,
every user reads its rows and only superusers write them. With `parent=`, the
routes nest under the parent's item path and every statement reaches the new
rows through the parent's owner; the parent must be an owned, top-level
feature (one level of nesting).

A malformed or taken name, or a malformed spec, is refused in one line before anything is written;
if a later step fails, everything written is taken back.
"""

import argparse
import ast
import builtins
import keyword
import re
import sys
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from tools.anchors import (
    AnchorError,
    add_in_use,
    call_assigned,
    description,
    include_router,
    register_model,
)
from tools.fields.field_tests import Subject, contract_placeholders, fields_tests
from tools.fields.field_types import SpecError
from tools.fields.grammar import DEFAULT_SPEC, FieldSpec, parse
from tools.fields.model import constraint_names, model_placeholders
from tools.fields.schemas import null_rule, schema_placeholders
from tools.fields.service import Target, router_placeholders, service_placeholders
from tools.migration import PROJECT_ROOT, VERSIONS, autogenerate, next_revision, run
from tools.templates import render

PACKAGE = "{{ cookiecutter.package_name }}"
PACKAGE_DIR = PROJECT_ROOT / "src" / PACKAGE
SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
# Plural endings and what they become in the singular, tried in this order.
PLURAL_ENDINGS = (("ies", "y"), ("sses", "ss"), ("shes", "sh"), ("ches", "ch"), ("xes", "x"))
# PostgreSQL's longest identifier: a longer constraint name would be cut, and not found.
MAX_IDENTIFIER = 63


class Kind(StrEnum):
    """Who sees a feature's rows, and who writes them (`core/db/resource.py`)."""

    OWNED = "owned"  # each row is one user's; anyone else's answers 404
    SHARED = "shared"  # every user reads; only superusers write, anyone else gets 403
    NESTED = "nested"  # each row hangs off an owned parent row (`parent=`)


class RefusalError(Exception):
    """A feature `make feature` will not write; the message is the line the user reads."""


@dataclass(frozen=True)
class Names:
    """The spellings of a feature's name: `line_items`, `line_item`, `LineItem`, "line item"."""

    plural: str
    singular: str

    @classmethod
    def of(cls, plural: str) -> "Names":
        """The names of `plural`, or a `RefusalError` saying why it cannot name a feature."""
        if not SNAKE_CASE.fullmatch(plural):
            msg = f"{plural!r} is not plural snake_case (like projects or line_items)"
            raise RefusalError(msg)
        if not plural.endswith("s") or plural.endswith("ss"):
            msg = f"{plural!r} is not plural: name the collection (projects, not project)"
            raise RefusalError(msg)
        singular = next(
            (
                plural.removesuffix(end) + single
                for end, single in PLURAL_ENDINGS
                if plural.endswith(end)
            ),
            plural.removesuffix("s"),
        )
        for name in (plural, singular):
            if keyword.iskeyword(name) or hasattr(builtins, name) or not SNAKE_CASE.fullmatch(name):
                msg = f"{plural!r} would name a module or variable {name!r}, which Python reserves"
                raise RefusalError(msg)
        return cls(plural, singular)

    @property
    def cls(self) -> str:
        """The class name: `LineItem`."""
        return "".join(word.capitalize() for word in self.singular.split("_"))

    @property
    def thing(self) -> str:
        """The singular in prose: "line item"."""
        return self.singular.replace("_", " ")

    def placeholders(self) -> dict[str, str]:
        """The template placeholders of a feature by this name."""
        things = self.plural.replace("_", " ")
        return {
            "items": self.plural,
            "item": self.singular,
            "Item": self.cls,
            "Items": things.capitalize(),
            "things": things,
            "thing": self.thing,
            "Thing": self.thing.capitalize(),
            "path": self.plural.replace("_", "-"),
            "TASK": self.singular.upper().replace("_", "-"),
        }


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _module(path: Path) -> ast.Module:
    return ast.parse(_read(path))


@dataclass(frozen=True)
class Declared:
    """An existing top-level feature, as its sources declare it."""

    names: Names
    # The resource class its service declares: `OwnedResource`, `SharedResource`...
    kind: str
    # Its 404's `detail`; its service's syntax tree.
    not_found: str
    service: ast.Module

    @classmethod
    def read(cls, names: Names, role: str, kinds: frozenset[str], why: str) -> "Declared":
        """Read `services/<plural>.py` and check its tests declare the shared `CONTRACT`.

        `role` (`parent=projects`) starts each refusal: a feature must declare
        `<plural> = <one of kinds>(...)` (else `why` says what to do instead),
        a `<Item>NotFoundError` with a description, and a `CONTRACT`, which
        other features' tests import to create its rows.
        """
        service = PACKAGE_DIR / "services" / f"{names.plural}.py"
        tests = PROJECT_ROOT / "tests" / f"test_{names.plural}.py"
        if not (service.exists() and tests.exists()):
            msg = f"{role}: no such feature (services/{names.plural}.py)"
            raise RefusalError(msg)
        tree = _module(service)
        resource = call_assigned(tree, names.plural)
        kind = ast.unparse(resource.func) if resource else None
        if kind not in kinds:
            msg = f"{role} is not an {' or '.join(sorted(kinds))}: {why}"
            raise RefusalError(msg)
        not_found = description(tree, f"{names.cls}NotFoundError")
        if not_found is None or call_assigned(_module(tests), "CONTRACT") is None:
            msg = (
                f"{role}: services/{names.plural}.py has no {names.cls}NotFoundError with a "
                f"description, or tests/test_{names.plural}.py declares no CONTRACT"
            )
            raise RefusalError(msg)
        return cls(names, str(kind), not_found, tree)


@dataclass(frozen=True)
class ParentFacts:
    """What a nested feature's code and tests need to know about its parent."""

    names: Names
    not_found: str

    @classmethod
    def read(cls, names: Names) -> "ParentFacts":
        """Read them from the parent's sources, or refuse a parent that is not an owned feature.

        Its service declares `<plural> = OwnedResource(...)`: a nested or shared
        one cannot be a parent (one level of nesting, under rows with an owner).
        """
        role, why = f"parent={names.plural}", "nest under an owned feature"
        declared = Declared.read(names, role, frozenset({"OwnedResource"}), why)
        return cls(names, declared.not_found)

    def placeholders(self) -> dict[str, str]:
        """The parent's template placeholders."""
        return {
            "parents": self.names.plural,
            "parent": self.names.singular,
            "Parent": self.names.cls,
            "parent_thing": self.names.thing,
            "parent_id": f"{self.names.singular}_id",
            "parent_path": self.names.plural.replace("_", "-"),
            "parent_not_found": self.not_found,
        }


def read_target(plural: str) -> Target:
    """The feature `ref(plural)` names: an owned or shared, top-level one."""
    names = Names.of(plural)
    kinds = frozenset({"OwnedResource", "SharedResource"})
    declared = Declared.read(names, f"ref({plural})", kinds, "name a top-level feature")
    in_use = description(declared.service, f"{names.cls}InUseError") or (
        f"{names.thing.capitalize()} is still named by other rows; change or delete them first."
    )
    return Target(
        plural,
        names.singular,
        names.cls,
        shared=declared.kind == "SharedResource",
        missing_detail=declared.not_found,
        in_use_detail=in_use,
    )


@dataclass(frozen=True)
class Feature:
    """A feature to write: its names, its parent if nested, its fields, and every file it adds."""

    names: Names
    parent: ParentFacts | None
    kind: Kind = Kind.OWNED
    fields: tuple[FieldSpec, ...] = field(default_factory=lambda: parse(DEFAULT_SPEC))
    # The features its refs name, by plural.
    targets: dict[str, Target] = field(default_factory=dict)

    @property
    def files(self) -> dict[str, Path]:
        """Template name -> the file it becomes."""
        prefix = {Kind.OWNED: "", Kind.SHARED: "shared_", Kind.NESTED: "nested_"}[self.kind]
        names = self.names
        return {
            "schemas.py": PACKAGE_DIR / "schemas" / f"{names.singular}.py",
            f"{prefix}model.py": PACKAGE_DIR / "models" / f"{names.singular}.py",
            f"{prefix}service.py": PACKAGE_DIR / "services" / f"{names.plural}.py",
            f"{prefix}router.py": PACKAGE_DIR / "routers" / f"{names.plural}.py",
            f"{prefix}tests.py": PROJECT_ROOT / "tests" / f"test_{names.plural}.py",
        }

    @property
    def fields_tests(self) -> Path:
        """The tests of the feature's fields."""
        return PROJECT_ROOT / "tests" / f"test_{self.names.plural}_fields.py"

    @property
    def specs(self) -> Path:
        """The folder of the feature's spec and tasks."""
        return PROJECT_ROOT / "specs" / self.names.plural

    def refuse_if_taken(self) -> None:
        """Refuse a name that any file, spec or table of the project already uses."""
        paths = [*self.files.values(), self.fields_tests, self.specs]
        taken = [path for path in paths if path.exists()]
        table = f'__tablename__ = "{self.names.plural}"'
        taken += [
            path
            for path in (PACKAGE_DIR / "models").glob("*.py")
            if table in path.read_text(encoding="utf-8")
        ]
        if taken:
            msg = f"{self.names.plural!r} is taken: {taken[0].relative_to(PROJECT_ROOT)} exists"
            raise RefusalError(msg)

    def placeholders(self) -> dict[str, str]:
        """Every placeholder the templates of this feature use."""
        names, fields, targets = self.names, self.fields, self.targets
        # Who a row is unique within: its owner, its parent, or (shared) the whole table.
        scope = {Kind.OWNED: "owner_id", Kind.SHARED: None}.get(self.kind)
        values = names.placeholders() | {"delete_errors": ""}
        if self.parent is None:
            owned = self.kind is Kind.OWNED
            server_owned = "id, owner and timestamps" if owned else "id and timestamps"
            values |= {"server_owned": server_owned, "read_parent_field": ""}
        else:
            values |= self.parent.placeholders()
            values |= {
                "server_owned": f"id, {values['parent_thing']} and timestamps",
                "read_parent_field": f"    {values['parent_id']}: UUID\n",
            }
            scope = values["parent_id"]
        values |= model_placeholders(fields, table=names.plural, scope=scope)
        values |= schema_placeholders(fields, cls=names.cls)
        values |= service_placeholders(fields, cls=names.cls, thing=names.thing, targets=targets)
        values |= router_placeholders(fields, plural=names.plural, cls=names.cls, targets=targets)
        return values | contract_placeholders(fields)

    def tests_of_fields(self) -> str:
        """The module `tests/test_<plural>_fields.py`."""
        subject = Subject(
            self.names.plural,
            self.names.thing,
            parent_thing=self.parent.names.thing if self.parent else None,
            shared=self.kind is Kind.SHARED,
            targets=self.targets,
        )
        return fields_tests(self.fields, subject)

    def restricted(self) -> list[Target]:
        """The features a `restrict` ref names: their deletes answer 409 while named."""
        names = {
            spec.ref.target for spec in self.fields if spec.ref and spec.ref.on_delete == "restrict"
        }
        return [self.targets[name] for name in sorted(names)]

    def spec_placeholders(self, revision: str) -> dict[str, str]:
        """The placeholders only the specs use, with the id of the feature's migration."""
        values = self.placeholders()
        prefix = "/api/v1"
        if self.parent is not None:
            prefix += f"/{values['parent_path']}/" + "{" + values["parent_id"] + "}"
        collection = f"{prefix}/{values['path']}"
        item = collection + "/{" + self.names.singular + "_id}"
        rows = [
            ("GET", collection, "200 `{items, total, limit, offset}`, newest first"),
            ("POST", collection, "201 with `Location`"),
            ("GET", item, "200"),
            ("PATCH", item, "200"),
            ("DELETE", item, "204"),
        ]
        table = ["| method and path | success |", "|---|---|"]
        table += [f"| `{method} {path}` | {success} |" for method, path, success in rows]
        things, thing = values["things"], values["thing"]

        def kept(whose: str) -> str:
            return (
                f"A signed-in user keeps {things} {whose}: creates one, reads one or a page of "
                "them, newest first, changes and deletes them. Nobody else sees or touches them."
            )

        if self.kind is Kind.SHARED:
            scope = (
                f"Every user reads every {thing}; a create, change or delete by anyone but a "
                "superuser answers 403."
            )
            purpose = (
                f"Every signed-in user reads {things}, one or a page of them, newest first; "
                "superusers create, change and delete them."
            )
            argument = " kind=shared"
        elif self.parent is None:
            scope = f"Another user's {thing} answers 404, exactly like a missing one."
            purpose = kept("of their own")
            argument = ""
        else:
            scope = (
                f"A {values['parent_thing']} that is not the caller's answers 404 "
                f"({values['parent_not_found']}) on the list and on create, also while it is "
                f"being deleted; a {thing} outside the caller's {values['parent_thing']} "
                f"answers 404 ({values['Thing']} not found.). Deleting the "
                f"{values['parent_thing']} deletes its {things}."
            )
            purpose = kept(f"under each {values['parent_thing']} of their own")
            argument = f" parent={self.parent.names.plural}"
        if self.fields != parse(DEFAULT_SPEC):
            argument += f' fields="{" ".join(spec.token for spec in self.fields)}"'
        return values | {
            "api_table": "\n".join(table),
            "field_rules": self._field_rules(),
            "scope_sentence": scope,
            "parent_argument": argument,
            "purpose": purpose,
            "revision": revision,
        }

    def _field_rules(self) -> str:
        """The spec's rules the fields make, one list item each."""
        fields, thing = self.fields, self.names.thing
        written = ", ".join(f"`{spec.token}`" for spec in fields)
        bounds = "a value outside its bounds answers 422 on create and on update"
        rules = [f"- Fields (`make feature` grammar, AGENTS.md): {written}; {bounds}."]
        rules.append(f"- In a PATCH, {null_rule(fields)}.")
        within = {Kind.OWNED: "the caller's", Kind.SHARED: "all of them"}.get(self.kind)
        if self.parent is not None:
            within = f"the {self.parent.names.thing}'s"
        rules += [
            f"- A second {thing} with the same `{spec.column}` among {within} answers 409."
            for spec in fields
            if spec.unique
        ]
        for spec in fields:
            if spec.ref is None:
                continue
            target = self.targets[spec.ref.target]
            deleted = {
                "restrict": "answers 409 while it is named",
                "cascade": f"deletes the {self.names.plural.replace('_', ' ')} naming it",
                "setnull": f"sets `{spec.column}` to `null`",
            }[spec.ref.on_delete]
            named = target.item.replace("_", " ")
            rules.append(
                f"- `{spec.column}` names a {named} the caller can see, else 404 "
                f"({target.missing_detail}); deleting that {named} {deleted}."
            )
        return "\n".join(rules)


def generate_migration(names: Names, revision: str) -> Path:
    """Autogenerate revision `revision` against the migrated database; it must create the table."""
    migration = autogenerate(revision, f"Create {names.plural.replace('_', ' ')}.")
    if f'"{names.plural}"' not in migration.read_text(encoding="utf-8"):
        msg = f"the migration does not create {names.plural}: is the database ahead of migrations/?"
        raise RuntimeError(msg)
    return migration


class Writer:
    """Writes files and remembers what was there, so a failed feature leaves nothing behind."""

    def __init__(self) -> None:
        self.originals: dict[Path, str | None] = {}

    def write(self, path: Path, text: str) -> None:
        """Write `text` to `path`, remembering its old content (None: it did not exist)."""
        self.originals.setdefault(path, path.read_text(encoding="utf-8") if path.exists() else None)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def undo(self, *created: Path) -> None:
        """Put back every file written, and delete `created` ones written by other tools."""
        for path, original in self.originals.items():
            if original is None:
                path.unlink(missing_ok=True)
            else:
                path.write_text(original, encoding="utf-8")
        for path in created:
            path.unlink(missing_ok=True)
        for path in self.originals:
            if path.parent.is_dir() and not any(path.parent.iterdir()):
                path.parent.rmdir()


def _fields(spec: str, names: Names, parent: ParentFacts | None) -> tuple[FieldSpec, ...]:
    """The fields of `spec` for the feature `names`; refused if they cannot be its own."""
    try:
        fields = parse(spec)
    except SpecError as error:
        raise RefusalError(str(error)) from None
    for spec_field in fields:
        if parent is not None and spec_field.column == f"{parent.names.singular}_id":
            msg = f"field {spec_field.token!r}: {spec_field.column} is the link to the parent"
            raise RefusalError(msg)
        if spec_field.ref is not None and spec_field.ref.target == names.plural:
            msg = f"field {spec_field.token!r}: a feature cannot refer to itself"
            raise RefusalError(msg)
    names_made = constraint_names(fields, table=names.plural)
    if too_long := [name for name in names_made if len(name) > MAX_IDENTIFIER]:
        msg = (
            f"the constraint name {too_long[0]} is over {MAX_IDENTIFIER} characters: shorten a name"
        )
        raise RefusalError(msg)
    return fields


def plan(
    name: str, parent: str | None, kind: str = Kind.OWNED, fields: str = DEFAULT_SPEC
) -> Feature:
    """The feature `name` (under `parent`), or a `RefusalError` before anything is written."""
    names = Names.of(name)
    if kind not in (Kind.OWNED, Kind.SHARED):
        msg = f"kind={kind!r} is not owned or shared (a nested feature is owned, with parent=)"
        raise RefusalError(msg)
    parent_facts = None
    if parent is not None:
        if kind != Kind.OWNED:
            msg = "a nested feature is owned through its parent: leave kind= out with parent="
            raise RefusalError(msg)
        parent_names = Names.of(parent)
        if parent_names == names:
            msg = f"{name!r} cannot be its own parent"
            raise RefusalError(msg)
        parent_facts = ParentFacts.read(parent_names)
        kind = Kind.NESTED
    specs = _fields(fields, names, parent_facts)
    targets = {spec.ref.target for spec in specs if spec.ref is not None}
    feature = Feature(
        names, parent_facts, Kind(kind), specs, {plural: read_target(plural) for plural in targets}
    )
    feature.refuse_if_taken()
    return feature


def write(feature: Feature) -> list[Path]:
    """Write the feature and its migration; the files written, or everything undone on error."""
    writer = Writer()
    values = feature.placeholders()
    revision = next_revision()
    try:
        for template, path in feature.files.items():
            writer.write(path, render(template, values))
        writer.write(feature.fields_tests, feature.tests_of_fields())
        names = feature.names
        models, api = PACKAGE_DIR / "models" / "__init__.py", PACKAGE_DIR / "routers" / "api.py"
        writer.write(models, register_model(_read(models), names.singular, names.cls))
        writer.write(api, include_router(_read(api), names.plural))
        for target in feature.restricted():
            service = PACKAGE_DIR / "services" / f"{target.plural}.py"
            router = PACKAGE_DIR / "routers" / f"{target.plural}.py"
            edited = add_in_use(_read(service), _read(router), target)
            writer.write(service, edited[0])
            writer.write(router, edited[1])
        written = [str(path) for path in writer.originals]
        # Formatted before the lint, which then sees lines as they will stay.
        run("ruff format", "-m", "ruff", "format", "--quiet", *written)
        run("ruff check", "-m", "ruff", "check", "--fix", "--quiet", *written)
        run("ruff format", "-m", "ruff", "format", "--quiet", *written)
        migration = generate_migration(feature.names, revision)
        spec_values = feature.spec_placeholders(revision)
        for template in ("spec.md", "tasks.md"):
            writer.write(feature.specs / template, render(template, spec_values))
    except BaseException:
        writer.undo(*VERSIONS.glob(f"*_{revision}_*.py"))
        raise
    return [*writer.originals, migration]


def main(argv: list[str] | None = None) -> int:
    """Write the feature the command line names; 2 for a refusal, 1 for a failure."""
    parser = argparse.ArgumentParser(prog="make feature", description=__doc__.splitlines()[0])
    parser.add_argument("name", help="plural snake_case, like projects or line_items")
    parser.add_argument("--parent", help="an existing owned feature to nest under, like projects")
    parser.add_argument("--kind", default=Kind.OWNED, help="owned (the default) or shared")
    parser.add_argument(
        "--fields",
        default=DEFAULT_SPEC,
        help='its fields, like "title:str(1..200) done:bool=false"',
    )
    arguments = parser.parse_args(argv)
    try:
        feature = plan(arguments.name, arguments.parent, arguments.kind, arguments.fields)
    except RefusalError as refusal:
        print(f"make feature: {refusal}; nothing written", file=sys.stderr)
        return 2
    try:
        written = write(feature)
    except (RuntimeError, AnchorError) as error:
        print(f"make feature: {error}; everything written was taken back", file=sys.stderr)
        return 1
    print(f"Wrote the {feature.names.plural} feature:")
    for path in written:
        print(f"  {path.relative_to(PROJECT_ROOT)}")
    print(
        f"Next: read them; say in specs/{feature.names.plural}/spec.md what they are for and add"
        " their own rules, each with a task in its tasks.md; then `make check`."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
