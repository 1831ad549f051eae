"""What the service declares for unique and ref fields, and what the router documents."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tools.fields.grammar import FieldSpec
from tools.fields.imports import PACKAGE, Imports, imports
from tools.fields.schemas import camel


@dataclass(frozen=True)
class Target:
    """A feature a ref points to, as the referring feature's code and tests name it."""

    plural: str
    item: str
    cls: str
    # Whether only superusers write it (a `SharedResource`).
    shared: bool
    # The `detail` of its 404, and of its 409 while referenced.
    missing_detail: str
    in_use_detail: str

    @property
    def missing(self) -> str:
        """Its 404, raised for an id the caller cannot see."""
        return f"{self.cls}NotFoundError"

    @property
    def in_use(self) -> str:
        """Its 409 while a `restrict` ref points to the row being deleted."""
        return f"{self.cls}InUseError"


def _plural(target: Target) -> str:
    return target.plural


def taken_error(cls: str, spec: FieldSpec) -> str:
    """The 409 of a unique field: `ProjectCodeTakenError`."""
    return f"{cls}{camel(spec.column)}TakenError"


def service_placeholders(
    fields: Sequence[FieldSpec], *, cls: str, thing: str, targets: Mapping[str, Target]
) -> dict[str, str]:
    """The service's `error_classes`, `resource_options` and `service_imports`.

    A 409 class per unique field, and the declaration's `unique=` and
    `references=` lines, each ending in a comma.
    """
    unique = [spec for spec in fields if spec.unique]
    refs = [(spec, targets[spec.ref.target]) for spec in fields if spec.ref is not None]
    needed, classes, options = Imports(), [], []
    if unique:
        needed |= imports(f"{PACKAGE}.core.errors", "ConflictError")
        for spec in unique:
            words = spec.column.replace("_", " ")
            classes.append(
                f"\n\nclass {taken_error(cls, spec)}(ConflictError):\n"
                f'    """Another {thing} the caller can see has this {words}."""\n\n'
                f'    description = "A {thing} with this {words} exists."\n'
            )
        listed = ", ".join(f'"{spec.column}": {taken_error(cls, spec)}' for spec in unique)
        options.append("    unique={" + listed + "},\n")
    if refs:
        needed |= imports(f"{PACKAGE}.core.db.resource", "Reference")
        for _, target in refs:
            needed |= imports(f"{PACKAGE}.services.{target.plural}", target.plural)
        listed = ", ".join(f'Reference("{spec.column}", {target.plural})' for spec, target in refs)
        options.append(f"    references=[{listed}],\n")
    return {
        "error_classes": "".join(classes),
        "resource_options": "".join(options),
        "service_imports": needed.lines(),
    }


def router_placeholders(
    fields: Sequence[FieldSpec], *, plural: str, cls: str, targets: Mapping[str, Target]
) -> dict[str, str]:
    """The errors a create or update may answer beyond the feature's own, for `responses(...)`.

    `write_errors`, each after a comma; `create_responses`, the owned create's
    `responses=` argument; `router_imports`: where the router finds them.
    """
    errors = [taken_error(cls, spec) for spec in fields if spec.unique]
    needed = imports(f"{PACKAGE}.services.{plural}", *errors) if errors else Imports()
    for target in sorted({targets[spec.ref.target] for spec in fields if spec.ref}, key=_plural):
        errors.append(target.missing)
        needed |= imports(f"{PACKAGE}.services.{target.plural}", target.missing)
    return {
        "write_errors": "".join(f", {error}" for error in errors),
        "create_responses": f", responses=responses({', '.join(errors)})" if errors else "",
        "router_imports": needed.lines(),
    }
