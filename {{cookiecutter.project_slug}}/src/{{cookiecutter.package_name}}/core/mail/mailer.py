"""Sends messages over SMTP, never failing or holding up the request that asked for them.

Messages are sent after the response (see `dependencies/mail.py`), with a
bounded timeout; a mail server that is down or slow is logged, not raised.
In `local` with no SMTP_HOST, each message is written to the log instead,
link included, so recovery and verification work on a laptop.
"""

import aiosmtplib
import structlog

from {{ cookiecutter.package_name }}.core.config import Settings, SmtpSecurity
from {{ cookiecutter.package_name }}.core.mail.message import Message

logger = structlog.get_logger(__name__)


class Mailer:
    """The process's way out for email, built once from the settings."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def send(self, message: Message) -> None:
        """Send `message`, or log it in `local` without a mail server; log any failure."""
        settings = self._settings
        if settings.smtp_host is None:  # `local` only: the settings refuse it elsewhere.
            logger.info(
                "email written to the log: no SMTP_HOST",
                to=message.to,
                subject=message.subject,
                link=message.link,
            )
            return
        password = settings.smtp_password
        try:
            await aiosmtplib.send(
                message.as_email(settings.sender),
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_user,
                password=None if password is None else password.get_secret_value(),
                use_tls=settings.smtp_security is SmtpSecurity.TLS,
                start_tls=settings.smtp_security is SmtpSecurity.STARTTLS,
                timeout=settings.smtp_timeout_seconds,
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            # Neither the address nor the link: the log is no place for either.
            logger.warning(
                "email not sent", subject=message.subject, error_type=type(error).__name__
            )
