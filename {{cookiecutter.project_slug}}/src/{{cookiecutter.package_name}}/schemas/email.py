"""Email addresses, documented as exactly what is accepted.

email-validator (without DNS checks) decides; OpenAPI's `format: email`
alone would promise more than it takes, so the schema also lists, in `not`,
every address the format allows and the validator refuses: a clean client
or fuzzer then never sends a documented address only to get a 422.
"""

from typing import Annotated

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from pydantic import AfterValidator, Field

MAX_LENGTH = 254  # RFC 5321: the longest path, so the longest address that can be used
MAX_LOCAL_LENGTH = 64


def _any_case(text: str) -> str:
    """A regex matching `text` in any letter case (JSON Schema patterns take no flags)."""
    return "".join(
        f"[{char.lower()}{char.upper()}]" if char.isalpha() else "\\" + char for char in text
    )


REFUSED_PATTERN = "|".join(
    [
        "[^\\x00-\\x7F]",  # not ASCII: `format: email` is, `idn-email` is not
        '^"',  # a quoted local part
        "^[^@]{" + str(MAX_LOCAL_LENGTH + 1) + ",}@",  # a local part too long
        "@[^.]*$",  # a domain without a dot
        "[^A-Za-z]$",  # a top-level domain not ending in a letter (an IP address, say)
        # Special-use and reserved domains (RFC 6761), which can never receive mail.
        f"[.@]({'|'.join(_any_case(name) for name in SPECIAL_USE_DOMAIN_NAMES)})$",
    ]
)


def _email_address(value: str) -> str:
    """The address, normalised (lower-case domain), if it can be used; else a 422."""
    try:
        address = validate_email(
            value, check_deliverability=False, allow_smtputf8=False, strict=True
        )
    except EmailNotValidError:
        address = None
    if address is None or not value.isascii():
        msg = "must be a usable email address"
        raise ValueError(msg)
    return address.normalized


EmailAddress = Annotated[
    str,
    Field(
        max_length=MAX_LENGTH,
        json_schema_extra={"format": "email", "not": {"pattern": REFUSED_PATTERN}},
    ),
    AfterValidator(_email_address),
]
