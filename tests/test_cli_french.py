"""The three commands answer a mistyped command line in French: usage, help and errors (``ingest/cli.py``)."""

from __future__ import annotations

import argparse
import inspect
import re
from collections.abc import Callable

import pytest

from assistant.__main__ import main as assistant_main
from assistant.__main__ import with_command
from evals.__main__ import main as evals_main
from ingest.__main__ import main as ingest_main
from ingest.cli import ArgparseFrench

pytestmark = pytest.mark.fast

ENGLISH = ("usage:", "error:", "invalid choice", "required:", "unrecognized", "expected one argument", "show this")


def _read(main: Callable[[list[str]], int], argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """The exit code and what ``main`` printed (standard output and error) for ``argv``."""
    with pytest.raises(SystemExit) as stop:
        main(argv)
    out, err = capsys.readouterr()
    return int(stop.value.code or 0), out + err


@pytest.mark.parametrize(
    ("main", "argv", "said"),
    [
        (ingest_main, ["--bogus"], "erreur : argument(s) inconnu(s) : --bogus"),
        (assistant_main, [], "erreur : argument(s) obligatoire(s) manquant(s) : commande"),
        (assistant_main, ["ask"], "erreur : argument(s) obligatoire(s) manquant(s) : question"),
        (assistant_main, ["ask", "--role", "medecin", "q"], "choix invalide : 'medecin' (valeurs possibles :"),
        # a command mistyped is not asked as a question: the commands there are are listed
        (assistant_main, ["serv"], "choix invalide : 'serv' (valeurs possibles : 'ask', 'chat', 'serve')"),
        (assistant_main, ["--role", "medecin", "Qui recrute ?"], "choix invalide : 'medecin'"),
        (assistant_main, ["serve", "--port", "abc"], "argument --port : valeur invalide pour le type int : 'abc'"),
        (evals_main, ["lancer"], "argument commande : choix invalide : 'lancer'"),
        (evals_main, ["run", "--split"], "argument --split : une valeur est attendue"),
    ],
)
def test_a_mistyped_command_line_gets_a_french_error(
    main: Callable[[list[str]], int], argv: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, printed = _read(main, argv, capsys)
    assert code == 2
    assert said in printed and "utilisation : python -m" in printed, printed
    assert not any(word in printed for word in ENGLISH), printed


@pytest.mark.parametrize(
    ("argv", "asked"),
    [
        (["Qui peut être représentant ?"], True),
        (["secret"], True),  # a word, not a command mistyped
        (["Charte ?"], True),
        (["-"], True),  # the question on standard input
        (["--role", "representant", "Qui recrute ?"], True),
        (["serv"], False),  # typed short: argparse lists the commands
        (["chta"], False),  # one key off
        (["serve", "--port", "7861"], False),
        (["-h"], False),
    ],
)
def test_a_question_typed_without_ask_is_asked_and_a_mistyped_command_is_not(argv: list[str], asked: bool) -> None:
    assert with_command(argv) == (["ask", *argv] if asked else argv)


def test_the_help_of_each_command_is_french(capsys: pytest.CaptureFixture[str]) -> None:
    for main in (ingest_main, assistant_main, evals_main):
        code, printed = _read(main, ["-h"], capsys)
        assert code == 0
        assert printed.startswith("utilisation : python -m") and "-h, --help  afficher cette aide et quitter" in printed
        assert not any(word in printed for word in ENGLISH), printed
    # argparse is left as it was for any other parser of the process
    assert "usage: x" in argparse.ArgumentParser(prog="x").format_usage()


def test_every_translated_message_is_one_argparse_writes() -> None:
    """A message argparse no longer writes (a new Python) would silently stay in English: each key must be found."""
    source = inspect.getsource(argparse)
    french = ArgparseFrench.load()
    for message in [*french.messages, *french.plurals]:
        assert repr(message)[1:-1] in source or message in source, message


def test_each_french_message_keeps_the_placeholders_argparse_fills() -> None:
    """A placeholder lost in translation would make argparse fail while it reports an error."""
    french = ArgparseFrench.load()
    placeholders = re.compile(r"%(?:\([a-z_]+\))?[sr]")
    for message, translated in french.messages.items():
        assert sorted(placeholders.findall(translated)) == sorted(placeholders.findall(message)), message
    for message, (one, many) in french.plurals.items():
        assert placeholders.findall(one) == placeholders.findall(many) == placeholders.findall(message), message
    assert french.ngettext("expected %s argument", "expected %s arguments", 1) == "%s valeur est attendue"
    assert french.ngettext("expected %s argument", "expected %s arguments", 2) == "%s valeurs sont attendues"
