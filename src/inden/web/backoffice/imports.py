"""`/import`: upload a sales-history or products CSV; every row's problems are shown before anything is written,
and the file is imported all or nothing. `/downloads/*.csv`: products, backorders and the plan, streamed."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from inden.clock import shop_date, utcnow
from inden.domain.errors import DomainError
from inden.i18n import N_
from inden.services import sales_import
from inden.services.back_office import downloads, imports
from inden.web.backoffice import forms
from inden.web.backoffice.auth import Posted, Signed, database
from inden.web.backoffice.render import Errors, app_settings, page

router = APIRouter(include_in_schema=False)
KINDS = ("sales", "products")
MAX_FILE = 20 * 1024 * 1024


@router.get("/import")
def import_page(request: Request, account: Signed) -> HTMLResponse:
    return page(request, account, "import.html", values={"kind": "sales"})


async def _text_of(upload: object, errors: Errors) -> str | None:
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors.add("file", N_("Choose a CSV file."))
        return None
    data = await upload.read(MAX_FILE + 1)
    if len(data) > MAX_FILE:
        errors.add("file", N_("The file is larger than 20 MB; split it."))
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        errors.add("file", N_("Save the file as CSV in UTF-8 (Excel: CSV UTF-8)."))
        return None


@router.post("/import")
async def upload(request: Request, account: Signed, form: Posted) -> Response:
    errors = Errors()
    kind = forms.choice(form, "kind", errors, KINDS)
    create = forms.raw(form, "create_products") == "1"
    text = await _text_of(form.get("file"), errors)
    values = {"kind": kind or "sales", "create_products": "1" if create else ""}
    if errors or text is None:
        return page(request, account, "import.html", errors=errors, values=values, status_code=422)
    return await run_in_threadpool(_import, request, account, kind or "sales", text, create, values)


def _import(request: Request, account: Signed, kind: str, text: str, create: bool, values: dict[str, str]
            ) -> Response:
    db = database(request)
    preview = (imports.preview_sales_import(db, text, create_products=create) if kind == "sales"
               else imports.preview_products_import(db, text))
    if not preview.ok:
        errors = Errors()
        errors.add("file", N_("Nothing was imported: the file has %(count)s problems. Fix them and upload again."),
                   count=len(preview.problems))
        return page(request, account, "import.html", errors=errors, values=values, preview=preview,
                    problems=[(p.line, p.column, p.text(account.locale)) for p in preview.problems[:200]],
                    status_code=422)
    try:
        if kind == "sales":
            done = sales_import.import_sales(db, text, create_products=create)
            result = {"rows": done.rows, "days": done.days, "created": len(done.created_products), "updated": 0}
        else:
            made = imports.import_products(db, text)
            result = {"rows": preview.rows, "days": 0, "created": len(made.created), "updated": len(made.updated)}
    except DomainError as error:
        errors = Errors()
        forms.from_domain(error, errors, "file")
        return page(request, account, "import.html", errors=errors, values=values, status_code=422)
    return page(request, account, "import.html", values=values, result=result, kind=kind)


def _csv(request: Request, chunks: Iterator[str], name: str) -> StreamingResponse:
    day = shop_date(utcnow(), app_settings(request).timezone).isoformat()  # the file's name only
    return StreamingResponse(chunks, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{name}-{day}.csv"', "Cache-Control": "no-store"})


@router.get("/downloads/products.csv")
def products_csv(request: Request, account: Signed) -> StreamingResponse:
    return _csv(request, downloads.products_csv(database(request)), "products")


@router.get("/downloads/backorders.csv")
def backorders_csv(request: Request, account: Signed, sku: str | None = None) -> StreamingResponse:
    return _csv(request, downloads.backorders_csv(database(request), sku=sku), "backorders")


@router.get("/downloads/plan.csv")
def plan_csv(request: Request, account: Signed) -> StreamingResponse:
    return _csv(request, downloads.plan_csv(database(request)), "plan")
