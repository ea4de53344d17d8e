"""What a document filter does to the questions of chosen splits: ``python scripts/filters.py dev+realworld-dev``.
Each fully covered question is asked once with the filter on each document; the answers are counted by whether the
document is one of its expected sources, and by route and coverage (how the web app's « Limiter la recherche aux
documents » answers: from the document, declined for it with where the others treat it, or declined). Figures, not
a test."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from assistant.agent import Assistant
from evals.dataset import load_set

SETS = sorted((Path(__file__).resolve().parent.parent / "evals" / "sets").glob("*.jsonl"))


def main(argv: list[str]) -> int:
    splits = set((argv[0] if argv else "dev+realworld-dev").split("+"))
    items = [
        item
        for path in SETS
        for item in load_set(path).items
        if item.split in splits and item.answerable and item.coverage == "full" and not item.history
    ]
    assistant = Assistant.from_settings(build_if_missing=False)
    documents = sorted(assistant.reader.documents)
    counts: Counter[tuple[str, str, str]] = Counter()
    for number, item in enumerate(items, 1):
        expected = {source.get("doc") for source in item.expected_sources}
        for doc in documents:
            answer = assistant.ask(item.question, filters={"doc_id": doc})
            kind = "document attendu" if doc in expected else "autre document"
            counts[(kind, answer.route.value, answer.coverage.value)] += 1
        print(f"\r{number}/{len(items)} questions", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    print(f"{len(items)} questions × {len(documents)} documents ({', '.join(sorted(splits))})")
    for kind in ("document attendu", "autre document"):
        total = sum(n for (k, _, _), n in counts.items() if k == kind)
        print(f"{kind} : {total} paires")
        for (k, route, coverage), n in sorted(counts.items()):
            if k == kind:
                print(f"  {route:14} {coverage:8} {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
