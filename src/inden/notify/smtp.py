"""The port that sends composed emails, and its SMTP adapter.

`Mailer` is the port (`send(message)`); `SmtpMailer` speaks SMTP with the standard library and tells the caller
what a failure means by its exception class: `MessageRejected` (5xx — sending it again will not help),
`MessageDeferred` (4xx — try later), `MailerUnavailable` (no connection, login refused, server closing — nothing
can be sent right now, whatever the message).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from types import TracebackType
from typing import Literal, Protocol
from urllib.parse import unquote, urlsplit


class SendFailed(Exception):
    """A message was not handed over. `reason` is the server's reply or the error, for the outbox's last_error."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MessageRejected(SendFailed):
    """The server refused this message for good (5xx, e.g. no such mailbox): sending it again will not help."""


class MessageDeferred(SendFailed):
    """The server refused this message for now (4xx, e.g. mailbox busy, greylisting): try again later."""


class MailerUnavailable(SendFailed):
    """Nothing can be sent right now (no connection, login refused, server closing): not this message's fault."""


class Mailer(Protocol):
    """Where composed emails go. Raises a SendFailed subclass when a message was not accepted."""

    def send(self, message: EmailMessage) -> None: ...


Security = Literal["plain", "tls", "starttls"]
_SCHEMES: dict[str, tuple[Security, int]] = {"smtp": ("plain", 25), "smtps": ("tls", 465),
                                             "smtp+starttls": ("starttls", 587)}


@dataclass(frozen=True, slots=True)
class SmtpServer:
    host: str
    port: int
    security: Security
    username: str | None = None
    password: str | None = None

    @classmethod
    def parse(cls, url: str) -> SmtpServer:
        """`smtp://host:25`, `smtps://user:pass@host:465` (TLS from the start) or `smtp+starttls://user:pass@host:587`.

        User and password are percent-decoded (write `@` in a password as `%40`). Raises ValueError otherwise.
        """
        parts = urlsplit(url)
        if parts.scheme not in _SCHEMES or not parts.hostname:
            raise ValueError(f"not an SMTP URL: {parts.scheme or url!r} (use smtp://, smtps:// or smtp+starttls://)")
        security, default_port = _SCHEMES[parts.scheme]
        return cls(host=parts.hostname, port=parts.port or default_port, security=security,
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password is not None else None)


def _refusal(code: int, reply: bytes | str) -> SendFailed:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
    reason = f"{code} {text}".strip()
    if code == 421:  # the server is closing the connection: not about this message
        return MailerUnavailable(reason)
    return MessageRejected(reason) if code >= 500 else MessageDeferred(reason)


class SmtpMailer:
    """Sends over one SMTP connection, opened at the first message and kept for the next; use it as a context
    manager (or call `close()`) so the connection ends with the delivery round."""

    def __init__(self, server: SmtpServer, *, timeout: float = 30.0) -> None:
        self.server = server
        self.timeout = timeout
        self._connection: smtplib.SMTP | None = None

    @classmethod
    def from_url(cls, url: str, *, timeout: float = 30.0) -> SmtpMailer:
        return cls(SmtpServer.parse(url), timeout=timeout)

    def send(self, message: EmailMessage) -> None:
        """Hand one message to the server. Raises MessageRejected, MessageDeferred or MailerUnavailable."""
        connection = self._connection or self._connect()
        try:
            connection.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:  # one recipient per message: its reply is the answer
            failure = _refusal(*next(iter(error.recipients.values())))
        except smtplib.SMTPDataError as error:
            failure = _refusal(error.smtp_code, error.smtp_error)
        except smtplib.SMTPSenderRefused as error:  # our From address: every message would fail the same way
            failure = MailerUnavailable(f"sender refused: {error.smtp_code} {error.smtp_error!r}")
        except smtplib.SMTPNotSupportedError as error:  # e.g. an address in Unicode, and no SMTPUTF8 here
            failure = MessageRejected(f"not supported by the server: {error}")
        except ValueError as error:  # this message cannot be written out (e.g. an address smtplib cannot encode)
            failure = MessageRejected(f"{type(error).__name__}: {error}")
        except (smtplib.SMTPException, OSError) as error:  # the connection broke, timed out, closed
            failure = MailerUnavailable(f"{type(error).__name__}: {error}")
        else:
            return
        if isinstance(failure, MailerUnavailable):
            self.close()
        raise failure

    def _connect(self) -> smtplib.SMTP:
        """Open, secure and log in; any failure to do so is MailerUnavailable (no message is at fault)."""
        server = self.server
        try:
            connection: smtplib.SMTP
            if server.security == "tls":
                connection = smtplib.SMTP_SSL(server.host, server.port, timeout=self.timeout,
                                              context=ssl.create_default_context())
            else:
                connection = smtplib.SMTP(server.host, server.port, timeout=self.timeout)
        except (smtplib.SMTPException, OSError) as error:
            raise MailerUnavailable(f"{type(error).__name__}: {error}") from error
        try:
            if server.security == "starttls":
                connection.starttls(context=ssl.create_default_context())
            if server.username:
                connection.login(server.username, server.password or "")
        except (smtplib.SMTPException, OSError) as error:
            connection.close()
            raise MailerUnavailable(f"{type(error).__name__}: {error}") from error
        self._connection = connection
        return connection

    def close(self) -> None:
        """End the connection politely if there is one; a server that already left is fine."""
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.quit()
            except (smtplib.SMTPException, OSError):
                connection.close()

    def __enter__(self) -> SmtpMailer:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()
