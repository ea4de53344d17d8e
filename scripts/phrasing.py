"""How much the answers depend on how a question is written: ``python scripts/phrasing.py dev+realworld-dev``.

The questions of the chosen splits are asked as written and rewritten the ways people write: in inclusive writing
(« usager·ère·s »), without accents, in lower case, without the question mark, with acronyms spelled out
(« CPTS » → « communauté professionnelle territoriale de santé ») and the other way (« représentants des usagers » →
« RU »), with greetings around it, with a typo. Each rewriting is measured on the
questions it changes, next to the same questions as written (one line of figures each). A rewriting that loses
figures shows a step of question understanding that reads the form and not the words."""

from __future__ import annotations

import dataclasses
import re
import sys
from collections.abc import Callable
from pathlib import Path

from assistant.agent import Assistant
from evals.dataset import QAItem, load_set
from evals.metrics import aggregate
from evals.runner import run_items
from ingest.lexical import fold_accents
from ingest.settings import Settings

SETS = sorted((Path(__file__).resolve().parent.parent / "evals" / "sets").glob("*.jsonl"))
KEYS = ("hit@1", "hit@5", "mrr", "cited_expected", "key_facts", "gap_handled", "flagged_partial")
INCLUSIVE = (
    (r"\busagers\b", "usager·ère·s"), (r"\busager\b(?!·)", "usager·ère"), (r"\breprésentants\b", "représentant·e·s"),
    (r"\bprofessionnels\b", "professionnel·le·s"), (r"\bpatients\b", "patient·e·s"), (r"\bélus\b", "élu·e·s"),
    (r"\bhabitants\b", "habitant·e·s"), (r"\bacteurs\b", "acteur·rice·s"), (r"\bcitoyens\b", "citoyen·ne·s"),
)  # fmt: skip


def inclusive(question: str) -> str:
    for plain, written in INCLUSIVE:
        question = re.sub(plain, written, question)
    return question


SPELLED_OUT = (
    (r"\bCPTS\b", "communauté professionnelle territoriale de santé"),
    (r"\bMSP\b", "maison de santé pluriprofessionnelle"),
    (r"\bHAS\b", "Haute Autorité de santé"), (r"\bARS\b", "agence régionale de santé"),
)  # fmt: skip
ACRONYMS = (
    (r"\bcommunautés? professionnelles? territoriales? de santé\b", "CPTS"),
    (r"\bmaisons? de santé pluriprofessionnelles?\b", "MSP"), (r"\bmaisons? de santé\b", "MSP"),
    (r"\breprésentants? des usagers\b", "RU"), (r"\bcentres? de santé\b", "CDS"),
)  # fmt: skip


def replaced(pairs: tuple[tuple[str, str], ...]) -> Callable[[str], str]:
    def rewrite(question: str) -> str:
        for pattern, by in pairs:
            question = re.sub(pattern, by, question, flags=re.IGNORECASE)
        return question

    return rewrite


def typo(question: str) -> str:
    """Two letters swapped in the middle of the longest word (« représentants » → « représnetants »)."""
    words = re.findall(r"[^\W\d_]{7,}", question)
    if not words:
        return question
    word = max(words, key=len)
    middle = len(word) // 2
    return question.replace(word, word[:middle] + word[middle + 1] + word[middle] + word[middle + 2 :], 1)


REWRITINGS: dict[str, Callable[[str], str]] = {
    "écriture inclusive": inclusive,
    "sans accents": fold_accents,
    "minuscules": str.lower,
    "sans point d'interrogation": lambda q: q.rstrip(" ?"),
    "sigles développés": replaced(SPELLED_OUT),
    "sigles": replaced(ACRONYMS),
    "formules de politesse": lambda q: f"Bonjour, {q} Merci d'avance pour votre réponse.",
    "faute de frappe": typo,
}


def figures(assistant: Assistant, items: list[QAItem]) -> str:
    metrics = aggregate(run_items(assistant, items))
    return " ".join(f"{k}={metrics[k]:.3f}" if metrics.get(k) is not None else f"{k}=–" for k in KEYS)


def main(argv: list[str]) -> int:
    splits = set((argv[0] if argv else "dev+realworld-dev").split("+"))
    items = [item for path in SETS for item in load_set(path).items if item.split in splits]
    assistant = Assistant.from_settings(Settings(), build_if_missing=False)
    print(f"{len(items)} questions ({', '.join(sorted(splits))})")
    for name, rewrite in REWRITINGS.items():
        changed = [item for item in items if rewrite(item.question) != item.question]
        rewritten = [dataclasses.replace(item, question=rewrite(item.question)) for item in changed]
        print(f"{name} ({len(changed)} questions changées)")
        print(f"  telles qu'écrites  {figures(assistant, changed)}", flush=True)
        print(f"  réécrites          {figures(assistant, rewritten)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
