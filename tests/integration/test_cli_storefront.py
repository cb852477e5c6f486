"""`inden availability`, `inden best-sellers`, `inden subscriptions`: the storefront's services from the terminal."""

from __future__ import annotations

import json

import pytest


def test_availability_prints_the_product_pages_sentence_and_labels(run) -> None:  # type: ignore[no-untyped-def]
    assert run("products", "add", "KOPI-GAYO-250", "Kopi Gayo", "--policy", "deny").exit_code == 0
    assert run("stock", "adjust", "KOPI-GAYO-250", "20", "--reason", "stok awal").exit_code == 0
    assert run("orders", "place", "--email", "budi@contoh.id", "--line", "KOPI-GAYO-250:3").exit_code == 0
    ranked = run("best-sellers")
    assert ranked.exit_code == 0 and ranked.stdout.strip() == "1 produk terlaris: KOPI-GAYO-250"
    said = run("availability", "KOPI-GAYO-250")
    assert said.exit_code == 0 and said.stdout.strip() == "KOPI-GAYO-250: Stok tersedia [Terlaris]"
    english = run("availability", "KOPI-GAYO-250", "--quantity", "20", "--locale", "en", "--json")
    assert english.exit_code == 0
    assert json.loads(english.stdout)["status"] == "out_of_stock"


def test_sign_ups_from_the_terminal_and_their_counts(run) -> None:  # type: ignore[no-untyped-def]
    assert run("products", "add", "KOPI-GAYO-250", "Kopi Gayo", "--policy", "deny").exit_code == 0
    added = run("subscriptions", "add", "KOPI-GAYO-250", "Rina@Contoh.id", "--locale", "en")
    assert added.exit_code == 0 and added.stdout.startswith("Thank you!")
    listed = run("subscriptions", "list")
    assert listed.exit_code == 0 and "KOPI-GAYO-250" in listed.stdout and "menunggu" in listed.stdout
    [row] = [line.split() for line in listed.stdout.splitlines() if line.strip().startswith("KOPI-GAYO-250")]
    assert row == ["KOPI-GAYO-250", "1", "0", "0", "0"]


@pytest.mark.parametrize(("args", "message"), [
    (["availability", "TIDAK-ADA"], "Tidak ada produk dengan SKU 'TIDAK-ADA'."),
    (["availability", "KOPI", "--quantity", "0"], "Nilai tidak sah untuk '--quantity': minimal 1"),
    (["subscriptions", "add", "KOPI", "bukan-email"], "email: bukan alamat email (nama@contoh.id)"),
    (["subscriptions", "add", "TIDAK-ADA", "a@contoh.id"], "Tidak ada produk dengan SKU 'TIDAK-ADA'."),
])
def test_bad_input_is_a_message_and_exit_code_2(run, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    assert run("products", "add", "KOPI", "Kopi").exit_code == 0
    result = run(*args)
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output


def test_the_worker_ranks_best_sellers(run) -> None:  # type: ignore[no-untyped-def]
    assert run("products", "add", "KOPI-GAYO-250", "Kopi Gayo").exit_code == 0
    assert run("stock", "adjust", "KOPI-GAYO-250", "20", "--reason", "stok awal").exit_code == 0
    assert run("orders", "place", "--email", "budi@contoh.id", "--line", "KOPI-GAYO-250:3").exit_code == 0
    assert "[Terlaris]" not in run("availability", "KOPI-GAYO-250").stdout
    assert run("worker", "--once", "--no-plan", "--no-deliver").exit_code == 0
    assert run("availability", "KOPI-GAYO-250").stdout.strip() == "KOPI-GAYO-250: Stok tersedia [Terlaris]"
