"""Every error leaves the API in one shape: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from inden.domain.errors import DomainError
from inden.i18n import N_

log = logging.getLogger("inden.api")

STATUS = {
    "validation_error": 422,
    "not_found": 404,
    "out_of_stock": 409,
    "insufficient_stock": 409,
    "idempotency_conflict": 409,
    "customer_limit": 409,
    "unauthorized": 401,
    "forbidden": 403,
    "payload_too_large": 413,
    "rate_limited": 429,
    "unavailable": 503,
}
HTTP_CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
              413: "payload_too_large", 429: "rate_limited"}


class ApiError(Exception):
    """An error raised by the API layer itself (auth, limits)."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code, self.message, self.details = code, message, details


def error_response(status: int, code: str, message: str, details: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message, "details": details or {}}}, status_code=status, headers=headers
    )


def _validation_details(error: RequestValidationError) -> dict[str, Any]:
    problems = []
    for item in error.errors():
        problems.append({
            "field": ".".join(str(p) for p in item.get("loc", ())),
            "problem": item.get("msg", "invalid"),
        })
    return {"errors": problems}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, error: DomainError) -> JSONResponse:
        wait = error.details.get("retry_after") if error.code == "rate_limited" else None
        headers = {"Retry-After": str(wait)} if wait is not None else None
        return error_response(STATUS.get(error.code, 422), error.code, error.message, error.details, headers)

    @app.exception_handler(ApiError)
    async def _api(_: Request, error: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if error.code == "unauthorized" else None
        return error_response(STATUS[error.code], error.code, error.message, error.details, headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        details = _validation_details(error)
        first = details["errors"][0] if details["errors"] else {"field": "request", "problem": "invalid"}
        message = f"Invalid request: {first['field']}: {first['problem']}"
        return error_response(422, "validation_error", message, details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code == 400:  # a body FastAPI could not parse (not UTF-8, nested too deep): the contract's 422
            return error_response(422, "validation_error", "Invalid request: the body is not valid JSON text "
                                  "(UTF-8, at most a few hundred levels deep).", {"errors": [
                                      {"field": "body", "problem": str(error.detail)}]})
        code = HTTP_CODES.get(error.status_code, "validation_error")
        return error_response(error.status_code, code, str(error.detail),
                              headers=dict(error.headers) if error.headers else None)

    @app.exception_handler(SQLAlchemyTimeout)
    @app.exception_handler(OperationalError)
    async def _busy(_: Request, error: Exception) -> JSONResponse:
        # The database is out of connections or unreachable: nothing was written; the client may retry.
        log.warning(N_("database unavailable: %s"), error)
        return error_response(503, "unavailable", "The database is busy or unreachable; nothing was changed. "
                              "Retry shortly.", headers={"Retry-After": "1"})

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, error: Exception) -> JSONResponse:
        log.exception(N_("unhandled error"), exc_info=error)
        return error_response(500, "internal_error", "Something went wrong on our side; nothing was changed.")
