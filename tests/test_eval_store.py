"""The evaluation runner's progress and cancellation, uploaded sets with bad rows, the history of runs in
SQLite, and the questions users asked that the documents did not (fully) answer.

An assistant stand-in answers instantly (no index): these tests are about the runner and the store.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from assistant.answer import Answer, Block, BlockKind, Citation, Context, Coverage, Route, Span, SpanSource, Suggestion
from assistant.prompts import load_phrases
from evals.compare import compare_results
from evals.dataset import load_set
from evals.runner import RunCancelled, RunProgress, evaluate
from evals.store import EvalStore, report_html, results_csv, results_jsonl
from ingest.settings import Settings

pytestmark = pytest.mark.fast

SECRET = "Les usagers sont tenus au secret professionnel."


def citation(n: int, fiche: int = 6, doc: str = "has-2023") -> Citation:
    return Citation(
        n=n, chunk_id=f"c{n}", doc_id=doc, file="guide.pdf", doc_title="Guide", publisher="HAS", fiche=fiche,
        fiche_title="Respect de la vie privée", section="6.2", section_number="6.2", page=41, page_source="pdf",
        quote=SECRET, label=f"HAS 2023 — Fiche ressource n° {fiche}, § 6.2, p. 41",
    )  # fmt: skip


def context(rank: int, fiche: int = 6, doc: str = "has-2023") -> Context:
    return Context(
        rank=rank, chunk_id=f"c{rank}", doc_id=doc, file="guide.pdf", doc_title="Guide", fiche=fiche,
        fiche_title="Respect de la vie privée", section="6.2", section_number="6.2", page=41, text=SECRET, score=1.0,
    )  # fmt: skip


def answered(question: str, coverage: Coverage = Coverage.FULL) -> Answer:
    return Answer(
        question=question,
        blocks=[Block(BlockKind.PARAGRAPH, (Span(SECRET, (1,), SpanSource.CORPUS),))],
        citations=[citation(1)],
        contexts=[context(1)],
        coverage=coverage,
        timings={"total": 12.0},
    )


def declined(question: str, route: Route = Route.OUT_OF_SCOPE) -> Answer:
    return Answer(
        question=question,
        blocks=[Block.phrase(BlockKind.NOTICE, "Les documents ne traitent pas de cette question.")],
        refused=True,
        route=route,
        coverage=Coverage.NONE,
        suggestions=[Suggestion(number=3, title="Recruter des usagers")],
        timings={"total": 5.0},
    )


class StandIn:
    """Answers like the assistant: declines the weather, answers anything else from fiche 6."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.phrases = load_phrases(settings.prompts_dir, "extractive")
        self.generator = SimpleNamespace(name="extractif")
        manifest = SimpleNamespace(
            build_id="b" * 16, corpus_fingerprint="c" * 16, settings_fingerprint="s", embedding_id="e5"
        )
        self.reader = SimpleNamespace(manifest=manifest)
        self.asked: list[str] = []

    def ask(self, question: str, history: list[str] | None = None, role: Any = None, on_token: Any = None) -> Answer:
        self.asked.append(question)
        return declined(question) if "météo" in question else answered(question)


def write_set(path: Path, lines: list[Any]) -> Path:
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return path


ITEMS = [
    {
        "id": "secret",
        "question": "les usagers sont tenus au secret ?",
        "expected_sources": [{"doc": "has-2023", "fiche": 6}],
        "key_facts": ["secret professionnel"],
        "persona": "representant",
        "tags": ["fiche"],
    },
    {"id": "meteo", "question": "la météo demain ?", "answerable": False, "persona": "evaluateur", "tags": ["hs"]},
    {
        "id": "licorne",
        "question": "combien de licornes ?",
        "expected_sources": [{"doc": "urps-2022"}],
        "key_facts": ["licorne violette"],
        "persona": "professionnel",
        "tags": ["fiche"],
    },
]


@pytest.fixture
def standin(tmp_path: Path) -> StandIn:
    return StandIn(Settings(index_dir=tmp_path / "index", feedback_db=tmp_path / "app.sqlite"))


def test_progress_says_how_many_items_are_done_and_how_long_is_left(standin: StandIn, tmp_path: Path) -> None:
    loaded = load_set(write_set(tmp_path / "set.jsonl", ITEMS))
    steps: list[RunProgress] = []
    output = evaluate(standin, loaded, "set.jsonl", steps.append, with_cosine=False)
    assert [(s.done, s.total) for s in steps] == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert steps[0].remaining_s is None and steps[-1].remaining_s == 0.0
    assert steps[1].remaining_s is not None and steps[1].remaining_s >= 0.0
    assert [r["id"] for r in output.rows] == ["secret", "meteo", "licorne"]


def test_a_cancelled_run_stops_between_two_items(standin: StandIn, tmp_path: Path) -> None:
    loaded = load_set(write_set(tmp_path / "set.jsonl", ITEMS))
    cancel = threading.Event()

    def progress(step: RunProgress) -> None:
        if step.done == 1:
            cancel.set()

    with pytest.raises(RunCancelled) as stopped:
        evaluate(standin, loaded, "set.jsonl", progress, with_cosine=False, cancel=cancel)
    assert (stopped.value.done, stopped.value.total) == (1, 3)
    assert standin.asked == ["les usagers sont tenus au secret ?"]
    assert "annulée après 1 question(s) sur 3" in str(stopped.value)


def test_bad_rows_are_reported_with_their_line_number_and_the_others_are_run(standin: StandIn, tmp_path: Path) -> None:
    path = write_set(
        tmp_path / "set.jsonl",
        [ITEMS[0], "{pas du json", {"id": "vide", "question": ""}, ITEMS[1], {"question": "x", "answerable": "bof"}],
    )
    loaded = load_set(path)
    assert [(e.line, e.message.split(" ")[0]) for e in loaded.errors] == [(2, "JSON"), (3, "champ"), (5, "booléen")]
    output = evaluate(standin, loaded, "set.jsonl", with_cosine=False)
    assert [r["id"] for r in output.rows] == ["secret", "meteo"]
    assert [e["line"] for e in output.metrics["malformed_rows"]] == [2, 3, 5]
    assert "ligne 3" in report_html_for(output)


def report_html_for(output: Any) -> str:
    from evals.report import html_report

    return html_report(output.rows, output.metrics)


def test_csv_with_ragas_columns_and_a_bad_row_from_a_spreadsheet(tmp_path: Path) -> None:
    path = tmp_path / "ragas.csv"
    path.write_bytes(
        "user_input,reference,reference_context_ids,answerable\n"
        "Qui signe la charte ?,Les usagers et l'équipe.,c12|c13,oui\n"
        ",Sans question,,oui\n"
        "Un représentant est-il rémunéré ?,Non.,,peut-être\n"
        "Qui anime ?,L'équipe.,,non\n".encode("cp1252")
    )
    loaded = load_set(path)
    assert [(e.line, "question" in e.message or "booléen" in e.message) for e in loaded.errors] == [
        (3, True),
        (4, True),
    ]
    first, last = loaded.items
    assert first.question == "Qui signe la charte ?" and first.reference_answer == "Les usagers et l'équipe."
    assert first.expected_sources == [{"chunk": "c12"}, {"chunk": "c13"}] and last.answerable is False


def test_every_run_is_kept_with_its_index_and_settings_and_downloads(standin: StandIn, tmp_path: Path) -> None:
    loaded = load_set(write_set(tmp_path / "set.jsonl", ITEMS))
    store = EvalStore(standin.settings.feedback_db)
    first = store.save(evaluate(standin, loaded, "set.jsonl", with_cosine=False), standin, "set.jsonl", "test")
    second = store.save(evaluate(standin, loaded, "set.jsonl", with_cosine=False), standin, "set.jsonl", origin="cli")
    runs = EvalStore(standin.settings.feedback_db).list_runs()  # a new store on the same file: kept on disk
    assert [r.id for r in runs] == [second, first]
    assert runs[1].split == "test" and runs[0].origin == "cli" and runs[1].build_id == "b" * 16
    assert runs[1].corpus_fingerprint == "c" * 16 and runs[1].backend == "extractif" and runs[1].items == 3
    assert "llm_api_key" not in runs[1].settings and runs[1].settings["top_k"] == standin.settings.top_k
    assert f"n° {first}" in runs[1].label and "set.jsonl (test)" in runs[1].label
    run = store.get(first)
    assert run is not None and [r["id"] for r in run.rows] == ["secret", "meteo", "licorne"]
    assert run.summary.metrics["overall"]["items"] == 3 and run.rows[1]["answer"]["refused"] is True
    assert [json.loads(line)["id"] for line in results_jsonl(run.rows).splitlines()] == ["secret", "meteo", "licorne"]
    table = list(csv.DictReader(io.StringIO(results_csv(run.rows))))
    assert [t["id"] for t in table] == ["secret", "meteo", "licorne"] and table[0]["hit@5"] == "1.0"
    assert table[1]["refused"] == "True" and "Fiche ressource n° 6" in table[0]["cited"]
    page = report_html(run)
    assert "Évaluation — set.jsonl" in page and "<table>" in page
    assert store.get(999) is None


def test_two_stored_runs_compare_item_by_item(standin: StandIn, tmp_path: Path) -> None:
    loaded = load_set(write_set(tmp_path / "set.jsonl", ITEMS))
    before = evaluate(standin, loaded, "set.jsonl", with_cosine=False)
    before.rows[0]["scores"]["hit@5"] = 0.0  # the earlier run missed the source of "secret"
    store = EvalStore(tmp_path / "app.sqlite")
    a = store.get(store.save(before, standin, "set.jsonl"))
    b = store.get(store.save(evaluate(standin, loaded, "set.jsonl", with_cosine=False), standin, "set.jsonl"))
    assert a is not None and b is not None
    result = compare_results(a.summary.metrics, a.by_id, b.summary.metrics, b.by_id, "A", "B")
    assert [e["id"] for e in result["better"]] == ["secret"] and result["worse"] == []
    assert result["better"][0]["changes"] == {"hit@5": 1.0}


def test_declined_and_partial_questions_are_kept_others_only_counted(tmp_path: Path) -> None:
    from assistant.web.feedback import (
        FeedbackStore,
        gap_qa_row,
        questions_per_day,
        record_exchange,
        user_gaps,
    )

    db = tmp_path / "app.sqlite"
    assert record_exchange(db, answered("qui anime les réunions ?")) is None
    assert record_exchange(db, declined("quel est le salaire d'un coordinateur ?"), role="professionnel")
    assert record_exchange(db, answered("combien coûte une CPTS ?", Coverage.PARTIAL))
    assert record_exchange(db, declined("j'ai mal à la poitrine", Route.MEDICAL)) is None
    assert record_exchange(db, declined("qu'est-ce que le patient traceur ?", Route.FILTERED_OUT)) is None
    outside = answered("qui finance une maison de santé ?", Coverage.PARTIAL)
    outside.citations, outside.contexts = [citation(1, fiche=0, doc="urps-2022")], []
    assert record_exchange(db, outside)
    FeedbackStore(db).update(
        FeedbackStore(db).add("dislike", answered("les RU signent une charte ?"), Settings()), comment="pas la bonne"
    )
    assert sum(questions_per_day(db).values()) == 6  # the disliked answer was not asked through record_exchange
    gaps = user_gaps(db)
    assert sorted(g.kind for g in gaps) == ["partielle", "partielle", "pas-utile", "refus"]
    no_fiche = next(g for g in gaps if g.question.startswith("qui finance"))
    assert no_fiche.fiche == {"number": 0, "title": "Guide"}  # grouped under the document it drew on
    gaps.remove(no_fiche)
    assert all("poitrine" not in g.question and "traceur" not in g.question for g in gaps)
    refused = next(g for g in gaps if g.kind == "refus")
    assert refused.fiche == {"number": 3, "title": "Recruter des usagers"} and refused.role == "professionnel"
    partial = next(g for g in gaps if g.kind == "partielle")
    # the conversation's earlier questions are not kept: the user rated nothing (the privacy notice)
    assert partial.fiche is not None and partial.fiche["number"] == 6 and partial.history == []
    disliked = gap_qa_row(next(g for g in gaps if g.kind == "pas-utile"))
    assert disliked["comment"] == "pas la bonne" and SECRET in disliked["answer_given"]
    assert disliked["expected_sources"] == [{"doc": "has-2023", "fiche": 6, "section": "6.2"}]
    assert disliked["sources_given"] == ["HAS 2023 — Fiche ressource n° 6, § 6.2, p. 41"]
    rows = [gap_qa_row(g) for g in gaps]
    exported = write_set(tmp_path / "export.jsonl", rows)
    loaded = load_set(exported)  # the exported rows are a valid QA set
    assert not loaded.errors and len(loaded.items) == 3
    by_id = {i.id: i for i in loaded.items}
    assert by_id[refused.ref].answerable is False and by_id[partial.ref].coverage == "partial"
