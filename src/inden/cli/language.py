"""The whole `inden` command in the shop's language: our messages, every command's help, and the words Typer and
the Click it carries print themselves (Usage, Options, Missing argument, Invalid value, …).

Typer's help panels read module constants and a few `gettext` calls, its Click (vendored as `typer._click`) words
its errors in English f-strings, and Typer words a wrongly typed value with pydantic's English. At the start of
each run (`ShopLanguageGroup.main`) all of them are pointed at our catalogues (`cli_help.po`), with the English as
the message id like every other text: an error's English is matched against `CLICK_ERRORS` and said again in the
shop's language, a typed value's problem in the words of `cli.errors`. Help texts (docstrings and `help=`) are
translated on the command tree Typer builds for the run, so the English stays in the code.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import typer._click.core
import typer._click.formatting
import typer._coercion
import typer._param_types
import typer.core
import typer.exceptions
import typer.rich_utils
from pydantic import ValidationError
from rich.console import Console
from typer._click.core import Command

from inden.cli.common import shop_locale
from inden.cli.errors import match_template, problem_message, settings_message
from inden.config import Settings
from inden.i18n import N_, translate

DEFAULT_LOCALE = Settings.model_fields["default_locale"].default  # the language when the settings cannot be read
# What Typer itself passes through gettext, and the words of its help screens.
TYPER_TEXTS = (
    N_("Usage:"), N_("Options"), N_("Commands"), N_("Arguments"), N_("Error"), N_("Aborted!"), N_("Aborted."),
    N_("Show this message and exit."), N_("Try [blue]'{command_path} {help_option}'[/] for help."),
    N_("Missing command."), N_("No such command {name!r}."), N_("[default: {}]"), N_("[env var: {}]"),
    N_("[required]"), N_("(deprecated) "), N_("(dynamic)"), N_("default: {default}"), N_("env var: {var}"),
    N_("required"), N_("[OPTIONS]"), N_("COMMAND [ARGS]..."),
)
# Click's error messages as it words them (f-strings in typer._click), each as a template of our catalogue.
CLICK_ERRORS = (
    N_("Invalid value for %(param)s: %(problem)s"), N_("Invalid value: %(problem)s"),
    N_("Missing argument %(param)s."), N_("Missing option %(param)s."), N_("Missing parameter %(param)s."),
    N_("Missing parameter: %(param)s"), N_("No such option: %(option)s (Possible options: %(options)s)"),
    N_("No such option: %(option)s"), N_("Option %(option)s does not take a value."),
    N_("Option %(option)s requires an argument."), N_("Option %(option)s requires %(count)s arguments."),
    N_("Got unexpected extra argument(s) (%(args)s)"), N_("Could not open file %(file)s: %(problem)s"),
    N_("Argument %(param)s takes %(count)s values."),
    N_("%(said)s. Did you mean %(suggestions)s?"),  # Typer's suggestion after an unknown command
    N_("%(value)s is not one of %(choices)s."), N_("Value %(value)s is not a valid %(kind)s."),  # a typed value
)
# Typer's help panels take these words once, when it is imported: they are set again for each run.
TYPER_CONSTANTS = {
    "ARGUMENTS_PANEL_TITLE": "Arguments", "OPTIONS_PANEL_TITLE": "Options", "COMMANDS_PANEL_TITLE": "Commands",
    "ERRORS_PANEL_TITLE": "Error", "ABORTED_TEXT": "Aborted.", "DEFAULT_STRING": "[default: {}]",
    "ENVVAR_STRING": "[env var: {}]", "REQUIRED_LONG_STRING": "[required]", "DEPRECATED_STRING": "(deprecated) ",
    "RICH_HELP": "Try [blue]'{command_path} {help_option}'[/] for help.",
}
GETTEXT_MODULES: tuple[ModuleType, ...] = (typer.core, typer.rich_utils)
# Where Typer turns a pydantic error about a typed value into Click's message.
TYPER_VALIDATING_MODULES: tuple[ModuleType, ...] = (typer._coercion, typer._param_types)
_ENGLISH: dict[str, Callable[..., Any]] = {}  # the library functions wrapped, kept to wrap them once


def _english(owner: Any, name: str) -> Any:
    key = f"{owner.__module__}.{getattr(owner, '__qualname__', owner.__name__)}.{name}"
    return _ENGLISH.setdefault(key, getattr(owner, name))


def click_error(message: str, locale: str) -> str:
    """One of Click's English error messages in `locale` (as it is when it matches no template)."""
    if (matched := match_template(message, CLICK_ERRORS)) is None:
        return message
    template, values = matched
    return translate(locale, template, **{name: click_error(value, locale) for name, value in values.items()})


def speak(locale: str) -> None:
    """Point Typer's and its Click's own texts at `locale` for this process (until the next call)."""

    def gettext(message: str) -> str:
        return translate(locale, message)

    for module in GETTEXT_MODULES:
        module._ = gettext  # type: ignore[attr-defined]
    for name, english in TYPER_CONSTANTS.items():
        setattr(typer.rich_utils, name, gettext(english))

    def value_problem(error: ValidationError) -> str:
        return click_error(problem_message(error, locale), locale)

    for module in TYPER_VALIDATING_MODULES:
        module.get_error_msg = value_problem  # type: ignore[attr-defined]

    for error_class in _subclasses(typer.exceptions.TyperException):
        if "format_message" in vars(error_class):
            english = _english(error_class, "format_message")
            setattr(error_class, "format_message",  # noqa: B010  (mypy: a method assigned on a class in a loop)
                    lambda self, english=english: click_error(english(self), locale))
    write_usage = _english(typer._click.formatting.HelpFormatter, "write_usage")

    def usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, args, gettext("Usage:") + " " if prefix is None else prefix)

    typer._click.formatting.HelpFormatter.write_usage = usage  # type: ignore[method-assign]
    help_option = _english(typer._click.core.Command, "get_help_option")

    def translated_help_option(self: Any, ctx: Any) -> Any:
        option = help_option(self, ctx)
        if option is not None and option.help:
            option.help = gettext(option.help)
        return option

    typer._click.core.Command.get_help_option = translated_help_option  # type: ignore[method-assign]


def _subclasses(cls: type) -> Iterator[type]:
    yield cls
    sub: type
    for sub in cls.__subclasses__():
        yield from _subclasses(sub)


def commands(command: Command) -> Iterator[Command]:
    """`command` and every command under it."""
    yield command
    for sub in getattr(command, "commands", {}).values():
        yield from commands(sub)


def help_texts(command: Command) -> set[str]:
    """Every help text of the tree under `command` (the message ids of `cli_help.po`)."""
    texts: set[str] = set()
    for each in commands(command):
        texts.update(text for text in (each.help, each.short_help) if text)
        texts.update(text for param in each.params if (text := getattr(param, "help", None)))
    return texts


def translate_help(command: Command, locale: str) -> None:
    """Replace each help text of the tree under `command` with its `locale` text (Typer builds the tree anew for
    every run, so the English stays in the code)."""
    for each in commands(command):
        each.options_metavar = translate(locale, each.options_metavar or "[OPTIONS]")
        if hasattr(each, "subcommand_metavar"):  # a group (Typer's are not click.Group subclasses)
            each.subcommand_metavar = translate(locale, each.subcommand_metavar or "COMMAND [ARGS]...")
        if each.help:
            each.help = translate(locale, each.help)
        if each.short_help:
            each.short_help = translate(locale, each.short_help)
        for param in each.params:
            if text := getattr(param, "help", None):
                param.help = translate(locale, text)  # type: ignore[attr-defined]


class ShopLanguageGroup(typer.core.TyperGroup):
    """The root of `inden`: each run speaks the shop's language (INDEN_DEFAULT_LOCALE) from its first word."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            locale = shop_locale()  # this run's settings (a test may change them between runs)
        except ValidationError as error:  # INDEN_* that do not hold: said in the default language, exit 2
            console = Console(stderr=True)
            console.print(f"{translate(DEFAULT_LOCALE, 'error')}: {settings_message(error, DEFAULT_LOCALE)}",
                          markup=False, highlight=False)
            sys.exit(2)
        speak(locale)
        translate_help(self, locale)
        return super().main(*args, **kwargs)
