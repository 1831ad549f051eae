"""House rules checked over every route of the built app.

New routes are covered with no edit here: each test walks the app's routes or
its OpenAPI document. A failure names the rule and says how to fix it.
"""

import inspect
import re
from collections.abc import Callable, Iterator
from typing import Any
from uuid import uuid4

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import RouteContext, iter_route_contexts
from httpx import AsyncClient
{%- if cookiecutter.auth == "local" %}
from pydantic import SecretStr
{%- endif %}

from {{ cookiecutter.package_name }}.core.config import Environment, Settings
from {{ cookiecutter.package_name }}.core.errors import PermissionDeniedError
from {{ cookiecutter.package_name }}.core.http.problems import PROBLEM_MEDIA_TYPE
from {{ cookiecutter.package_name }}.core.local_postgres import local_database_url
from {{ cookiecutter.package_name }}.dependencies.auth import get_current_user
from {{ cookiecutter.package_name }}.main import create_app
{%- if cookiecutter.auth == "local" %}

from tests.conftest import TEST_SECRET_KEY
from tests.mail import NOWHERE
{%- endif %}

# R2: the one allow-list of routes that answer without a token, each with its reason.
PUBLIC_ROUTES = {
    ("GET", "/health/live"): "probed by the orchestrator, which holds no token",
    ("GET", "/health/ready"): "probed by the orchestrator, which holds no token",
    ("GET", "/metrics"): (
        "scraped by the cluster's Prometheus, which holds no token; kept off public ingress"
    ),
{%- if cookiecutter.auth == "local" %}
    ("POST", "/api/v1/auth/register"): "creates the account a token will be issued for",
    ("POST", "/api/v1/auth/token"): "exchanges a password for the first token",
    ("POST", "/api/v1/auth/refresh"): "authenticated by the refresh token in its body",
    ("POST", "/api/v1/auth/password-recovery"): "asked for by whoever has lost their password",
    ("POST", "/api/v1/auth/password-reset"): "authenticated by the emailed link's token",
    ("POST", "/api/v1/auth/verify-email"): "authenticated by the emailed link's token",
    ("POST", "/api/v1/auth/verification-email"): "asked for by whoever cannot log in unverified",
    ("GET", "/.well-known/jwks.json"): "public keys, read by services that verify our tokens",
    ("GET", "/.well-known/openid-configuration"): "says where the public keys are, to the same",
{%- endif %}
    ("GET", "/openapi.json"): "the API's public contract",
    ("GET", "/docs"): "renders the public contract",
    ("GET", "/docs/oauth2-redirect"): "completes the docs page's OAuth2 login",
    ("GET", "/redoc"): "renders the public contract",
}
# R4: string formats whose values are bounded by their format.
SELF_BOUNDED_FORMATS = {"uuid", "date", "date-time", "time"}

# With the docs routes, which are off in a test environment unless asked for; never connected.
APP = create_app(
    Settings(
        _env_file=None,
        environment=Environment.TEST,
        database_url=local_database_url(),
{%- if cookiecutter.auth == "local" %}
        secret_key=SecretStr(TEST_SECRET_KEY),
        **NOWHERE,
{%- endif %}
        api_docs=True,
    )
)


def _routes() -> Iterator[tuple[str, str, RouteContext]]:
    """(method, path, route) for every route of the app, included routers and all."""
    for route in iter_route_contexts(APP.routes):
        for method in sorted(route.methods or ()):
            if method != "HEAD":
                yield method, route.path or "", route


def _dependency_calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    """Every callable in the dependency tree of `dependant`."""
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _dependency_calls(dependency)


def _is_async(call: Callable[..., Any]) -> bool:
    if inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call):
        return True
    dunder_call = getattr(call, "__call__", None)  # noqa: B004 - instances with async __call__
    return not inspect.isfunction(call) and inspect.iscoroutinefunction(dunder_call)


PROTECTED_ROUTES = [
    (method, path) for method, path, _ in _routes() if (method, path) not in PUBLIC_ROUTES
]


@pytest.mark.parametrize(("method", "path", "route"), list(_routes()))
def test_r2_every_route_is_protected_or_explicitly_public(
    method: str, path: str, route: RouteContext
) -> None:
    if (method, path) in PUBLIC_ROUTES:
        return
    dependant = getattr(route, "dependant", None)
    protected = dependant is not None and get_current_user in _dependency_calls(dependant)
    assert protected, (
        f"R2 auth by default: {method} {path} does not depend on get_current_user. "
        "Take the caller (`user: CurrentUser`, or `admin: CurrentSuperuser` for superusers) "
        "or, if it must be public, add it to PUBLIC_ROUTES in tests/test_rules.py with the reason."
    )


def test_no_route_depends_on_the_user_twice() -> None:
    """FastAPI solves a repeated dependency's own dependencies again, on every request."""
    twice = [
        f"{method} {path}"
        for method, path, route in _routes()
        if (dependant := getattr(route, "dependant", None)) is not None
        and list(_dependency_calls(dependant)).count(get_current_user) > 1
    ]
    assert not twice, (
        f"{twice} depend on get_current_user more than once: take the caller in the handler "
        "(`user: CurrentUser`) and add no router-level `Depends(get_current_user)` on top."
    )


def test_r2_public_allow_list_names_only_existing_routes() -> None:
    existing = {(method, path) for method, path, _ in _routes()}
    stale = PUBLIC_ROUTES.keys() - existing
    assert not stale, f"R2: stale PUBLIC_ROUTES: {stale}"


def test_r2_every_public_route_says_why() -> None:
    unexplained = [route for route, reason in PUBLIC_ROUTES.items() if not reason.strip()]
    assert not unexplained, (
        f"R2.2 auth by default: public routes without a reason {unexplained}; say in "
        "PUBLIC_ROUTES why each may answer without a token."
    )


@pytest.mark.parametrize(("method", "path"), PROTECTED_ROUTES)
async def test_r2_protected_routes_answer_401_without_a_token(
    client: AsyncClient, method: str, path: str
) -> None:
    url = re.sub(r"\{[^}]+\}", str(uuid4()), path)
    response = await client.request(
        method, url, json={} if method in {"POST", "PATCH", "PUT"} else None
    )
    assert response.status_code == 401, (
        f"R2 auth by default: {method} {path} answered without a token"
    )
    assert response.headers.get("www-authenticate") == "Bearer", (
        f"R2 auth by default: {method} {path} 401 lacks WWW-Authenticate: Bearer"
    )


def _checks_permissions(call: Callable[..., Any]) -> bool:
    """Whether `call`'s own code names `PermissionDeniedError`, the error behind every 403."""
    code = getattr(call, "__code__", None)
    return code is not None and PermissionDeniedError.__name__ in code.co_names


@pytest.mark.parametrize(("method", "path", "route"), list(_routes()))
def test_r3_every_route_that_checks_a_permission_documents_403(
    method: str, path: str, route: RouteContext
) -> None:
    calls = [route.endpoint] if route.endpoint else []
    if (dependant := getattr(route, "dependant", None)) is not None:
        calls.extend(_dependency_calls(dependant))
    checks = sorted({call.__qualname__ for call in calls if _checks_permissions(call)})
    if not checks:
        return
    documented = APP.openapi()["paths"][route.path_format][method.lower()]["responses"]
    assert "403" in documented, (
        f"R3.1 403 only for a missing permission: {method} {path} checks a permission "
        f"({', '.join(checks)}) but does not document 403; add "
        "`responses=responses(PermissionDeniedError)` to its router or route."
    )


@pytest.mark.parametrize(("method", "path", "route"), list(_routes()))
def test_r7_every_route_and_dependency_is_async(
    method: str, path: str, route: RouteContext
) -> None:
    calls = [route.endpoint] if route.endpoint else []
    if (dependant := getattr(route, "dependant", None)) is not None:
        calls.extend(_dependency_calls(dependant))
    blocking = [call.__qualname__ for call in calls if not _is_async(call)]
    assert not blocking, (
        f"R7 async all the way: {method} {path} uses sync handlers or dependencies {blocking}; "
        "declare them `async def` (FastAPI runs sync ones in a thread pool)."
    )


def _resolve(schema: dict[str, Any], openapi: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = openapi["components"]["schemas"][name]
    return schema


def _unbounded(schema: dict[str, Any], openapi: dict[str, Any], where: str) -> Iterator[str]:
    """R4 findings for `schema` and everything nested in it."""
    schema = _resolve(schema, openapi)
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            yield from _unbounded(option, openapi, where)
    kind = schema.get("type")
    bounded_by_value = "enum" in schema or "const" in schema
    if not schema or (
        (kind is None and not any(k in schema for k in ("anyOf", "oneOf", "allOf")))
        and not bounded_by_value
    ):
        yield f"{where}: untyped value"
    if (
        kind == "string"
        and not bounded_by_value
        and "maxLength" not in schema
        and schema.get("format") not in SELF_BOUNDED_FORMATS
    ):
        yield f"{where}: string without maxLength"
    if kind == "integer" and not ("maximum" in schema and "minimum" in schema):
        yield f"{where}: integer without minimum and maximum"
    if kind == "array" and "items" in schema:
        yield from _unbounded(schema["items"], openapi, f"{where}[]")
    if kind == "object":
        if schema.get("additionalProperties") is not False:
            yield f"{where}: object accepts unknown fields (use extra='forbid')"
        for name, prop in schema.get("properties", {}).items():
            yield from _unbounded(prop, openapi, f"{where}.{name}")


def _operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in APP.openapi()["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


@pytest.mark.parametrize(("method", "path", "operation"), list(_operations()))
def test_r4_every_input_is_typed_and_bounded(
    method: str, path: str, operation: dict[str, Any]
) -> None:
    openapi = APP.openapi()
    findings: list[str] = []
    for parameter in operation.get("parameters", []):
        findings += _unbounded(
            parameter["schema"], openapi, f"{parameter['in']} {parameter['name']}"
        )
    for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
        findings += _unbounded(content.get("schema", {}), openapi, f"body ({media_type})")
    assert not findings, f"R4 validate at the boundary: {method} {path}: " + "; ".join(findings)


@pytest.mark.parametrize(("method", "path", "operation"), list(_operations()))
def test_r5_every_documented_error_is_problem_json(
    method: str, path: str, operation: dict[str, Any]
) -> None:
    errors = {
        status: response
        for status, response in operation["responses"].items()
        if int(status) >= 400
    }
    wrong = [
        status
        for status, response in errors.items()
        if set(response.get("content", {})) != {PROBLEM_MEDIA_TYPE}
    ]
    assert not wrong, (
        f"R5 one error format: {method} {path} documents {wrong} without {PROBLEM_MEDIA_TYPE}"
    )
    assert "500" in errors
    if (method, path) not in PUBLIC_ROUTES:
        assert "401" in errors, f"R5: {method} {path} is protected but does not document 401"
    if operation.get("parameters") or operation.get("requestBody"):
        assert "422" in errors, f"R5: {method} {path} takes input but does not document 422"
