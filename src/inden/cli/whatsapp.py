"""`inden whatsapp`: numbers that asked for no WhatsApp messages (docs/whatsapp.md)."""

from __future__ import annotations

from typing import Annotated

import typer

from inden.cli.common import JsonOption, _, run, say, show

whatsapp_app = typer.Typer(help="WhatsApp: opt a buyer's number out (emails instead) or back in.",
                           no_args_is_help=True)
PhoneArgument = Annotated[str, typer.Argument(help="The buyer's number, e.g. +62 812 3456 7890 or 0812 3456 7890.")]


@whatsapp_app.command("opt-out")
def whatsapp_opt_out(phone: PhoneArgument) -> None:
    """No more WhatsApp messages to this number (the buyer asked, e.g. by replying STOP): emails instead."""
    from inden.services.contact import opt_out

    number = run(lambda db: opt_out(db, phone))
    say(_("+%(phone)s gets no more WhatsApp messages; their news goes by email.", phone=number))


@whatsapp_app.command("opt-in")
def whatsapp_opt_in(phone: PhoneArgument) -> None:
    """Undo an opt-out: the buyer asked for WhatsApp again."""
    from inden.services.contact import opt_in

    number = run(lambda db: opt_in(db, phone))
    say(_("+%(phone)s may get WhatsApp messages again (for orders and sign-ups that chose WhatsApp).", phone=number))


@whatsapp_app.command("opted-out")
def whatsapp_opted_out(as_json: JsonOption = False) -> None:
    """The numbers that opted out."""
    from inden.services.contact import opted_out

    numbers = run(opted_out)
    if as_json:
        show(numbers)
        return
    say("\n".join(f"+{number}" for number in numbers) if numbers else _("No number has opted out."))


def register(app: typer.Typer) -> None:
    app.add_typer(whatsapp_app, name="whatsapp")
