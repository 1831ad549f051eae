"""What the account routes share: the account policy, and an outbox sent after the response."""

from typing import Annotated

from fastapi import BackgroundTasks, Depends, Request

from {{ cookiecutter.package_name }}.core.mail.mailer import Mailer
from {{ cookiecutter.package_name }}.core.mail.message import Message
from {{ cookiecutter.package_name }}.core.mail.outbox import Outbox
from {{ cookiecutter.package_name }}.core.security.account_tokens import AccountPolicy


async def get_account_policy(request: Request) -> AccountPolicy:
    """The process-wide `AccountPolicy` the app factory created."""
    policy: AccountPolicy = request.app.state.account_policy
    return policy


AccountPolicyDep = Annotated[AccountPolicy, Depends(get_account_policy)]


async def get_outbox(request: Request, background: BackgroundTasks) -> Outbox:
    """An outbox whose messages the mailer sends after the response, so after the commit.

    A request that fails never gets to its response's background tasks, so
    it sends nothing.
    """
    mailer: Mailer = request.app.state.mailer

    def after_the_response(message: Message) -> None:
        background.add_task(mailer.send, message)

    return Outbox(after_the_response)


OutboxDep = Annotated[Outbox, Depends(get_outbox)]
