"""Liveness and readiness probes (public)."""

from fastapi import APIRouter

{% if cookiecutter.auth == "oidc" -%}
from {{ cookiecutter.package_name }}.dependencies.auth import OidcVerifierDep
{% endif -%}
from {{ cookiecutter.package_name }}.dependencies.database import SessionDep
from {{ cookiecutter.package_name }}.schemas.health import HealthStatus
from {{ cookiecutter.package_name }}.services import health

router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live", name="live")
async def live() -> HealthStatus:
    """The process is up and serving requests."""
    return HealthStatus()


@router.get("/ready", name="ready")
{%- if cookiecutter.auth == "local" %}
async def ready(session: SessionDep) -> HealthStatus:
    """The service can reach its database; 503 otherwise."""
    await health.check_database(session)
    return HealthStatus()
{%- else %}
async def ready(session: SessionDep, verifier: OidcVerifierDep) -> HealthStatus:
    """The service can reach its database and holds the identity provider's keys; else 503."""
    await health.check(session, verifier=verifier)
    return HealthStatus()
{%- endif %}
