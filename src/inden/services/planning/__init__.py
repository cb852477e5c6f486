"""Replenishment planning, one module per step: `snapshot` (what a run reads and forecasts), `run` (a plan
run: suggestions, alerts, auto purchase orders) and `suggestions` (the seller approves or dismisses them)."""

# For the CLI modules until they import from the steps (they are being split into a package meanwhile).
from inden.services.planning.run import plan_rows as plan_rows
from inden.services.planning.run import run_plan as run_plan
from inden.services.planning.snapshot import forecast_snapshot as forecast_snapshot
from inden.services.planning.snapshot import take_snapshot as take_snapshot
from inden.services.planning.suggestions import approve_suggestion as approve_suggestion
from inden.services.planning.suggestions import dismiss_suggestion as dismiss_suggestion
