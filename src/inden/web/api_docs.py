"""The live API reference at `/docs` (Swagger UI) and `/redoc`, with their scripts and styles served by inden
itself from the pinned `fastapi-offline` package: the pages work with no internet and load nothing from
another host.

`INDEN_API_DOCS` says who may read them (and `/openapi.json`): `public` (default: anyone, as a public API's
reference is), `login` (people logged in to the back office; a key holder without a login reads
docs/api-contract.md), or `off` (all three answer 404, e.g. in production).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from inden.web.backoffice.auth import signed_in

ASSETS = Path(fastapi_offline.__file__).parent / "static"
PREFIX = "/static/api-docs"


def install_api_docs(app: FastAPI, *, access: str = "public") -> None:
    """Serve `/openapi.json`, `/docs` and `/redoc` to whom `access` says (create the app with `openapi_url=None,
    docs_url=None, redoc_url=None`)."""
    if access == "off":
        return
    guard = [Depends(signed_in)] if access == "login" else []
    app.mount(PREFIX, StaticFiles(directory=ASSETS), name="api-docs-assets")
    openapi_url = "/openapi.json"

    @app.get(openapi_url, include_in_schema=False, dependencies=guard)
    def openapi() -> JSONResponse:
        document: dict[str, Any] = app.openapi()
        return JSONResponse(document)

    @app.get("/docs", include_in_schema=False, dependencies=guard)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=openapi_url, title=f"{app.title} — API",
                                   swagger_js_url=f"{PREFIX}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{PREFIX}/swagger-ui.css",
                                   swagger_favicon_url=f"{PREFIX}/favicon.png")

    @app.get("/redoc", include_in_schema=False, dependencies=guard)
    def redoc() -> HTMLResponse:
        page = get_redoc_html(openapi_url=openapi_url, title=f"{app.title} — API",
                              redoc_js_url=f"{PREFIX}/redoc.standalone.js",
                              redoc_favicon_url=f"{PREFIX}/favicon.png", with_google_fonts=False)
        # ReDoc's bundle links its own logo from its CDN: the policy keeps images on this host, the style hides
        # the link that would show a broken picture.
        body = bytes(page.body).replace(b"</style>", REDOC_STYLE + b"</style>", 1)
        return HTMLResponse(body, headers={"Content-Security-Policy": "img-src 'self' data:"})


REDOC_STYLE = b'a[href*="redocly.com"] { display: none; }\n'

