"""Settings from environment variables prefixed `INDEN_` (see ARCHITECTURE.md, Configuration)."""

from __future__ import annotations

from functools import lru_cache

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
    low_stock_threshold: int = 5


@lru_cache
def get_settings() -> Settings:
    return Settings()
