"""Replenishment planning, one module per step: `snapshot` (what a run reads and forecasts), `run` (a plan
run: suggestions, alerts, auto purchase orders) and `suggestions` (the seller approves or dismisses them)."""

# For the CLI modules until they import from the steps (they are being split into a package meanwhile).
from inden.services.planning.run import plan_rows, run_plan  # noqa: F401
from inden.services.planning.snapshot import forecast_snapshot, take_snapshot  # noqa: F401
from inden.services.planning.suggestions import approve_suggestion, dismiss_suggestion  # noqa: F401
