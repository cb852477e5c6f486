"""The live API reference at `/docs` (Swagger UI) and `/redoc`, with their scripts and styles served by inden
itself from the pinned `fastapi-offline` package: the pages work with no internet and load nothing from
another host."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"
PREFIX = "/static/api-docs"


def install_api_docs(app: FastAPI) -> None:
    """Serve `/docs` and `/redoc` over `app.openapi_url` (create the app with `docs_url=None, redoc_url=None`)."""
    app.mount(PREFIX, StaticFiles(directory=ASSETS), name="api-docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=openapi_url, title=f"{app.title} — API",
                                   swagger_js_url=f"{PREFIX}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{PREFIX}/swagger-ui.css",
                                   swagger_favicon_url=f"{PREFIX}/favicon.png")

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        page = get_redoc_html(openapi_url=openapi_url, title=f"{app.title} — API",
                              redoc_js_url=f"{PREFIX}/redoc.standalone.js",
                              redoc_favicon_url=f"{PREFIX}/favicon.png", with_google_fonts=False)
        # ReDoc's bundle links its own logo from its CDN: the policy keeps images on this host, the style hides
        # the link that would show a broken picture.
        body = bytes(page.body).replace(b"</style>", REDOC_STYLE + b"</style>", 1)
        return HTMLResponse(body, headers={"Content-Security-Policy": "img-src 'self' data:"})


REDOC_STYLE = b'a[href*="redocly.com"] { display: none; }\n'

