"""Stock-out risk: the chance that demand until the next receipt exceeds what the SKU has.

Demand over the horizon is modelled as a whole-unit count matched to its mean m and variance v = sd^2, from
the one family that fits every shape of demand (the Katz family):

- v > m (the usual case; lumpy, intermittent or uncertain demand): negative binomial, i.e. Poisson demand
  whose rate is itself gamma-distributed, with r = m^2 / (v - m) and p = m / v;
- v = m: Poisson(m), the slow mover whose customers arrive independently one unit at a time;
- v < m (steadier than Poisson): binomial with n = m^2 / (m - v) and p = 1 - v / m, n extended to real
  values through the incomplete beta function (mean and variance exact for whole n, close otherwise).

For large means all three approach the normal distribution, so smooth fast movers get the familiar
normal answer, while slow and intermittent ones keep the real chance of zero demand (a normal model would
give a SKU selling 0.3 a week a sizeable chance of "negative demand" and a wrong risk at small stock).
Within this family, risk never rises with more stock and never falls when demand grows at the same
dispersion (variance-to-mean ratio), which is how demand grows when more customers buy alike.
"""

from __future__ import annotations

from typing import Any, overload

import numpy as np
import numpy.typing as npt
from scipy import special, stats

FloatArray = npt.NDArray[np.float64]
Values = float | npt.NDArray[Any]
TINY_DEMAND = 1e-9  # units: below this the demand is taken as none (the distributions break down at 1e-300)


@overload
def stockout_risk(*, inventory_position: float, demand_mean: float, demand_sd: float) -> float: ...  # type: ignore[overload-overlap]
@overload
def stockout_risk(*, inventory_position: Values, demand_mean: Values, demand_sd: Values) -> FloatArray: ...
def stockout_risk(*, inventory_position: Values, demand_mean: Values, demand_sd: Values) -> float | FloatArray:
    """Probability that demand until the next receipt exceeds `inventory_position` (a stock-out), in [0, 1].

    `inventory_position`: units available to meet that demand (on hand + arriving before it - backordered);
    fractional positions count as the whole units below them, and a negative position gives 1.
    `demand_mean` / `demand_sd`: mean and standard deviation of demand (units) over the same horizon, >= 0
    (ValueError otherwise). Elementwise over arrays. See the module docstring for the distribution.
    """
    position = np.asarray(inventory_position, dtype=np.float64)
    mean = np.asarray(demand_mean, dtype=np.float64)
    variance = np.asarray(demand_sd, dtype=np.float64) ** 2
    if np.any(mean < 0) or np.any(variance < 0) or np.any(np.isnan(mean)) or np.any(np.isnan(variance)):
        raise ValueError("demand_mean and demand_sd must be non-negative numbers")
    position, mean, variance = np.broadcast_arrays(position, mean, variance)
    units = np.floor(position)  # demand comes in whole units: exceeding 4.6 units means exceeding 4
    selling = mean > TINY_DEMAND
    safe_mean = np.where(selling, mean, 1.0)
    dispersion = variance / safe_mean
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # Negative binomial (v > m).
        spread = np.where(dispersion > 1, dispersion - 1, 1.0)
        negative_binomial = stats.nbinom.sf(units, safe_mean / spread, 1 / np.maximum(dispersion, 1.0))
        # Poisson (v = m).
        poisson = stats.poisson.sf(units, safe_mean)
        # Binomial with real n (v < m): P(X > k) = I_p(k + 1, n - k) for k < n, else 0.
        steadiness = np.where(dispersion < 1, 1 - dispersion, 1.0)
        trials = safe_mean / steadiness
        room = trials - units
        binomial = np.where(
            room > 0, special.betainc(units + 1, np.where(room > 0, room, 1.0), 1 - dispersion), 0.0
        )
    risk = np.where(dispersion > 1, negative_binomial, np.where(dispersion < 1, binomial, poisson))
    risk = np.where(selling, risk, 0.0)  # no demand: nothing can run out
    risk = np.where(units < 0, 1.0, np.clip(risk, 0.0, 1.0))
    result = risk.astype(np.float64)
    return float(result) if result.ndim == 0 else result


@overload
def demand_quantile(*, probability: float, demand_mean: float, demand_sd: float) -> float: ...  # type: ignore[overload-overlap]
@overload
def demand_quantile(*, probability: Values, demand_mean: Values, demand_sd: Values) -> FloatArray: ...
def demand_quantile(*, probability: Values, demand_mean: Values, demand_sd: Values) -> float | FloatArray:
    """Smallest whole number of units s with P(demand <= s) >= `probability`, in the distribution above.

    `probability` in (0, 1); demand mean and sd >= 0. Found by bisection over whole units, all SKUs at once.
    """
    level = np.asarray(probability, dtype=np.float64)
    if np.any(~((level > 0) & (level < 1))):
        raise ValueError("probability must be strictly between 0 and 1")
    mean = np.asarray(demand_mean, dtype=np.float64)
    sd = np.asarray(demand_sd, dtype=np.float64)
    level, mean, sd = np.broadcast_arrays(level, mean, sd)
    # Chebyshev: P(D > m + k sd) <= 1 / k^2, so the quantile lies at or below m + sd / sqrt(1 - p).
    high = np.ceil(mean + sd / np.sqrt(1 - level)) + 1
    low = np.full_like(high, -1.0)  # P(D <= -1) = 0 < p
    while np.any(high - low > 1):
        middle = np.floor((low + high) / 2)
        covered = 1 - stockout_risk(inventory_position=middle, demand_mean=mean, demand_sd=sd) >= level
        high, low = np.where(covered, middle, high), np.where(covered, low, middle)
    result = high.astype(np.float64)
    return float(result) if result.ndim == 0 else result
