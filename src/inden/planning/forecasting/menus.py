"""The model menus per demand class: which statsforecast models compete for a series."""

from __future__ import annotations

from dataclasses import dataclass

from inden.planning.forecasting.adapter import ETS, NAIVE

COMBINATION = "Combination"  # the mean of the few models with the best pooled backtest: often better than any one


@dataclass(frozen=True)
class Menu:
    name: str
    models: tuple[str, ...]
    forward_only: tuple[str, ...] = ()  # backtested with one fit and ``forward`` over later windows

    def backtest_calls(self) -> list[tuple[tuple[str, ...], bool]]:
        """(models, refit) per cross_validation call. Seasonal naive, the benchmark, is backtested apart."""
        names = [name for name in self.models if name != NAIVE]
        refit = tuple(name for name in names if name not in self.forward_only)
        once = tuple(name for name in names if name in self.forward_only)
        return [(group, refit_each_window) for group, refit_each_window in ((refit, True), (once, False)) if group]


SPORADIC = Menu("intermittent", ("CrostonSBA", "CrostonOptimized", "ADIDA", "IMAPA", "TSB", "SESOpt"))
SPORADIC_ETS = Menu("intermittent+ets", (ETS, *SPORADIC.models), forward_only=(ETS,))
STEADY = Menu("smooth", ("SESOpt", "SeasESOpt", "SeasWA", NAIVE))
STEADY_ETS = Menu("smooth+ets", (ETS, "SESOpt", "SeasESOpt", "SeasWA", NAIVE), forward_only=(ETS, NAIVE))
