"""The FastAPI application. `create_app()` is what `inden serve` runs (as a factory, one per worker)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

import inden
from inden.api.coalesce import OrderCoalescer
from inden.api.errors import install_error_handlers
from inden.api.lean_orders import install_lean_orders
from inden.api.limits import BodySizeLimit
from inden.api.observe import RequestObserver
from inden.api.observe import router as operations_router
from inden.api.openapi import document_errors
from inden.api.routers import (
    analytics,
    keys,
    orders,
    planning,
    products,
    storefront,
    supply,
    webhooks,
    whatsapp,
)
from inden.api.security import SecurityHeaders
from inden.config import get_settings
from inden.db.session import POOL_SIZE, Database
from inden.logs import configure_logging
from inden.services.keys import KeyCache
from inden.web import dashboard, pages, widget
from inden.web.api_docs import install_api_docs
from inden.web.backoffice import UPLOAD_LIMITS, install_back_office
from inden.web.shopper import install_shopper_pages


def create_app(db: Database | None = None) -> FastAPI:
    """Build the app over `db` and its settings (default: the environment's, INDEN_DATABASE_URL)."""
    settings = db.settings if db is not None else get_settings()
    db = db or Database(settings.database_url, settings=settings)
    configure_logging(format=settings.log_format, level=settings.log_level, locale=settings.default_locale)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Sync endpoints run in AnyIO's thread pool: more threads than connections would only wait for one.
        anyio.to_thread.current_default_thread_limiter().total_tokens = POOL_SIZE
        yield

    app = FastAPI(
        lifespan=lifespan,
        openapi_url=None,  # served by install_api_docs, to whom INDEN_API_DOCS says
        docs_url=None,  # served by install_api_docs, from inden's own assets
        redoc_url=None,
        title="inden",
        version=inden.__version__,
        summary="Keep selling when stock runs out: backorders, honest ship dates, first come first served.",
    )
    app.state.db = db
    app.state.settings = settings
    app.state.keys = KeyCache(db)
    app.state.orders = OrderCoalescer(db)
    install_error_handlers(app)
    install_api_docs(app, access=settings.api_docs)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, paths=UPLOAD_LIMITS)
    if settings.cors_origins:  # shop pages on other origins call the storefront endpoints from the browser
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"], max_age=600)
    app.add_middleware(RequestObserver)  # outermost: every answer gets a request id and a log line
    app.include_router(products.router)
    app.include_router(orders.router)
    app.include_router(supply.router)
    app.include_router(planning.router)
    app.include_router(storefront.router)
    app.include_router(analytics.router)
    app.include_router(webhooks.router)
    app.include_router(keys.router)
    app.include_router(whatsapp.router)
    app.include_router(pages.router)
    app.include_router(widget.router)
    app.include_router(dashboard.router)
    app.include_router(operations_router)
    install_lean_orders(app)
    install_back_office(app)
    install_shopper_pages(app)
    document_errors(app)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
