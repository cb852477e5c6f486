"""`inden audit`: check the ledger's hash chains and the stock invariants."""

from __future__ import annotations

import typer

from inden.cli.common import err, out, run

audit_app = typer.Typer(help="Integrity checks.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the ledger's hash chains and the stock invariants; exit 1 on any drift."""
    from inden.services.audit import verify

    report = run(verify)
    summary = f"{report.products} products, {report.movements} ledger movements, {report.lines} order lines"
    if report.ok:
        out.print(f"[green]audit ok[/]: {summary}; no oversell, ledger intact, every unit accounted for.")
        return
    err.print(f"[bold red]audit FAILED[/]: {len(report.problems)} problem(s) in {summary}:")
    for problem in report.problems:
        err.print(f"  - {problem}", highlight=False)
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
