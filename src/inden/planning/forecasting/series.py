"""Ragged daily series as flat arrays: series ``i`` is ``y[indptr[i]:indptr[i + 1]]``, and the helpers over them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

SEASON_LENGTH = 7
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
EPOCH = np.datetime64("1970-01-01", "D")


@dataclass(frozen=True)
class Series:
    """Closed-up, truncated model inputs: series ``i`` is ``y[indptr[i]:indptr[i + 1]]``, ending on ``end_day``."""

    y: FloatArray
    indptr: IntArray
    end_day: int

    def take(self, idx: IntArray) -> Series:
        lengths = np.diff(self.indptr)[idx]
        pos = ranges(self.indptr[idx], lengths)
        return Series(self.y[pos], np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64), self.end_day)

    def frame(self, ids: IntArray) -> pd.DataFrame:
        """The statsforecast input: integer ids and integer days (closed-up, right-aligned at ``end_day``)."""
        lengths = np.diff(self.indptr)
        series = np.repeat(np.arange(len(ids)), lengths)
        ds = self.end_day - (self.indptr[series + 1] - 1 - np.arange(len(self.y)))
        return pd.DataFrame({"unique_id": ids[series], "ds": ds.astype(np.int64), "y": self.y})


def truncate(series: Series, max_days: int) -> Series:
    lengths = np.minimum(np.diff(series.indptr), max_days)
    starts = series.indptr[1:] - lengths
    pos = ranges(starts, lengths)
    return Series(series.y[pos], np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64), series.end_day)


def ranges(starts: IntArray, lengths: IntArray) -> IntArray:
    """Concatenated ``arange(start, start + length)`` for each pair, vectorised."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return (np.arange(total) - np.repeat(offsets - starts, lengths)).astype(np.int64)
