"""Memory and open files of the web app's assistant across index reloads (a figure, not a test).

Each cycle changes a small corpus, ingests it (a new build, as an upload or a removal does) and reloads
the web app's live assistant, as the corpus tab does; it prints the process's RSS, open files and
``chroma.sqlite3`` handles after each cycle.

    python scripts/bench_reload.py [--cycles 20]
"""

from __future__ import annotations

import argparse
import gc
import os
import tempfile
from pathlib import Path

from assistant.web.holder import AssistantHolder
from ingest.pipeline import ingest
from ingest.settings import Settings

TEXT = (
    "Les représentants des usagers participent au comité de pilotage de la CPTS. "
    "Ils sont recrutés par un appel à candidatures diffusé dans la salle d'attente. "
)


def rss_mb() -> float:
    """The process's resident memory, in MB."""
    with open("/proc/self/status", encoding="ascii") as fh:
        line = next(x for x in fh if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def open_files() -> tuple[int, int]:
    """Open file descriptors, and those on a ``chroma.sqlite3`` file."""
    total = sqlite = 0
    for fd in os.listdir("/proc/self/fd"):
        total += 1
        try:
            sqlite += os.readlink(f"/proc/self/fd/{fd}").endswith("chroma.sqlite3")
        except OSError:
            continue
    return total, sqlite


def cycles(root: Path, count: int) -> list[tuple[float, int, int]]:
    """RSS, open files and Chroma handles after each of ``count`` change-ingest-reload cycles."""
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT * 3, encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=root / "index")
    ingest(settings)
    holder = AssistantHolder(settings)
    holder.assistant.ask("Comment recruter des usagers ?")
    figures = []
    for cycle in range(count):
        (corpus / "b.txt").write_text(f"{TEXT} Réunion numéro {cycle}.", encoding="utf-8")
        ingest(settings)
        holder.reload()
        holder.assistant.ask("Comment recruter des usagers ?")
        gc.collect()
        figures.append((rss_mb(), *open_files()))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        figures = cycles(Path(tmp), args.cycles)
    print("cycle  RSS MB  open files  chroma.sqlite3")
    for n, (rss, fds, sqlite) in enumerate(figures, 1):
        print(f"{n:5d}  {rss:6.0f}  {fds:10d}  {sqlite:14d}")
    first, last = figures[0][0], figures[-1][0]
    print(f"RSS growth after the first cycle: {last - first:+.0f} MB over {len(figures) - 1} reloads")


if __name__ == "__main__":
    main()
