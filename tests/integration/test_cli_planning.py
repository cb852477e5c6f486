"""The planning commands of `inden` on a real SQLite file: import, events, forecast, plan, simulate."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest


def sales_csv(path: Path, rates: dict[str, float], days: int = 200) -> Path:
    rng = np.random.default_rng(3)
    end = date.today()
    lines = ["date,sku,quantity"] + [
        f"{(end - timedelta(days=d)).isoformat()},{sku},{rng.poisson(rate)}"
        for sku, rate in rates.items() for d in range(1, days + 1)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_refuses_a_bad_file_with_line_numbers_and_exit_2(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("products", "add", "KOPI", "Kopi").exit_code == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("date,sku,quantity\n2026-11-01,KOPI,2\n2026-13-01,KOPI,1\n", encoding="utf-8")
    result = run("import", "sales", bad)
    assert result.exit_code == 2 and "Berkas tidak diimpor" in result.stderr
    assert "baris 3: " in result.stderr and "'2026-13-01'" in result.stderr and "YYYY-MM-DD" in result.stderr
    assert run("import", "sales", tmp_path / "missing.csv").exit_code == 2


@pytest.mark.slow  # forecasts with statsforecast
def test_plan_forecast_and_events_from_the_terminal(run, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("INDEN_DEFAULT_LOCALE", "en")
    imported = run("import", "sales", sales_csv(tmp_path / "s.csv", {"KOPI": 6, "TEH": 0.3}), "--create-products")
    assert imported.exit_code == 0 and "New products: KOPI, TEH." in imported.stdout
    assert run("suppliers", "add", "PT-A", "PT A", "--lead-time", "10").exit_code == 0
    assert run("suppliers", "offer", "PT-A", "KOPI", "--unit-cost", "20000", "--pack-size", "12").exit_code == 0

    forecast = run("forecast", "--horizon", "7", "--format", "csv")
    assert forecast.exit_code == 0, forecast.stderr
    rows = list(csv.DictReader(io.StringIO(forecast.stdout)))
    assert len(rows) == 14 and {r["sku"] for r in rows} == {"KOPI", "TEH"}
    kopi = [float(r["mean"]) for r in rows if r["sku"] == "KOPI"]
    assert all(3 < m < 9 for m in kopi) and all(float(r["lo_95"]) <= float(r["hi_95"]) for r in rows)

    added = run("events", "add", "--json", "Harbolnas", "--start", date.today() + timedelta(days=3),
                "--end", date.today() + timedelta(days=3), "--sku", "KOPI", "--units", "200", "--kind", "flash_sale")
    assert added.exit_code == 0 and json.loads(added.stdout)["expected_units"] == 200
    assert "Harbolnas" in run("events").stdout
    # The forecast shows the event as the plan will apply it; --base shows what it is laid over.
    day3 = (date.today() + timedelta(days=3)).isoformat()
    lifted = {r["date"]: r for r in csv.DictReader(io.StringIO(run("forecast", "--horizon", "7", "--format", "csv",
                                                                   "--sku", "KOPI").stdout))}
    based = {r["date"]: r for r in csv.DictReader(io.StringIO(run("forecast", "--horizon", "7", "--format", "csv",
                                                                  "--sku", "KOPI", "--base").stdout))}
    assert float(lifted[day3]["mean"]) == 200 and "Harbolnas" in lifted[day3]["events"]
    assert float(based[day3]["mean"]) == float(lifted[day3]["base_mean"]) < 20 and based[day3]["events"] == ""
    table = run("forecast", "--horizon", "7", "--sku", "KOPI").stdout
    assert "Harbolnas" in table and "Why" in table
    assert run("events", "remove", "99").exit_code == 2
    assert run("products", "planning", "TEH", "--category", "minuman", "--max-stock", "500").exit_code == 0
    assert run("products", "planning", "TEH", "--service-level", "1.5").exit_code == 2
    assert run("events", "add", "x", "--start", "2026-12-01", "--end", "2026-11-01", "--sku", "KOPI",
               "--uplift", "2").exit_code == 2

    planned = run("plan", "--format", "csv", "--csv", tmp_path / "plan.csv")
    assert planned.exit_code == 0, planned.stderr
    [kopi_row] = [r for r in csv.DictReader(io.StringIO(planned.stdout)) if r["sku"] == "KOPI"]
    assert kopi_row["supplier"] == "PT-A" and int(kopi_row["suggested_quantity"]) % 12 == 0
    assert "Harbolnas" in kopi_row["reason"]
    assert (tmp_path / "plan.csv").read_text().startswith("sku,")
    approved = run("plan", "approve", kopi_row["suggestion_id"], "--draft", "--json")
    assert approved.exit_code == 0 and json.loads(approved.stdout)["status"] == "approved"
    assert "draft" in run("po", "list").stdout
    assert run("plan", "approve", kopi_row["suggestion_id"]).exit_code == 2


@pytest.mark.slow  # replays history and draws with matplotlib
def test_simulate_compares_policies_and_writes_a_chart(run, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("INDEN_DEFAULT_LOCALE", "en")
    chart = tmp_path / "sim.png"
    result = run("simulate", "--from-csv", sales_csv(tmp_path / "s.csv", {"A": 4, "B": 0.5}, days=300),
                 "--chart", chart, "--csv", tmp_path / "sim.csv")
    assert result.exit_code == 0, result.stderr
    assert "inden" in result.stdout and "min/max" in result.stdout and "2 SKU(s) replayed" in result.stdout
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and chart.stat().st_size > 20_000
    assert len(list(csv.DictReader((tmp_path / "sim.csv").open()))) == 4
    short = run("simulate", "--from-csv", sales_csv(tmp_path / "short.csv", {"A": 4}, days=20), "--chart", chart)
    assert short.exit_code == 2 and "No SKU has the 28 days of history a replay needs." in short.stderr
