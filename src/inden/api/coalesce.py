"""Coalescing concurrent orders for the same SKUs into one transaction (a flash sale's hot SKU).

While one batch of orders for a set of SKUs is being placed, further orders for the same set wait here, in
arrival order; when the batch ends they go together as the next one (`services.placing.place_orders`). Nothing
waits for a timer: a lone order goes at once, and under load a batch is whatever arrived while the previous one
held the lock. Orders for other SKUs run beside it. Each server process coalesces its own requests; between
processes and hosts the products' row locks decide, as they do for single orders.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

import anyio.to_thread

from inden.db.session import Database
from inden.services.placing import Outcome, Placing, place_orders

MAX_BATCH = 256  # orders per transaction: bounds a batch's lock time and statement size


class OrderCoalescer:
    """One per server process (the app's state); used from the event loop only, so it needs no locks."""

    def __init__(self, db: Database, *, max_batch: int = MAX_BATCH) -> None:
        self.db = db
        self.max_batch = max_batch
        self._waiting: defaultdict[tuple[str, ...], list[tuple[Placing, asyncio.Future[Outcome]]]] = \
            defaultdict(list)
        self._draining: dict[tuple[str, ...], asyncio.Task[None]] = {}

    async def place(self, placing: Placing) -> Outcome:
        """The order's outcome once its batch is placed: its OrderOut, or the error it alone caused."""
        key = tuple(sorted(line.sku for line in placing.request.lines))
        outcome: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._waiting[key].append((placing, outcome))
        if key not in self._draining:
            self._draining[key] = asyncio.create_task(self._drain(key))
        return await asyncio.shield(outcome)  # a client that hangs up does not un-place its order

    async def _drain(self, key: tuple[str, ...]) -> None:
        """Place the orders waiting for `key`, a batch at a time, until none are left."""
        try:
            while waiting := self._waiting.get(key):
                batch = waiting[:self.max_batch]
                del waiting[:self.max_batch]
                try:
                    outcomes = await anyio.to_thread.run_sync(place_orders, self.db, [p for p, _ in batch])
                except Exception as error:  # noqa: BLE001 - every order of the batch is told
                    outcomes = [error] * len(batch)
                for (_, future), outcome in zip(batch, outcomes, strict=True):
                    if not future.done():
                        future.set_result(outcome)
        finally:
            for _, future in self._waiting.pop(key, []):  # only when the server stops mid-batch
                if not future.done():
                    future.set_exception(RuntimeError("The server stopped before placing this order."))
            del self._draining[key]
