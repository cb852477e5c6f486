"""Where the plan's forecasting runs: this machine's cores, or a Dask cluster named by a setting
(`INDEN_PLANNING_CLUSTER=tcp://scheduler:8786`, or `--cluster` on `inden plan|forecast|worker`).

Only the forecasting moves (statsforecast's fugue back-end, `forecast_demand(engine=…)`): it is the part
that grows with the catalogue; reading the database, the global LightGBM model (fitted on a sample of SKUs),
the policy maths and the writes stay here. A cluster that cannot be reached within
`INDEN_PLANNING_CLUSTER_TIMEOUT` seconds is an error the caller sees at once (`PlanningClusterUnreachable`),
never a hang.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from inden.config import Settings
from inden.domain.errors import DomainError

SCHEMES = ("tcp://", "tls://")


class PlanningClusterUnreachable(DomainError):
    """The planning cluster named in the settings does not answer, or is not a Dask scheduler address."""

    code = "unavailable"


@contextmanager
def planning_engine(settings: Settings) -> Iterator[Any]:
    """None (local processes) or a connected Dask client for the forecasting, closed afterwards."""
    address = (settings.planning_cluster or "").strip()
    if not address:
        yield None
        return
    if not address.startswith(SCHEMES):
        raise PlanningClusterUnreachable(
            f"The planning cluster {address} is not a Dask scheduler address: use tcp://host:8786 "
            "(Ray and other engines are not supported).", cluster=address)
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - the dask extra is installed with inden
        raise PlanningClusterUnreachable(
            f"The planning cluster {address} needs the distributed package: pip install 'inden[cluster]'.",
            cluster=address) from None
    try:
        client = Client(address, timeout=f"{settings.planning_cluster_timeout}s", set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise PlanningClusterUnreachable(
            f"The planning cluster {address} did not answer within {settings.planning_cluster_timeout:g} s.",
            cluster=address, reason=str(error)) from None
    try:
        yield client
    finally:
        client.close()
