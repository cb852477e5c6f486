"""Placing orders: one at a time, or a batch decided together in one transaction (a flash sale's hot SKU).

`place_orders` takes orders in arrival order and decides each exactly as `place_order` would have decided it
alone, one after the other: same allocations, queue positions, ETAs, outbox events, lost demand and idempotency
records. The batch takes the products' row locks once and writes with a handful of multi-row statements, so a
hot SKU's lock is held for a few statements per batch instead of a transaction per order. The lock stays the
arbiter between batches of several server processes or hosts: first come, first served is the order in which
orders reach the lock, and inside a batch its arrival order (ids, `created_at` and queue positions record it).

An order that fails (an unknown SKU, a customer limit, an idempotency conflict) gets its own error and writes
nothing; the rest of its batch goes on. Should the batch's transaction itself fail (a database error), each order
is tried again alone, so one order can never cost another its outcome.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from inden.clock import shop_date, utcnow
from inden.db.models import IdempotencyRecord, LostDemand, Order, OrderLine, Product, table_of
from inden.db.outbox import Event, emit
from inden.db.session import Database
from inden.db.stock import lock_known_products
from inden.domain.allocation import LineRequest, OrderDecision, take_order
from inden.domain.contact import Channel
from inden.domain.errors import CustomerLimitExceeded, DomainError, IdempotencyConflict, OutOfStock, UnknownSku
from inden.domain.eta import Eta
from inden.domain.event_types import EventType
from inden.domain.orders import LineUnits, OrderStatus, order_status
from inden.domain.policy import ProductRules
from inden.domain.stock import StockLevel
from inden.services.order_views import order_view
from inden.services.schemas.orders import CustomerOut, OrderCreate, OrderLineOut, OrderOut
from inden.services.steps.decisions import decision_snapshots
from inden.services.steps.etas import Plan, plans_for, refresh_etas, tail_eta

Outcome = OrderOut | Exception  # a DomainError the order caused, or an unexpected error of its own


@dataclass(frozen=True, slots=True)
class Placing:
    """One order to place, with the caller's `Idempotency-Key` if any."""

    request: OrderCreate
    idempotency_key: str | None = None

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.request.model_dump_json().encode()).hexdigest()


def place_order(
    db: Database, request: OrderCreate, *, idempotency_key: str | None = None, now: datetime | None = None
) -> OrderOut:
    """Take an order: each line takes what is available, the rest waits on backorder within policy.

    Raises OutOfStock (and records the refused units as lost demand) when a line cannot be taken in full.
    With `idempotency_key`, a retry with the same body gets the first outcome again and changes nothing;
    another body raises IdempotencyConflict.
    """
    outcome = place_orders(db, [Placing(request, idempotency_key)], now=now)[0]
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def place_orders(db: Database, placings: Sequence[Placing], *, now: datetime | None = None) -> list[Outcome]:
    """Place `placings` in their order; each gets its order or the error it alone caused.

    An Idempotency-Key used twice in `placings` splits them in two batches at its second use, so the second
    replays (or conflicts with) the first one's stored outcome exactly as a retry would.
    """
    clock: Callable[[], datetime] = (lambda: now) if now else utcnow
    outcomes: list[Outcome] = []
    for batch in _split_at_repeated_keys(placings):
        if len(batch) == 1:
            outcomes.append(_alone(db, batch[0], clock))
            continue
        try:
            outcomes += _place_batch(db, batch, clock)
        except Exception:
            outcomes += [_alone(db, placing, clock) for placing in batch]  # every order on its own, in order
    return outcomes


def _split_at_repeated_keys(placings: Sequence[Placing]) -> list[list[Placing]]:
    batches: list[list[Placing]] = [[]]
    keys: set[str] = set()
    for placing in placings:
        key = placing.idempotency_key
        if key is not None and key in keys:
            batches.append([])
            keys.clear()
        if key is not None:
            keys.add(key)
        batches[-1].append(placing)
    return [batch for batch in batches if batch]


def _alone(db: Database, placing: Placing, clock: Callable[[], datetime]) -> Outcome:
    """One order in its own transaction; an unexpected error is its outcome, not its neighbours'."""
    try:
        return _place_batch(db, [placing], clock)[0]
    except Exception as error:  # noqa: BLE001 - handed to this order's caller, who raises it
        return error


# --- one batch, one transaction ----------------------------------------------------------------------------


@dataclass
class _Queue:
    """One product's backorder queue as the batch changes it: waiting lines and their lowest priority."""

    waiting_lines: int
    lowest_priority: int | None


_Accepted = tuple[Placing, OrderDecision, dict[str, int | None]]  # + each waiting line's position (None: jumped)


@dataclass
class _Batch:
    """What a batch knows while it decides: locked products, their stock and queues, decisions not yet written."""

    session: Session
    now: datetime
    today: date
    products: dict[str, Product]
    snapshots: dict[str, tuple[ProductRules, StockLevel]]
    bought: Counter[tuple[str, int]]  # (customer email, product id) -> units already ordered, for max_per_customer
    queues: dict[int, _Queue] = field(default_factory=dict)
    plans: dict[int, Plan] = field(default_factory=dict)  # by product id
    accepted: dict[int, _Accepted] = field(default_factory=dict)
    ahead: dict[tuple[int, str], int] = field(default_factory=dict)  # units waiting before a line joined
    refused: dict[int, tuple[Placing, OrderDecision]] = field(default_factory=dict)
    outcomes: dict[int, Outcome] = field(default_factory=dict)


def _place_batch(db: Database, placings: Sequence[Placing], clock: Callable[[], datetime]) -> list[Outcome]:
    fingerprints = [p.fingerprint for p in placings]
    with db.transaction() as session:
        outcomes = _claim_keys(session, placings, fingerprints, now=clock())
        live = [i for i in range(len(placings)) if i not in outcomes]
        if not live:
            return [outcomes[i] for i in range(len(placings))]
        products = lock_known_products(session, {line.sku for i in live for line in placings[i].request.lines})
        # Read the clock once the stock is locked, so that on a hot SKU creation time follows the order in
        # which orders took the lock, which is also the order of their ids.
        placed_at = clock()
        today = shop_date(placed_at, db.settings.timezone)
        batch = _Batch(session, placed_at, today, products, decision_snapshots(session, products, today=today),
                       _already_bought(session, [placings[i].request for i in live], products))
        for i in live:
            try:
                _decide(batch, i, placings[i])
            except DomainError as error:
                batch.outcomes[i] = error
        _write(batch)
        outcomes.update(batch.outcomes)
        _forget_claims(session, [key for i in live if (key := placings[i].idempotency_key) is not None
                                 and not isinstance(outcomes[i], OrderOut | OutOfStock)])
    return [outcomes[i] for i in range(len(placings))]


def _claim_keys(
    session: Session, placings: Sequence[Placing], fingerprints: Sequence[str], *, now: datetime
) -> dict[int, Outcome]:
    """Claim each order's Idempotency-Key by inserting its row; returns the stored outcomes of keys used before.

    Keys are claimed in key order before any product is locked: on PostgreSQL a concurrent twin blocks on the
    insert until the first commits, then replays its outcome; two batches never wait on each other in a cycle.
    """
    keyed = {p.idempotency_key: i for i, p in enumerate(placings) if p.idempotency_key is not None}
    if not keyed:
        return {}
    table = table_of(IdempotencyRecord)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    claimed = set(session.scalars(
        dialect.insert(table).values([
            {"key": key, "fingerprint": fingerprints[keyed[key]], "status_code": 0, "response": {}, "created_at": now}
            for key in sorted(keyed)
        ]).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.key)
    ).all())
    used = sorted(set(keyed) - claimed)
    if not used:
        return {}
    replays: dict[int, Outcome] = {}
    for record in session.execute(select(table).where(table.c.key.in_(used))).all():
        index = keyed[record.key]
        if record.fingerprint != fingerprints[index]:
            replays[index] = IdempotencyConflict(record.key)
        elif record.status_code == 409:
            replays[index] = OutOfStock(record.response["lines"])
        else:
            replays[index] = OrderOut.model_validate(record.response)
    return replays


def _forget_claims(session: Session, keys: Sequence[str]) -> None:
    """Free the keys of orders that failed: a retry after fixing the request is a new request."""
    if keys:
        session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.key.in_(keys)))


def _already_bought(
    session: Session, requests: Sequence[OrderCreate], products: dict[str, Product]
) -> Counter[tuple[str, int]]:
    """Units each customer already ordered of the batch's limited products (`max_per_customer`)."""
    limited = {p.id for p in products.values() if p.max_per_customer is not None}
    emails = {r.customer.email for r in requests
              if any(line.sku in products and products[line.sku].id in limited for line in r.lines)}
    if not emails:
        return Counter()
    rows = session.execute(
        select(Order.customer_email, OrderLine.product_id, func.sum(OrderLine.quantity - OrderLine.cancelled))
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.product_id.in_(limited), Order.customer_email.in_(emails))
        .group_by(Order.customer_email, OrderLine.product_id)
    ).all()
    return Counter({(email, product_id): int(units or 0) for email, product_id, units in rows})


def _decide(batch: _Batch, index: int, placing: Placing) -> None:
    """Decide one order against the batch's current stock and queues, as if it were placed alone now.

    Raises the DomainError the order causes (it then changes nothing)."""
    request = placing.request
    for line in request.lines:
        if line.sku not in batch.products:
            raise UnknownSku(line.sku)
    _check_customer_limits(batch, request)
    decision = take_order([LineRequest(line.sku, line.quantity) for line in request.lines], batch.snapshots)
    if not decision.accepted:
        batch.refused[index] = (placing, decision)
        return
    positions: dict[str, int | None] = {}
    for take in decision.takes:
        rules, stock = batch.snapshots[take.sku]
        if take.backordered:
            positions[take.sku] = _join_queue(batch, batch.products[take.sku], request.priority)
            batch.ahead[(index, take.sku)] = stock.backordered
        batch.snapshots[take.sku] = (rules, replace(stock, allocated=stock.allocated + take.allocated,
                                                    backordered=stock.backordered + take.backordered))
        batch.bought[(request.customer.email, batch.products[take.sku].id)] += take.quantity
    batch.accepted[index] = (placing, decision, positions)
    if None in positions.values():  # it jumped a queue: store it and re-peg now, as it would have been alone
        _write(batch)


def _check_customer_limits(batch: _Batch, request: OrderCreate) -> None:
    """Limited editions: refuse a customer who would pass `max_per_customer`."""
    for line in request.lines:
        product = batch.products[line.sku]
        if product.max_per_customer is None:
            continue
        already = batch.bought[(request.customer.email, product.id)]
        if already + line.quantity > product.max_per_customer:
            raise CustomerLimitExceeded(line.sku, limit=product.max_per_customer, already=already,
                                        requested=line.quantity)


def _join_queue(batch: _Batch, product: Product, priority: int) -> int | None:
    """The position a waiting line of `priority` takes at the tail of the queue, or None when it jumps ahead of
    a line of lower priority (one query per product per batch; the batch keeps count after that)."""
    queue = batch.queues.get(product.id)
    if queue is None:
        count, lowest = batch.session.execute(
            select(func.count(), func.min(OrderLine.priority))
            .where(OrderLine.product_id == product.id, OrderLine.backordered > 0)
        ).one()
        queue = batch.queues[product.id] = _Queue(count, lowest)
    queue.waiting_lines += 1
    if queue.lowest_priority is not None and queue.lowest_priority < priority:
        return None
    queue.lowest_priority = priority if queue.lowest_priority is None else min(queue.lowest_priority, priority)
    return queue.waiting_lines


# --- writing what the batch decided ------------------------------------------------------------------------


def _write(batch: _Batch) -> None:
    """Store every order decided since the last write with a few multi-row statements; record the outcomes."""
    if batch.refused:
        _write_refusals(batch)
    if not batch.accepted:
        return
    accepted, batch.accepted = batch.accepted, {}
    session, now = batch.session, batch.now
    orders = table_of(Order)
    order_ids = session.scalars(
        insert(orders).returning(orders.c.id, sort_by_parameter_order=True),
        [_order_row(placing.request, decision, now) for placing, decision, _ in accepted.values()],
    ).all()
    rows, views, jumped = _lines(batch, accepted, dict(zip(accepted, order_ids, strict=True)))
    session.execute(insert(table_of(OrderLine)), rows)
    _store_stock(batch, {t.sku for _, decision, _ in accepted.values() for t in decision.takes})
    batch.outcomes.update(views)
    emit(session, [_backordered_event(view) for view in views.values() if any(line.backordered for line in view.lines)],
         now=now)
    if jumped:  # a raised priority jumped a queue (the last order decided): re-peg, then read back its lines
        skus = {sku for index in jumped for sku, position in accepted[index][2].items() if position is None}
        refresh_etas(session, [batch.products[sku] for sku in sorted(skus)], now=now)
        batch.queues.clear()
        for index, order_id in jumped.items():
            batch.outcomes[index] = view = order_view(session, order_id)
            emit(session, [_backordered_event(view)], now=now)
    _remember(session, [(accepted[index][0].idempotency_key, 201, outcome) for index in accepted
                        if isinstance(outcome := batch.outcomes[index], OrderOut)])


def _lines(
    batch: _Batch, accepted: dict[int, _Accepted], order_ids: dict[int, int]
) -> tuple[list[dict[str, object]], dict[int, OrderOut], dict[int, int]]:
    """The order lines to insert, the views of the orders they make, and the orders that jumped a queue (their
    views are read back after the re-peg): (rows, {index: view}, {index: order id})."""
    etas = _tail_etas(batch, accepted)
    rows, views, jumped = [], {}, {}
    for index, (placing, decision, positions) in accepted.items():
        order_id, line_views = order_ids[index], []
        for take in decision.takes:
            eta = etas.get((index, take.sku))
            row = {
                "order_id": order_id, "product_id": batch.products[take.sku].id, "quantity": take.quantity,
                "allocated": take.allocated, "backordered": take.backordered,
                "backordered_at_order": take.backordered, "shipped": 0, "cancelled": 0,
                "priority": placing.request.priority, "order_created_at": batch.now, "eta": eta.eta if eta else None,
                "eta_latest": eta.eta_latest if eta else None, "eta_confidence": eta.confidence if eta else None,
            }
            rows.append(row)
            line_views.append(OrderLineOut(
                sku=take.sku, quantity=take.quantity, allocated=take.allocated, backordered=take.backordered,
                shipped=0, cancelled=0, position=positions.get(take.sku), eta=row["eta"],
                eta_latest=row["eta_latest"], eta_confidence=row["eta_confidence"]))
        if None in positions.values():
            jumped[index] = order_id
        else:
            views[index] = _view(order_id, placing.request, decision, line_views, batch.now)
    return rows, views, jumped


def _store_stock(batch: _Batch, skus: set[str]) -> None:
    """Write the products' allocated and backordered units as the batch left them (the rows are locked)."""
    products = table_of(Product)
    batch.session.execute(
        update(products).where(products.c.id == bindparam("product_id"))
        .values(allocated=bindparam("allocated"), backordered=bindparam("backordered")),
        [{"product_id": batch.products[sku].id, "allocated": batch.snapshots[sku][1].allocated,
          "backordered": batch.snapshots[sku][1].backordered} for sku in sorted(skus)],
    )
    for sku in skus:  # keep the loaded rows in step without marking them dirty (written just above)
        set_committed_value(batch.products[sku], "allocated", batch.snapshots[sku][1].allocated)
        set_committed_value(batch.products[sku], "backordered", batch.snapshots[sku][1].backordered)


def _order_row(request: OrderCreate, decision: OrderDecision, now: datetime) -> dict[str, object]:
    customer = request.customer
    return {
        "external_id": request.external_id, "customer_email": customer.email, "customer_name": customer.name,
        "customer_locale": customer.locale, "fulfilment": request.fulfilment.value, "priority": request.priority,
        "status": _status(decision).value, "created_at": now, "customer_phone": customer.phone,
        "channel": customer.channel.value,
        "whatsapp_consent_at": now if customer.channel == Channel.WHATSAPP else None,
    }


def _status(decision: OrderDecision) -> OrderStatus:
    return order_status(LineUnits(t.quantity, t.allocated, t.backordered, 0, 0) for t in decision.takes)


def _tail_etas(batch: _Batch, accepted: dict[int, _Accepted]) -> dict[tuple[int, str], Eta]:
    """The promise of each line that joined the tail of its queue, behind the units waiting when it joined."""
    joined = [(index, take) for index, (_, decision, positions) in accepted.items()
              for take in decision.takes if positions.get(take.sku) is not None]
    missing = {take.sku for _, take in joined if batch.products[take.sku].id not in batch.plans}
    if missing:
        batch.plans.update(plans_for(batch.session, [batch.products[sku] for sku in sorted(missing)], batch.today))
    return {(index, take.sku): tail_eta(batch.plans[batch.products[take.sku].id], batch.ahead[(index, take.sku)],
                                        take.backordered)
            for index, take in joined}


def _view(order_id: int, request: OrderCreate, decision: OrderDecision, lines: list[OrderLineOut],
          now: datetime) -> OrderOut:
    customer = request.customer
    return OrderOut(
        id=order_id, external_id=request.external_id, status=_status(decision),
        customer=CustomerOut(email=customer.email, name=customer.name, locale=customer.locale, phone=customer.phone,
                             channel=customer.channel),
        fulfilment=request.fulfilment, priority=request.priority, created_at=now, lines=lines,
    )


def _backordered_event(view: OrderOut) -> Event:
    return Event(EventType.ORDER_BACKORDERED, f"order.backordered:{view.id}", {
        "order_id": view.id,
        "customer": view.customer.model_dump(),
        "lines": [line.model_dump(mode="json", include={"sku", "backordered", "position", "eta", "eta_latest",
                                                        "eta_confidence"})
                  for line in view.lines if line.backordered],
    })


def _write_refusals(batch: _Batch) -> None:
    """Record every unit of each refused order as lost demand; each error names the lines that caused it."""
    refused, batch.refused = batch.refused, {}
    rows = []
    for index, (placing, decision) in refused.items():
        short = {r.sku for r in decision.refusals}
        rows += [{"product_id": batch.products[line.sku].id, "quantity": line.quantity,
                  "customer_email": placing.request.customer.email,
                  "reason": "out_of_stock" if line.sku in short else "order_refused", "created_at": batch.now}
                 for line in placing.request.lines]
        batch.outcomes[index] = OutOfStock([
            {"sku": r.sku, "requested": r.requested, "available": r.available, "backorder_room": r.backorder_room}
            for r in decision.refusals
        ])
    batch.session.execute(insert(LostDemand), rows)
    _remember(batch.session, [(placing.idempotency_key, 409, batch.outcomes[index])
                              for index, (placing, _) in refused.items()])


def _remember(session: Session, outcomes: Sequence[tuple[str | None, int, Outcome]]) -> None:
    """Store each keyed order's outcome for its retries."""
    rows = [{"k": key, "status_code": status,
             "response": outcome.model_dump(mode="json") if isinstance(outcome, OrderOut)
             else {"lines": outcome.lines if isinstance(outcome, OutOfStock) else []}}
            for key, status, outcome in outcomes if key is not None]
    if rows:
        table = table_of(IdempotencyRecord)
        session.execute(update(table).where(table.c.key == bindparam("k"))
                        .values(status_code=bindparam("status_code"), response=bindparam("response")), rows)
