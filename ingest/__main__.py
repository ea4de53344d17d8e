"""``python -m ingest``: build or update the index, or print its statistics."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from ingest.cli import french_argparse
from ingest.index import IndexUnavailable as IndexMissing
from ingest.index import VectorStoreUnavailable, current_build, read_chunks, read_manifest
from ingest.pipeline import WAITING, IngestError, IngestReport, ingest
from ingest.roles import PassageRole
from ingest.settings import Settings

ROLE_FR = {
    PassageRole.BODY: "texte courant",
    PassageRole.RESOURCES: "ressources",
    PassageRole.REFERENCES: "références",
    PassageRole.PARTICIPANTS: "participants",
    PassageRole.TOC: "sommaire",
    PassageRole.LINKS: "liens",
    PassageRole.ANNEX: "annexe",
    PassageRole.TITLES: "titres seuls",
}
STATUS_FR = {"new": "nouveau", "changed": "modifié", "unchanged": "inchangé", "failed": "ÉCHEC"}


def index_stats(settings: Settings) -> dict[str, object]:
    """``{documents: [{file, title, kind, pages, chunks, roles}], chunks, roles, fiches}`` of the live index;
    ``roles``: passages per role (body text, resources, references, participants, toc, links, annex)."""
    build = current_build(settings)
    if build is None:
        raise IndexMissing(f"aucun index dans {settings.index_dir}")
    manifest = read_manifest(build)
    fiches: dict[int, str] = {}
    for doc in manifest.documents:
        for fiche in doc.fiches:
            fiches.setdefault(int(fiche["number"]), str(fiche["title"]))
    roles: dict[str, Counter[str]] = {}
    for chunk in read_chunks(build):
        roles.setdefault(chunk.file, Counter())[chunk.role.value] += 1
    every: Counter[str] = sum(roles.values(), Counter())
    return {
        "documents": [
            {
                "file": d.file,
                "title": d.title,
                "kind": d.kind,
                "pages": d.pages,
                "chunks": d.chunks,
                "roles": _by_role(roles.get(d.file, Counter())),
            }
            for d in manifest.documents
        ],
        "chunks": manifest.chunks,
        "roles": _by_role(every),
        "fiches": [{"number": n, "title": t} for n, t in sorted(fiches.items())],
        "embedding": manifest.embedding_id,
        "build_id": manifest.build_id,
    }


def _by_role(counts: Counter[str]) -> dict[str, int]:
    """Passages per role, in the order of :class:`PassageRole`, roles without passages left out."""
    return {role.value: counts[role.value] for role in PassageRole if counts[role.value]}


def _roles_text(roles: dict[str, int]) -> str:
    return ", ".join(f"{ROLE_FR[role]} {n}" for role, n in roles.items())


def _print_report(console: Console, report: IngestReport) -> None:
    table = Table(title="Ingestion du corpus")
    for column in ("fichier", "état", "titre", "type", "pages", "passages", "fiches", "remarque"):
        table.add_column(column)
    for f in report.files:
        outside = not f.in_manifest and f.status != "failed"
        notes = [f.reason, *f.warnings, "hors manifeste (titre détecté)" if outside else ""]
        note = " ; ".join(n for n in notes if n)
        table.add_row(
            f.file,
            STATUS_FR.get(f.status, f.status),
            f.title[:50],
            f.kind,
            "" if f.pages is None else str(f.pages),
            str(f.chunks) if f.status != "failed" else "",
            str(f.fiches) if f.fiches else "",
            note,
            style="red" if f.status == "failed" else None,
        )
    for name in report.removed:
        table.add_row(name, "retiré", "", "", "", "", "", "absent du corpus : retiré de l'index")
    console.print(table)
    ok = [f for f in report.files if f.status != "failed"]
    pages = sum(f.pages or 0 for f in ok)
    state = "index déjà à jour" if report.up_to_date else f"index {report.build_id} en service"
    console.print(
        f"{len(ok)} document(s), {pages} page(s) PDF, {report.chunks} passages, "
        f"{len(report.fiches)} fiche(s) ressource, {len(report.failed)} échec(s), "
        f"{report.embedded} vecteur(s) calculé(s)"
        + (f", {report.shipped} vecteur(s) livré(s) repris" if report.shipped else "")
        + f", {report.seconds:.1f} s — {state}"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ingest", description="Construit ou met à jour l'index du corpus (incrémental)."
    )
    parser.add_argument(
        "paths", nargs="*", type=Path, metavar="chemins", help="fichiers ou dossiers (défaut : le dossier corpus)"
    )
    parser.add_argument("--rebuild", action="store_true", help="reconstruire l'index depuis zéro")
    parser.add_argument("--stats", action="store_true", help="afficher les statistiques de l'index en service")
    parser.add_argument("--json", action="store_true", help="sortie JSON (avec --stats)")
    parser.add_argument("--quiet", action="store_true", help="sans barre de progression")
    return parser


def main(argv: list[str] | None = None) -> int:
    with french_argparse():  # usage, help and errors in French
        args = _parser().parse_args(argv)
    settings = Settings()
    console = Console(stderr=True, width=None if sys.stderr.isatty() else 150)
    if args.stats:
        try:
            stats = index_stats(settings)
        except IndexMissing as exc:
            console.print(f"[red]{exc}[/red]")
            return 2
        if args.json:
            print(json.dumps(stats, ensure_ascii=False, indent=1))
        else:
            for doc in stats["documents"]:  # type: ignore[union-attr]
                print(
                    f"{doc['file']}: {doc['title']} ({doc['kind']}, {doc['chunks']} passages : "
                    f"{_roles_text(doc['roles'])})"
                )
            roles, fiches = stats["roles"], stats["fiches"]
            print(f"{stats['chunks']} passages ({_roles_text(roles)}), {len(fiches)} fiches ressources")  # type: ignore
        return 0

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=args.quiet,
    ) as bar:
        tasks: dict[str, int] = {}

        def on_progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=max(total, 1))
            bar.update(tasks[stage], completed=done, total=max(total, 1))

        try:
            report = ingest(
                settings,
                args.paths or None,
                rebuild=args.rebuild,
                progress=on_progress,
                on_wait=lambda: console.print(WAITING, style="yellow"),
            )
        except (IngestError, VectorStoreUnavailable) as exc:
            console.print(f"Échec de l'ingestion : {exc}", style="red", markup=False, highlight=False)
            return 2
    _print_report(console, report)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
