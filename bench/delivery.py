"""Emailing the outbox: how fast `deliver_outbox` drains a burst of customer news, against raw SMTP.

5,000 `order.backordered` events (real orders placed through the service, half in English) are emailed to a
local SMTP sink (aiosmtpd, accepting everything) by rounds of `deliver_outbox` over one connection, as
`inden deliver` does: claim, render text and HTML from the templates in the customer's language, send,
record. Baseline, same run: the very same emails, composed beforehand, sent with smtplib over one connection
(what sending alone costs). Our own target: one worker drains the 80,000 ETA emails of a supplier-wide delay
(bench/eta.py) within 5 minutes, i.e. >= 267 emails/s (a real mail provider's own rate limit comes first).

    python bench/delivery.py
    python bench/delivery.py --database-url postgresql+psycopg://root@127.0.0.1:5432/inden_bench_mail
"""

from __future__ import annotations

import smtplib
import socket
import sys
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).parent))
from allocation import backend_of, database_parser, fresh_database  # noqa: E402  (bench scripts share the database set-up)
from sqlalchemy import select  # noqa: E402

from inden.db.models import OutboxEvent  # noqa: E402
from inden.notify.render import addressee, compose  # noqa: E402
from inden.notify.smtp import SmtpMailer  # noqa: E402
from inden.services import placing, products  # noqa: E402
from inden.services.delivery import deliver_outbox  # noqa: E402
from inden.services.schemas.orders import OrderCreate
from inden.services.schemas.products import ProductCreate

EVENTS = 5000


class Sink:
    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def place_orders(db: Any) -> None:
    for n in range(10):
        products.create_product(db, ProductCreate(sku=f"KAOS-{n}", name=f"Kaos Polos {n}"))
    for n in range(EVENTS):
        placing.place_order(db, OrderCreate.model_validate({
            "customer": {"email": f"pembeli{n}@contoh.id", "name": f"Pembeli {n}", "locale": "en" if n % 2 else "id"},
            "lines": [{"sku": f"KAOS-{n % 10}", "quantity": 1 + n % 3}]}))


def composed_emails(db: Any) -> list[EmailMessage]:
    """The emails of the outbox's events as delivery would write them (for the baseline)."""
    with db.transaction() as session:
        rows = session.execute(select(OutboxEvent.event_type, OutboxEvent.dedup_key, OutboxEvent.payload)).all()
    settings = db.settings
    return [compose(kind, payload, to=addressee(kind, payload, settings=settings), dedup_keys=[key], settings=settings)
            for kind, key, payload in rows]


def raw_smtp(port: int, messages: list[EmailMessage]) -> float:
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as connection:
        for message in messages:
            connection.send_message(message)
    return time.perf_counter() - started


def main() -> None:
    parser = database_parser(__doc__)
    args = parser.parse_args()
    backend = backend_of(args.database_url)
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        db = fresh_database(args.database_url)
        place_orders(db)
        baseline = raw_smtp(port, composed_emails(db))
        started = time.perf_counter()
        emails = 0
        with SmtpMailer.from_url(f"smtp://127.0.0.1:{port}") as mailer:
            while (report := deliver_outbox(db, mailer)).claimed:
                emails += report.emails
        took = time.perf_counter() - started
        db.dispose()
    finally:
        controller.stop()
    assert emails == EVENTS and sink.received == 2 * EVENTS, (emails, sink.received)
    rate = EVENTS / took
    print(f"{backend:<10} baseline, the same emails sent raw: {EVENTS / baseline:,.0f}/s ({baseline:5.2f} s)")
    print(f"{backend:<10} deliver_outbox: {rate:,.0f} emails/s ({took:5.2f} s), {baseline / took:.2f}x the raw rate; "
          f"80,000 emails in {80_000 / rate / 60:.1f} min; target <= 5 min: "
          f"{'PASS' if rate >= 80_000 / 300 else 'FAIL'}")


if __name__ == "__main__":
    main()
