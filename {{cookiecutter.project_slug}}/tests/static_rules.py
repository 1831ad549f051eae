"""House rules read off the source code, where no type checker or import contract looks.

Each check takes a module's syntax tree and yields findings; the tests in
`tests/test_static_rules.py` run them over the package, and prove on small
samples that each one fires.
"""

import ast
from collections.abc import Iterator
from dataclasses import dataclass

# Ending a session (`close`) rolls back whatever it wrote: the request edge decides that too.
TRANSACTION_METHODS = frozenset({"begin", "begin_nested", "close", "commit", "rollback"})
SCHEMA_CREATION = frozenset({"create_all", "drop_all"})
ROUTE_METHODS = frozenset({"api_route", "delete", "get", "head", "options", "patch", "post", "put"})


@dataclass(frozen=True)
class Finding:
    """One place that breaks a rule."""

    line: int
    what: str


def transaction_control(tree: ast.Module) -> Iterator[Finding]:
    """Calls that commit, roll back, open or end a transaction (`session.commit()`, ...)."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in TRANSACTION_METHODS
        ):
            yield Finding(node.lineno, f".{node.func.attr}()")


def schema_creation(tree: ast.Module) -> Iterator[Finding]:
    """Any use of `metadata.create_all` or `drop_all`: tables come from migrations."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in SCHEMA_CREATION:
            yield Finding(node.lineno, node.attr)


def _route_decorators(function: ast.AsyncFunctionDef | ast.FunctionDef) -> Iterator[ast.Call]:
    for decorator in function.decorator_list:
        if (
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr in ROUTE_METHODS
        ):
            yield decorator


def _handlers(tree: ast.Module) -> Iterator[ast.AsyncFunctionDef | ast.FunctionDef]:
    for node in tree.body:
        if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef) and any(
            _route_decorators(node)
        ):
            yield node


def unnamed_routes(tree: ast.Module) -> Iterator[Finding]:
    """Route decorators without `name=`, which `url_path_for` and the tests rely on."""
    for handler in _handlers(tree):
        for decorator in _route_decorators(handler):
            if not any(keyword.arg == "name" for keyword in decorator.keywords):
                yield Finding(decorator.lineno, handler.name)


def _service_modules(tree: ast.Module, services_package: str) -> set[str]:
    """Local names bound to services: modules, and what they declare (a resource).

    `from pkg.services import users` and `from pkg.services.todos import todos` alike.
    """
    return {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        and node.module is not None
        and (node.module == services_package or node.module.startswith(f"{services_package}."))
        for alias in node.names
    }


def handlers_calling_several_services(tree: ast.Module, services_package: str) -> Iterator[Finding]:
    """Route handlers that call more than one service function: the logic belongs in one."""
    modules = _service_modules(tree, services_package)
    for handler in _handlers(tree):
        calls = [
            node
            for node in ast.walk(handler)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in modules
        ]
        if len(calls) > 1:
            yield Finding(handler.lineno, f"{handler.name} makes {len(calls)} service calls")


def positional_service_arguments(tree: ast.Module) -> Iterator[Finding]:
    """Public functions taking more than the session positionally: the rest is keyword-only."""
    for node in tree.body:
        if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef) and not node.name.startswith(
            "_"
        ):
            arguments = node.args
            if len(arguments.posonlyargs) + len(arguments.args) > 1 or arguments.vararg:
                yield Finding(node.lineno, node.name)
