"""The seller's figures at a glance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from inden.api.deps import get_db, staff
from inden.db.session import Database
from inden.services.analytics import shop_report
from inden.services.schemas.analytics import AnalyticsOut

router = APIRouter(prefix="/v1/analytics", tags=["analytics"], dependencies=[staff])


@router.get("")
def get_analytics(db: Annotated[Database, Depends(get_db)],
                  days: Annotated[int, Query(ge=1, le=730)] = 30) -> AnalyticsOut:
    """Fill rate, backorder ages, lost sales and the products at risk over the last `days` days."""
    return shop_report(db, days=days)
