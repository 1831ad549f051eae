"""Liveness and readiness probes (public)."""

from fastapi import APIRouter

from {{ cookiecutter.package_name }}.dependencies.database import SessionDep
from {{ cookiecutter.package_name }}.schemas.health import HealthStatus
from {{ cookiecutter.package_name }}.services import health

router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live", name="live")
async def live() -> HealthStatus:
    """The process is up and serving requests."""
    return HealthStatus()


@router.get("/ready", name="ready")
async def ready(session: SessionDep) -> HealthStatus:
    """The service can reach its database; 503 otherwise."""
    await health.check_database(session)
    return HealthStatus()
