"""Edits `make feature` makes to existing code, found by its syntax tree, never by its lines.

However ruff wraps an import or a call, the node is the same: each edit finds
its node, replaces that node's source, and leaves the rest of the file as it was.
"""

import ast

from tools.fields.service import Target

PACKAGE = "{{ cookiecutter.package_name }}"


class AnchorError(Exception):
    """Code that lacks the node an edit needs; the message says which."""


def class_named(tree: ast.Module, name: str) -> ast.ClassDef | None:
    """The module's top-level class `name`."""
    return next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name), None)


def call_assigned(tree: ast.Module, name: str) -> ast.Call | None:
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


def description(tree: ast.Module, error: str) -> str | None:
    """The `description` the module's error class `error` declares."""
    found = class_named(tree, error)
    return next(
        (
            node.value.value
            for node in (found.body if found else [])
            if isinstance(node, ast.Assign)
            and [getattr(target, "id", None) for target in node.targets] == ["description"]
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ),
        None,
    )


def _offset(text: str, line: int, column: int) -> int:
    """The index in `text` of an AST position (1-based line, UTF-8 byte column)."""
    lines = text.splitlines(keepends=True)
    before = sum(len(previous) for previous in lines[: line - 1])
    return before + len(lines[line - 1].encode("utf-8")[:column].decode("utf-8"))


def _splice(text: str, node: ast.expr | ast.stmt, replacement: str) -> str:
    """`text` with the source of `node` replaced."""
    start = _offset(text, node.lineno, node.col_offset)
    end = _offset(text, node.end_lineno or node.lineno, node.end_col_offset or node.col_offset)
    return text[:start] + replacement + text[end:]


def _add_import(text: str, line: str) -> str:
    """`text` with `line` after its last top-level import (ruff sorts them afterwards)."""
    imported = [n for n in ast.parse(text).body if isinstance(n, ast.Import | ast.ImportFrom)]
    if not imported:
        msg = f"no imports to add {line!r} after"
        raise AnchorError(msg)
    end = _offset(text, (imported[-1].end_lineno or imported[-1].lineno) + 1, 0)
    return f"{text[:end]}{line}\n{text[end:]}"


def register_model(text: str, singular: str, cls: str) -> str:
    """`models/__init__.py` importing the new model and listing it in `__all__`."""
    exports = next(
        (
            node.value
            for node in ast.parse(text).body
            if isinstance(node, ast.Assign)
            and [getattr(target, "id", None) for target in node.targets] == ["__all__"]
            and isinstance(node.value, ast.List | ast.Tuple)
        ),
        None,
    )
    if exports is None:
        msg = "models/__init__.py has no __all__ list to add the model to"
        raise AnchorError(msg)
    listed = sorted([*(ast.literal_eval(element) for element in exports.elts), cls])
    text = _splice(text, exports, "[" + ", ".join(f'"{name}"' for name in listed) + "]")
    return _add_import(text, f"from {PACKAGE}.models.{singular} import {cls}")


def include_router(text: str, plural: str) -> str:
    """`routers/api.py` including the new router in the protected loop, which documents its 401."""
    tree = ast.parse(text)
    loop = next(
        (
            node.iter
            for node in tree.body
            if isinstance(node, ast.For)
            and isinstance(node.target, ast.Name)
            and node.target.id == "protected"
            and isinstance(node.iter, ast.Tuple)
        ),
        None,
    )
    imported = next(
        (
            node
            for node in tree.body
            if isinstance(node, ast.ImportFrom) and node.module == f"{PACKAGE}.routers"
        ),
        None,
    )
    if not isinstance(loop, ast.Tuple) or imported is None:
        msg = "routers/api.py has no `for protected in (...)` loop to include the router in"
        raise AnchorError(msg)
    routers = [ast.unparse(element) for element in loop.elts] + [f"{plural}.router"]
    modules = sorted([*(alias.name for alias in imported.names), plural])
    # The later node first, so the earlier one's position still holds.
    text = _splice(text, loop, "(" + ", ".join(routers) + ")")
    return _splice(text, imported, f"from {PACKAGE}.routers import " + ", ".join(modules))


def _in_use_class(target: Target) -> str:
    return (
        f"class {target.in_use}(ConflictError):\n"
        f'    """A {target.item.replace("_", " ")} other rows name cannot be deleted."""\n\n'
        f"    description = {target.in_use_detail!r}\n\n\n"
    )


def _delete_responses(router: str, plural: str) -> ast.Call:
    """The `responses(...)` call of the router's `@router.delete(...)`."""
    found = next(
        (
            keyword.value
            for node in ast.parse(router).body
            if isinstance(node, ast.AsyncFunctionDef)
            for decorator in node.decorator_list
            if isinstance(decorator, ast.Call) and ast.unparse(decorator.func) == "router.delete"
            for keyword in decorator.keywords
            if keyword.arg == "responses" and isinstance(keyword.value, ast.Call)
        ),
        None,
    )
    if not isinstance(found, ast.Call):
        msg = f"routers/{plural}.py has no router.delete(..., responses=responses(...))"
        raise AnchorError(msg)
    return found


def add_in_use(service: str, router: str, target: Target) -> tuple[str, str]:
    """The referenced feature's service and router, with the 409 it answers while referenced.

    The service's declaration gains `in_use=` and, before it, its error class;
    the router's delete documents it. A feature that has one keeps it.
    """
    statement = next(
        (
            node
            for node in ast.parse(service).body
            if isinstance(node, ast.Assign)
            and [getattr(name, "id", None) for name in node.targets] == [target.plural]
            and isinstance(node.value, ast.Call)
        ),
        None,
    )
    if statement is None or not isinstance(statement.value, ast.Call):
        msg = f"services/{target.plural}.py declares no {target.plural} = ...Resource(...)"
        raise AnchorError(msg)
    declaration = statement.value
    if any(keyword.arg == "in_use" for keyword in declaration.keywords):
        return service, router
    source = ast.get_source_segment(service, declaration) or ""
    inner = source.removesuffix(")").rstrip().removesuffix(",")
    # The call first: the class goes before it, where its position still holds.
    service = _splice(service, declaration, f"{inner}, in_use={target.in_use})")
    at = _offset(service, statement.lineno, 0)
    service = service[:at] + _in_use_class(target) + service[at:]
    service = _add_import(service, f"from {PACKAGE}.core.errors import ConflictError")
    responses = _delete_responses(router, target.plural)
    documented = [ast.unparse(argument) for argument in responses.args] + [target.in_use]
    router = _splice(router, responses, f"responses({', '.join(documented)})")
    router = _add_import(router, f"from {PACKAGE}.services.{target.plural} import {target.in_use}")
    return service, router
