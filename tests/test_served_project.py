"""A baked service, served by uvicorn in production mode, answers the SPEC §4 calls over real HTTP."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import httpx
import pytest

from tests.baking import BakedProject, bake_project, project_env, run_make

PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's password
PROBLEM = "application/problem+json"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _uv(project: BakedProject, env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "uv", "run", "--locked", *args],
        cwd=project.path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"uv run {' '.join(args)}:\n{result.stdout}{result.stderr}"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """Serve the "Acme Tasks" bake on a free port, its database built by `alembic upgrade head`."""
    project = bake_project(tmp_path_factory.mktemp("served"), project_name="Acme Tasks")
    installed = run_make(project, "install")
    assert installed.returncode == 0, installed.stdout
    env = project_env(project)
    env.update(
        DATABASE_URL=env["TEST_DATABASE_URL"],
        ENVIRONMENT="production",
        SECRET_KEY=secrets.token_urlsafe(48),
    )
    _uv(
        project,
        env,
        "python",
        "-c",
        "import asyncio, os; from tests.database import recreate_database; "
        "asyncio.run(recreate_database(os.environ['DATABASE_URL']))",
    )
    _uv(project, env, "alembic", "upgrade", "head")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = project.path / "uvicorn.log"
    with (
        log.open("wb") as log_file,
        subprocess.Popen(
            [sys.executable, "-m", "uv", "run", "--locked", "uvicorn", "acme_tasks.main:app", "--port", str(port)],
            cwd=project.path,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        ) as server,
    ):
        try:
            _wait_until_live(base_url, server, log)
            with httpx.Client(base_url=base_url, timeout=10) as client:
                yield client
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def _wait_until_live(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"uvicorn exited with {server.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/health/live", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"uvicorn did not answer /health/live within 60 s:\n{log.read_text()}")


def _login(client: httpx.Client) -> tuple[dict[str, str], dict[str, str]]:
    email = f"{uuid4().hex}@Example.com"
    registered = client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "full_name": "A"})
    assert registered.status_code == 201, registered.text
    token = client.post(
        "/api/v1/auth/token", data={"grant_type": "password", "username": email.lower(), "password": PASSWORD}
    )
    assert token.status_code == 200, token.text
    pair = token.json()
    assert pair["token_type"] == "bearer"  # noqa: S105 - the OAuth2 token type
    assert pair["expires_in"] == 900
    return {"Authorization": f"Bearer {pair['access_token']}"}, pair


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_served_api_answers_the_spec_calls(service: httpx.Client) -> None:
    assert service.get("/health/ready").json() == {"status": "ok"}
    alice, alice_tokens = _login(service)
    bob, _ = _login(service)

    created = service.post("/api/v1/todos", json={"title": "Ship it", "due_date": "2030-01-31"}, headers=alice)
    assert created.status_code == 201
    todo = created.json()
    assert created.headers["location"] == f"/api/v1/todos/{todo['id']}"
    assert service.get(created.headers["location"], headers=alice).json() == todo

    page = service.get("/api/v1/todos", params={"limit": 10}, headers=alice).json()
    assert (page["total"], [item["id"] for item in page["items"]]) == (1, [todo["id"]])

    patched = service.patch(f"/api/v1/todos/{todo['id']}", json={"completed": True, "due_date": None}, headers=alice)
    assert (patched.status_code, patched.json()["completed"], patched.json()["due_date"]) == (200, True, None)

    theirs = service.get(f"/api/v1/todos/{todo['id']}", headers=bob)
    assert (theirs.status_code, theirs.headers["content-type"]) == (404, PROBLEM)

    anonymous = service.get("/api/v1/todos")
    assert (anonymous.status_code, anonymous.headers["www-authenticate"]) == (401, "Bearer")

    too_many = service.get("/api/v1/todos", params={"limit": 101}, headers=alice)
    assert (too_many.status_code, too_many.headers["content-type"]) == (422, PROBLEM)
    assert too_many.json()["request_id"] == too_many.headers["x-request-id"]

    assert service.delete(f"/api/v1/todos/{todo['id']}", headers=alice).status_code == 204
    assert service.get(f"/api/v1/todos/{todo['id']}", headers=alice).status_code == 404

    renewed = service.post("/api/v1/auth/refresh", json={"refresh_token": alice_tokens["refresh_token"]})
    assert renewed.status_code == 200
    logout = service.post("/api/v1/auth/logout", json={"refresh_token": renewed.json()["refresh_token"]}, headers=alice)
    assert logout.status_code == 204
    spent = service.post("/api/v1/auth/refresh", json={"refresh_token": renewed.json()["refresh_token"]})
    assert spent.status_code == 401
