"""`make feature name=<plural> [parent=<feature>] [kind=shared]`: a complete CRUD feature.

Writes the schemas, model, service, router and tests from the templates in
`tools/feature_templates/` (`string.Template` placeholders such as `${Item}`),
adds the model to `models/__init__.py` and the router to the protected loop of
`routers/api.py`. Then it generates the migration as `make migration` does
(`tools/migration.py`): against the database `make migrate` uses, migrated to
head first so autogenerate sees only the new table, and numbered after the last
revision. Last, `specs/<name>/`: a spec of what it wrote and its first task,
which names the migration by revision id (R6.3), with no placeholder left for
`make check` to refuse (R10.2).

A feature is owned by default: each row is one user's. With `kind=shared`,
every user reads its rows and only superusers write them. With `parent=`, the
routes nest under the parent's item path and every statement reaches the new
rows through the parent's owner; the parent must be an owned, top-level
feature (one level of nesting).

A malformed or taken name is refused in one line before anything is written;
if a later step fails, everything written is taken back.
"""

import argparse
import ast
import builtins
import keyword
import re
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from string import Template

from tools.migration import PROJECT_ROOT, VERSIONS, autogenerate, next_revision, run

TEMPLATES = Path(__file__).resolve().parent / "feature_templates"
PACKAGE = "{{ cookiecutter.package_name }}"
PACKAGE_DIR = PROJECT_ROOT / "src" / PACKAGE
SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
# Plural endings and what they become in the singular, tried in this order.
PLURAL_ENDINGS = (("ies", "y"), ("sses", "ss"), ("shes", "sh"), ("ches", "ch"), ("xes", "x"))
PROTECTED_LOOP = re.compile(r"^for protected in \((?P<routers>[^)]*)\):$", re.MULTILINE)
ROUTER_IMPORT = re.compile(rf"^from {PACKAGE}\.routers import (?P<modules>[\w, ]+)$", re.MULTILINE)
MODEL_EXPORTS = re.compile(r"^__all__ = \[(?P<names>[^\]]*)\]$", re.MULTILINE)


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


def _module(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _class(tree: ast.Module, name: str) -> ast.ClassDef | None:
    return next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name), None)


def _call_assigned(tree: ast.Module, name: str) -> ast.Call | None:
    """The call whose result the module assigns to `name` (`todos = OwnedResource(...)`)."""
    return next(
        (
            node.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and [getattr(target, "id", None) for target in node.targets] == [name]
            and isinstance(node.value, ast.Call)
        ),
        None,
    )


@dataclass(frozen=True)
class ParentFacts:
    """What a nested feature's code and tests need to know about its parent."""

    names: Names
    not_found: str
    create_body: str

    @classmethod
    def read(cls, names: Names) -> "ParentFacts":
        """Read them from the parent's sources, or refuse a parent that is not an owned feature.

        Its service declares `<plural> = OwnedResource(...)` (a nested or shared
        one cannot be a parent: one level of nesting, under rows with an owner),
        and its tests declare the shared contract, whose body creates a parent.
        """
        service = PACKAGE_DIR / "services" / f"{names.plural}.py"
        tests = PROJECT_ROOT / "tests" / f"test_{names.plural}.py"
        if not (service.exists() and tests.exists()):
            msg = f"parent={names.plural}: no such feature (services/{names.plural}.py)"
            raise RefusalError(msg)
        resource = _call_assigned(_module(service), names.plural)
        if resource is None or ast.unparse(resource.func) != "OwnedResource":
            msg = f"parent={names.plural} is not an OwnedResource: nest under an owned feature"
            raise RefusalError(msg)
        error = _class(_module(service), f"{names.cls}NotFoundError")
        description = next(
            (
                node.value.value
                for node in (error.body if error else [])
                if isinstance(node, ast.Assign)
                and [getattr(target, "id", None) for target in node.targets] == ["description"]
                and isinstance(node.value, ast.Constant)
            ),
            None,
        )
        contract = _call_assigned(_module(tests), "CONTRACT")
        keywords = contract.keywords if contract else []
        body = next((keyword.value for keyword in keywords if keyword.arg == "body"), None)
        if not isinstance(description, str) or body is None:
            msg = (
                f"parent={names.plural} has no {names.cls}NotFoundError, or its tests declare no "
                "CONTRACT with a body"
            )
            raise RefusalError(msg)
        return cls(names, description, ast.unparse(body))

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
            "parent_body": self.create_body,
        }


@dataclass(frozen=True)
class Feature:
    """A feature to write: its names, its parent if nested, and every file it adds."""

    names: Names
    parent: ParentFacts | None
    kind: Kind = Kind.OWNED

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
    def specs(self) -> Path:
        """The folder of the feature's spec and tasks."""
        return PROJECT_ROOT / "specs" / self.names.plural

    def refuse_if_taken(self) -> None:
        """Refuse a name that any file, spec or table of the project already uses."""
        taken = [path for path in [*self.files.values(), self.specs] if path.exists()]
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
        values = self.names.placeholders() | {
            "create_body": repr({"name": f"A {self.names.thing}"}),
            "service_imports": "",
            "error_classes": "",
            "resource_options": "",
            "router_imports": "",
            "create_responses": "",
            "write_errors": "",
            "delete_errors": "",
        }
        if self.parent is None:
            owner = "owner" if self.kind is Kind.OWNED else "author"
            values |= {"owner_field": owner, "read_parent_field": ""}
        else:
            values |= self.parent.placeholders()
            values |= {
                "owner_field": values["parent_thing"],
                "read_parent_field": f"    {values['parent_id']}: UUID\n",
            }
        return values

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
        return values | {
            "api_table": "\n".join(table),
            "scope_sentence": scope,
            "parent_argument": argument,
            "purpose": purpose,
            "revision": revision,
        }


def render(template: str, values: dict[str, str]) -> str:
    """The template file `template` with its placeholders filled in."""
    return Template((TEMPLATES / f"{template}.tmpl").read_text(encoding="utf-8")).substitute(values)


def register_model(text: str, names: Names) -> str:
    """`models/__init__.py` importing and exporting the new model (ruff sorts the imports)."""
    exports = MODEL_EXPORTS.search(text)
    if exports is None:
        msg = "models/__init__.py has no one-line __all__ to add the model to"
        raise RefusalError(msg)
    listed = sorted([*re.findall(r'"(\w+)"', exports["names"]), names.cls])
    text = text.replace(exports[0], "__all__ = [" + ", ".join(f'"{name}"' for name in listed) + "]")
    line = f"from {PACKAGE}.models.{names.singular} import {names.cls}\n"
    return text.replace(
        f"from {PACKAGE}.models.base import", line + f"from {PACKAGE}.models.base import", 1
    )


def include_router(text: str, names: Names) -> str:
    """`routers/api.py` including the new router in the protected loop, which documents its 401."""
    loop, imported = PROTECTED_LOOP.search(text), ROUTER_IMPORT.search(text)
    if loop is None or imported is None:
        msg = "routers/api.py has no `for protected in (...)` loop to include the router in"
        raise RefusalError(msg)
    modules = sorted([*imported["modules"].split(", "), names.plural])
    text = text.replace(imported[0], f"from {PACKAGE}.routers import " + ", ".join(modules))
    routers = loop["routers"].strip().rstrip(",")
    return text.replace(loop[0], f"for protected in ({routers}, {names.plural}.router):")


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


def plan(name: str, parent: str | None, kind: str = Kind.OWNED) -> Feature:
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
    feature = Feature(names, parent_facts, Kind(kind))
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
        models, api = PACKAGE_DIR / "models" / "__init__.py", PACKAGE_DIR / "routers" / "api.py"
        writer.write(models, register_model(models.read_text(encoding="utf-8"), feature.names))
        writer.write(api, include_router(api.read_text(encoding="utf-8"), feature.names))
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
    arguments = parser.parse_args(argv)
    try:
        feature = plan(arguments.name, arguments.parent, arguments.kind)
    except RefusalError as refusal:
        print(f"make feature: {refusal}; nothing written", file=sys.stderr)
        return 2
    try:
        written = write(feature)
    except (RuntimeError, RefusalError) as error:
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
