"""What a service hands its messages to: sent only once the request has succeeded."""

from collections.abc import Callable

from {{ cookiecutter.package_name }}.core.mail.message import Message


class Outbox:
    """A request's outgoing messages.

    The request edge decides when they leave (after the response, so after
    the commit): a request that fails sends nothing, so no link names a
    token that was rolled back.
    """

    __slots__ = ("_schedule",)

    def __init__(self, schedule: Callable[[Message], None]) -> None:
        self._schedule = schedule

    def send(self, message: Message) -> None:
        """Send `message` once the request has succeeded."""
        self._schedule(message)
