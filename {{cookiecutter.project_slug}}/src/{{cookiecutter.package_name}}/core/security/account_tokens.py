"""Single-use tokens that a link in an email carries: for a password reset, or a verification.

The token itself travels only in the link; the database keeps its SHA-256
digest, so a leaked table holds nothing a link can be made from. A token is
long and random enough that a digest needs no salt and no slow hash.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from urllib.parse import urlencode

from {{ cookiecutter.package_name }}.core.config import Settings

TOKEN_BYTES = 32


class Purpose(StrEnum):
    """What a token is good for; one live token per account and purpose."""

    PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose, not a password
    EMAIL_VERIFICATION = "email_verification"


def new_token() -> str:
    """A fresh random token for a link."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(token: str) -> str:
    """What the database keeps of `token`."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class AccountPolicy:
    """How long links live, where they point, and whether logging in needs a verified address."""

    frontend: str
    lifetimes: dict[Purpose, timedelta]
    verification_required: bool

    @classmethod
    def from_settings(cls, settings: Settings) -> "AccountPolicy":
        """The policy `settings` configure."""
        return cls(
            frontend=settings.frontend,
            lifetimes={
                Purpose.PASSWORD_RESET: timedelta(minutes=settings.password_reset_expire_minutes),
                Purpose.EMAIL_VERIFICATION: timedelta(
                    hours=settings.email_verification_expire_hours
                ),
            },
            verification_required=settings.email_verification_required,
        )

    def link(self, purpose: Purpose, token: str) -> str:
        """The frontend's page for `purpose`, carrying `token`."""
        page = "reset-password" if purpose is Purpose.PASSWORD_RESET else "verify-email"
        return f"{self.frontend}/{page}?{urlencode({'token': token})}"
