"""Charts of the product page as inline SVG drawn here (no script, no library): past demand with the forecast
and its bands, and the projected stock with arriving purchase orders. Readable at 390 px wide."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from markupsafe import Markup, escape

from inden.planning.projection import ProjectedDay
from inden.services.forecasts import ForecastDay

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 640, 240, 56, 30, 12
INK, MUTED, BAR, FORECAST, BAND80, BAND95, STOCK, BAD = (
    "#1b1f24", "#4a5561", "#8fb3d9", "#0b5cad", "#9cc3ea", "#d3e5f6", "#1a6b35", "#b3261e")


def _scale(high: float) -> float:
    return max(high, 1.0) * 1.1


def _x(index: int, count: int) -> float:
    return PAD_LEFT + (WIDTH - PAD_LEFT - 4) * index / max(count - 1, 1)


def _y(value: float, top: float, low: float = 0.0) -> float:
    span = (HEIGHT - PAD_BOTTOM - PAD_TOP)
    return PAD_TOP + span * (1 - (value - low) / (top - low))


def _frame(title: str, body: list[str], *, top: float, low: float, first: date, last: date, fmt: str) -> Markup:
    ticks = sorted({round(low), 0, round(top / 1.1)})
    axis = "".join(
        f'<line x1="{PAD_LEFT}" x2="{WIDTH}" y1="{_y(v, top, low):.1f}" y2="{_y(v, top, low):.1f}" stroke="#e3e8ee"/>'
        f'<text x="{PAD_LEFT - 4}" y="{_y(v, top, low) + 4:.1f}" text-anchor="end" font-size="18" fill="{MUTED}">'
        f'{round(v):d}</text>' for v in ticks)
    dates = (f'<text x="{PAD_LEFT}" y="{HEIGHT - 6}" font-size="18" fill="{MUTED}">{escape(first.strftime(fmt))}</text>'
             f'<text x="{WIDTH}" y="{HEIGHT - 6}" font-size="18" fill="{MUTED}" text-anchor="end">'
             f'{escape(last.strftime(fmt))}</text>')
    return Markup(f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
                  f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{axis}{"".join(body)}{dates}</svg>')


def demand_chart(title: str, history: Sequence[tuple[date, float]], forecast: Sequence[ForecastDay]) -> Markup:
    """Bars of past daily demand, then the forecast's mean line inside its 95 % and 80 % bands."""
    count = len(history) + len(forecast)
    if not count:
        return Markup("")
    highs = [q for _, q in history] + [f.hi_95 for f in forecast]
    top = _scale(max(highs, default=1))
    width = max((WIDTH - PAD_LEFT) / count - 1, 1)
    body = [f'<rect x="{_x(i, count) - width / 2:.1f}" y="{_y(q, top):.1f}" width="{width:.1f}" '
            f'height="{_y(0, top) - _y(q, top):.1f}" fill="{BAR}"/>' for i, (_, q) in enumerate(history) if q]
    offset = len(history)
    for low_key, high_key, colour in (("lo_95", "hi_95", BAND95), ("lo_80", "hi_80", BAND80)):
        band = [(offset + i, getattr(f, low_key), getattr(f, high_key)) for i, f in enumerate(forecast)]
        if band:
            upper = " ".join(f"{_x(i, count):.1f},{_y(hi, top):.1f}" for i, _, hi in band)
            lower = " ".join(f"{_x(i, count):.1f},{_y(max(lo, 0), top):.1f}" for i, lo, _ in reversed(band))
            body.append(f'<polygon points="{upper} {lower}" fill="{colour}"/>')
    if forecast:
        line = " ".join(f"{_x(offset + i, count):.1f},{_y(f.mean, top):.1f}" for i, f in enumerate(forecast))
        body.append(f'<polyline points="{line}" fill="none" stroke="{FORECAST}" stroke-width="2.5"/>')
        body.append(f'<line x1="{_x(offset, count):.1f}" x2="{_x(offset, count):.1f}" y1="{PAD_TOP}" '
                    f'y2="{HEIGHT - PAD_BOTTOM}" stroke="{INK}" stroke-dasharray="3 3"/>')
    first = history[0][0] if history else forecast[0].day
    last = forecast[-1].day if forecast else history[-1][0]
    return _frame(title, body, top=top, low=0, first=first, last=last, fmt="%d/%m")


def stock_chart(title: str, projection: Sequence[ProjectedDay]) -> Markup:
    """The projected stock free to sell: the expected line, and a dashed one if demand runs at the forecast's
    upper 80 % bound; below zero, customers wait. Days with purchase orders arriving are marked."""
    if not projection:
        return Markup("")
    count = len(projection)
    expected = [p.expected for p in projection]
    pessimistic = [p.pessimistic for p in projection]
    top, low = _scale(max(expected + pessimistic + [1])), min(min(expected + pessimistic) * 1.1, 0)
    zero = _y(0, top, low)
    body = [f'<rect x="{PAD_LEFT}" y="{zero:.1f}" width="{WIDTH - PAD_LEFT}" height="{HEIGHT - PAD_BOTTOM - zero:.1f}" '
            f'fill="#fdecea"/>' if low < 0 else "",
            f'<line x1="{PAD_LEFT}" x2="{WIDTH}" y1="{zero:.1f}" y2="{zero:.1f}" stroke="{BAD}"/>']
    for values, dash in ((pessimistic, ' stroke-dasharray="6 5"'), (expected, "")):
        line = " ".join(f"{_x(i, count):.1f},{_y(v, top, low):.1f}" for i, v in enumerate(values))
        body.append(f'<polyline points="{line}" fill="none" stroke="{STOCK}" stroke-width="2.5"{dash}/>')
    for i, day in enumerate(projection):
        if day.arriving:
            body.append(f'<circle cx="{_x(i, count):.1f}" cy="{_y(expected[i], top, low):.1f}" r="6" '
                        f'fill="{FORECAST}"/>')
    return _frame(title, body, top=top, low=low, first=projection[0].day, last=projection[-1].day, fmt="%d/%m")
