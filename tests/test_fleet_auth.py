"""Two services of a fleet: one baked with auth=oidc trusts the tokens of one baked with auth=local.

The local one signs with an Ed25519 key (JWT_ALGORITHM=EdDSA) and publishes its
public key; the oidc one, pointed at it as its OIDC_ISSUER, finds the key by
discovery and verifies a token it never shared a secret for. Both are served
by uvicorn over real HTTP, each on its own database, as they would run.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from uuid import uuid4

import httpx
import pytest

from tests.baking import BakedProject, bake_project, project_env, run_make

PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's password
AUDIENCE = "acme-fleet"
MAKE_ED25519_KEY = (
    "from cryptography.hazmat.primitives import serialization as s;"
    "from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey as K;"
    "print(K.generate().private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption()).decode())"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _uv(project: BakedProject, env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "uv", "run", "--locked", *args],
        cwd=project.path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"uv run {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result.stdout


def _installed_and_migrated(project: BakedProject, **settings: str) -> dict[str, str]:
    """Install `project`, give it a database of its own migrated to head; its environment."""
    installed = run_make(project, "install")
    assert installed.returncode == 0, installed.stdout
    env = project_env(project)
    env.update(DATABASE_URL=env["TEST_DATABASE_URL"], **settings)
    _uv(
        project,
        env,
        "python",
        "-c",
        "import asyncio, os; from tests.database import recreate_database; "
        "asyncio.run(recreate_database(os.environ['DATABASE_URL']))",
    )
    _uv(project, env, "alembic", "upgrade", "head")
    return env


@contextmanager
def _serving(project: BakedProject, env: dict[str, str], port: int) -> Iterator[httpx.Client]:
    """Serve `project` with uvicorn on `port` until the block ends."""
    package = project.path.name.replace("-", "_")
    log = project.path / "uvicorn.log"
    base_url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "uv", "run", "--locked", "uvicorn", f"{package}.main:app", "--port", str(port)]
    with (
        log.open("wb") as log_file,
        subprocess.Popen(
            command, cwd=project.path, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        ) as server,
    ):
        try:
            deadline = time.monotonic() + 60
            while not _live(base_url):
                assert server.poll() is None, f"uvicorn exited:\n{log.read_text()}"
                assert time.monotonic() < deadline, f"uvicorn did not start:\n{log.read_text()}"
                time.sleep(0.2)
            with httpx.Client(base_url=base_url, timeout=10) as client:
                yield client
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def _live(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/health/live", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_a_service_baked_with_oidc_accepts_the_tokens_of_one_baked_with_local_eddsa(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    accounts = bake_project(tmp_path_factory.mktemp("accounts"), project_name="Acme Accounts")
    ledger = bake_project(tmp_path_factory.mktemp("ledger"), project_name="Acme Ledger", auth="oidc")
    accounts_port = _free_port()
    issuer = f"http://127.0.0.1:{accounts_port}"

    accounts_env = _installed_and_migrated(accounts)
    key_file = accounts.path / "signing-key.pem"
    key_file.write_text(_uv(accounts, accounts_env, "python", "-c", MAKE_ED25519_KEY), encoding="utf-8")
    accounts_env.update(
        ENVIRONMENT="production",
        SECRET_KEY=f"not-the-signing-key-{uuid4().hex}",
        JWT_ALGORITHM="EdDSA",
        JWT_PRIVATE_KEY_FILE=str(key_file),
        JWT_ISSUER=issuer,
        JWT_AUDIENCE=AUDIENCE,
        # Required outside `local`; its verification links go to a port nothing listens on.
        SMTP_HOST="127.0.0.1",
        SMTP_PORT="9",
        SMTP_SECURITY="none",
        EMAILS_FROM="no-reply@example.com",
        FRONTEND_URL="https://app.example.com",
    )
    # A deployed test environment: the issuer is on this host, over plain http.
    ledger_env = _installed_and_migrated(ledger, ENVIRONMENT="test", OIDC_ISSUER=issuer, OIDC_AUDIENCE=AUDIENCE)

    with _serving(accounts, accounts_env, accounts_port) as accounts_api:
        email = f"{uuid4().hex}@example.com"
        registered = accounts_api.post(
            "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "full_name": "Ada"}
        )
        assert registered.status_code == 201, registered.text
        pair = accounts_api.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD}).json()
        assert accounts_api.get("/.well-known/jwks.json").json()["keys"][0]["alg"] == "EdDSA"

        with _serving(ledger, ledger_env, _free_port()) as ledger_api:
            assert ledger_api.get("/health/ready").status_code == 200, "the ledger holds the accounts' keys"
            bearer = {"Authorization": f"Bearer {pair['access_token']}"}
            me = ledger_api.get("/api/v1/users/me", headers=bearer)
            assert me.status_code == 200, me.text
            assert me.json()["email"] is None, "an access token of the accounts service carries no email"
            created = ledger_api.post("/api/v1/todos", json={"title": "owned across the fleet"}, headers=bearer)
            assert created.status_code == 201, created.text

            refresh = ledger_api.get("/api/v1/users/me", headers={"Authorization": f"Bearer {pair['refresh_token']}"})
            assert refresh.status_code == 401, "a refresh token passed as an access token"
            forged = pair["access_token"][:-4] + ("AAAA" if not pair["access_token"].endswith("AAAA") else "BBBB")
            assert ledger_api.get("/api/v1/users/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
