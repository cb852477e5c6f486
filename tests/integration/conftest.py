"""Fixtures shared by the integration tests of the `inden` command."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from inden.cli import app
from inden.config import get_settings


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Result]]:
    """`run("orders", "place", …)`: the `inden` CLI in-process over a fresh SQLite file (no mail server);
    `input=` gives its standard input."""
    monkeypatch.setenv("INDEN_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.delenv("INDEN_SMTP_URL", raising=False)
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args, **options: runner.invoke(app, [str(a) for a in args], **options)
    get_settings.cache_clear()
