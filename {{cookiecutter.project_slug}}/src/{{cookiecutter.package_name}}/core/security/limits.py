"""Brute-force limits: how many attempts an account or a client address gets per window."""

from dataclasses import dataclass
from datetime import timedelta

from {{ cookiecutter.package_name }}.core.config import Settings


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `attempts` per `window` for each value counted under `scope`."""

    scope: str
    attempts: int
    window: timedelta

    def key(self, value: str) -> str:
        """The counter key of `value` (an email, an address) under this limit."""
        return f"{self.scope}:{value}"


@dataclass(frozen=True, slots=True)
class AttemptLimits:
    """The limits the settings configure, built once at start-up."""

    failed_logins_per_account: Limit
    failed_logins_per_address: Limit
    registrations_per_address: Limit
    # Recovery and verification emails asked for, and reset tokens tried.
    account_emails_per_account: Limit
    account_emails_per_address: Limit

    @classmethod
    def from_settings(cls, settings: Settings) -> "AttemptLimits":
        """The limits configured by `settings`."""
        login_window = timedelta(seconds=settings.login_failure_window_seconds)
        account_window = timedelta(seconds=settings.account_email_window_seconds)
        return cls(
            failed_logins_per_account=Limit(
                "login-account", settings.login_failures_per_account, login_window
            ),
            failed_logins_per_address=Limit(
                "login-address", settings.login_failures_per_address, login_window
            ),
            registrations_per_address=Limit(
                "register-address",
                settings.registrations_per_address,
                timedelta(seconds=settings.registration_window_seconds),
            ),
            account_emails_per_account=Limit(
                "account-emails-account", settings.account_emails_per_account, account_window
            ),
            account_emails_per_address=Limit(
                "account-emails-address", settings.account_emails_per_address, account_window
            ),
        )


@dataclass(frozen=True, slots=True)
class Client:
    """Who makes an attempt (the client's address) and the limits that apply."""

    address: str
    limits: AttemptLimits
