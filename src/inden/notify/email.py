"""Kept for the CLI modules until they import `inden.notify.smtp` (they are being split into a package)."""

from inden.notify.smtp import SmtpMailer as SmtpMailer
