"""The seller's replenishment loop against a real `inden serve`: history in over HTTP, `inden plan` from the
terminal, the suggestion approved over HTTP, and no second suggestion for the same need."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from inden.clock import shop_date, utcnow
from inden.config import get_settings
from tests.e2e.conftest import Server, inden

pytestmark = pytest.mark.timeout(180)


def test_history_plan_approve_and_no_duplicate(server: Server) -> None:
    rng = np.random.default_rng(11)
    with server.client() as http:
        assert http.post("/v1/products", json={"sku": "SAMBAL-ROA", "name": "Sambal Roa 200 g",
                                               "price": "45000"}).status_code == 201
        assert http.post("/v1/suppliers", json={"code": "CV-MANADO", "name": "CV Manado Rasa",
                                                "lead_time_days": 10}).status_code == 201
        offer = http.put("/v1/suppliers/CV-MANADO/offers/SAMBAL-ROA",
                         json={"unit_cost": "25000", "min_order_quantity": 24, "pack_size": 12})
        assert offer.status_code == 200
        today = shop_date(utcnow(), get_settings().timezone)  # the server's shop date (Asia/Jakarta)
        rows = "".join(f"{(today - timedelta(days=d)).isoformat()},SAMBAL-ROA,{rng.poisson(8)}\n"
                       for d in range(1, 121))
        imported = http.post("/v1/sales-history", content="date,sku,quantity\n" + rows,
                             headers={"Content-Type": "text/csv"})
        assert imported.status_code == 201 and imported.json()["days"] == 120

        planned = inden(server.database_url, "plan", "--format", "csv")
        assert planned.returncode == 0, planned.stderr
        [suggestion] = http.get("/v1/replenishment").json()["items"]
        assert suggestion["sku"] == "SAMBAL-ROA" and suggestion["supplier"] == "CV-MANADO"
        assert suggestion["quantity"] >= 24 and suggestion["quantity"] % 12 == 0
        assert 6 < suggestion["figures"]["demand_per_day"] < 10

        approved = http.post(f"/v1/replenishment/{suggestion['id']}/approve")
        assert approved.status_code == 201
        po = http.get(f"/v1/purchase-orders/{approved.json()['purchase_order_id']}").json()
        assert po["status"] == "open" and po["expected_at"] == (today + timedelta(days=10)).isoformat()
        assert http.get("/v1/products/SAMBAL-ROA").json()["stock"]["incoming"] == suggestion["quantity"]

        again = inden(server.database_url, "plan")
        assert again.returncode == 0, again.stderr
        assert http.get("/v1/replenishment").json()["items"] == []
