"""``python -m assistant ask "…" [--json]`` (or ``python -m assistant "…"``), ``python -m assistant chat``,
``python -m assistant serve``."""

from __future__ import annotations

import argparse
import ctypes
import sys
from typing import Any

from rapidfuzz.distance import OSA
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from assistant.answer import Answer, Role
from assistant.render import render_text
from assistant.web.auth import AuthConfigError, parse_auth
from ingest.cli import french_argparse
from ingest.index import IndexUnavailable, VectorStoreUnavailable
from ingest.rules import RulesError
from ingest.settings import Settings

ROLES = tuple(role.value for role in Role)


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    if getattr(args, "llm", None):
        overrides["llm_backend"] = args.llm
    if getattr(args, "host", None):
        overrides["host"] = args.host
    if getattr(args, "port", None):
        overrides["port"] = args.port
    return Settings(**overrides)


def open_assistant(settings: Settings, console: Console) -> Any:
    """The assistant on the live index; builds the index first (with a progress bar) if needed."""
    from assistant.agent import Assistant

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console) as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(f"index : {stage}", total=max(total, 1))
            bar.update(tasks[stage], completed=done, total=max(total, 1))

        return Assistant.from_settings(settings, progress=progress)


def print_answer(answer: Answer, console: Console, phrases: dict[str, str]) -> None:
    console.print(render_text(answer, phrases), markup=False, highlight=False)
    if rewritten := answer.details.get("condensed_question"):  # a follow-up, rewritten as a whole question
        searched = phrases["searched_question"].format(question=rewritten)
        console.print(f"\n{searched}", style="dim", markup=False)


def read_question(text: str) -> str:
    """The question, or standard input when it is "-" (long questions, pipes)."""
    return sys.stdin.read() if text == "-" else text


def cmd_ask(args: argparse.Namespace) -> int:
    console = Console(stderr=True)
    assistant = open_assistant(_settings(args), console)
    answer = assistant.ask(read_question(args.question), role=args.role)
    if args.json:
        print(answer.to_json())
    else:
        print_answer(answer, Console(), assistant.phrases)
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    console = Console()
    assistant = open_assistant(_settings(args), Console(stderr=True))
    console.print("Posez vos questions (ligne vide ou « quitter » pour sortir, « nouveau » pour repartir de zéro).")
    history: list[Answer] = []
    while True:
        try:
            question = input("\n? ").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if question.lower() in ("", "quitter", "exit", "quit"):
            break
        if question.lower() in ("nouveau", "nouvelle conversation"):
            history = []
            console.print("Nouvelle conversation.")
            continue
        answer = assistant.ask(question, history=history, role=args.role)
        print_answer(answer, console, assistant.phrases)
        history.append(answer)
    return 0


def limit_malloc_arenas(count: int) -> bool:
    """Cap glibc's malloc arenas (as ``MALLOC_ARENA_MAX`` would): with the default, the memory of a
    long-running app grows with each index reload (fragmented arenas of the model and Chroma threads).
    False where there is no glibc or ``count`` is 0."""
    if count <= 0:
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    return bool(libc.mallopt(-8, count))  # M_ARENA_MAX


def cmd_serve(args: argparse.Namespace) -> int:
    from assistant.web.app import serve

    settings = _settings(args)
    parse_auth(settings)  # a malformed account refuses to start before minutes of index building
    limit_malloc_arenas(settings.malloc_arena_max)
    open_assistant(settings, Console(stderr=True))  # build the index before the server starts
    serve(settings)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m assistant",
        description="Assistant sur l'engagement des usagers en soins primaires (réponses citées, hors ligne). "
        'Une question écrite sans commande est posée comme avec « ask » : python -m assistant "Qui recrute les '
        'représentants ?"',
    )
    sub = parser.add_subparsers(dest="command", metavar="commande", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--role", choices=ROLES, help="profil de l'utilisateur (oriente le classement)")
    common.add_argument("--llm", choices=["none", "ollama", "openai"], help="générateur (défaut : réglages)")
    ask = sub.add_parser("ask", parents=[common], help="poser une question")
    ask.add_argument("question", help="la question, ou « - » pour la lire sur l'entrée standard")
    ask.add_argument("--json", action="store_true", help="la réponse complète en JSON (type Answer)")
    ask.set_defaults(func=cmd_ask)
    chat = sub.add_parser("chat", parents=[common], help="conversation dans le terminal")
    chat.set_defaults(func=cmd_chat)
    serve = sub.add_parser("serve", parents=[common], help="lancer l'application web (Gradio)")
    serve.add_argument("--host", metavar="ADRESSE", help="adresse d'écoute (défaut 127.0.0.1)")
    serve.add_argument("--port", type=int, metavar="PORT", help="port (défaut 7860)")
    serve.set_defaults(func=cmd_serve)
    return parser


COMMANDS = ("ask", "chat", "serve")


def with_command(argv: list[str]) -> list[str]:
    """``argv`` with ``ask`` before it when it names no command and its first word is a question, not a command
    mistyped (« serv », « chta »: argparse then says which commands there are): ``python -m assistant "Qui peut être
    représentant ?"``, ``python -m assistant secret``, ``python -m assistant -`` (the question on standard input) ask
    it, as ``ask`` would."""
    words = [word for word in argv if word == "-" or not word.startswith("-")]
    if not words or any(word in COMMANDS for word in words) or any(word in ("-h", "--help") for word in argv):
        return argv
    return argv if _mistyped(words[0]) else ["ask", *argv]


def _mistyped(word: str) -> bool:
    """A command typed short (« serv ») or one key off (« chta », « sreve », « aks »), not a word (« secret »)."""
    word = word.lower()
    return any(
        (len(word) >= 2 and command.startswith(word)) or OSA.distance(word, command) <= 1 for command in COMMANDS
    )


def main(argv: list[str] | None = None) -> int:
    with french_argparse():  # usage, help and errors in French
        args = _parser().parse_args(with_command(sys.argv[1:] if argv is None else argv))
    try:
        return int(args.func(args))
    except (IndexUnavailable, VectorStoreUnavailable, RulesError, AuthConfigError) as exc:
        # one French line, no traceback
        Console(stderr=True).print(f"Erreur : {exc}", markup=False)
        return 2


if __name__ == "__main__":
    sys.exit(main())
