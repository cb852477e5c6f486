"""Settings from environment variables prefixed `INDEN_` (see ARCHITECTURE.md, Configuration)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INDEN_", extra="ignore")

    database_url: str = "sqlite:///inden.db"
    log_format: Literal["text", "json"] = "text"  # inden.logs: one line per event, or one JSON object
    log_level: str = "INFO"
    smtp_url: str | None = None
    base_url: str = "http://127.0.0.1:8000"
    default_locale: Literal["id", "en"] = "id"  # the shop's language; the languages inden speaks (i18n.LOCALES)
    timezone: str = "Asia/Jakarta"  # an IANA zone: the shop's days and times
    currency: str = "IDR"
    max_body_bytes: int = 1024 * 1024
    # A change telling at least this many customers at once writes their events as one bulk outbox row, which
    # the workers expand before they deliver (db.outbox): the stock-in or the delay holds its locks shorter.
    outbox_bulk_from: int = Field(default=1_000, ge=1)
    handling_days: int = 1  # days from goods in to parcel out, added to every ETA
    # Planning (services.planning). service_level: "abc" (A 98 %, B 95 %, C 90 % by revenue), "cost"
    # (newsvendor critical ratio of margin vs holding cost) or a number such as 0.95; a product's own wins.
    service_level: str = "abc"
    holding_cost_rate: float = 0.25  # per year, as a share of unit cost
    order_cost: float = 50_000.0  # cost of placing one purchase-order line, in the shop's currency
    history_days: int = 730  # demand history the forecasts learn from
    forecast_horizon_days: int = 56
    auto_purchase: bool = False  # `inden plan` turns its suggestions into purchase orders itself
    # A Dask scheduler the plan's forecasting runs on (tcp://host:8786); None: this machine's cores.
    planning_cluster: str | None = None
    planning_cluster_timeout: float = 10.0  # seconds to reach it before the plan gives up with an error
    # Storefront (domain.availability, domain.labels): what the product page and the emails say.
    shop_name: str = "inden"
    low_stock_threshold: int = 5  # available units at or below which a product is "low_stock"
    best_seller_days: int = 30  # demand window for the best-seller label
    best_seller_share: float = 0.1  # top share of selling products (by units) labelled best seller
    restock_days: int = 7  # a product back in stock within this many days is labelled restock
    api_docs: Literal["public", "login", "off"] = "public"  # who reads /docs, /redoc, /openapi.json (web.api_docs)
    cors_origins: list[str] = []  # shop origins whose pages call the storefront API, e.g. ["https://toko.id"]
    signups_per_email_per_day: int = 10  # back-in-stock sign-ups one address may start per day (429 beyond)
    # Storefront rate limits (services.rate_limits; 0 = none): requests with a storefront key, per minute, per
    # key and per client address; sign-ups per client per hour (and per address, plus-tags and case folded,
    # per day: signups_per_email_per_day). Counted in the database: they hold across server processes.
    storefront_requests_per_minute_per_key: int = 6000
    storefront_requests_per_minute_per_client: int = 120
    signups_per_client_per_hour: int = 20
    sign_up_wave_hours: float = 2.0  # back-in-stock waves (domain.waves): the next one after this, if units remain
    sign_up_wave_start_factor: float = 3.0  # sign-ups told per unit on sale until a wave's conversion is measured
    # Email delivery of the outbox (services.delivery, notify.render, notify.smtp).
    smtp_from: str = "inden <no-reply@localhost>"
    seller_email: str | None = None  # where seller alerts (reorder point reached) go; None: not emailed
    delivery_batch: int = 100  # outbox rows claimed per delivery round
    delivery_max_attempts: int = 8  # then the row is marked failed (retries back off: 1, 2, 4 … minutes)
    # The buyer's own order page (web.shopper) and the choice a later ship date asks for (notify.render).
    order_link_days: int = 30  # an emailed order link still opens a shipped or cancelled order this long
    choice_slip_days: int = 7  # a date this many days later than promised asks the buyer: keep waiting or cancel?
    # WhatsApp Business Cloud API (notify.whatsapp, docs/whatsapp.md): an optional channel beside email, on when
    # both the token and the phone number id are set.
    whatsapp_token: str | None = None  # a System User access token with whatsapp_business_messaging
    whatsapp_phone_number_id: str | None = None  # the business number's id in WhatsApp Manager (not the number)
    whatsapp_api_url: str = "https://graph.facebook.com"
    whatsapp_api_version: str = "v21.0"
    # Meta's webhook to inden (/whatsapp/webhook): buyers' replies, so "STOP" opts a number out.
    whatsapp_verify_token: str | None = None  # any secret string, typed again in the app's webhook settings
    whatsapp_app_secret: str | None = None  # the Meta app's secret: requests are signed with it (X-Hub-Signature-256)
    # Back office (services.accounts, web.backoffice): people's logins.
    session_idle_minutes: int = 12 * 60  # a session unused this long ends (a shift on a phone stays logged in)
    login_failures_allowed: int = 5  # failed logins per address or client within the window, then 429
    login_window_minutes: int = 15  # the window failures are counted in, and the longest wait
    setup_link_hours: int = 72  # a one-time setup link from `inden users add|reset` works this long
    # The stock ledger's HMAC key (domain.ledger, services.audit; docs/operations.md, rotation): new movements
    # are signed with ledger_key; `inden audit verify` also accepts ledger_old_keys until `inden audit rekey`.
    ledger_key: str | None = None
    ledger_old_keys: list[str] = []

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("is not a timezone such as Asia/Jakarta") from None
        return value


@lru_cache
def get_settings() -> Settings:
    """The settings of this process, read once from the environment. Only the edges call this (the app
    factory, the CLI, the worker, the demo); they hand the object to the services through `Database`."""
    return Settings()
