"""A suggestion's reasons, from the figures the planner stored with it."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from inden.planning.explanations import ReasonKind, explain_suggestion

FIGURES = {"backordered": 0, "inventory_position": 10, "reorder_point": 14.6, "events": [],
           "days_of_cover": 5.2, "lead_time_days": 21.0, "risk": 0.37}
NEED_BY = date(2026, 12, 11)


def test_an_expedited_suggestion_says_so_first_and_waiting_customers_next() -> None:
    reasons = explain_suggestion({**FIGURES, "backordered": 4}, expedite=True, need_by=NEED_BY)
    assert [r.kind for r in reasons][:3] == [ReasonKind.EXPEDITE, ReasonKind.CUSTOMERS_WAITING,
                                             ReasonKind.BELOW_REORDER_POINT]
    assert reasons[0].values == {"need_by": NEED_BY} and reasons[1].values == {"units": 4}


def test_figures_are_rounded_for_reading() -> None:
    reasons = {r.kind: r.values for r in explain_suggestion(FIGURES, expedite=False, need_by=NEED_BY)}
    assert reasons[ReasonKind.BELOW_REORDER_POINT] == {"position": 10, "reorder_point": 15}
    assert reasons[ReasonKind.COVER] == {"days": 5, "lead_time": 21}
    assert reasons[ReasonKind.RISK] == {"percent": 37}
    assert ReasonKind.EVENTS not in reasons and ReasonKind.CUSTOMERS_WAITING not in reasons


def test_planned_events_are_named() -> None:
    reasons = explain_suggestion({**FIGURES, "events": ["Harbolnas", "Flash 12.12"]}, expedite=False, need_by=NEED_BY)
    assert {"events": "Harbolnas, Flash 12.12"} in [r.values for r in reasons]


@given(position=st.integers(-100, 100), reorder_point=st.floats(-100, 100))
def test_below_reorder_point_is_given_exactly_when_the_position_is_at_or_below_it(position: int,
                                                                                  reorder_point: float) -> None:
    reasons = explain_suggestion({"inventory_position": position, "reorder_point": reorder_point}, expedite=False,
                                 need_by=NEED_BY)
    assert (ReasonKind.BELOW_REORDER_POINT in [r.kind for r in reasons]) == (position <= reorder_point)


def test_a_capped_reorder_point_and_sign_ups_are_reasons_too() -> None:
    figures = {**FIGURES, "capped": True, "sign_ups": 120, "sign_up_units": 40}
    reasons = {r.kind: r.values for r in explain_suggestion(figures, expedite=False, need_by=NEED_BY)}
    assert reasons[ReasonKind.CAPPED] == {"reorder_point": 15, "days": 21}
    assert reasons[ReasonKind.SIGN_UPS] == {"shoppers": 120, "units": 40}
    older = {r.kind for r in explain_suggestion(FIGURES, expedite=False, need_by=NEED_BY)}  # stored before
    assert ReasonKind.CAPPED not in older and ReasonKind.SIGN_UPS not in older


def test_the_back_office_words_every_reason_in_indonesian_and_english() -> None:
    from inden.services.back_office.plan import reason_text

    figures = {**FIGURES, "backordered": 2, "events": ["Harbolnas"], "capped": True, "sign_ups": 1,
               "sign_up_units": 1}
    reasons = explain_suggestion(figures, expedite=True, need_by=NEED_BY)
    assert {r.kind for r in reasons} == set(ReasonKind)
    english = {r.kind: reason_text(r, "en") for r in reasons}
    assert english[ReasonKind.CAPPED] == ("The reorder point is capped at 15: the most sold in any 21 days of the "
                                          "last year, planned events included.")
    assert english[ReasonKind.SIGN_UPS].startswith("1 shopper(s) signed up while out of stock: about 1 unit(s)")
    indonesian = {r.kind: reason_text(r, "id") for r in reasons}
    assert indonesian[ReasonKind.SIGN_UPS].startswith("1 pembeli mendaftar saat stok habis")
    assert all(indonesian[kind] != english[kind] for kind in ReasonKind)
