"""The M5 (Walmart) sample in tests/data/m5_sample as a demand history: 10 real products x 1,800 days."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

M5_DIR = Path(__file__).parent / "data" / "m5_sample"


def m5_history() -> pd.DataFrame:
    """Long frame ``unique_id, ds, y`` (no stock data: the censored flag must be inferred)."""
    sales = pd.read_csv(M5_DIR / "sales.csv")
    calendar = pd.read_csv(M5_DIR / "calendar.csv", usecols=["d", "date"])
    days = [column for column in sales.columns if column.startswith("d_")]
    long = sales.melt(id_vars=["id"], value_vars=days, var_name="d", value_name="y").merge(calendar, on="d")
    history = pd.DataFrame({"unique_id": long["id"], "ds": pd.to_datetime(long["date"]), "y": long["y"].astype(float)})
    return history.sort_values(["unique_id", "ds"], ignore_index=True)
