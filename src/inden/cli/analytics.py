"""`inden report`: the seller's figures at a glance (the same as GET /v1/analytics)."""

from __future__ import annotations

from typing import Annotated

import typer

from inden.cli.common import JsonOption, _, money, number, percent, print_table, run, say, shop_locale, show, table


def _share(value: float | None) -> str:
    return percent(value, digits=1)


def _days(value: float | None) -> str:
    return "–" if value is None else number(value, digits=1)


def report(
    days: Annotated[int, typer.Option(min=1, max=730, help="Demand over the last DAYS days.")] = 30,
    as_json: JsonOption = False,
) -> None:
    """The shop at a glance: fill rate, how long customers wait, lost sales, products at risk (--json: every
    figure, as GET /v1/analytics)."""
    from inden.services.analytics import shop_report, why_at_risk

    figures = run(lambda db: shop_report(db, days=days))
    if as_json:
        show(figures)
        return
    d, w = figures.demand, figures.waiting
    say(_("Last %(days)s days: %(asked)s units asked for — fill rate %(fill)s (from stock at once), backordered "
          "%(backordered)s, lost %(lost)s (%(refused)s units refused, %(value)s).", days=days,
          asked=d.ordered_units + d.refused_units, fill=_share(d.fill_rate), backordered=_share(d.backorder_rate),
          lost=_share(d.lost_rate), refused=d.refused_units, value=money(figures.lost_value, figures.currency)))
    buckets = ", ".join(_("%(range)s d: %(count)s", range=name, count=count) for name, count in w.buckets.items())
    say(_("Waiting now: %(units)s units on %(lines)s lines — median %(p50)s d, p90 %(p90)s d, oldest %(max)s d "
          "(%(buckets)s); %(estimated)s units with no purchase order behind their date.", units=w.units,
          lines=w.lines, p50=_days(w.p50_days), p90=_days(w.p90_days), max=_days(w.max_days), buckets=buckets,
          estimated=w.estimated_units))
    if not figures.at_risk:
        say(_("No product at risk."))
    rows = figures.at_risk or figures.skus[:20]
    if not rows:
        return
    if figures.at_risk:
        grid = table(_("SKU"), _("Waiting"), _("Oldest (d)"), _("Why"), title=_("At risk"))
        for s in rows:
            grid.add_row(s.sku, str(s.waiting_units), _days(s.oldest_wait_days), why_at_risk(s, shop_locale()))
    else:
        grid = table(_("SKU"), _("Ordered"), _("Fill rate"), _("Refused"), _("Waiting"), _("Oldest (d)"),
                     title=_("Products"))
        for s in rows:
            grid.add_row(s.sku, str(s.ordered_units), _share(s.fill_rate), str(s.refused_units),
                         str(s.waiting_units), _days(s.oldest_wait_days))
    print_table(grid)


def register(app: typer.Typer) -> None:
    app.command()(report)
