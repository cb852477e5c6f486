"""`inden users`: accounts for the back office from the terminal."""

from __future__ import annotations

from collections.abc import Callable

from click.testing import Result

from inden.config import get_settings
from inden.db.session import Database
from inden.services import accounts


def test_users_add_prints_a_one_time_setup_link_and_list_shows_it_pending(run: Callable[..., Result]) -> None:
    added = run("users", "add", "Pemilik@Toko.id", "--role", "owner")
    assert added.exit_code == 0, added.output
    link = added.stdout.strip().splitlines()[-1]
    assert link.startswith(f"{get_settings().base_url}/setup/")
    listed = run("users", "list")
    assert "pemilik@toko.id" in listed.stdout and "owner" in listed.stdout
    db = Database(get_settings().database_url)
    try:
        assert accounts.setup_email(db, link.rsplit("/", 1)[1]) == "pemilik@toko.id"
    finally:
        db.dispose()


def test_users_add_with_password_stdin_makes_an_account_that_can_log_in(run: Callable[..., Result]) -> None:
    added = run("users", "add", "staf@toko.id", "--role", "staff", "--password-stdin", input="kata-sandi-panjang\n")
    assert added.exit_code == 0, added.output
    db = Database(get_settings().database_url)
    try:
        _, account = accounts.log_in(db, "staf@toko.id", "kata-sandi-panjang", client="cli-test")
        assert account.role.value == "staff"
    finally:
        db.dispose()


def test_bad_input_is_a_plain_message_and_exit_code_2(run: Callable[..., Result]) -> None:
    assert run("users", "add", "pendek@toko.id", "--password-stdin", input="pendek\n").exit_code == 2
    assert run("users", "add", "bukan-email").exit_code == 2
    assert run("users", "remove", "tidak-ada@toko.id").exit_code == 2
    run("users", "add", "dua@toko.id")
    duplicate = run("users", "add", "dua@toko.id")
    assert duplicate.exit_code == 2 and "already exists" in duplicate.output


def test_reset_prints_a_new_link_and_remove_deletes(run: Callable[..., Result]) -> None:
    run("users", "add", "a@toko.id", "--password-stdin", input="kata-sandi-panjang\n")
    reset = run("users", "reset", "a@toko.id")
    assert reset.exit_code == 0 and "/setup/" in reset.stdout
    assert run("users", "remove", "a@toko.id").exit_code == 0
    assert "a@toko.id" not in run("users", "list").stdout
