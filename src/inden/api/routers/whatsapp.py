"""Meta's webhook for the WhatsApp Business Cloud API: buyers' replies (docs/whatsapp.md).

`GET /whatsapp/webhook` answers Meta's verification (`hub.mode=subscribe`, `hub.verify_token` equal to
`INDEN_WHATSAPP_VERIFY_TOKEN`: the body is `hub.challenge`). `POST /whatsapp/webhook` takes Meta's notifications,
signed with the app's secret (`X-Hub-Signature-256: sha256=<HMAC of the raw body>`, `INDEN_WHATSAPP_APP_SECRET`):
a reply "STOP" or "BERHENTI" opts the number out, "START" or "MULAI" back in. No API key: the signature is the
credential; without the settings both answer 404.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from inden.api.deps import get_db
from inden.db.session import Database
from inden.services import contact

router = APIRouter(prefix="/whatsapp", include_in_schema=False)
Db = Annotated[Database, Depends(get_db)]


def _refused(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "details": {}}}, status_code=status)


@router.get("/webhook")
def verify(db: Db, mode: Annotated[str, Query(alias="hub.mode")] = "",
           token: Annotated[str, Query(alias="hub.verify_token")] = "",
           challenge: Annotated[str, Query(alias="hub.challenge", max_length=200)] = "") -> Response:
    expected = db.settings.whatsapp_verify_token
    if not expected:
        return _refused(404, "not_found", "WhatsApp is not configured (INDEN_WHATSAPP_VERIFY_TOKEN).")
    if mode != "subscribe" or not hmac.compare_digest(token.encode(), expected.encode()):
        return _refused(403, "forbidden", "The verify token does not match.")
    return PlainTextResponse(challenge)


@router.post("/webhook")
async def notifications(request: Request, db: Db,
                        signature: Annotated[str, Header(alias="X-Hub-Signature-256")] = "") -> Response:
    secret = db.settings.whatsapp_app_secret
    if not secret:
        return _refused(404, "not_found", "WhatsApp is not configured (INDEN_WHATSAPP_APP_SECRET).")
    body = await request.body()
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        return _refused(401, "unauthorized", "The X-Hub-Signature-256 signature does not match.")
    try:
        payload = json.loads(body)
    except ValueError:
        return _refused(422, "validation_error", "The body is not JSON.")
    out, back = await run_in_threadpool(contact.take_replies, db, payload)
    return JSONResponse({"opted_out": out, "opted_in": back})
