"""`inden users`: the people who log in to the back office (owner, staff)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from inden.cli.common import _, err, fail, moment, print_table, run, say, table
from inden.config import get_settings
from inden.i18n import N_
from inden.services.accounts import UserRole

ROLES = {"owner": N_("owner"), "staff": N_("staff")}
users_app = typer.Typer(help="People who log in to the back office.", no_args_is_help=True)
PasswordStdin = Annotated[bool, typer.Option("--password-stdin",
                                             help="Read the password from standard input instead of printing a "
                                                  "one-time setup link.")]


def _password_from_stdin() -> str:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        fail(_("no password on standard input"))
    return password


def _print_link(token: str | None, email: str) -> None:
    """The setup link alone on stdout (for scripts); what it is for on stderr."""
    base = get_settings().base_url.rstrip("/")
    if token:
        err.print(_("Send %(email)s this link; it sets their password (works once, within %(hours)s hours):",
                    email=email, hours=get_settings().setup_link_hours), highlight=False, markup=False)
        sys.stdout.write(f"{base}/setup/{token}\n")
    else:
        err.print(_("%(email)s can log in at %(url)s", email=email, url=f"{base}/login"), highlight=False,
                  markup=False)


@users_app.command("add")
def users_add(email: Annotated[str, typer.Argument(help="Their email address; they log in with it.")],
              role: Annotated[UserRole, typer.Option(
                  help="owner (everything, settings and people too) or staff (the shop's daily work)")
              ] = UserRole.STAFF,
              password_stdin: PasswordStdin = False) -> None:
    """Create an account; prints a one-time link that sets its password (or reads it with --password-stdin)."""
    from inden.services.accounts import add_user

    password = _password_from_stdin() if password_stdin else None
    token = run(lambda db: add_user(db, email, role, password=password))
    _print_link(token, email.strip().lower())


@users_app.command("list")
def users_list() -> None:
    """Every account, its role and whether its password is set."""
    from inden.services.accounts import list_users

    users = run(list_users)
    if not users:
        say(_("No accounts yet: add the owner with `inden users add EMAIL --role owner`."))
        return
    grid = table(_("Email"), _("Role"), _("Password set"), _("Language"), _("Created"))
    for user in users:
        grid.add_row(user.email, _(ROLES[user.role.value]), _("yes") if user.active else _("no (setup link)"),
                     user.locale, moment(user.created_at))
    print_table(grid)


@users_app.command("remove")
def users_remove(email: Annotated[str, typer.Argument(help="The account's email address.")]) -> None:
    """Delete an account and end its sessions."""
    from inden.services.accounts import remove_user

    run(lambda db: remove_user(db, email))
    say(_("Account %(email)s removed.", email=email))


@users_app.command("reset")
def users_reset(email: Annotated[str, typer.Argument(help="The account's email address.")],
                password_stdin: PasswordStdin = False) -> None:
    """End an account's sessions and print a new one-time setup link (or set the password from stdin)."""
    from inden.services.accounts import reset_user

    password = _password_from_stdin() if password_stdin else None
    token = run(lambda db: reset_user(db, email, password=password))
    _print_link(token, email.strip().lower())


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
