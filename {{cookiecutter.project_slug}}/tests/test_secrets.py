"""No password, token or password hash reaches a log line or an error body (rule R5)."""

import re

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import select, text
from sqlmodel import col

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.core.db import Database, Statement
from {{ cookiecutter.package_name }}.main import create_app
from {{ cookiecutter.package_name }}.models import User

from tests.mail import Inbox

PASSWORD = "secret-password-never-logged"
WRONG_PASSWORD = "wrong-password-never-logged"
NEW_PASSWORD = "new-password-never-logged"
# A link in a message: the page, then the token it carries.
LINK = re.compile(r"https://app\.example\.com/[a-z-]+\?token=(\S+)")


@pytest.mark.usefixtures("migrated_engine")
async def test_r5_no_secret_reaches_a_log_line_or_an_error_body(
    settings: Settings, capsys: pytest.CaptureFixture[str], inbox: Inbox
) -> None:
    """Debug logging on, SQL echoed: the most a deployment could ever log.

    Every flow that handles a secret runs: registration, login, refresh, and
    a password recovered through the emailed link, then changed.
    """
    app = create_app(settings.model_copy(update={"debug": True}))
    email = "secrets@example.com"
    errors: list[str] = []
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        registered = await client.post(
            app.url_path_for("register"),
            json={"email": email, "password": PASSWORD, "full_name": "Secret Keeper"},
        )
        first = await client.post(
            app.url_path_for("token"), data={"username": email, "password": PASSWORD}
        )
        refresh_token = first.json()["refresh_token"]
        second = await client.post(
            app.url_path_for("refresh"), json={"refresh_token": refresh_token}
        )
        await client.post(app.url_path_for("request_password_reset"), json={"email": email})
        links = {
            page: _link(inbox.text(message))
            for message, page in zip(inbox.to(email), ("verify", "reset"), strict=True)
        }
        reset = {"token": links["reset"][1], "new_password": NEW_PASSWORD}
        assert (await client.post(app.url_path_for("reset_password"), json=reset)).is_success
        bearer = {"Authorization": f"Bearer {second.json()['access_token']}"}
        for refused in (
            await client.post(
                app.url_path_for("token"), data={"username": email, "password": WRONG_PASSWORD}
            ),
            await client.post(
                app.url_path_for("token"),
                data={"username": "nobody@example.com", "password": WRONG_PASSWORD},
            ),
            await client.post(app.url_path_for("refresh"), json={"refresh_token": refresh_token}),
            await client.post(app.url_path_for("reset_password"), json=reset),
            await client.post(
                app.url_path_for("change_password"),
                json={"current_password": WRONG_PASSWORD, "new_password": PASSWORD},
                headers=bearer,
            ),
            await client.post(
                app.url_path_for("register"),
                json={"email": email, "password": PASSWORD, "full_name": "x" * 201},
            ),
        ):
            assert refused.status_code >= 400
            errors.append(refused.text)

    database: Database = app.state.database
    async with database.session(read_only=False) as session:
        password_hash = await session.fetch_value(
            Statement(select(col(User.password_hash)).where(col(User.email) == email))
        )
        await session.execute(Statement(text("TRUNCATE users CASCADE")))
        await session.commit()
    await database.dispose()

    assert (registered.status_code, first.status_code, second.status_code) == (201, 200, 200)
    secrets = {
        "password": PASSWORD,
        "wrong password": WRONG_PASSWORD,
        "new password": NEW_PASSWORD,
        **{f"{page} link": match[0] for page, match in links.items()},
        **{f"{page} token": match[1] for page, match in links.items()},
        "password hash": str(password_hash),
        **{f"first {name}": value for name, value in first.json().items() if "token" in name},
        **{f"second {name}": value for name, value in second.json().items() if "token" in name},
    }
    logs = capsys.readouterr().out
    assert "SELECT" in logs, "the SQL echo this test relies on is missing"
    leaked = sorted(name for name, value in secrets.items() if value in logs)
    assert not leaked, f"R5.1 nothing leaks: the logs carry the {leaked}"
    leaked = sorted(name for name, value in secrets.items() for body in errors if value in body)
    assert not leaked, f"R5.1 nothing leaks: error bodies carry the {leaked}"


def _link(text: str) -> tuple[str, str]:
    """The link in a message's text, and the token it carries."""
    match = LINK.search(text)
    assert match is not None, text
    return match[0], match[1]
