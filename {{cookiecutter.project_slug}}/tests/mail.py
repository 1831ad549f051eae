"""A real SMTP server on a local port, run by the tests: what the service sends lands here."""

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

# Mail settings of an environment that sends, for apps whose tests read no message:
# what they send goes to a port nothing listens on, and is logged as not sent.
NOWHERE: dict[str, Any] = {
    "smtp_host": "127.0.0.1",
    "smtp_port": 9,
    "smtp_security": "none",
    "smtp_timeout_seconds": 1,
    "emails_from": "no-reply@example.com",
    "frontend_url": "https://app.example.com",
}


@dataclass
class Inbox:
    """Every message the server accepted, in order; the SMTP handler aiosmtpd calls."""

    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:  # noqa: ANN401, N802 - aiosmtpd's hook
        """Keep the message; `250` tells the client it was accepted."""
        del server, session
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        """The messages sent to `address`."""
        return [message for message in self.messages if message["To"] == address]

    def text(self, message: EmailMessage) -> str:
        """The plain-text body of `message`."""
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        return str(body.get_content())


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def smtp_server() -> Iterator[tuple[int, Inbox]]:
    """An SMTP server on a free local port, in a thread of its own; its port and inbox."""
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()
