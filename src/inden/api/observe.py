"""Request ids, one log line per request, request latency, GET /metrics (Prometheus text) and GET /readyz.

Every answer carries `X-Request-ID` (the caller's, when it sent a sane one, else a new one); the id is in
every log line written while the request runs (inden.logs). Latency is a histogram by method, route template
(never the raw path: a path may carry a token) and status. With several server processes `inden serve` points
PROMETHEUS_MULTIPROC_DIR at a directory of its own, so a scrape of any process adds up all of them; the
shop's figures (orders, refusals, waiting units, outbox lag, delivery failures) are read from the database at
scrape time.
"""

from __future__ import annotations

import logging
import os
import re
import time
import uuid
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from inden.api.deps import get_db, require
from inden.db.session import Database
from inden.i18n import N_
from inden.logs import request_id
from inden.services.keys import Role
from inden.services.operations import readiness, shop_figures

log = logging.getLogger("inden.http")
SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
REQUEST_SECONDS = Histogram("inden_http_request_duration_seconds", "HTTP request latency, by route template",
                            ["method", "route", "status"],
                            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


class RequestObserver:
    """Pure ASGI middleware: request id in and out, the request's log line and its latency."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = sent if SANE_ID.match(sent) else uuid.uuid4().hex
        token = request_id.set(rid)
        started, status = time.perf_counter(), 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", []), (b"x-request-id", rid.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            REQUEST_SECONDS.labels(scope["method"], route, str(status)).observe(seconds)
            log.info(N_("%s %s %s %.1f ms"), scope["method"], route, status, seconds * 1000, extra={
                "method": scope["method"], "route": route, "status": status, "duration_ms": round(seconds * 1000, 1),
                "request_id": rid})
            request_id.reset(token)


class ShopCollector(Collector):
    """The shop's figures, read from the database at each scrape."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[Metric]:
        figures = shop_figures(self.db)
        yield CounterMetricFamily("inden_orders", "Orders taken", value=figures.orders)
        yield CounterMetricFamily("inden_refused_units", "Units of refused orders (lost demand)",
                                  value=figures.refused_units)
        yield GaugeMetricFamily("inden_units_waiting", "Backordered units waiting now", value=figures.units_waiting)
        yield GaugeMetricFamily("inden_outbox_pending", "Outbox events not yet emailed nor given up on",
                                value=figures.outbox_pending)
        yield GaugeMetricFamily("inden_outbox_lag_seconds", "Age of the oldest pending outbox event",
                                value=figures.outbox_lag_seconds)
        yield GaugeMetricFamily("inden_email_failures", "Outbox events given up on after the last attempt",
                                value=figures.email_failures)
        yield GaugeMetricFamily("inden_webhook_endpoints_failing", "Webhook endpoints backing off after failures",
                                value=figures.webhooks_failing)
        yield GaugeMetricFamily("inden_webhook_endpoints_disabled", "Webhook endpoints disabled after failing",
                                value=figures.webhooks_disabled)


router = APIRouter(include_in_schema=False)


class _ThisProcess(Collector):
    """This process's own metrics (one server process: no PROMETHEUS_MULTIPROC_DIR)."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


@router.get("/metrics", dependencies=[Depends(require(Role.STAFF))])
def metrics(db: Annotated[Database, Depends(get_db)]) -> Response:
    """Prometheus text: request latency of every server process, and the shop's figures (staff or admin key)."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_ThisProcess())
    registry.register(ShopCollector(db))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """200 when the database answers and its schema is at head; 503 otherwise (a load balancer's check)."""
    problem = readiness(request.app.state.db)
    if problem is None:
        return JSONResponse({"status": "ready"})
    return JSONResponse({"error": {"code": "unavailable", "message": f"Not ready: {problem}.", "details": {}}},
                        status_code=503, headers={"Retry-After": "5"})
