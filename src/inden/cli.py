"""The `inden` command: serve, demo, keys, products, stock, orders, backorders, audit, db."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.table import Table

from inden.config import get_settings
from inden.db import migrate
from inden.db.session import Database
from inden.domain.errors import DomainError
from inden.domain.orders import Fulfilment
from inden.domain.policy import BackorderPolicy
from inden.services.keys import Role

app = typer.Typer(help="inden — keep selling when stock runs out.", no_args_is_help=True, add_completion=False)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
products_app = typer.Typer(help="Products.", no_args_is_help=True)
stock_app = typer.Typer(help="Stock movements.", no_args_is_help=True)
orders_app = typer.Typer(help="Orders.", no_args_is_help=True)
audit_app = typer.Typer(help="Integrity checks.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
for sub, name in [(keys_app, "keys"), (products_app, "products"), (stock_app, "stock"), (orders_app, "orders"),
                  (audit_app, "audit"), (db_app, "db")]:
    app.add_typer(sub, name=name)

out = Console(width=None if sys.stdout.isatty() else 120)
# Messages to a pipe or a log are never wrapped: a wrapped `inden db upgrade` is not a command one can copy.
err = Console(stderr=True, soft_wrap=not sys.stderr.isatty())


def fail(message: str) -> NoReturn:
    """User errors: a clear message on stderr and exit code 2."""
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(2)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn domain and validation errors into CLI messages (exit 2) — the CLI's one error mapping."""
    try:
        yield
    except DomainError as error:
        fail(f"{error.message}" + (f" ({error.code})" if error.code != "validation_error" else ""))
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in error.errors()
        )
        fail(f"invalid input: {problems}")


def open_db(*, migrate_sqlite: bool = True) -> Database:
    """The configured database, ready to use. The SQLite default is migrated on the spot; any other
    database must be migrated explicitly, and we say how."""
    db = Database(get_settings().database_url)
    if migrate.is_up_to_date(db.engine):
        return db
    if db.is_sqlite and migrate_sqlite:
        migrate.upgrade(db.engine)
        return db
    fail(f"the database at {db.engine.url.render_as_string(hide_password=True)} is not migrated. "
         "Run `inden db upgrade` first.")


def show(model: BaseModel | dict[str, Any]) -> None:
    data = model.model_dump(mode="json") if isinstance(model, BaseModel) else model
    out.print_json(json.dumps(data, ensure_ascii=False))


def parse_lines(specs: list[str]) -> list[dict[str, Any]]:
    lines = []
    for spec in specs:
        sku, sep, quantity = spec.rpartition(":")
        if not sep or not quantity.lstrip("-").isdigit():
            fail(f"line {spec!r} must look like SKU:QUANTITY, e.g. KAOS-HITAM-M:2")
        lines.append({"sku": sku, "quantity": int(quantity)})
    return lines


def run(action: Callable[[Database], Any]) -> Any:
    with user_errors():
        db = open_db()
        try:
            return action(db)
        finally:
            db.dispose()


# --- server and schema ----------------------------------------------------------------------------------


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes (PostgreSQL only).")] = 1,
) -> None:
    """Run the HTTP API (docs at /docs)."""
    import uvicorn

    db = open_db()
    if db.is_sqlite and workers > 1:
        fail("SQLite serves from one process; use --workers 1, or PostgreSQL for several workers.")
    db.dispose()
    out.print(f"inden API on http://{host}:{port} (docs: /docs)")
    uvicorn.run("inden.api.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema up to date (Alembic migrations)."""
    db = Database(get_settings().database_url)
    migrate.upgrade(db.engine)
    out.print(f"database at revision {migrate.current_revision(db.engine)}")


# --- keys -------------------------------------------------------------------------------------------------


@keys_app.command("create")
def keys_create(role: Annotated[Role, typer.Option(help="admin, staff or storefront")]) -> None:
    """Make an API key; it is printed once, alone on stdout."""
    from inden.services.keys import create_key

    key = run(lambda db: create_key(db, role))
    sys.stdout.write(key + "\n")


# --- products and stock -----------------------------------------------------------------------------------


@products_app.command("add")
def products_add(
    sku: str,
    name: str,
    policy: BackorderPolicy = BackorderPolicy.ALLOW,
    limit: Annotated[int | None, typer.Option(help="Most units that may wait on backorder.")] = None,
    lead_time_days: int = 14,
    price: str | None = None,
) -> None:
    """Create a product."""
    from inden.services.products import create_product
    from inden.services.schemas import ProductCreate

    show(run(lambda db: create_product(db, ProductCreate(
        sku=sku, name=name, backorder_policy=policy, backorder_limit=limit, lead_time_days=lead_time_days,
        price=price,
    ))))


@products_app.command("planning")
def products_planning(
    sku: str,
    category: str | None = None,
    service_level: Annotated[float | None, typer.Option(help="Target, e.g. 0.95 (else the shop's rule).")] = None,
    max_stock: Annotated[int | None, typer.Option(help="Storage room in units.")] = None,
    expected_daily: Annotated[float | None, typer.Option(help="Expected units/day while history is short.")] = None,
) -> None:
    """Set a product's planning inputs (only the options given change)."""
    from inden.services.products import update_product
    from inden.services.schemas import ProductPatch

    given = {"category": category, "service_level": service_level, "max_stock": max_stock,
             "expected_daily_demand": expected_daily}
    with user_errors():
        patch = ProductPatch.model_validate({k: v for k, v in given.items() if v is not None})
    show(run(lambda db: update_product(db, sku, patch)))


@products_app.command("list")
def products_list() -> None:
    """Products with their stock."""
    from inden.services.products import list_products

    def collect(db: Database) -> list[Any]:
        items, cursor = [], None
        while True:
            page = list_products(db, cursor=cursor, limit=1000)
            items += page.items
            if not (cursor := page.next_cursor):
                return items

    table = Table("SKU", "Name", "Policy", "On hand", "Allocated", "Available", "Backordered")
    for p in run(collect):
        s = p.stock
        table.add_row(p.sku, p.name, p.backorder_policy.value, str(s.on_hand), str(s.allocated), str(s.available),
                      str(s.backordered))
    out.print(table)


@products_app.command("show")
def products_show(sku: str) -> None:
    """One product as JSON."""
    from inden.services.products import get_product

    show(run(lambda db: get_product(db, sku)))


@stock_app.command("adjust", context_settings={"ignore_unknown_options": True})  # lets "-5" be a delta
def stock_adjust(
    sku: str,
    delta: Annotated[int, typer.Argument(help="Units in (positive) or out (negative).")],
    reason: Annotated[str, typer.Option(help="Why, e.g. 'stock count'.")] = "manual adjustment",
) -> None:
    """Count stock in or out; units counted in serve waiting backorders first."""
    from inden.services.schemas import StockAdjustment
    from inden.services.stock import adjust_stock

    show(run(lambda db: adjust_stock(db, sku, StockAdjustment(delta=delta, reason=reason))))


# --- orders -----------------------------------------------------------------------------------------------

LinesOption = Annotated[list[str], typer.Option("--line", help="SKU:QUANTITY, repeatable.")]


@orders_app.command("place")
def orders_place(
    email: Annotated[str, typer.Option(help="Customer email.")],
    line: LinesOption,
    name: str | None = None,
    locale: str = "id",
    priority: int = 0,
    fulfilment: Fulfilment = Fulfilment.PARTIAL,
) -> None:
    """Place an order; what is not in stock waits on backorder (or is refused under `deny`)."""
    from inden.services.orders import place_order
    from inden.services.schemas import OrderCreate

    show(run(lambda db: place_order(db, OrderCreate.model_validate({
        "customer": {"email": email, "name": name, "locale": locale}, "lines": parse_lines(line),
        "priority": priority, "fulfilment": fulfilment,
    }))))


@orders_app.command("show")
def orders_show(order_id: int) -> None:
    """One order as JSON."""
    from inden.services.order_views import get_order

    show(run(lambda db: get_order(db, order_id)))


@orders_app.command("cancel")
def orders_cancel(order_id: int, line: LinesOption | None = None) -> None:
    """Cancel units (all open units without --line); freed units go to the next waiting backorders."""
    from inden.services.orders import cancel_order
    from inden.services.schemas import LineSelection

    show(run(lambda db: cancel_order(
        db, order_id, LineSelection.model_validate({"lines": parse_lines(line) if line else None}).lines
    )))


@orders_app.command("ship")
def orders_ship(order_id: int, line: LinesOption | None = None) -> None:
    """Ship allocated units (all of them without --line)."""
    from inden.services.orders import ship_order
    from inden.services.schemas import LineSelection

    show(run(lambda db: ship_order(
        db, order_id, LineSelection.model_validate({"lines": parse_lines(line) if line else None}).lines
    )))


@app.command()
def backorders(sku: str | None = None, limit: int = 50) -> None:
    """The backorder queue in allocation order."""
    from inden.services.order_views import list_backorders

    page = run(lambda db: list_backorders(db, sku=sku, limit=limit))
    table = Table("SKU", "Position", "Order", "Quantity", "Waiting since (UTC)")
    for b in page.items:
        table.add_row(b.sku, str(b.position), str(b.order_id), str(b.quantity), f"{b.created_at:%Y-%m-%d %H:%M:%S}")
    out.print(table)


# --- audit and demo ---------------------------------------------------------------------------------------


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the ledger's hash chains and the stock invariants; exit 1 on any drift."""
    from inden.services.audit import verify

    report = run(verify)
    summary = f"{report.products} products, {report.movements} ledger movements, {report.lines} order lines"
    if report.ok:
        out.print(f"[green]audit ok[/]: {summary}; no oversell, ledger intact, every unit accounted for.")
        return
    err.print(f"[bold red]audit FAILED[/]: {len(report.problems)} problem(s) in {summary}:")
    for problem in report.problems:
        err.print(f"  - {problem}", highlight=False)
    raise typer.Exit(1)


@app.command()
def demo(
    db_path: Annotated[str, typer.Option("--db", help="SQLite file to (re)create.")] = "inden-demo.db",
    orders: Annotated[int, typer.Option(min=1, max=100_000)] = 2000,
    units: Annotated[int, typer.Option(min=1, max=1_000_000)] = 300,
    clients: Annotated[int, typer.Option(min=1, max=256)] = 32,
) -> None:
    """Build a small Indonesian shop in a fresh SQLite file and run a flash sale against the real API."""
    from inden.demo import run_demo

    with user_errors():
        ok = run_demo(out, db_path=db_path, orders=orders, units=units, clients=clients)
    if not ok:
        raise typer.Exit(1)


# --- supply -----------------------------------------------------------------------------------------------

suppliers_app = typer.Typer(help="Suppliers, their offers and reliability.", invoke_without_command=True)
po_app = typer.Typer(help="Purchase orders and receipts.", no_args_is_help=True)
app.add_typer(suppliers_app, name="suppliers")
app.add_typer(po_app, name="po")


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


@app.command()
def release(sku: str) -> None:
    """Launch a pre-order product today: stock on hand serves the waiting pre-orders in order."""
    from inden.services.preorders import release as release_sku

    out.print(f"{run(lambda db: release_sku(db, sku))} unit(s) allocated to pre-orders of {sku}")


@app.command()
def worker(once: bool = False, interval: Annotated[float, typer.Option(min=1)] = 60.0,
           plan: Annotated[bool, typer.Option(help="Run the replenishment plan once per shop day.")] = True,
           deliver: Annotated[bool, typer.Option(
               help="Each tick, email the outbox (if INDEN_SMTP_URL is set) and post it to the webhooks.")] = True,
           ) -> None:
    """Background duties on a timer: release pre-orders whose date has come; rank best sellers hourly; plan
    replenishment daily; email the outbox and post it to the webhooks."""
    import time

    from inden.clock import utcnow
    from inden.config import shop_today
    from inden.services.preorders import release_due
    from inden.services.storefront import refresh_best_sellers

    planned_on = None
    ranked_at: float | None = None
    while True:
        released = run(lambda db: release_due(db))
        for sku, units in released.items():
            out.print(f"released {sku}: {units} unit(s) allocated")
        if ranked_at is None or time.monotonic() - ranked_at >= 3600:
            run(lambda db: refresh_best_sellers(db))
            ranked_at = time.monotonic()
        if plan and planned_on != shop_today(utcnow()):
            from inden.services.planning import run_plan

            result = run(lambda db: run_plan(db))
            planned_on = result.today
            out.print(f"planned {len(result.plans)} SKU(s): {len(result.suggestions)} suggestion(s), "
                      f"{result.alerts} alert(s), {len(result.purchase_orders)} purchase order(s)")
        if deliver and get_settings().smtp_url:
            from inden.cli_delivery import deliver_due

            deliver_due()
        if deliver:
            from inden.cli_webhooks import send_due

            send_due()
        if once:
            return
        time.sleep(interval)

import inden.cli_analytics  # noqa: E402,F401  (registers report)
import inden.cli_delivery  # noqa: E402,F401  (registers deliver, outbox)
import inden.cli_storefront  # noqa: E402,F401  (registers availability, best-sellers, subscriptions)
import inden.cli_webhooks  # noqa: E402,F401  (registers webhooks)
from inden import cli_planning  # noqa: E402,F401  (registers import, events, forecast, plan, simulate)
