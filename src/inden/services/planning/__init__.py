"""Replenishment planning, one module per step: `snapshot` (what a run reads and forecasts), `run` (a plan
run: suggestions, alerts, auto purchase orders) and `suggestions` (the seller approves or dismisses them)."""
