"""The `inden` command: same services as the API, user errors as messages with exit code 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from inden.cli import app
from inden.db.session import Database

PG_URL = os.environ.get("INDEN_TEST_DATABASE_URL")



def test_cli_runs_an_order_from_product_to_shipment(run) -> None:  # type: ignore[no-untyped-def]
    assert run("products", "add", "KOPI-GAYO-250", "Kopi Arabika Gayo 250 g", "--policy", "deny").exit_code == 0
    assert run("stock", "adjust", "KOPI-GAYO-250", "5", "--reason", "stok awal").exit_code == 0
    placed = run("orders", "place", "--email", "budi@contoh.id", "--line", "KOPI-GAYO-250:2")
    assert placed.exit_code == 0 and placed.stdout == "Pesanan #1: 2 unit dialokasikan\n"
    shipped = run("orders", "ship", "1", "--json")
    assert shipped.exit_code == 0 and json.loads(shipped.stdout)["order"]["status"] == "shipped"
    audit = run("audit", "verify")
    assert audit.exit_code == 0 and "audit ok" in audit.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["orders", "place", "--email", "budi@contoh.id", "--line", "KOPI:0"], "baris 1, jumlah: harus lebih dari 0"),
        (["orders", "place", "--email", "budi@contoh.id", "--line", "KOPI"], "SKU:JUMLAH"),
        (["orders", "place", "--email", "budi@contoh.id", "--line", "TIDAK-ADA:1"],
         "Tidak ada produk dengan SKU 'TIDAK-ADA'."),
        (["orders", "place", "--email", "budi@contoh.id", "--line", "KOPI:9"],
         "Pesanan ditolak: stok tidak cukup dan tidak ada ruang backorder untuk KOPI."),
        (["stock", "adjust", "KOPI", "-9"], "SKU 'KOPI': diminta 9 tetapi hanya 1 yang tersedia."),
        (["products", "add", "bad sku", "Nama"], "SKU: hanya boleh berisi huruf, angka"),
        (["orders", "show", "42"], "Tidak ada pesanan dengan nomor 42."),
    ],
)
def test_user_errors_print_a_message_and_exit_2(run, args, message) -> None:  # type: ignore[no-untyped-def]
    run("products", "add", "KOPI", "Kopi", "--policy", "deny")
    run("stock", "adjust", "KOPI", "1")
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_keys_create_prints_the_key_alone(run) -> None:  # type: ignore[no-untyped-def]
    result = run("keys", "create", "--role", "storefront")
    assert result.exit_code == 0
    assert result.stdout.strip().startswith("inden_store_") and len(result.stdout.strip().splitlines()) == 1


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="INDEN_TEST_DATABASE_URL is not set")
def test_serve_refuses_an_unmigrated_postgresql_database_and_names_the_fix() -> None:
    url = make_url(PG_URL)
    admin = Database(url.set(database="postgres").render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.engine.connect() as connection:
        connection.execute(text('DROP DATABASE IF EXISTS "inden_unmigrated" WITH (FORCE)'))
        connection.execute(text('CREATE DATABASE "inden_unmigrated"'))
    admin.dispose()
    env = {**os.environ, "INDEN_DATABASE_URL": url.set(database="inden_unmigrated").render_as_string(False)}
    result = subprocess.run([sys.executable, "-m", "inden", "serve", "--port", "0"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert "inden db upgrade" in result.stderr


def test_cli_supply_commands_and_worker(run) -> None:  # type: ignore[no-untyped-def]
    assert run("products", "add", "TUMBLER", "Tumbler", "--policy", "preorder").exit_code == 0
    assert run("suppliers", "add", "PT-GLOW", "PT Glow", "--lead-time", "21").exit_code == 0
    assert run("suppliers", "offer", "PT-GLOW", "TUMBLER", "--lead-time", "9", "--moq", "12").exit_code == 0
    assert run("po", "create", "--supplier", "PT-GLOW", "--expected", "2035-01-01", "--line", "TUMBLER:5"
               ).exit_code == 0
    assert run("orders", "place", "--email", "a@contoh.id", "--line", "TUMBLER:2").exit_code == 0
    received = run("po", "receive", "1", "--line", "TUMBLER:5", "--json")
    assert received.exit_code == 0 and json.loads(received.stdout)["status"] == "received"
    assert "PT-GLOW" in run("suppliers").stdout
    assert run("release", "TUMBLER").stdout.startswith("TUMBLER diluncurkan: ")
    assert run("worker", "--once").exit_code == 0
    assert json.loads(run("orders", "show", "1", "--json").stdout)["status"] == "allocated"
    assert run("po", "move", "1", "not-a-date").exit_code == 2


@pytest.mark.slow  # a server, a flash sale and a plan
def test_demo_runs_the_flash_sale_and_the_purchase_plan(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--db", str(tmp_path / "demo.db"), "--orders", "300"])
    assert result.exit_code == 0, result.stdout
    assert "Audit OK" in result.stdout and "Rencana pembelian" in result.stdout
    assert "saran pembelian tersimpan" in result.stdout


def test_db_upgrade_says_whether_it_created_upgraded_or_found_the_schema_current(run, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from inden.db.migrate import head_revision, upgrade

    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    monkeypatch.setenv("INDEN_DATABASE_URL", url)
    head = head_revision(Database(url).engine)
    created = run("db", "upgrade")
    assert created.exit_code == 0 and created.stdout == f"Skema database dibuat (revisi {head}).\n"
    assert run("db", "upgrade").stdout == f"Skema database sudah terbaru (revisi {head}).\n"
    older = tmp_path / "older.db"
    upgrade(Database(f"sqlite:///{older}").engine, "0017")
    monkeypatch.setenv("INDEN_DATABASE_URL", f"sqlite:///{older}")
    assert run("db", "upgrade").stdout == f"Skema database ditingkatkan dari revisi 0017 ke {head}.\n"


def test_a_receipt_says_how_many_units_went_at_once_to_waiting_customers(run) -> None:  # type: ignore[no-untyped-def]
    assert run("products", "add", "SERUM", "Serum", "--policy", "allow").exit_code == 0
    assert run("suppliers", "add", "PT-GLOW", "PT Glow", "--lead-time", "7").exit_code == 0
    assert run("po", "create", "--supplier", "PT-GLOW", "--expected", "2035-01-01", "--line", "SERUM:5").exit_code == 0
    assert run("orders", "place", "--email", "siti@contoh.id", "--line", "SERUM:2").exit_code == 0
    received = run("po", "receive", "1", "--line", "SERUM:5")
    assert received.exit_code == 0 and "2 unit langsung dialokasikan ke pelanggan yang menunggu." in received.stdout
    again = run("po", "create", "--supplier", "PT-GLOW", "--expected", "2035-01-01", "--line", "SERUM:1")
    assert again.exit_code == 0
    assert "langsung dialokasikan" not in run("po", "receive", "2", "--line", "SERUM:1").stdout  # nobody waited
    assert run("po", "receive", "2", "--line", "NOPE:1").exit_code == 2
