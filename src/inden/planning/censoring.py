"""Censored demand: days on which a SKU was out of stock and refusing orders say nothing about demand.

Demand is what customers asked for. On a day when the SKU could not be ordered, the recorded quantity (often
0) is a lower bound, not an observation, and a forecaster that learns from it learns "nobody wants this".

**Treatment: censored days are dropped and the series is closed up over the gap** — the forecast is made as
if those days never happened, never imputed. Two details keep that honest:

- Up to 6 days just before a censored stretch are dropped too (days before a stock-out are often short of
  stock anyway), so that the number of days dropped after any kept day is a whole number of weeks: after
  closing up every remaining day keeps its weekday and weekly seasonal models stay in phase. A stretch at the
  very start of a series (a product not yet listed) needs nothing: the history simply starts later.
- The closed-up series is right-aligned at the common last day of the history, so the forecast starts the
  day after the history ends, also in phase.

Histories imported without stock data carry no censored flag. :func:`infer_censored` marks as censored any run
of zero days that is implausibly long for the SKU: under the SKU's own daily probability ``p`` of selling
(estimated from its other days), a run of ``L`` zero days has probability ``(1 - p) ** L``; a run with
probability below ``max_run_probability`` (1e-3) is taken as "not on the shelf". ``p`` is re-estimated
without the flagged runs until nothing changes, because the runs themselves drag ``p`` down. A SKU that never
sold has no evidence either way and nothing is flagged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

_EPOCH = np.datetime64("1970-01-01", "D")

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class DailyHistory:
    """Every SKU's demand on every day from its first row to the common last day, as flat arrays.

    Series ``i`` (SKU ``skus[i]``, sorted) is ``y[indptr[i]:indptr[i + 1]]``; its first day is ``first_day[i]``
    (days since 1970-01-01) and every series ends on ``end_day``. Missing days in the input are zero demand.
    """

    skus: npt.NDArray[np.object_]
    indptr: IntArray
    first_day: IntArray
    end_day: int
    y: FloatArray
    censored: BoolArray

    @classmethod
    def from_frame(cls, history: pd.DataFrame) -> DailyHistory:
        """Build from a long frame ``unique_id, ds, y[, censored]``; rows of the same SKU and day are summed.

        Raises ``ValueError`` for missing columns, an empty frame, or negative or missing quantities.
        """
        missing = {"unique_id", "ds", "y"} - set(history.columns)
        if missing:
            raise ValueError(f"history lacks columns {sorted(missing)}")
        if history.empty:
            raise ValueError("history is empty")
        y_in = history["y"].to_numpy(dtype=np.float64)
        if np.isnan(y_in).any() or (y_in < 0).any():
            raise ValueError("history y must be non-negative numbers (units demanded per day)")
        codes, uniques = pd.factorize(history["unique_id"], sort=True)
        skus = np.asarray([str(sku) for sku in uniques], dtype=object)
        day = pd.to_datetime(history["ds"]).to_numpy().astype("datetime64[D]").view(np.int64)  # since 1970
        first = pd.Series(day).groupby(codes).min().to_numpy(dtype=np.int64)
        end_day = int(day.max())
        indptr = np.concatenate([[0], np.cumsum(end_day - first + 1)]).astype(np.int64)
        pos = indptr[codes]  # in place from here: these arrays have one entry per input row
        pos -= first[codes]
        pos += day
        del day, codes
        total = int(indptr[-1])
        y = np.bincount(pos, weights=y_in, minlength=total).astype(np.float64)
        censored = np.zeros(total, dtype=np.bool_)
        if "censored" in history.columns:
            flags = history["censored"].astype("boolean").fillna(False).to_numpy(dtype=np.bool_)  # missing = no
            censored[pos[flags]] = True
        return cls(skus, indptr, first, end_day, y, censored)

    @property
    def lengths(self) -> IntArray:
        return np.diff(self.indptr)

    def with_censored(self, censored: BoolArray) -> DailyHistory:
        return DailyHistory(self.skus, self.indptr, self.first_day, self.end_day, self.y, censored)

    def to_frame(self) -> pd.DataFrame:
        """The long frame ``unique_id, ds, y, censored`` with every day filled in."""
        lengths = self.lengths
        series = np.repeat(np.arange(len(self.skus)), lengths)
        day = np.arange(len(self.y)) - self.indptr[series] + self.first_day[series]
        return pd.DataFrame(
            {
                "unique_id": self.skus[series],
                "ds": (_EPOCH + day).astype("datetime64[ns]"),
                "y": self.y,
                "censored": self.censored,
            }
        )


def infer_censored(history: pd.DataFrame, *, max_run_probability: float = 1e-3) -> pd.DataFrame:
    """Mark implausibly long runs of zero days as censored, for histories imported without stock data.

    ``history``: ``unique_id, ds, y[, censored]`` (daily, gaps = 0). Returns every SKU's every day from its first
    row to the last day of the whole history: ``unique_id, ds, y, censored``, where ``censored`` is the given
    flag or an inferred one (see the module docstring for the rule).
    """
    daily = DailyHistory.from_frame(history)
    return daily.with_censored(inferred_censored_mask(daily, max_run_probability=max_run_probability)).to_frame()


def inferred_censored_mask(daily: DailyHistory, *, max_run_probability: float = 1e-3) -> BoolArray:
    """The given censored flags plus the zero runs that :func:`infer_censored` flags, as a mask over ``daily.y``."""
    y, censored, indptr = daily.y, daily.censored, daily.indptr
    n = len(daily.skus)
    zero = (y == 0) & ~censored
    starts, ends, run_series = _runs(zero, indptr)
    run_len = (ends - starts).astype(np.float64)
    series_of = np.repeat(np.arange(n), daily.lengths)
    sold = np.bincount(series_of, weights=(y > 0) & ~censored, minlength=n)
    observed = np.bincount(series_of, weights=~censored, minlength=n)
    flagged = np.zeros(len(starts), dtype=np.bool_)
    log_alpha = np.log(max_run_probability)
    for _ in range(50):
        excluded = np.bincount(run_series[flagged], weights=run_len[flagged], minlength=n)
        with np.errstate(divide="ignore", invalid="ignore"):
            p = np.where(observed - excluded > 0, sold / (observed - excluded), 0.0)
            log_q = np.log1p(-np.minimum(p, 1.0))
        now = run_len * log_q[run_series] < log_alpha
        if np.array_equal(now, flagged):
            break
        flagged = now
    mask = censored.copy()
    _fill_runs(mask, starts[flagged], ends[flagged])
    return mask


def aligned_drop_mask(censored: BoolArray, indptr: IntArray, *, season_length: int = 7) -> BoolArray:
    """The days to drop: the censored days, plus as few days just before censored stretches as make the number
    of dropped days after every kept day a multiple of ``season_length`` (so closing up keeps weekdays).

    Scans each series from its end: after a censored run, earlier days are dropped until the count is aligned
    again; a stretch that reaches the series start is dropped whole (nothing before it needs aligning).
    """
    mask = censored.copy()
    starts, ends, run_series = _runs(censored, indptr)
    fill_from: list[int] = []
    fill_to: list[int] = []
    dropped = 0
    previous_series = -1
    for k in range(len(starts) - 1, -1, -1):
        series = int(run_series[k])
        if series != previous_series:
            dropped, previous_series = 0, series
        dropped += int(ends[k] - starts[k])
        need = -dropped % season_length
        if need == 0:
            continue
        floor = int(ends[k - 1]) if k > 0 and run_series[k - 1] == series else int(indptr[series])
        take = min(need, int(starts[k]) - floor)
        fill_from.append(int(starts[k]) - take)
        fill_to.append(int(starts[k]))
        dropped += take
    _fill_runs(mask, np.asarray(fill_from, dtype=np.int64), np.asarray(fill_to, dtype=np.int64))
    return mask


def close_up(y: FloatArray, drop: BoolArray, indptr: IntArray) -> tuple[FloatArray, IntArray]:
    """Remove the dropped days and return the shorter series as ``(values, indptr)``."""
    keep = ~drop
    kept_before = np.concatenate([[0], np.cumsum(keep)]).astype(np.int64)
    return y[keep], kept_before[indptr]


def uncensored_history(history: pd.DataFrame, *, season_length: int = 7) -> pd.DataFrame:
    """The history a forecaster sees: censored days dropped and each series closed up and right-aligned.

    ``history``: ``unique_id, ds, y, censored``. Returns ``unique_id, ds, y``; ``ds`` is the position in the
    closed-up series as a date ending on the last day of the history (weekdays preserved, see module docstring).
    """
    daily = DailyHistory.from_frame(history)
    drop = aligned_drop_mask(daily.censored, daily.indptr, season_length=season_length)
    y, indptr = close_up(daily.y, drop, daily.indptr)
    lengths = np.diff(indptr)
    series = np.repeat(np.arange(len(daily.skus)), lengths)
    day = daily.end_day - (indptr[series + 1] - 1 - np.arange(len(y)))
    return pd.DataFrame(
        {"unique_id": daily.skus[series], "ds": (_EPOCH + day).astype("datetime64[ns]"), "y": y}
    )


def _runs(flag: BoolArray, indptr: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Runs of True in ``flag`` that do not cross series boundaries: (starts, ends exclusive, series index)."""
    n = len(flag)
    boundary = np.zeros(n + 1, dtype=np.bool_)
    boundary[indptr] = True
    prev = np.concatenate([[False], flag[:-1]])
    nxt = np.concatenate([flag[1:], [False]])
    starts = np.flatnonzero(flag & (~prev | boundary[:-1]))
    ends = np.flatnonzero(flag & (~nxt | boundary[1:])) + 1
    run_series = np.searchsorted(indptr, starts, side="right") - 1
    return starts.astype(np.int64), ends.astype(np.int64), run_series.astype(np.int64)


def _fill_runs(mask: BoolArray, starts: IntArray, ends: IntArray) -> None:
    if len(starts) == 0:
        return
    delta = np.zeros(len(mask) + 1, dtype=np.int64)
    np.add.at(delta, starts, 1)
    np.add.at(delta, ends, -1)
    mask |= np.cumsum(delta[:-1]) > 0
