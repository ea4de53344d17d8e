"""``python -m evals run SET``, ``python -m evals compare RUN_A RUN_B`` and ``python -m evals sample RUN``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from evals.compare import compare_runs, format_comparison
from evals.dataset import load_set, select_split
from evals.report import EXTRA, HEADLINE
from ingest.cli import french_argparse

DEFAULT_SET = Path(__file__).parent / "sets" / "engagement-qa.jsonl"


def _overrides(pairs: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise SystemExit(f"réglage attendu sous la forme clé=valeur : {pair!r}")
        key, value = pair.split("=", 1)
        out[key.strip().lower().replace("-", "_")] = value
    return out


def cmd_run(args: argparse.Namespace) -> int:
    from assistant.agent import Assistant
    from evals.runner import evaluate, write_run
    from ingest.settings import Settings

    console = Console(stderr=True)
    loaded = load_set(args.set)
    for error in loaded.errors:
        console.print(f"[yellow]ligne {error.line} ignorée : {error.message}[/yellow]")
    loaded = select_split(loaded, args.split)
    if not loaded.items:
        console.print("[red]aucune question à évaluer[/red]")
        return 2
    overrides = _overrides(args.set_option)
    if args.llm:
        overrides["llm_backend"] = args.llm
    settings = Settings(**overrides)
    assistant = Assistant.from_settings(settings)
    scorers = []
    if args.llm_judge:
        from evals.judge import make_judge

        scorers.append(make_judge(settings))
    with Progress(
        TextColumn("évaluation"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console
    ) as bar:
        task = bar.add_task("évaluation", total=len(loaded.items))
        try:
            output = evaluate(
                assistant,
                loaded,
                args.set.name,
                progress=lambda step: bar.update(task, completed=step.done),
                with_cosine=not args.no_cosine,
                extra_scorers=scorers,
            )
        except KeyboardInterrupt:
            console.print("[red]évaluation interrompue : aucun fichier écrit[/red]")
            return 130
    write_run(args.out, output)
    if args.history:
        from evals.store import EvalStore

        run_id = EvalStore(settings.feedback_db).save(
            output, assistant, set_name=args.set.name, split=args.split or "", origin="cli"
        )
        print(f"évaluation n° {run_id} enregistrée dans l'historique ({settings.feedback_db})")
    overall = output.metrics["overall"]
    for key in (*HEADLINE, *EXTRA):
        if key in overall:
            print(f"{key:22} {overall[key]}")
    print(f"résultats : {args.out}/results.jsonl, metrics.json, report.md, report.html")
    return 0


def cmd_tune(args: argparse.Namespace) -> int:
    from assistant.agent import Assistant
    from evals.tune import refusal_curve, retrieval_grid
    from ingest.settings import Settings

    loaded = load_set(args.set)
    assistant = Assistant.from_settings(Settings(**_overrides(args.set_option)))
    print("Fusion (poids vecteurs des passages, BM25, meilleure phrase) → hit@5 / MRR")
    for row in retrieval_grid(assistant, loaded.items):
        print(
            f"  {row['split']:4} vec={row['weight_vector']:<4} bm25={row['weight_bm25']:<4} "
            f"phrase={row['weight_sentence']:<4} "
            f"hit@5={row['hit@5']:.3f} mrr={row['mrr']:.3f} (n={row['n']})"
        )
    print("Seuil de refus → réponses refusées à tort / questions hors corpus répondues")
    for row in refusal_curve(assistant, loaded.items):
        print(
            f"  {row['split']:4} seuil={row['threshold']:.2f} refus à tort={row['wrong_refusals']}/{row['answerable']}"
            f" réponses à tort={row['wrong_answers']}/{row['unanswerable']}"
        )
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    comparison = compare_runs(args.run_a, args.run_b)
    if args.json:
        print(json.dumps(comparison, ensure_ascii=False, indent=1))
    else:
        print(format_comparison(comparison))
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from evals.sheet import SheetError, answers, reading_sheet

    try:
        sheet = reading_sheet(args.run, args.n, args.seed)
    except SheetError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    if args.out is None:
        print(sheet, end="")
        return 0
    try:
        with open(args.out, "x", encoding="utf-8") as fh:  # a sheet being filled in is never overwritten
            fh.write(sheet)
    except FileExistsError:
        print(f"erreur : {args.out} existe déjà ; choisissez un autre fichier", file=sys.stderr)
        return 2
    except FileNotFoundError:
        print(f"erreur : le dossier {args.out.parent} n'existe pas ; la fiche n'est pas écrite", file=sys.stderr)
        return 2
    except OSError:
        print(f"erreur : impossible d'écrire {args.out} (accès refusé ?) ; la fiche n'est pas écrite", file=sys.stderr)
        return 2
    print(f"fiche de lecture : {args.out} ({answers(args.n)}, graine {args.seed})")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m evals", description="Évaluation de l'assistant sur un jeu de QA.")
    sub = parser.add_subparsers(dest="command", metavar="commande", required=True)
    qa_set = argparse.ArgumentParser(add_help=False)  # the set and its settings, for run and tune
    qa_set.add_argument(
        "set", type=Path, nargs="?", default=DEFAULT_SET, metavar="jeu", help="jeu de QA (défaut : le jeu livré)"
    )
    qa_set.add_argument(
        "--set",
        dest="set_option",
        action="append",
        default=[],
        metavar="CLÉ=VALEUR",
        help="surcharger un réglage, ex. --set top_k=8 --set refusal_threshold=0.85",
    )
    run = sub.add_parser("run", parents=[qa_set], help="évaluer l'assistant sur un jeu de questions (JSONL ou CSV)")
    run.add_argument(
        "--out", type=Path, default=Path("eval-runs/latest"), metavar="DOSSIER", help="dossier des résultats"
    )
    run.add_argument("--split", metavar="PARTIE", help="n'évaluer qu'une partie du jeu (dev, test, realworld…)")
    run.add_argument(
        "--history", action="store_true", help="garder aussi l'évaluation dans l'historique de l'application web"
    )
    run.add_argument("--no-cosine", action="store_true", help="sans similarité e5 aux réponses de référence")
    run.add_argument(
        "--llm", choices=["none", "ollama", "openai"], help="générateur évalué (défaut : réglages ENGAGEMENT_LLM_*)"
    )
    run.add_argument("--llm-judge", action="store_true", help="ajouter un score « juge LLM » (LLM configuré)")
    run.set_defaults(func=cmd_run)
    tune = sub.add_parser("tune", parents=[qa_set], help="mesurer poids de fusion et seuil de refus sur un jeu")
    tune.set_defaults(func=cmd_tune)
    compare = sub.add_parser("compare", help="comparer deux évaluations, question par question")
    compare.add_argument("run_a", type=Path, metavar="évaluation_a", help="dossier de la première évaluation")
    compare.add_argument("run_b", type=Path, metavar="évaluation_b", help="dossier de la seconde évaluation")
    compare.add_argument("--json", action="store_true", help="sortie JSON")
    compare.set_defaults(func=cmd_compare)
    sample = sub.add_parser("sample", help="tirer au hasard des réponses d'une évaluation, à lire (fiche de lecture)")
    sample.add_argument("run", type=Path, metavar="évaluation", help="dossier d'une évaluation (results.jsonl)")
    sample.add_argument("--n", type=int, default=50, metavar="N", help="réponses à tirer (défaut : 50)")
    sample.add_argument(
        "--seed", type=int, default=1, metavar="GRAINE", help="graine du tirage : même graine, mêmes réponses"
    )
    sample.add_argument(
        "--out", type=Path, metavar="FICHIER", help="fichier Markdown à écrire (défaut : la sortie standard)"
    )
    sample.set_defaults(func=cmd_sample)
    return parser


def main(argv: list[str] | None = None) -> int:
    with french_argparse():  # usage, help and errors in French
        args = _parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
