"""A message to send, rendered from a plain-text and an HTML template of the package."""

from dataclasses import dataclass
from email.message import EmailMessage
from functools import cache
from html import escape
from importlib.resources import files
from string import Template

TEMPLATES = files(__package__) / "templates"


@cache
def _template(name: str) -> Template:
    """The template file `name` (`password_reset.txt`), read once."""
    return Template((TEMPLATES / name).read_text(encoding="utf-8"))


@dataclass(frozen=True, slots=True)
class Message:
    """One message to one address; `link` is what it carries, which only `local` logs."""

    to: str
    subject: str
    text: str
    html: str
    link: str

    @classmethod
    def render(cls, template: str, *, to: str, subject: str, link: str, **values: str) -> "Message":
        """Fill `<template>.txt` and `<template>.html` with `link` and `values` (HTML-escaped)."""
        text = _template(f"{template}.txt").substitute(values, link=link)
        html = _template(f"{template}.html").substitute(
            {name: escape(value) for name, value in values.items()}, link=escape(link)
        )
        return cls(to=to, subject=subject, text=text, html=html, link=link)

    def as_email(self, sender: str) -> EmailMessage:
        """The message as MIME: plain text, with the HTML as its alternative."""
        email = EmailMessage()
        email["From"], email["To"], email["Subject"] = sender, self.to, self.subject
        email.set_content(self.text)
        email.add_alternative(self.html, subtype="html")
        return email
