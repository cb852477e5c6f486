"""`GET /widget.js`: the script a shop adds to its product pages (see the comment at the top of the template).

It carries the texts of every language, so one cacheable file serves all pages; each product box asks the
API (`GET /v1/availability`, `POST /v1/subscriptions`) with the shop's `storefront` key, which needs the
shop's origin in `INDEN_CORS_ORIGINS`.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response

from inden.i18n import LOCALES, N_, template_environment, translate

router = APIRouter(include_in_schema=False)
TEMPLATES = Path(__file__).parent / "templates"
_TEXTS = {"notify": N_("Notify me when it is back"), "email": N_("Your email"),
          "error": N_("Something went wrong. Please try again."),
          "phone": N_("Your WhatsApp number"), "by_whatsapp": N_("Tell me by WhatsApp instead of email")}


@router.get("/widget.js")
def widget() -> Response:
    texts = {locale: {name: translate(locale, text) for name, text in _TEXTS.items()} for locale in LOCALES}
    script = template_environment(TEMPLATES, "id").get_template("widget.js").render(texts=texts)
    return Response(script, media_type="text/javascript", headers={"Cache-Control": "public, max-age=300"})
