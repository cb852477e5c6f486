"""`inden users`: the people who log in to the back office (owner, staff)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from inden.cli.common import err, fail, out, run
from inden.config import get_settings
from inden.services.accounts import UserRole

users_app = typer.Typer(help="People who log in to the back office.", no_args_is_help=True)
PasswordStdin = Annotated[bool, typer.Option("--password-stdin",
                                             help="Read the password from standard input instead of printing a "
                                                  "one-time setup link.")]


def _password_from_stdin() -> str:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        fail("no password on standard input")
    return password


def _print_link(token: str | None, email: str) -> None:
    """The setup link alone on stdout (for scripts); what it is for on stderr."""
    base = get_settings().base_url.rstrip("/")
    if token:
        err.print(f"Send {email} this link; it sets their password (works once, within "
                  f"{get_settings().setup_link_hours} hours):", highlight=False)
        sys.stdout.write(f"{base}/setup/{token}\n")
    else:
        err.print(f"{email} can log in at {base}/login", highlight=False)


@users_app.command("add")
def users_add(email: str, role: Annotated[UserRole, typer.Option(help="owner or staff")] = UserRole.STAFF,
              password_stdin: PasswordStdin = False) -> None:
    """Create an account; prints a one-time link that sets its password (or reads it with --password-stdin)."""
    from inden.services.accounts import add_user

    password = _password_from_stdin() if password_stdin else None
    token = run(lambda db: add_user(db, email, role, password=password))
    _print_link(token, email.strip().lower())


@users_app.command("list")
def users_list() -> None:
    """Every account, its role and whether its password is set."""
    from rich.table import Table

    from inden.services.accounts import list_users

    table = Table("email", "role", "password set", "locale", "created")
    for user in run(list_users):
        table.add_row(user.email, user.role.value, "yes" if user.active else "no (setup link)", user.locale,
                      user.created_at.date().isoformat())
    out.print(table)


@users_app.command("remove")
def users_remove(email: str) -> None:
    """Delete an account and end its sessions."""
    from inden.services.accounts import remove_user

    run(lambda db: remove_user(db, email))
    out.print(f"removed {email}", highlight=False)


@users_app.command("reset")
def users_reset(email: str, password_stdin: PasswordStdin = False) -> None:
    """End an account's sessions and print a new one-time setup link (or set the password from stdin)."""
    from inden.services.accounts import reset_user

    password = _password_from_stdin() if password_stdin else None
    token = run(lambda db: reset_user(db, email, password=password))
    _print_link(token, email.strip().lower())


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
