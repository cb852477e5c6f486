"""`inden orders` and `inden backorders`: place, look at, cancel and ship orders; the waiting queue."""

from __future__ import annotations

from typing import Annotated

import typer

from inden.cli.common import (
    JsonOption,
    LinesOption,
    _,
    answer,
    day,
    moment,
    parse_lines,
    print_table,
    record_id,
    run,
    say,
    show,
    table,
    user_errors,
)
from inden.cli.words import order_summary
from inden.domain.contact import Channel
from inden.domain.orders import Fulfilment
from inden.services.schemas.common import LineIn, Locale

OrderId = Annotated[int, typer.Argument(callback=record_id, help="The order's number.")]
orders_app = typer.Typer(help="Orders: place, show, cancel, ship.", no_args_is_help=True)
SomeLines = Annotated[list[str] | None, typer.Option(
    "--line", metavar="SKU:QTY", help="Only these units, e.g. KOPI-GAYO-250:1 (repeat); default: all of them.")]


@orders_app.command("place")
def orders_place(
    email: Annotated[str, typer.Option(help="Customer email.")],
    line: LinesOption,
    name: Annotated[str | None, typer.Option(help="Customer name.")] = None,
    locale: Annotated[Locale, typer.Option(help="The customer's language for emails: id or en.")] = "id",
    priority: Annotated[int, typer.Option(help="Higher is served first when stock arrives (-1000…1000).")] = 0,
    fulfilment: Annotated[Fulfilment, typer.Option(
        help="partial: ship what is in stock now; complete: ship everything together.")] = Fulfilment.PARTIAL,
    phone: Annotated[str | None, typer.Option(help="The customer's WhatsApp number, e.g. 0812 3456 7890.")] = None,
    channel: Annotated[Channel, typer.Option(
        help="How the customer hears about the order: email, or whatsapp (they agreed; needs --phone).")
    ] = Channel.EMAIL,
    as_json: JsonOption = False,
) -> None:
    """Place an order; what is not in stock waits on backorder (or is refused under `deny`)."""
    from inden.services.placing import place_order
    from inden.services.schemas.orders import OrderCreate

    lines = parse_lines(line)
    with user_errors():
        request = OrderCreate.model_validate({"customer": {"email": email, "name": name, "locale": locale,
                                                           "phone": phone, "channel": channel},
                                              "lines": lines, "priority": priority, "fulfilment": fulfilment})
    order = run(lambda db: place_order(db, request))
    answer(order, lambda: order_summary(order), as_json=as_json)


@orders_app.command("show")
def orders_show(order_id: OrderId, as_json: JsonOption = False
                ) -> None:
    """One order: its lines, what is allocated, waiting and shipped, and when waiting units ship."""
    from inden.services.order_views import get_order

    order = run(lambda db: get_order(db, order_id))
    if as_json:
        show(order)
        return
    say(order_summary(order))
    grid = table(_("SKU"), _("Qty"), _("Allocated"), _("Waiting"), _("Shipped"), _("Cancelled"), _("Ships around"))
    for li in order.lines:
        grid.add_row(li.sku, str(li.quantity), str(li.allocated), str(li.backordered), str(li.shipped),
                     str(li.cancelled), day(li.eta) if li.backordered else "–")
    print_table(grid)
    for choice in order.choices:
        lines = ", ".join(f"{line.sku} × {line.quantity}" for line in choice.lines)
        say(_("%(when)s the buyer cancelled the waiting items: %(lines)s", when=moment(choice.created_at), lines=lines)
            if choice.choice == "cancel" else
            _("%(when)s the buyer chose to keep waiting: %(lines)s", when=moment(choice.created_at), lines=lines))


@orders_app.command("answers")
def orders_answers(limit: Annotated[int, typer.Option(min=1, max=1000, help="How many, newest first.")] = 50,
                   as_json: JsonOption = False) -> None:
    """Buyers' answers from their order pages: keep waiting, or cancel the waiting items (newest first)."""
    from inden.services.order_views import recent_choices

    answers = run(lambda db: recent_choices(db, limit=limit))
    if as_json:
        show(answers)
        return
    if not answers:
        say(_("No buyer has answered yet."))
        return
    grid = table(_("Order"), _("When"), _("Answer"), _("Items"))
    for item in answers:
        grid.add_row(f"#{item.order_id}", moment(item.created_at),
                     _("cancel") if item.choice == "cancel" else _("keep waiting"),
                     ", ".join(f"{line.sku} × {line.quantity}" for line in item.lines))
    print_table(grid)


def _selection(line: list[str] | None) -> list[LineIn] | None:
    """The units given with --line (None: all that apply)."""
    from inden.services.schemas.orders import LineSelection

    with user_errors():
        return LineSelection.model_validate({"lines": parse_lines(line) if line else None}).lines


@orders_app.command("cancel")
def orders_cancel(order_id: OrderId, line: SomeLines = None,
                  as_json: JsonOption = False) -> None:
    """Cancel units (all open units without --line); freed units go to the next waiting backorders."""
    from inden.services.orders import cancel_order

    chosen = _selection(line)
    order = run(lambda db: cancel_order(db, order_id, chosen))
    answer(order, lambda: order_summary(order), as_json=as_json)


@orders_app.command("ship")
def orders_ship(order_id: OrderId, line: SomeLines = None,
                as_json: JsonOption = False) -> None:
    """Ship allocated units (all of them without --line)."""
    from inden.services.orders import ship_order

    chosen = _selection(line)
    shipment = run(lambda db: ship_order(db, order_id, chosen))
    answer(shipment, lambda: order_summary(shipment.order), as_json=as_json)


def backorders(
    sku: Annotated[str | None, typer.Option(help="Only this SKU.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Show at most this many.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """The backorder queue in serving order, with each line's expected ship date."""
    from inden.services.order_views import list_backorders

    page = run(lambda db: list_backorders(db, sku=sku, limit=limit))
    if as_json:
        show(page)
        return
    if not page.items:
        say(_("Nobody is waiting for %(sku)s.", sku=sku) if sku else _("Nobody is waiting: no backorders."))
        return
    grid = table(_("SKU"), _("Pos."), _("Order"), _("Qty"), _("Ships around"), _("Waiting since"))
    for b in page.items:
        eta = day(b.eta) + (" " + _("(estimate)") if b.eta and b.eta_confidence == "estimated" else "")
        grid.add_row(b.sku, str(b.position), f"#{b.order_id}", str(b.quantity), eta, moment(b.created_at))
    print_table(grid)
    if page.next_cursor:
        say(_("First %(count)s shown; use --limit for more.", count=len(page.items)))


def register(app: typer.Typer) -> None:
    app.add_typer(orders_app, name="orders")
    app.command()(backorders)
