"""Password recovery, email verification and password change, through a real SMTP server.

The service mails the tests' server (`tests/mail.py`); each test reads the
message it sent and follows its link, as a user would.
"""

import json
import logging
import re
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from uuid import uuid4

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy import update

from {{ cookiecutter.package_name }}.core.config import Environment, Settings
from {{ cookiecutter.package_name }}.core.db import Connection
from {{ cookiecutter.package_name }}.core.logging import configure_logging
from {{ cookiecutter.package_name }}.core.mail.mailer import Mailer
from {{ cookiecutter.package_name }}.core.mail.message import Message
from {{ cookiecutter.package_name }}.main import create_app
from {{ cookiecutter.package_name }}.models import AccountToken
from {{ cookiecutter.package_name }}.models.base import utc_now

from tests.conftest import PASSWORD, TransactionalDatabase, UserFactory, run
from tests.mail import Inbox, free_port

NEW_PASSWORD = "a brand new passphrase"
LINK = re.compile(r"https://app\.example\.com/(reset-password|verify-email)\?token=(\S+)")
# What tells two answers apart although they are alike: which request, and when.
PER_REQUEST = frozenset({"x-request-id", "date"})


def _token(inbox: Inbox, address: str, page: str) -> str:
    """The token of the last link to `page` mailed to `address`."""
    tokens = [
        match[2]
        for message in inbox.to(address)
        for match in LINK.finditer(inbox.text(message))
        if match[1] == page
    ]
    assert tokens, f"no {page} link was mailed to {address}"
    return tokens[-1]


async def _login(client: AsyncClient, app: FastAPI, email: str, password: str) -> Response:
    return await client.post(
        app.url_path_for("token"), data={"username": email, "password": password}
    )


async def _reset(client: AsyncClient, app: FastAPI, token: str) -> Response:
    return await client.post(
        app.url_path_for("reset_password"), json={"token": token, "new_password": NEW_PASSWORD}
    )


async def _recover(client: AsyncClient, app: FastAPI, email: str) -> Response:
    return await client.post(app.url_path_for("request_password_reset"), json={"email": email})


async def test_recovery_end_to_end_ends_every_login(
    client: AsyncClient, app: FastAPI, register: UserFactory, inbox: Inbox
) -> None:
    user = await register()
    before = (await _login(client, app, user["email"], PASSWORD)).json()

    asked = await _recover(client, app, user["email"])
    assert asked.status_code == 202
    (message,) = [m for m in inbox.to(user["email"]) if m["Subject"] == "Reset your password"]
    assert message.get_body(preferencelist=("html",)) is not None
    reset = await _reset(client, app, _token(inbox, user["email"], "reset-password"))

    assert reset.status_code == 204
    assert (await _login(client, app, user["email"], PASSWORD)).status_code == 401
    assert (await _login(client, app, user["email"], NEW_PASSWORD)).status_code == 200
    refreshed = await client.post(
        app.url_path_for("refresh"), json={"refresh_token": before["refresh_token"]}
    )
    assert refreshed.status_code == 401


async def test_a_link_used_twice_expired_or_superseded_is_refused_alike(
    client: AsyncClient,
    app: FastAPI,
    register: UserFactory,
    inbox: Inbox,
    connection: Connection,
) -> None:
    email = (await register())["email"]
    await _recover(client, app, email)
    superseded = _token(inbox, email, "reset-password")
    await _recover(client, app, email)
    live = _token(inbox, email, "reset-password")
    assert (await _reset(client, app, live)).status_code == 204
    used_twice = await _reset(client, app, live)
    await _recover(client, app, email)
    await run(connection, update(AccountToken).values(expires_at=utc_now() - timedelta(seconds=1)))
    expired = await _reset(client, app, _token(inbox, email, "reset-password"))
    unknown = await _reset(client, app, "never-issued")

    answers = [await _reset(client, app, superseded), used_twice, expired, unknown]
    assert {answer.status_code for answer in answers} == {400}
    details = {json.dumps(_without_request(answer.json()), sort_keys=True) for answer in answers}
    assert len(details) == 1
    assert answers[0].headers["content-type"] == "application/problem+json"


async def test_recovery_for_an_unknown_email_answers_alike(
    client: AsyncClient, app: FastAPI, register: UserFactory, inbox: Inbox
) -> None:
    known = (await register())["email"]
    unknown = f"nobody-{uuid4().hex}@example.com"
    inbox.messages.clear()

    answers = [await _recover(client, app, email) for email in (known, unknown)]

    assert answers[0].status_code == answers[1].status_code == 202
    assert answers[0].content == answers[1].content
    headers = [
        {name: value for name, value in answer.headers.items() if name not in PER_REQUEST}
        for answer in answers
    ]
    assert headers[0] == headers[1]
    assert [message["To"] for message in inbox.messages] == [known]


async def test_recovery_is_limited_per_account(
    client: AsyncClient, app: FastAPI, register: UserFactory, settings: Settings
) -> None:
    email = (await register())["email"]
    for _ in range(settings.account_emails_per_account):
        assert (await _recover(client, app, email)).status_code == 202
    refused = await _recover(client, app, email.upper())
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0


async def test_verification_end_to_end(
    client: AsyncClient, app: FastAPI, register: UserFactory, inbox: Inbox
) -> None:
    user = await register()
    assert user["email_verified"] is False
    token = _token(inbox, user["email"], "verify-email")
    verify = app.url_path_for("verify_email")

    assert (await client.post(verify, json={"token": token})).status_code == 204
    again = await client.post(verify, json={"token": token})
    assert again.status_code == 400
    login = (await _login(client, app, user["email"], PASSWORD)).json()
    me = await client.get(
        app.url_path_for("read_me"), headers={"Authorization": f"Bearer {login['access_token']}"}
    )
    assert me.json()["email_verified"] is True


@pytest.fixture
async def strict_client(
    settings: Settings, database: TransactionalDatabase
) -> AsyncIterator[tuple[AsyncClient, FastAPI]]:
    """A client of the app with EMAIL_VERIFICATION_REQUIRED on."""
    app = create_app(settings.model_copy(update={"email_verification_required": True}))
    app.state.database = database
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        yield client, app


async def test_with_verification_required_only_a_verified_account_logs_in(
    strict_client: tuple[AsyncClient, FastAPI], inbox: Inbox
) -> None:
    client, app = strict_client
    email = f"user-{uuid4().hex}@example.com"
    body = {"email": email, "password": PASSWORD, "full_name": "Strict"}
    assert (await client.post(app.url_path_for("register"), json=body)).status_code == 201

    refused = await _login(client, app, email, PASSWORD)
    assert refused.status_code == 403
    assert "Verify your email address" in refused.json()["detail"]
    resend = app.url_path_for("request_verification")
    assert (await client.post(resend, json={"email": email})).status_code == 202
    token = _token(inbox, email, "verify-email")
    assert (
        await client.post(app.url_path_for("verify_email"), json={"token": token})
    ).status_code == 204
    assert (await _login(client, app, email, PASSWORD)).status_code == 200


async def test_a_password_change_needs_the_current_password(
    client: AsyncClient, app: FastAPI, register: UserFactory, settings: Settings
) -> None:
    email = (await register())["email"]
    tokens = (await _login(client, app, email, PASSWORD)).json()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    change = app.url_path_for("change_password")

    wrong = await client.post(
        change, json={"current_password": "not it", "new_password": NEW_PASSWORD}, headers=bearer
    )
    assert wrong.status_code == 400
    changed = await client.post(
        change, json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}, headers=bearer
    )
    assert changed.status_code == 204
    assert (await _login(client, app, email, NEW_PASSWORD)).status_code == 200
    refreshed = await client.post(
        app.url_path_for("refresh"), json={"refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 401
    # The wrong guess counted as a failed login: the limit is reached one guess earlier.
    for _ in range(settings.login_failures_per_account - 1):
        assert (await _login(client, app, email, "wrong again")).status_code == 401
    assert (await _login(client, app, email, "wrong again")).status_code == 429


async def test_a_mail_server_that_is_down_fails_no_request(
    settings: Settings, database: TransactionalDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    down = settings.model_copy(update={"smtp_port": free_port()})
    app = create_app(down)
    app.state.database = database
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        body = {"email": f"user-{uuid4().hex}@example.com", "password": PASSWORD, "full_name": "D"}
        assert (await client.post(app.url_path_for("register"), json=body)).status_code == 201
        capsys.readouterr()
        started = time.monotonic()
        asked = await _recover(client, app, body["email"])
        took = time.monotonic() - started
    assert asked.status_code == 202
    assert took < down.smtp_timeout_seconds
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    assert any(line["event"] == "email not sent" for line in lines)


def _without_request(problem: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in problem.items() if key not in {"instance", "request_id"}}


async def test_in_local_without_a_mail_server_each_message_is_one_log_line(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    local = settings.model_copy(update={"environment": Environment.LOCAL, "smtp_host": None})
    configure_logging(json_logs=True, level=logging.INFO)
    capsys.readouterr()
    message = Message.render(
        "password_reset",
        to="ada@example.com",
        subject="Reset",
        link="https://x/r?token=t",
        name="Ada",
        minutes="30",
    )
    await Mailer(local).send(message)
    (line,) = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    assert (line["to"], line["link"]) == ("ada@example.com", "https://x/r?token=t")
