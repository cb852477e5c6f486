"""The Indonesian shopping calendar, and what each of its days does to a SKU's demand, learned from history.

Rules (`RULES`), each a set of days:

- ``lebaran_rush``: the 14 days before Idul Fitri (Lebaran) — gifts, clothes, mudik; ``lebaran``: Idul Fitri and
  its second day (shops and couriers slow down). Idul Fitri moves 10-11 days earlier every year; its date
  comes from the `holidays` package (Indonesia), as do ``idul_adha``, ``imlek`` (Lunar New Year), ``natal``
  (25 December) and ``tahun_baru`` (1 January).
- ``double_date``: the marketplaces' double-date sales 9.9, 10.10, 11.11 and Harbolnas 12.12.
- ``payday``: the 25th of a month to the 1st of the next (gajian), when many shoppers have money again.

**Learned, not assumed** (`learn_effects`): a rule's effect on a SKU is its mean demand on the rule's days
over its mean on the other days of the same weeks (the 28 days before each occurrence), shrunk toward the
category's ratio, itself shrunk toward 1 (Poisson-gamma credibility: a prior counts as PRIOR_UNITS units of
evidence against the units the rule days would have sold at the baseline) — so one lucky 11.11 does not
triple a slow seller's forecast. Rules are learned one after another, most days first, each with the
effects before it divided out, so that Christmas on the 25th is not credited with payday's lift; effects of
overlapping rules multiply. The forecaster sees the history with the effects divided out
(`Effects.past`) and the forecast gets them back (`Effects.future`), so a rule counts once, on its days.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from inden.planning.censoring import DailyHistory

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

EPOCH = date(1970, 1, 1)
RULES = ("lebaran_rush", "lebaran", "idul_adha", "imlek", "natal", "tahun_baru", "double_date", "payday")
PRIOR_UNITS = 100.0  # units of evidence that weigh as much as the pooled ratio
BASELINE_DAYS = 28
LOWEST, HIGHEST = 0.2, 5.0  # a learned effect is kept within these


def rule_days(first: date, last: date) -> dict[str, set[date]]:
    """The days of each rule between `first` and `last` (inclusive)."""
    import holidays

    years = list(range(first.year - 1, last.year + 2))
    calendar = holidays.country_holidays("ID", years=years, language="en_US")
    named: dict[str, set[date]] = {rule: set() for rule in RULES}
    for day, name in calendar.items():
        label = str(name)
        if label.startswith("Eid al-Fitr"):
            named["lebaran"].add(day)
            if "Second" not in label:
                named["lebaran_rush"].update(day - timedelta(days=k) for k in range(1, 15))
        elif label.startswith("Eid al-Adha"):
            named["idul_adha"].add(day)
        elif label.startswith("Lunar New Year"):
            named["imlek"].add(day)
        elif label.startswith("Christmas"):
            named["natal"].add(day)
        elif label.startswith("New Year"):
            named["tahun_baru"].add(day)
    day = first
    while day <= last:
        if day.month == day.day and day.month >= 9:
            named["double_date"].add(day)
        if day.day >= 25 or day.day == 1:
            named["payday"].add(day)
        day += timedelta(days=1)
    named["lebaran_rush"] -= named["lebaran"]
    return {rule: {d for d in days if first <= d <= last} for rule, days in named.items()}


@dataclass(frozen=True)
class Effects:
    """What each rule does to each SKU's demand: ``factor[i, r]`` multiplies SKU ``i``'s demand on the days of
    ``RULES[r]`` (1.0 = no effect); ``calendar`` holds the rule days from the history's first day on."""

    skus: npt.NDArray[np.object_]
    factor: FloatArray  # (n_skus, len(RULES))
    calendar: dict[str, set[date]]

    @classmethod
    def none(cls, skus: npt.NDArray[np.object_]) -> Effects:
        return cls(skus, np.ones((len(skus), len(RULES))), {rule: set() for rule in RULES})

    def _multipliers(self, rows: IntArray, day_numbers: IntArray) -> FloatArray:
        """Multiplier for each (SKU row, day since 1970) pair."""
        out = np.ones(len(rows))
        for r, rule in enumerate(RULES):
            days = np.asarray(sorted((d - EPOCH).days for d in self.calendar.get(rule, ())), dtype=np.int64)
            if len(days) == 0:
                continue
            on = np.isin(day_numbers, days)
            out[on] *= self.factor[rows[on], r]
        return out

    def past(self, daily: DailyHistory) -> FloatArray:
        """The multiplier of every day of `daily` (aligned with ``daily.y``)."""
        lengths = np.diff(daily.indptr)
        codes = np.repeat(np.arange(len(lengths)), lengths)
        return self._multipliers(codes, daily.first_day[codes] + np.arange(len(daily.y)) - daily.indptr[codes])

    def future(self, end_day: int, horizon: int) -> FloatArray:
        """Multipliers (n_skus, horizon) for the days after `end_day` (days since 1970)."""
        first, last = EPOCH + timedelta(days=end_day + 1), EPOCH + timedelta(days=end_day + horizon)
        ahead = Effects(self.skus, self.factor, rule_days(first, last))
        n = len(self.skus)
        rows = np.repeat(np.arange(n), horizon)
        days = np.tile(np.arange(end_day + 1, end_day + 1 + horizon), n)
        return ahead._multipliers(rows, days).reshape(n, horizon)


def learn_effects(daily: DailyHistory, categories: Mapping[str, str] | None = None) -> Effects:
    """Each SKU's multiplier per rule from its history (censored days ignored). A rule with no day in the
    history, or a SKU with no day of it, gets no effect."""
    n = len(daily.skus)
    effects = Effects.none(daily.skus)
    if n == 0:
        return effects
    lengths = np.diff(daily.indptr)
    codes = np.repeat(np.arange(n), lengths)
    start = int(daily.first_day.min())
    offset = daily.first_day[codes] - start + (np.arange(len(daily.y)) - daily.indptr[codes])
    first_date = EPOCH + timedelta(days=start)
    calendar = rule_days(first_date, EPOCH + timedelta(days=daily.end_day))
    span = daily.end_day - start + 1
    seen = ~daily.censored
    groups = np.asarray([(categories or {}).get(str(s), "") for s in daily.skus], dtype=object)
    y = daily.y.copy()  # each rule is learned with the effects of the rules before it divided out
    by_days = sorted(range(len(RULES)), key=lambda r: -len(calendar[RULES[r]]))  # payday first: most days
    for r in by_days:
        on_day = np.zeros(span, dtype=np.bool_)
        on_day[[(d - first_date).days for d in calendar[RULES[r]]]] = True
        if not on_day.any():
            continue
        on = on_day[offset] & seen
        other = _nearby(on_day)[offset] & ~on_day[offset] & seen
        rule_n = np.bincount(codes, weights=on, minlength=n)
        base_n = np.bincount(codes, weights=other, minlength=n)
        observed = np.bincount(codes, weights=y * on, minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            expected = np.bincount(codes, weights=y * other, minlength=n) / base_n * rule_n  # at the baseline
        usable = (rule_n > 0) & (base_n > 0)
        expected, observed = np.where(usable, expected, 0.0), np.where(usable, observed, 0.0)
        # Poisson-gamma shrinkage in two levels: the category's ratio toward 1, each SKU's toward its
        # category's; the prior counts as PRIOR_UNITS units of evidence, so a slow seller's few rule days move
        # its factor little and a fast seller's many units move it to its own ratio.
        prior = np.ones(n)
        for group in set(groups.tolist()):
            members = groups == group
            prior[members] = (observed[members].sum() + PRIOR_UNITS) / (expected[members].sum() + PRIOR_UNITS)
        learned = np.clip((observed + PRIOR_UNITS * prior) / (expected + PRIOR_UNITS), LOWEST, HIGHEST)
        effects.factor[:, r] = np.where(usable, learned, 1.0)
        y /= np.where(on_day[offset], effects.factor[codes, r], 1.0)
    return Effects(daily.skus, effects.factor, calendar)


def _nearby(on: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Days within BASELINE_DAYS before any rule day (the rule's own weeks, for a like-for-like baseline)."""
    marks = np.zeros(len(on) + 1, dtype=np.int64)
    starts = np.flatnonzero(on)
    np.add.at(marks, np.maximum(starts - BASELINE_DAYS, 0), 1)
    np.add.at(marks, starts + 1, -1)
    return np.cumsum(marks[:-1]) > 0

