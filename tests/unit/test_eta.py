"""ETA pegging rules (domain.eta), property-tested."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from inden.domain.eta import EtaConfidence, Inbound, WaitingUnits, peg_etas, peg_schedule

TODAY = date(2026, 12, 1)


def day(n: int) -> date:
    return TODAY + timedelta(days=n)


queues = st.lists(st.integers(1, 5), max_size=30).map(
    lambda sizes: [WaitingUnits(n, size) for n, size in enumerate(sizes, start=1)]
)
supplies = st.lists(
    st.builds(Inbound, expected_at=st.integers(-5, 60).map(day), quantity=st.integers(0, 20),
              delay_days=st.integers(0, 10)),
    max_size=5,
)


def test_units_are_pegged_to_supply_in_allocation_order() -> None:
    queue = [WaitingUnits(n, 1) for n in range(1, 201)]
    etas = peg_etas(queue, [Inbound(day(14), 100), Inbound(day(7), 50)], today=TODAY, lead_time_days=30)
    assert {e.eta for e in etas[:50]} == {day(7)}
    assert {e.eta for e in etas[50:150]} == {day(14)}
    assert {e.eta for e in etas[150:]} == {day(30)}
    assert {e.confidence for e in etas[150:]} == {EtaConfidence.ESTIMATED}
    assert {e.confidence for e in etas[:150]} == {EtaConfidence.SCHEDULED}


def test_a_line_split_across_two_deliveries_ships_with_the_later_one() -> None:
    etas = peg_etas([WaitingUnits(1, 3), WaitingUnits(2, 4)], [Inbound(day(5), 5), Inbound(day(9), 5)],
                    today=TODAY, lead_time_days=14)
    assert [e.eta for e in etas] == [day(5), day(9)]


def test_a_line_only_partly_covered_by_supply_is_estimated_but_never_before_that_supply() -> None:
    [eta] = peg_etas([WaitingUnits(1, 2)], [Inbound(day(40), 1)], today=TODAY, lead_time_days=14)
    assert (eta.eta, eta.confidence) == (day(40), EtaConfidence.ESTIMATED)


def test_an_overdue_purchase_order_is_never_promised_in_the_past() -> None:
    [eta] = peg_etas([WaitingUnits(1, 1)], [Inbound(day(-3), 5, delay_days=5)], today=TODAY, lead_time_days=14)
    assert (eta.eta, eta.eta_latest) == (TODAY, day(2))


def test_handling_days_and_supplier_delay_shape_the_range() -> None:
    [eta] = peg_etas([WaitingUnits(1, 1)], [Inbound(day(7), 5, delay_days=4)], today=TODAY, lead_time_days=14,
                     handling_days=1)
    assert (eta.eta, eta.eta_latest) == (day(8), day(12))


def test_estimated_dates_never_come_before_the_last_scheduled_one() -> None:
    etas = peg_etas([WaitingUnits(1, 1), WaitingUnits(2, 1)], [Inbound(day(40), 1)], today=TODAY,
                    lead_time_days=14)
    assert [(e.eta, e.confidence) for e in etas] == [(day(40), "scheduled"), (day(40), "estimated")]


@given(queue=queues, supply=supplies, lead=st.integers(0, 60), handling=st.integers(0, 3))
def test_etas_never_decrease_along_the_queue(queue, supply, lead, handling) -> None:  # type: ignore[no-untyped-def]
    etas = peg_etas(queue, supply, today=TODAY, lead_time_days=lead, handling_days=handling)
    assert [e.line_id for e in etas] == [line.line_id for line in queue]
    assert all(a.eta <= b.eta and a.eta_latest <= b.eta_latest for a, b in zip(etas, etas[1:], strict=False))
    assert all(TODAY <= e.eta <= e.eta_latest for e in etas)


@given(queue=queues, supply=supplies)
def test_no_more_units_are_scheduled_than_are_incoming(queue, supply) -> None:  # type: ignore[no-untyped-def]
    etas = peg_etas(queue, supply, today=TODAY, lead_time_days=14)
    waiting = {line.line_id: line.waiting for line in queue}
    scheduled = sum(waiting[e.line_id] for e in etas if e.confidence is EtaConfidence.SCHEDULED)
    assert scheduled <= sum(s.quantity for s in supply)
    # scheduled lines form a prefix of the queue
    flags = [e.confidence is EtaConfidence.SCHEDULED for e in etas]
    assert flags == sorted(flags, reverse=True)


@given(queue=queues, supply=supplies.filter(bool), data=st.data())
def test_moving_a_delivery_later_never_makes_any_eta_earlier(queue, supply, data) -> None:  # type: ignore[no-untyped-def]
    moved = data.draw(st.integers(0, len(supply) - 1))
    later = data.draw(st.integers(1, 30))
    before = peg_etas(queue, supply, today=TODAY, lead_time_days=14)
    changed = [s if i != moved else Inbound(s.expected_at + timedelta(days=later), s.quantity, s.delay_days)
               for i, s in enumerate(supply)]
    after = peg_etas(queue, changed, today=TODAY, lead_time_days=14)
    # eta_latest may fall: the line can now peg to a more reliable supplier's delivery of the same day
    assert all(b.eta <= a.eta for b, a in zip(before, after, strict=True))


def test_the_schedule_promises_each_place_in_the_queue() -> None:
    schedule = peg_schedule([Inbound(day(14), 100), Inbound(day(7), 50, delay_days=3)], today=TODAY,
                            lead_time_days=30, handling_days=1)
    assert [(d.first, d.last, d.promise.eta, d.promise.eta_latest) for d in schedule.deliveries] == [
        (1, 50, day(8), day(11)), (51, 150, day(15), day(15))]
    assert schedule.promise(ahead=149, waiting=1).eta == day(15)
    assert schedule.promise(ahead=149, waiting=2) == schedule.partly
    assert schedule.promise(ahead=150, waiting=1) == schedule.beyond
    assert (schedule.beyond.eta, schedule.beyond.confidence) == (day(31), EtaConfidence.ESTIMATED)


def _walk_unit_by_unit(queue, supply, *, today, lead_time_days, handling_days, estimated_delay_days):  # type: ignore[no-untyped-def]
    """Naive reference: hand out incoming units one by one in date order; a line ships with its last unit."""
    units = [s for s in sorted(supply, key=lambda s: s.expected_at) for _ in range(s.quantity)]
    handling, taken, floor_eta, floor_latest, etas = timedelta(days=handling_days), 0, today, today, []
    for line in queue:
        mine, taken = units[taken:taken + max(line.waiting, 0)], taken + max(line.waiting, 0)
        if line.waiting > 0 and len(mine) == line.waiting:
            last = mine[-1]
            arrives = max(last.expected_at, today)
            latest = max(last.expected_at + timedelta(days=last.delay_days), today)
            confidence = EtaConfidence.SCHEDULED
        else:
            arrives = today + timedelta(days=lead_time_days)
            if mine:
                arrives = max(arrives, mine[-1].expected_at)
            latest, confidence = arrives + timedelta(days=estimated_delay_days), EtaConfidence.ESTIMATED
        floor_eta = max(floor_eta, arrives + handling)
        floor_latest = max(floor_latest, latest + handling, floor_eta)
        etas.append((line.line_id, floor_eta, floor_latest, confidence))
    return etas


@given(queue=queues, supply=supplies, lead=st.integers(0, 60), handling=st.integers(0, 3), delay=st.integers(0, 9))
def test_pegging_equals_handing_out_units_one_by_one(queue, supply, lead, handling, delay) -> None:  # type: ignore[no-untyped-def]
    options = {"today": TODAY, "lead_time_days": lead, "handling_days": handling, "estimated_delay_days": delay}
    etas = [(e.line_id, e.eta, e.eta_latest, e.confidence) for e in peg_etas(queue, supply, **options)]
    assert etas == _walk_unit_by_unit(queue, supply, **options)
