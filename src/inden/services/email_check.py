"""The owner's "send a test email" button: one plain message through the configured SMTP server."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

from inden.config import Settings, get_settings
from inden.domain.errors import InvalidRequest
from inden.i18n import N_, translate
from inden.notify.email import SendFailed, SmtpMailer

SUBJECT = N_("inden test email")
BODY = N_("This is a test from %(shop)s. If you can read it, inden can send your customers email.")


def send_test_email(to: str, *, locale: str, settings: Settings | None = None) -> None:
    """Send one message to `to` now. Raises InvalidRequest when no SMTP server is set or it refused."""
    settings = settings or get_settings()
    if not settings.smtp_url:
        raise InvalidRequest("No email server is set (INDEN_SMTP_URL).", reason="no_smtp")
    message = EmailMessage()
    message["From"], message["To"] = settings.smtp_from, to
    message["Subject"] = translate(locale, SUBJECT)
    message["Message-ID"] = make_msgid(domain="inden")
    message.set_content(translate(locale, BODY, shop=settings.shop_name))
    try:
        with SmtpMailer.from_url(settings.smtp_url, timeout=10) as mailer:
            mailer.send(message)
    except SendFailed as error:
        raise InvalidRequest(f"The email server refused: {error}", reason="refused") from error
