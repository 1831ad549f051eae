"""The import lines of a generated module, gathered from what each field needs."""

from dataclasses import dataclass, field

PACKAGE = "{{ cookiecutter.package_name }}"


@dataclass(frozen=True)
class Imports:
    """Names a generated module imports, by module: `{"decimal": {"Decimal"}}`."""

    names: dict[str, frozenset[str]] = field(default_factory=dict)

    def __or__(self, other: "Imports") -> "Imports":
        modules = self.names.keys() | other.names.keys()
        return Imports(
            {m: self.names.get(m, frozenset()) | other.names.get(m, frozenset()) for m in modules}
        )

    def lines(self) -> str:
        """`from module import a, b` lines, one per module (ruff sorts them afterwards)."""
        return "".join(
            f"from {module} import {', '.join(sorted(names))}\n"
            for module, names in sorted(self.names.items())
        )


def imports(module: str, *names: str) -> Imports:
    """`names` from `module`."""
    return Imports({module: frozenset(names)})
