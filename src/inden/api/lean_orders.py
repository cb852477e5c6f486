"""POST /v1/orders on a lean path: the hottest request of a flash sale, without FastAPI's per-request machinery.

The documented route (`api.routers.orders.place_order`) is the contract. In front of it, this path takes only the
ordinary request — a staff or admin key, a JSON body that validates as `OrderCreate`, no Idempotency-Key or one of
1–255 characters — and places it through the same coalescer (`api.coalesce`) with the same outcome and error
handlers. Every other request (no key or the wrong one, a body that is not JSON or does not validate, another
content type) goes to the documented route unchanged, which answers as it always has. What this skips per order is
FastAPI's dependency solving and response re-validation, about a third of the server's CPU for an order
(docs/benchmarks.md, flash sale).
"""

from __future__ import annotations

import orjson
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.security.utils import get_authorization_scheme_param
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from inden.api.coalesce import OrderCoalescer
from inden.api.limits import replay_body
from inden.api.routers import orders
from inden.services.keys import KeyCache, Role
from inden.services.placing import Placing
from inden.services.schemas.orders import OrderCreate

PATH = "/v1/orders"
ALLOWED = {Role.STAFF, Role.ADMIN}


class LeanPlaceOrder:
    """An ASGI endpoint for POST /v1/orders that hands anything out of the ordinary to `documented`."""

    def __init__(self, documented: APIRoute, coalescer: OrderCoalescer, keys: KeyCache) -> None:
        self.documented, self.coalescer, self.keys = documented, coalescer, keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        body = await request.body()
        placing = self._ordinary(request, body)
        if placing is None:
            await self.documented.handle(scope, replay_body(body, receive), send)
            return
        scope["route"] = self.documented  # logs and metrics name the route as for any other request
        outcome = await self.coalescer.place(placing)
        if isinstance(outcome, Exception):
            raise outcome  # the app's error handlers answer, as they do for the documented route
        await Response(outcome.model_dump_json(), status_code=201, media_type="application/json")(scope, receive, send)

    def _ordinary(self, request: Request, body: bytes) -> Placing | None:
        """The order to place, or None when the documented route must answer."""
        media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
        if media_type != "application/json":
            return None
        scheme, token = get_authorization_scheme_param(request.headers.get("authorization"))
        if scheme.lower() != "bearer" or not token or self.keys.role_of(token) not in ALLOWED:
            return None
        key = request.headers.get("idempotency-key")
        if key is not None and not 1 <= len(key) <= 255:
            return None
        try:
            order = OrderCreate.model_validate(orjson.loads(body))
        except (orjson.JSONDecodeError, ValidationError):
            return None
        return Placing(order, key)


def install_lean_orders(app: FastAPI) -> None:
    """Put the lean path in front of the documented POST /v1/orders (which stays in the OpenAPI document)."""
    documented = next(route for route in orders.router.routes
                      if isinstance(route, APIRoute) and route.path == PATH and "POST" in (route.methods or ()))
    lean = LeanPlaceOrder(documented, app.state.orders, app.state.keys)
    app.router.routes.insert(0, Route(PATH, lean, methods=["POST"], include_in_schema=False))
