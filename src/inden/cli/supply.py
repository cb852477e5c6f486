"""`inden suppliers` and `inden po`: suppliers, their offers and reliability; purchase orders and receipts."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from inden.cli.common import LinesOption, out, parse_lines, run, show

suppliers_app = typer.Typer(help="Suppliers, their offers and reliability.", invoke_without_command=True)
po_app = typer.Typer(help="Purchase orders and receipts.", no_args_is_help=True)


@suppliers_app.callback()
def suppliers_list(ctx: typer.Context) -> None:
    """Without a subcommand: every supplier with its measured reliability."""
    if ctx.invoked_subcommand:
        return
    from inden.services.supply import list_suppliers

    table = Table("Code", "Name", "Lead time", "Deliveries", "On time", "Delay p50/p90 (days)", "Fill ratio", "SKUs")
    for s in run(list_suppliers):
        r = s.reliability
        table.add_row(s.code, s.name, f"{s.lead_time_days} d", str(r.deliveries),
                      "–" if r.on_time_rate is None else f"{r.on_time_rate:.0%}",
                      f"{r.delay_p50_days}/{r.delay_p90_days}",
                      "–" if r.fill_ratio is None else f"{r.fill_ratio:.0%}", str(len(s.offers)))
    out.print(table)


@suppliers_app.command("add")
def suppliers_add(code: str, name: str, lead_time_days: Annotated[int, typer.Option("--lead-time")],
                  email: str | None = None) -> None:
    """Add a supplier."""
    from inden.services.schemas import SupplierCreate
    from inden.services.supply import create_supplier

    show(run(lambda db: create_supplier(db, SupplierCreate(code=code, name=name, email=email,
                                                           lead_time_days=lead_time_days))))


@suppliers_app.command("offer")
def suppliers_offer(code: str, sku: str, lead_time_days: Annotated[int | None, typer.Option("--lead-time")] = None,
                    moq: int = 1, pack_size: int = 1, unit_cost: str | None = None, currency: str = "IDR") -> None:
    """Set a supplier's terms for a SKU."""
    from inden.services.schemas import OfferIn
    from inden.services.supply import set_offer

    show(run(lambda db: set_offer(db, code, sku, OfferIn(
        lead_time_days=lead_time_days, min_order_quantity=moq, pack_size=pack_size, unit_cost=unit_cost,
        currency=currency))))


@suppliers_app.command("delay")
def suppliers_delay(code: str, days: Annotated[int, typer.Argument(help="Days to move every open PO by.")]) -> None:
    """Move every open purchase order of a supplier; reports how many backorder ETAs changed."""
    from inden.services.supply import move_supplier_purchase_orders

    changed = run(lambda db: move_supplier_purchase_orders(db, code, days=days))
    out.print(f"{changed} backorder ETA(s) changed")


@po_app.command("create")
def po_create(supplier: Annotated[str, typer.Option()], expected: Annotated[str, typer.Option(help="YYYY-MM-DD")],
              line: LinesOption,
              draft: Annotated[bool, typer.Option(help="Counts as incoming for planning; confirm to send.")] = False
              ) -> None:
    """Order from a supplier."""
    from inden.services.schemas import PurchaseOrderCreate
    from inden.services.supply import create_purchase_order

    show(run(lambda db: create_purchase_order(db, PurchaseOrderCreate.model_validate(
        {"supplier": supplier, "expected_at": expected, "lines": parse_lines(line), "draft": draft}))))


@po_app.command("list")
def po_list(all_: Annotated[bool, typer.Option("--all", help="Also received and cancelled ones.")] = False) -> None:
    """Open and draft purchase orders (all with --all)."""
    from inden.services.supply import list_purchase_orders

    page = run(lambda db: list_purchase_orders(db, limit=1000))
    table = Table("PO", "Supplier", "Status", "Expected", "Lines (received/ordered)")
    for p in (p for p in page.items if all_ or p.status in ("open", "draft")):
        table.add_row(str(p.id), p.supplier, p.status, p.expected_at.isoformat(),
                      ", ".join(f"{li.sku} {li.received}/{li.quantity}" for li in p.lines))
    out.print(table)


@po_app.command("move")
def po_move(po_id: int, expected: Annotated[str, typer.Argument(help="New expected date, YYYY-MM-DD")]) -> None:
    """Change a purchase order's expected date; affected backorder ETAs follow."""
    from inden.services.schemas import PurchaseOrderPatch
    from inden.services.supply import move_purchase_order

    show(run(lambda db: move_purchase_order(db, po_id, PurchaseOrderPatch.model_validate({"expected_at": expected}))))


@po_app.command("confirm")
def po_confirm(po_id: int) -> None:
    """Send a draft purchase order: it becomes open and backorders are pegged to it."""
    from inden.services.supply import confirm_purchase_order

    show(run(lambda db: confirm_purchase_order(db, po_id)))


@po_app.command("cancel")
def po_cancel(po_id: int) -> None:
    """Cancel what is still to come on a purchase order."""
    from inden.services.supply import cancel_purchase_order

    show(run(lambda db: cancel_purchase_order(db, po_id)))


@po_app.command("receive")
def po_receive(po_id: int, line: LinesOption,
               close: Annotated[bool, typer.Option(help="Nothing more will come: close it even if short.")] = False
               ) -> None:
    """Count a delivery in; it serves waiting backorders first."""
    from inden.services.schemas import ReceiptCreate
    from inden.services.supply import receive_purchase_order

    show(run(lambda db: receive_purchase_order(db, po_id, ReceiptCreate.model_validate(
        {"lines": parse_lines(line), "close": close}))))


def register(app: typer.Typer) -> None:
    app.add_typer(suppliers_app, name="suppliers")
    app.add_typer(po_app, name="po")
