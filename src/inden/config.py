"""Settings from environment variables prefixed `INDEN_` (see ARCHITECTURE.md, Configuration)."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INDEN_", extra="ignore")

    database_url: str = "sqlite:///inden.db"
    smtp_url: str | None = None
    base_url: str = "http://127.0.0.1:8000"
    default_locale: str = "id"
    timezone: str = "Asia/Jakarta"
    currency: str = "IDR"
    max_body_bytes: int = 1024 * 1024
    handling_days: int = 1  # days from goods in to parcel out, added to every ETA


def shop_today(now: datetime, settings: Settings | None = None) -> date:
    """The calendar date at `now` in the shop's timezone (ETAs and receipts are shop dates)."""
    return now.astimezone(ZoneInfo((settings or get_settings()).timezone)).date()


@lru_cache
def get_settings() -> Settings:
    return Settings()
