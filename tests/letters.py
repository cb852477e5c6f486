"""Sign-up links as a shopper gets them: only inside the email (the database keeps their SHA-256 only)."""

from __future__ import annotations

import re
from datetime import datetime
from email.message import EmailMessage
from email.utils import parseaddr

from inden.db.session import Database
from inden.services.delivery import deliver_outbox

LINK = re.compile(r"/subscriptions/(confirm|unsubscribe)\?token=([A-Za-z0-9_-]+)")


class Letters:
    """A mailer that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.messages.append(message)


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def links_in(message: EmailMessage, kind: str = "confirm") -> list[str]:
    """The link secrets of `kind` (confirm or unsubscribe) in a message's text."""
    return [token for found, token in LINK.findall(text_of(message)) if found == kind]


def emailed_links(db: Database, *, now: datetime | None = None, kind: str = "confirm") -> dict[str, str]:
    """Deliver every due outbox event; the secret of each `kind` link sent, by the address it was sent to."""
    letters = Letters()
    deliver_outbox(db, letters, now=now, limit=10_000)
    return {parseaddr(str(message["To"]))[1]: token for message in letters.messages
            for token in links_in(message, kind)}
