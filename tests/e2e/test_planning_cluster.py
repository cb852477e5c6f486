"""`inden plan --cluster`: the plan's forecasting on a real Dask cluster — a scheduler and two workers started
as separate processes (`dask scheduler` / `dask worker` from the distributed package, on loopback) — gives the
same suggestions as on this machine; an address that does not answer is a clear error (exit 2), never a
hang."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("distributed")

from inden.clock import shop_date  # noqa: E402
from inden.config import Settings  # noqa: E402
from inden.db import migrate  # noqa: E402
from inden.db.session import Database  # noqa: E402
from inden.services import products, stock, supply  # noqa: E402
from inden.services.sales_import import import_sales  # noqa: E402
from inden.services.schemas.products import ProductCreate, StockAdjustment  # noqa: E402
from inden.services.schemas.supply import OfferIn, SupplierCreate  # noqa: E402
from tests.e2e.conftest import _die_with_parent, _free_port, inden  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]
DASK = str(Path(sys.executable).with_name("dask"))
SKUS = 40


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Dask scheduler and two single-threaded workers, each its own process; the scheduler's address."""
    directory = tmp_path_factory.mktemp("dask")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONWARNINGS": "ignore::FutureWarning"}
    commands = [[DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"]]
    commands += [[DASK, "worker", address, "--nthreads", "1", "--nworkers", "1", "--no-dashboard",
                  "--memory-limit", "2GiB", "--local-directory", str(directory / f"w{k}")] for k in range(2)]
    processes = []
    try:
        for k, command in enumerate(commands):
            log = (directory / f"{k}.log").open("ab")
            processes.append(subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                              stdin=subprocess.DEVNULL, start_new_session=True,
                                              preexec_fn=_die_with_parent))
            if k == 0:
                time.sleep(1)
        from distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def shop(tmp_path: Path) -> str:
    """A shop of SKUS products with 120 days of sales, a little stock and two suppliers each."""
    url = f"sqlite:///{tmp_path / 'inden.db'}"
    db = Database(url, settings=Settings(database_url=url))
    migrate.upgrade(db.engine)
    now = datetime.now(UTC)
    today = shop_date(now, "Asia/Jakarta")
    rng = np.random.default_rng(3)
    rows = []
    supply.create_supplier(db, SupplierCreate(code="LOKAL", name="CV Lokal", lead_time_days=3), now=now)
    supply.create_supplier(db, SupplierCreate(code="IMPOR", name="PT Impor", lead_time_days=21), now=now)
    for k in range(SKUS):
        sku = f"SKU-{k:03d}"
        rate = float(rng.uniform(0.2, 12))
        products.create_product(db, ProductCreate(sku=sku, name=sku, price="50000"), now=now - timedelta(days=130))
        stock.adjust_stock(db, sku, StockAdjustment(delta=int(rng.integers(1, 40)), reason="stok awal"), now=now)
        rows += [f"{(today - timedelta(days=d)).isoformat()},{sku},{rng.poisson(rate)}" for d in range(1, 121)]
        supply.set_offer(db, "LOKAL", sku, OfferIn(unit_cost="33000"), now=now)
        supply.set_offer(db, "IMPOR", sku, OfferIn(unit_cost="30000", min_order_quantity=12, pack_size=6), now=now)
    import_sales(db, "date,sku,quantity\n" + "\n".join(rows), now=now)
    db.dispose()
    return url


def planned(url: str, *args: str) -> list[dict[str, object]]:
    done = inden(url, "plan", "--all", "--format", "json", *args, timeout=300)
    assert done.returncode == 0, done.stderr
    rows: list[dict[str, object]] = json.loads(done.stdout)
    return sorted(rows, key=lambda r: str(r["sku"]))


def test_the_plan_on_a_dask_cluster_gives_the_same_suggestions_as_on_this_machine(shop: str, scheduler: str) -> None:
    local = planned(shop)
    on_cluster = planned(shop, "--cluster", scheduler)
    from_setting = inden(shop, "plan", "--all", "--format", "json", env={"INDEN_PLANNING_CLUSTER": scheduler},
                         timeout=300)
    assert sum(1 for r in local if r["suggested_quantity"]) >= 5  # enough suggestions to compare
    keys = ("sku", "supplier", "suggested_quantity", "reorder_point", "safety_stock", "forecast_lead_time",
            "need_by")

    def figures(rows: list[dict[str, object]]) -> list[dict[str, object]]:
        return [{k: r[k] for k in keys} for r in sorted(rows, key=lambda r: str(r["sku"]))]

    def risks(rows: list[dict[str, object]]) -> list[float]:
        return [float(r["risk"]) for r in sorted(rows, key=lambda r: str(r["sku"]))]  # type: ignore[arg-type]

    assert figures(on_cluster) == figures(local)
    # The risk is shown to 3 decimals: float sums in another order on the cluster's workers may flip the last one.
    assert risks(on_cluster) == pytest.approx(risks(local), abs=0.0015)
    assert from_setting.returncode == 0 and figures(json.loads(from_setting.stdout)) == figures(local)


def test_a_cluster_that_does_not_answer_is_a_clear_error_not_a_hang(shop: str) -> None:
    started = time.monotonic()
    dead = inden(shop, "plan", "--cluster", f"tcp://127.0.0.1:{_free_port()}",
                 env={"INDEN_PLANNING_CLUSTER_TIMEOUT": "3", "INDEN_DEFAULT_LOCALE": "en"}, timeout=120)
    assert dead.returncode == 2 and "did not answer within 3 s" in dead.stderr, dead.stderr
    assert "Traceback" not in dead.stderr and time.monotonic() - started < 60
    worker = inden(shop, "worker", "--once", "--no-deliver", "--cluster", f"tcp://127.0.0.1:{_free_port()}",
                   env={"INDEN_PLANNING_CLUSTER_TIMEOUT": "3", "INDEN_DEFAULT_LOCALE": "en"}, timeout=120)
    assert worker.returncode != 0 and "did not answer within 3 s" in worker.stderr, worker.stderr
    ray = inden(shop, "forecast", "--cluster", "ray://head:10001", env={"INDEN_DEFAULT_LOCALE": "id"})
    assert ray.returncode == 2 and "bukan alamat penjadwal Dask" in ray.stderr, ray.stderr
