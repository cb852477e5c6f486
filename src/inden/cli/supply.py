"""`inden suppliers` and `inden po`: suppliers, their offers and reliability; purchase orders and receipts."""

from __future__ import annotations

from typing import Annotated

import typer

from inden.cli.common import (
    JsonOption,
    LinesOption,
    _,
    answer,
    day,
    money,
    parse_day,
    parse_lines,
    percent,
    print_table,
    record_id,
    run,
    say,
    show,
    table,
    user_errors,
)
from inden.cli.words import PO_STATES, units
from inden.services.schemas.supply import PurchaseOrderOut

suppliers_app = typer.Typer(help="Suppliers, their offers and reliability.", invoke_without_command=True)
po_app = typer.Typer(help="Purchase orders and receipts.", no_args_is_help=True)
Code = Annotated[str, typer.Argument(help="The supplier's code, e.g. PT-SINAR.")]
PoId = Annotated[int, typer.Argument(callback=record_id, help="The purchase order's number.")]
Day = Annotated[str, typer.Argument(metavar="YYYY-MM-DD", help="The new expected date, e.g. 2026-12-19.")]


def _po_summary(po: PurchaseOrderOut) -> str:
    ordered, received = sum(li.quantity for li in po.lines), sum(li.received for li in po.lines)
    text = _("Purchase order #%(id)s from %(supplier)s (%(status)s): %(units)s expected %(day)s",
             id=po.id, supplier=po.supplier, status=_(PO_STATES[po.status]), units=units(ordered),
             day=day(po.expected_at))
    if received:
        text += ", " + _("%(units)s received", units=units(received))
    return text + "."


@suppliers_app.callback()
def suppliers_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Without a subcommand: every supplier with its measured reliability."""
    if ctx.invoked_subcommand:
        return
    from inden.services.supply import list_suppliers

    suppliers = run(list_suppliers)
    if as_json:
        show(suppliers)
        return
    if not suppliers:
        say(_("No suppliers yet: add one with `inden suppliers add CODE NAME --lead-time DAYS`."))
        return
    grid = table(_("Code"), _("Name"), _("Lead time"), _("Deliveries"), _("On time"), _("Delay p50/p90"),
                 _("Fill"), _("SKUs"))
    for s in suppliers:
        r = s.reliability
        grid.add_row(s.code, s.name, _("%(days)s d", days=s.lead_time_days), str(r.deliveries),
                     percent(r.on_time_rate),
                     _("%(days)s d", days=f"{r.delay_p50_days}/{r.delay_p90_days}"),
                     percent(r.fill_ratio), str(len(s.offers)))
    print_table(grid)


@suppliers_app.command("add")
def suppliers_add(
    code: Code,
    name: Annotated[str, typer.Argument(help="The supplier's name.")],
    lead_time_days: Annotated[int, typer.Option("--lead-time", help="Days from ordering to delivery, usually.")],
    email: Annotated[str | None, typer.Option(help="Where purchase orders go.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Add a supplier."""
    from inden.services.schemas.supply import SupplierCreate
    from inden.services.supply import create_supplier

    with user_errors():
        spec = SupplierCreate.model_validate({"code": code, "name": name, "email": email,
                                              "lead_time_days": lead_time_days})
    supplier = run(lambda db: create_supplier(db, spec))
    answer(supplier, lambda: _("Supplier %(code)s added: %(name)s, lead time %(days)s days.", code=supplier.code,
                               name=supplier.name, days=supplier.lead_time_days), as_json=as_json)


@suppliers_app.command("offer")
def suppliers_offer(
    code: Code,
    sku: Annotated[str, typer.Argument(help="The product the supplier sells you.")],
    lead_time_days: Annotated[int | None, typer.Option(
        "--lead-time", help="Days this SKU takes to arrive from them (default: the supplier's lead time).")] = None,
    moq: Annotated[int, typer.Option(help="Minimum order quantity, in units.")] = 1,
    pack_size: Annotated[int, typer.Option(help="Units per pack: orders are whole packs.")] = 1,
    unit_cost: Annotated[str | None, typer.Option(help="What one unit costs you, e.g. 52000.")] = None,
    currency: Annotated[str, typer.Option(help="Currency of the unit cost (three letters).")] = "IDR",
    as_json: JsonOption = False,
) -> None:
    """Say that a supplier sells you a SKU, and on what terms (replaces earlier terms). The plan
    (`inden plan`) suggests purchases only for SKUs with at least one offer."""
    from inden.services.schemas.supply import OfferIn
    from inden.services.supply import set_offer

    with user_errors():
        offer = OfferIn.model_validate({"lead_time_days": lead_time_days, "min_order_quantity": moq,
                                        "pack_size": pack_size, "unit_cost": unit_cost, "currency": currency})
    supplier = run(lambda db: set_offer(db, code, sku, offer))
    terms = next(o for o in supplier.offers if o.sku == sku)
    answer(supplier, lambda: _("%(supplier)s sells %(sku)s: %(days)s days, minimum %(moq)s, packs of %(pack)s, "
                               "%(cost)s a unit.", supplier=supplier.code, sku=sku, days=terms.lead_time_days,
                               moq=terms.min_order_quantity, pack=terms.pack_size,
                               cost=money(terms.unit_cost, terms.currency)), as_json=as_json)


@suppliers_app.command("delay")
def suppliers_delay(code: Code,
                    days: Annotated[int, typer.Argument(help="Days to move every open PO by (negative: earlier).")],
                    as_json: JsonOption = False) -> None:
    """Move every open purchase order of a supplier; reports how many backorder ETAs changed."""
    from inden.services.supply import move_supplier_purchase_orders

    changed = run(lambda db: move_supplier_purchase_orders(db, code, days=days))
    answer({"eta_changed": changed}, lambda: _("%(count)s backorder ship date(s) changed.", count=changed),
           as_json=as_json)


@po_app.command("create")
def po_create(
    supplier: Annotated[str, typer.Option(help="The supplier's code.")],
    expected: Annotated[str, typer.Option(metavar="YYYY-MM-DD", help="When the delivery is expected.")],
    line: LinesOption,
    draft: Annotated[bool, typer.Option(help="Counts as incoming for planning; confirm to send.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Order from a supplier; waiting backorders get their ship dates from it."""
    from inden.services.schemas.supply import PurchaseOrderCreate
    from inden.services.supply import create_purchase_order

    expected_at, lines = parse_day(expected), parse_lines(line)
    with user_errors():
        spec = PurchaseOrderCreate.model_validate({"supplier": supplier, "expected_at": expected_at,
                                                   "lines": lines, "draft": draft})
    po = run(lambda db: create_purchase_order(db, spec))
    answer(po, lambda: _po_summary(po), as_json=as_json)


@po_app.command("list")
def po_list(all_: Annotated[bool, typer.Option("--all", help="Also received and cancelled ones.")] = False,
            as_json: JsonOption = False) -> None:
    """Open and draft purchase orders (all with --all)."""
    from inden.services.supply import list_purchase_orders

    page = run(lambda db: list_purchase_orders(db, limit=1000))
    chosen = [p for p in page.items if all_ or p.status in ("open", "draft")]
    if as_json:
        show(chosen)
        return
    if not chosen:
        say(_("No open purchase orders."))
        return
    grid = table(_("PO"), _("Supplier"), _("Status"), _("Expected"), _("Received/ordered"))
    for p in chosen:
        grid.add_row(f"#{p.id}", p.supplier, _(PO_STATES[p.status]), day(p.expected_at),
                     ", ".join(f"{li.sku} {li.received}/{li.quantity}" for li in p.lines))
    print_table(grid)


@po_app.command("move")
def po_move(po_id: PoId, expected: Day, as_json: JsonOption = False) -> None:
    """Change a purchase order's expected date; affected backorder ETAs follow."""
    from inden.services.schemas.supply import PurchaseOrderPatch
    from inden.services.supply import move_purchase_order

    patch = PurchaseOrderPatch(expected_at=parse_day(expected))
    po = run(lambda db: move_purchase_order(db, po_id, patch))
    answer(po, lambda: _po_summary(po), as_json=as_json)


@po_app.command("confirm")
def po_confirm(po_id: PoId, as_json: JsonOption = False) -> None:
    """Send a draft purchase order: it becomes open and backorders are pegged to it."""
    from inden.services.supply import confirm_purchase_order

    po = run(lambda db: confirm_purchase_order(db, po_id))
    answer(po, lambda: _po_summary(po), as_json=as_json)


@po_app.command("cancel")
def po_cancel(po_id: PoId, as_json: JsonOption = False) -> None:
    """Cancel what is still to come on a purchase order."""
    from inden.services.supply import cancel_purchase_order

    po = run(lambda db: cancel_purchase_order(db, po_id))
    answer(po, lambda: _po_summary(po), as_json=as_json)


@po_app.command("receive")
def po_receive(
    po_id: PoId,
    line: LinesOption,
    close: Annotated[bool, typer.Option(help="Nothing more will come: close it even if short.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Count a delivery in; it serves waiting backorders first."""
    from inden.services.schemas.supply import ReceiptCreate
    from inden.services.supply import receive_purchase_order

    lines = parse_lines(line)
    with user_errors():
        receipt = ReceiptCreate.model_validate({"lines": lines, "close": close})
    po = run(lambda db: receive_purchase_order(db, po_id, receipt))
    served = " " + _("%(units)s went at once to customers who were waiting.", units=units(po.served_units))
    answer(po, lambda: _po_summary(po) + (served if po.served_units else ""), as_json=as_json)


def register(app: typer.Typer) -> None:
    app.add_typer(suppliers_app, name="suppliers")
    app.add_typer(po_app, name="po")
