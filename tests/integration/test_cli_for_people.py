"""The CLI speaks to people: one sentence per change in the shop's language, JSON with --json, plain errors,
ISO dates with a hint, tables within 80 columns, times in the shop's timezone."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import typer

from inden.cli import app
from inden.clock import shop_date, utcnow
from inden.config import get_settings
from inden.i18n import format_day, translate


def table_lines(stdout: str) -> list[str]:
    """The lines of the tables in `stdout`: from the blank line before each header rule to the next blank."""
    lines, found = stdout.splitlines(), []
    for rule, line in enumerate(lines):
        if line.strip().startswith("───"):
            start = max((i for i in range(rule) if not lines[i].strip()), default=-1) + 1
            end = next((i for i in range(rule, len(lines)) if not lines[i].strip()), len(lines))
            found += lines[start:end]
    return found


def _shop(run) -> None:  # type: ignore[no-untyped-def]
    assert run("products", "add", "SERUM-VITC-30", "Serum Vitamin C 30 ml", "--price", "89000").exit_code == 0
    assert run("stock", "adjust", "SERUM-VITC-30", "2", "--reason", "stok awal").exit_code == 0


def test_an_order_is_summed_up_in_one_indonesian_sentence(run) -> None:  # type: ignore[no-untyped-def]
    _shop(run)
    placed = run("orders", "place", "--email", "siti@contoh.id", "--line", "SERUM-VITC-30:3")
    eta = date.fromisoformat(json.loads(run("orders", "show", "1", "--json").stdout)["lines"][0]["eta"])
    assert placed.exit_code == 0
    assert placed.stdout == (f"Pesanan #1: 2 unit dialokasikan, 1 unit backorder, dikirim sekitar "
                             f"{format_day(eta, 'id')}\n")


@pytest.mark.usefixtures("english")
def test_the_same_order_in_english_when_the_shop_speaks_english(run) -> None:  # type: ignore[no-untyped-def]
    _shop(run)
    placed = run("orders", "place", "--email", "siti@contoh.id", "--line", "SERUM-VITC-30:3")
    eta = date.fromisoformat(json.loads(run("orders", "show", "1", "--json").stdout)["lines"][0]["eta"])
    assert placed.stdout == (f"Order #1: 2 units allocated, 1 unit on backorder, ships around "
                             f"{format_day(eta, 'en')}\n")
    assert run("products", "add", "KOPI", "Kopi", "--policy", "deny", "--price", "75000").stdout == (
        "Product KOPI added: Kopi, Rp75.000, refused when out of stock.\n")


def test_json_prints_what_the_api_returns(run) -> None:  # type: ignore[no-untyped-def]
    _shop(run)
    placed = json.loads(run("orders", "place", "--json", "--email", "siti@contoh.id", "--line",
                            "SERUM-VITC-30:3").stdout)
    shown = json.loads(run("orders", "show", "1", "--json").stdout)
    assert placed == shown and placed["status"] == "partially_backordered"
    assert [line["backordered"] for line in placed["lines"]] == [1]
    product = json.loads(run("products", "show", "SERUM-VITC-30", "--json").stdout)
    assert product["price"] == "89000.00" and product["stock"]["allocated"] == 2


def test_keys_create_still_prints_the_key_alone(run) -> None:  # type: ignore[no-untyped-def]
    printed = run("keys", "create", "--role", "staff").stdout
    assert printed.startswith("inden_") and printed.count("\n") == 1


@pytest.mark.parametrize(("locale", "hint"), [
    ("id", "'19-12-2026' bukan tanggal: gunakan YYYY-MM-DD, mis. 2026-12-19"),
    ("en", "'19-12-2026' is not a date: use YYYY-MM-DD, e.g. 2026-12-19"),
])
def test_a_day_first_date_gets_the_iso_form_as_a_hint(run, monkeypatch, locale: str, hint: str  # type: ignore[no-untyped-def]
                                                       ) -> None:
    monkeypatch.setenv("INDEN_DEFAULT_LOCALE", locale)
    _shop(run)
    assert run("suppliers", "add", "PT-SINAR", "PT Sinar", "--lead-time", "21").exit_code == 0
    assert run("po", "create", "--supplier", "PT-SINAR", "--expected", "2026-12-14", "--line",
               "SERUM-VITC-30:5").exit_code == 0
    moved = run("po", "move", "1", "19-12-2026")
    assert moved.exit_code == 2 and hint in moved.stderr
    assert run("po", "create", "--supplier", "PT-SINAR", "--expected", "14/12/2026", "--line",
               "SERUM-VITC-30:5").exit_code == 2


@pytest.mark.usefixtures("english")
def test_validation_errors_are_plain_words_never_a_regular_expression(run) -> None:  # type: ignore[no-untyped-def]
    _shop(run)
    bad = run("orders", "place", "--email", "budi-at-contoh", "--line", "SERUM-VITC-30:0")
    assert bad.exit_code == 2
    assert ("invalid input: email: is not an email address (name@example.com); line 1, quantity: must be greater "
            "than 0") in bad.stderr
    assert "^" not in bad.stderr and "pattern" not in bad.stderr and "Traceback" not in bad.output


def _words(output: str) -> str:
    """The text of a screen without the boxes of its panels, wrapped lines joined."""
    return " ".join(re.sub("[│╭╮╰╯─]", " ", output).split())


def test_help_and_the_commands_own_errors_speak_the_shops_language(run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Not only inden's sentences: every help text and the words Typer and Click print (Usage, Options, Missing
    argument, Invalid value, …) are in the shop's language, and a screen never mixes two."""
    for english in ("Commands", "Show this message and exit.", "Usage:", "inden — keep selling when stock runs out."):
        assert translate("id", english) != english  # the catalogue has them
    shown = _words(run("--help").output)
    for english in ("Commands", "Options", "Show this message and exit.", "Usage:",
                    "Products: add, list, show, planning inputs.",  # a group's help
                    "inden — keep selling when stock runs out."):
        assert translate("id", english) in shown, english
    assert "Commands" not in shown and "Show this message" not in shown
    options = _words(run("products", "add", "--help").output)
    assert translate("id", "Add a product to the catalogue.") in options  # a docstring
    assert translate("id", "The name shoppers see.") in options and "shoppers see" not in options  # an argument

    typed = run("stock", "adjust", "KAOS", "abc")
    assert typed.exit_code == 2
    assert translate("id", "Invalid value for %(param)s: %(problem)s", param="'delta'",
                     problem=translate("id", "must be a whole number")) in _words(typed.output)
    missing = run("stock", "adjust")
    assert missing.exit_code == 2 and "Missing argument" not in missing.output
    assert translate("id", "Missing argument %(param)s.", param="'sku'") in _words(missing.output)
    unknown = _words(run("stok").output)
    assert translate("id", "No such command {name!r}.").format(name="stok") in unknown and "No such" not in unknown

    monkeypatch.setenv("INDEN_DEFAULT_LOCALE", "en")
    shown = _words(run("--help").output)
    assert "Commands" in shown and "Show this message and exit." in shown and "planning inputs" in shown
    assert "Invalid value for 'delta': must be a whole number" in _words(run("stock", "adjust", "KAOS", "x").output)


def test_a_wrong_database_url_a_missing_file_and_a_wrong_choice_are_sentences(run, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    chosen = _words(run("products", "add", "NEW-1", "Baru", "--policy", "mungkin").output)
    assert translate("id", "%(value)s is not one of %(choices)s.", value="'mungkin'",
                     choices="'deny', 'allow', 'preorder'") in chosen and "is not one of" not in chosen
    missing = run("import", "sales", str(tmp_path / "tidak-ada.csv"))
    assert missing.exit_code == 2 and translate("id", "there is no such file") in missing.output
    assert "Errno" not in missing.output
    for url in ("bogus://x", f"sqlite:///{tmp_path}/no/such/folder/x.db"):
        monkeypatch.setenv("INDEN_DATABASE_URL", url)
        for command in (("backorders",), ("db", "upgrade")):
            result = run(*command)
            assert result.exit_code == 2, (url, command, result.output)
            assert "INDEN_DATABASE_URL" in result.output, result.output
            assert result.exc_info is None or result.exc_info[0] is SystemExit, result.output  # no traceback


@pytest.mark.parametrize(("name", "value", "problem"), [
    ("INDEN_DEFAULT_LOCALE", "fr", "harus salah satu dari: 'id', 'en'"),
    ("INDEN_TIMEZONE", "Mars/Olympus", "bukan zona waktu seperti Asia/Jakarta"),
])
def test_a_setting_that_does_not_hold_is_named_not_ignored(run, monkeypatch, name: str, value: str,  # type: ignore[no-untyped-def]
                                                          problem: str) -> None:
    monkeypatch.setenv(name, value)
    result = run("backorders")
    assert result.exit_code == 2 and f"setelan tidak sah: {name}: {problem}" in _words(result.output)
    assert result.exc_info is None or result.exc_info[0] is SystemExit  # no traceback


def test_every_table_fits_80_columns_without_cutting_a_word(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _shop(run)
    run("products", "add", "KEMEJA-BATIK-TULIS-M", "Kemeja Batik Tulis Pria Lengan Panjang Motif Parang M",
        "--price", "450000")
    run("suppliers", "add", "PT-SINAR-AYU", "PT Sinar Ayu Kosmetik Indonesia", "--lead-time", "21")
    run("suppliers", "offer", "PT-SINAR-AYU", "SERUM-VITC-30", "--unit-cost", "50000", "--moq", "24")
    run("orders", "place", "--email", "siti@contoh.id", "--line", "SERUM-VITC-30:5")
    history = ["date,sku,quantity"] + [f"{date.today() - timedelta(days=d)},SERUM-VITC-30,{d % 5}"
                                      for d in range(1, 61)]
    (tmp_path / "sales.csv").write_text("\n".join(history) + "\n")
    assert run("import", "sales", tmp_path / "sales.csv").exit_code == 0
    assert run("po", "create", "--supplier", "PT-SINAR-AYU", "--expected", "2026-12-14", "--line",
               "SERUM-VITC-30:48").exit_code == 0
    for command in (["products", "list"], ["suppliers"], ["backorders"], ["po", "list"], ["plan", "--all"],
                    ["report"], ["orders", "show", "1"]):
        shown = run(*command)
        assert shown.exit_code == 0, (command, shown.output)
        assert table_lines(shown.stdout), (command, shown.stdout)
        assert max(len(line) for line in table_lines(shown.stdout)) <= 80, (command, shown.stdout)
        assert "…" not in shown.stdout, (command, shown.stdout)
    planned = run("plan", "--all").stdout
    assert "[1] SERUM-VITC-30: posisi stok" in planned  # the reason below the table, in Indonesian


def test_backorders_show_the_ship_date_and_the_shops_time(run) -> None:  # type: ignore[no-untyped-def]
    assert run("backorders").stdout == "Tidak ada yang menunggu: tidak ada backorder.\n"
    _shop(run)
    before = datetime.now(ZoneInfo("Asia/Jakarta"))
    run("orders", "place", "--email", "siti@contoh.id", "--line", "SERUM-VITC-30:3")
    shown = run("backorders").stdout
    eta = date.fromisoformat(json.loads(run("orders", "show", "1", "--json").stdout)["lines"][0]["eta"])
    assert "Dikirim sekitar" in shown and format_day(eta, "id") in shown
    assert any(f"{format_day(at.date(), 'id')} {at:%H:%M}" in shown for at in (before, before + timedelta(minutes=1)))
    assert "UTC" not in shown


def test_a_pre_order_product_gets_its_launch_date_from_the_command_line(run) -> None:  # type: ignore[no-untyped-def]
    added = run("products", "add", "TUMBLER-LTD-01", "Tumbler Edisi Terbatas", "--policy", "preorder",
                "--release-at", "2026-12-20")
    assert added.stdout == ("Produk TUMBLER-LTD-01 ditambahkan: Tumbler Edisi Terbatas, pre-order, diluncurkan "
                            "20 Des 2026.\n")
    assert json.loads(run("products", "show", "TUMBLER-LTD-01", "--json").stdout)["release_at"] == "2026-12-20"
    assert run("products", "add", "X", "X", "--release-at", "20-12-2026").exit_code == 2


def test_simulate_works_from_28_days_of_history(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    today = shop_date(utcnow(), get_settings().timezone)  # in Asia/Jakarta it may already be tomorrow in UTC
    history = ["date,sku,quantity"] + [f"{today - timedelta(days=d)},KOPI,{3 + d % 4}" for d in range(1, 29)]
    (tmp_path / "sales.csv").write_text("\n".join(history) + "\n")
    assert run("import", "sales", tmp_path / "sales.csv", "--create-products").exit_code == 0
    simulated = run("simulate", "--chart", tmp_path / "sim.png")
    assert simulated.exit_code == 0, simulated.output
    assert "Belajar dari 14 hari pertama setiap riwayat, lalu memutar ulang 14 hari terakhir." in simulated.stdout
    assert (tmp_path / "sim.png").read_bytes()[:4] == b"\x89PNG"
    (tmp_path / "short.csv").write_text("\n".join(history[:28]) + "\n")  # 27 days
    short = run("simulate", "--from-csv", tmp_path / "short.csv", "--chart", tmp_path / "short.png")
    assert short.exit_code == 2
    assert "Tidak ada SKU dengan riwayat 28 hari yang dibutuhkan untuk memutar ulang." in short.stderr


def test_every_option_has_help_and_no_type_noise(run) -> None:  # type: ignore[no-untyped-def]
    def commands(group: object, path: str) -> list[tuple[str, object]]:
        found = [(path, group)]
        for name, sub in getattr(group, "commands", {}).items():
            found += commands(sub, f"{path} {name}")
        return found

    root = typer.main.get_command(app)
    missing = [f"{path} {param.name}" for path, command in commands(root, "inden")
               for param in command.params if param.param_type_name == "option" and not param.help]
    assert missing == []
    shown = run("orders", "place", "--help").stdout
    assert "<bool>" not in shown and "<list" not in shown and "SKU:QTY" in shown
