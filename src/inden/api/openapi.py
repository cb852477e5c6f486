"""The error answers of every operation in the OpenAPI document, in the one error shape (docs/api-contract.md)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

REF = "#/components/schemas/{model}"


class ErrorBody(BaseModel):
    code: str = Field(examples=["validation_error"])
    message: str
    details: dict[str, Any]


class ErrorOut(BaseModel):
    """Every 4xx and 5xx of the API: `{"error": {"code", "message", "details"}}`."""

    error: ErrorBody


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": REF.format(model="ErrorOut")}}}}


COMMON = {
    "401": _error("unauthorized: no key, or an unknown or revoked one"),
    "403": _error("forbidden: the key's role may not do this"),
    "422": _error("validation_error: the request breaks the input policy or a rule; nothing was changed"),
    "429": _error("rate_limited: too many requests; retry after the Retry-After header's seconds"),
    "503": _error("unavailable: the database is busy or unreachable; nothing was changed, retry shortly"),
}
WITH_BODY = {"413": _error("payload_too_large: the body is larger than the server accepts"),
             "409": _error("out_of_stock, insufficient_stock, idempotency_conflict or customer_limit")}
ADDRESSED = {"404": _error("not_found: no such resource")}


def document_errors(app: FastAPI) -> None:
    """Give every /v1 operation of the OpenAPI document the error answers it can give, each in the ErrorOut
    shape (instead of FastAPI's own 422 schema)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            for path, operations in document.get("paths", {}).items():
                if path.startswith("/v1"):
                    for method, operation in operations.items():
                        _add_errors(operation, path=path, method=method)
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            error = ErrorOut.model_json_schema(ref_template=REF)
            schemas.update(error.pop("$defs", {}))
            schemas["ErrorOut"] = error
            for unused in ("HTTPValidationError", "ValidationError"):
                schemas.pop(unused, None)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _add_errors(operation: dict[str, Any], *, path: str, method: str) -> None:
    answers: dict[str, dict[str, Any]] = {**COMMON}
    writes = method.lower() in ("post", "put", "patch")
    if writes:
        answers |= WITH_BODY
    if "{" in path or writes:
        answers |= ADDRESSED  # an unknown SKU or id in the path or the body
    responses = operation.setdefault("responses", {})
    responses.update({status: answer for status, answer in answers.items()
                      if status not in responses or status == "422"})
