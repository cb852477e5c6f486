"""`inden audit`: check the ledger's hash chains and the stock invariants."""

from __future__ import annotations

import typer

from inden.cli.common import JsonOption, _, err, run, say, show

audit_app = typer.Typer(help="Integrity checks.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(as_json: JsonOption = False) -> None:
    """Check the ledger's hash chains and the stock invariants; exit 1 on any drift."""
    from inden.services.audit import verify

    report = run(verify)
    if as_json:
        show(report)
    summary = _("%(products)s products, %(movements)s ledger movements, %(lines)s order lines",
                products=report.products, movements=report.movements, lines=report.lines)
    if report.ok:
        if not as_json:
            say(_("audit ok: %(summary)s; no oversell, ledger intact, every unit accounted for.", summary=summary))
        return
    err.print(_("audit FAILED: %(count)s problem(s) in %(summary)s:", count=len(report.problems), summary=summary),
              highlight=False, markup=False)
    for problem in report.problems:
        err.print(f"  - {problem}", highlight=False, markup=False)
    raise typer.Exit(1)


@audit_app.command("rekey")
def audit_rekey(as_json: JsonOption = False) -> None:
    """Re-sign the whole ledger with INDEN_LEDGER_KEY (after setting a key, or to finish a key rotation); the
    chains are checked first and nothing changes if they do not check out."""
    from inden.services.audit import rekey

    signed = run(rekey)
    if as_json:
        show({"signed": signed})
    else:
        say(_("%(count)s ledger movement(s) signed with the current ledger key.", count=signed))


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
