"""Fixtures shared by the integration tests of the `inden` command."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from inden.cli import app
from inden.config import get_settings


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Result]]:
    """`run("orders", "place", …)`: the `inden` CLI in-process over a fresh SQLite file (no mail server), in the
    shop's default language (Indonesian) unless the test sets INDEN_DEFAULT_LOCALE; 80 columns wide;
    `input=` gives its standard input."""
    monkeypatch.setenv("INDEN_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.delenv("INDEN_SMTP_URL", raising=False)
    monkeypatch.delenv("INDEN_DEFAULT_LOCALE", raising=False)
    monkeypatch.setenv("COLUMNS", "80")
    runner = CliRunner()

    def invoke(*args: object, **options: Any) -> Result:
        get_settings.cache_clear()  # a test may change the environment between commands
        return runner.invoke(app, [str(a) for a in args], **options)

    yield invoke
    get_settings.cache_clear()


@pytest.fixture
def english(run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI of `run` speaks English (INDEN_DEFAULT_LOCALE=en) for the test."""
    monkeypatch.setenv("INDEN_DEFAULT_LOCALE", "en")
    get_settings.cache_clear()
