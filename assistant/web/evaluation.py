"""The evaluation tab of the web app: run a QA set, read a run, compare two runs, and see what users asked.

The tab calls the same runner as ``python -m evals run`` (:func:`evals.runner.evaluate`) in a background
thread, keeps every run in the app's SQLite database (:mod:`evals.store`) and compares runs with
:func:`evals.compare.compare_results`. Declined, partly covered and disliked answers come from
:mod:`assistant.web.feedback`. Its fixed French words are in ``assistant/web/evaluation.toml``.

:func:`build_evaluation_tab` builds it inside a ``gr.Tab`` of the app; :func:`evaluation_app` is a page
with this tab only (used by the tests).
"""

from __future__ import annotations

import html
import json
import logging
import tempfile
import threading
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from assistant.web.auth import management_enabled, parse_auth
from assistant.web.feedback import UserGap, gap_qa_row, questions_per_day, user_gaps
from assistant.web.holder import AssistantHolder
from evals.compare import compare_results
from evals.dataset import SETS_DIR, LoadedSet, load_set, select_split
from evals.items import expected_source_text, failure_reasons, matches_expected, missed_facts, missed_sources
from evals.report import HEADLINE, LABELS_FR
from evals.runner import RunCancelled, RunProgress, evaluate
from evals.store import EvalStore, StoredRun, report_html, results_csv, results_jsonl
from ingest.settings import Settings

log = logging.getLogger(__name__)
WORDING_FILE = Path(__file__).with_name("evaluation.toml")
SET_SUFFIXES = (".jsonl", ".csv")
POLL_S = 0.3  # how often the page's progress bar is refreshed during a run
PLOT_DEFAULT = "hit@5"
RUNS_CACHED = 4  # stored runs kept in memory for the filters and the item view
Updates = tuple[Any, ...]
PRIVATE: dict[str, Any] = {"api_visibility": "private"}


@lru_cache(maxsize=1)
def words() -> dict[str, Any]:
    """The tab's French words (``evaluation.toml``)."""
    return tomllib.loads(WORDING_FILE.read_text(encoding="utf-8"))


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def number(value: Any) -> str:
    """A score in French notation: ``0,857``; counts and milliseconds with one decimal at most."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        text = f"{value:.3f}" if abs(value) <= 1.0 else f"{value:.1f}"
        return text.replace(".", ",")
    return str(value)


def duration(seconds: float) -> str:
    """``45 s``, ``2 min 05 s``."""
    seconds = max(0, round(seconds))
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


def shipped_sets() -> dict[str, Path]:
    """The QA sets shipped in ``evals/sets/``, by file name."""
    return {p.name: p for p in sorted(SETS_DIR.glob("*.jsonl"))}


def splits_of(path: Path) -> list[str]:
    return sorted({item.split for item in load_set(path).items})


# --- a run in the background --------------------------------------------------------------------------


@dataclass
class EvalJob:
    """One evaluation running in a thread of its own; the page polls :attr:`progress`."""

    store: EvalStore
    assistant: Any
    loaded: LoadedSet
    set_name: str
    split: str = ""
    cancel: threading.Event = field(default_factory=threading.Event)
    progress: RunProgress | None = None
    run_id: int | None = None
    cancelled: RunCancelled | None = None
    error: Exception | None = None
    duration_s: float = 0.0
    thread: threading.Thread | None = None

    def start(self) -> EvalJob:
        self.progress = RunProgress(0, len(self.loaded.items), 0.0)
        self.thread = threading.Thread(target=self._work, name="evaluation", daemon=True)
        self.thread.start()
        return self

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def wait(self, timeout: float | None = None) -> None:
        if self.thread is not None:
            self.thread.join(timeout)

    def _on_progress(self, step: RunProgress) -> None:
        self.progress = step

    def _work(self) -> None:
        start = time.monotonic()
        try:
            output = evaluate(self.assistant, self.loaded, self.set_name, self._on_progress, cancel=self.cancel)
            self.duration_s = time.monotonic() - start
            self.run_id = self.store.save(
                output, self.assistant, self.set_name, self.split, origin="web", duration_s=self.duration_s
            )
        except RunCancelled as exc:
            self.cancelled = exc
        except Exception as exc:  # shown on the page, logged in full
            log.exception("évaluation en échec")
            self.error = exc


def progress_html(job: EvalJob) -> str:
    """The progress bar of a run: items done out of the total, and the time left."""
    w = words()["run"]
    step = job.progress or RunProgress(0, len(job.loaded.items), 0.0)
    left = step.remaining_s
    if job.cancel.is_set() and job.running:
        note = w["cancelling"]
    elif step.done >= step.total:
        note = w["all_done"]
    elif left is None:
        note = w["time_unknown"]
    else:
        note = w["time_left"].format(left=duration(left))
    count = w["progress"].format(done=step.done, total=step.total)
    return (
        f'<div class="eval-progress"><progress style="width:100%" value="{step.done}" max="{max(step.total, 1)}" '
        f'aria-label="{esc(count)}"></progress><p><strong class="eval-count">{esc(count)}</strong> — '
        f'<span class="eval-left">{esc(note)}</span></p></div>'
    )


def row_errors_html(loaded: LoadedSet) -> str:
    if not loaded.errors:
        return ""
    w = words()["run"]
    items = "".join(f"<li>{esc(w['bad_row'].format(line=e.line, message=e.message))}</li>" for e in loaded.errors)
    return (
        f'<div class="eval-errors"><p>{esc(w["bad_rows"].format(count=len(loaded.errors)))}</p><ul>{items}</ul></div>'
    )


def message_html(text: str, kind: str = "info") -> str:
    return f'<p class="eval-message eval-{kind}">{esc(text)}</p>'


# --- reading a run --------------------------------------------------------------------------------------


def metric_label(key: str) -> str:
    entry = words()["metrics"].get(key)
    return str(entry["label"]) if entry else LABELS_FR.get(key, key)


def metric_keys(metrics: dict[str, Any]) -> list[str]:
    overall = metrics.get("overall", {})
    return [k for k in HEADLINE if overall.get(k) is not None]


def headline_html(run: StoredRun) -> str:
    """Who ran what on which index, then each headline metric with its definition one click away."""
    w = words()["results"]
    s = run.summary
    identity = w["identity"].format(
        set=s.set_name,
        split=f" ({s.split})" if s.split else "",
        items=s.items,
        date=s.created_at.replace("T", " ")[:16],
        backend=s.backend,
        build=s.build_id[:8] or "?",
        corpus=s.corpus_fingerprint[:8] or "?",
        origin=w["origins"].get(s.origin, s.origin),
    )
    out = [f'<p class="eval-identity">{esc(identity)}</p>']
    malformed = s.metrics.get("malformed_rows") or []
    if malformed:
        out.append(message_html(w["malformed"].format(count=len(malformed)), "warning"))
    out.append(f'<p class="eval-headline-title">{esc(w["headline"])}</p><div class="eval-headline">')
    overall = s.metrics.get("overall", {})
    for key in metric_keys(s.metrics):
        entry = words()["metrics"].get(key, {})
        definition = entry.get("definition") or LABELS_FR.get(key, key)
        out.append(
            f'<details class="eval-metric" data-metric="{esc(key)}"><summary><span class="eval-value">'
            f'{esc(number(overall[key]))}</span> <span class="eval-label">{esc(metric_label(key))}</span> '
            f"<code>{esc(key)}</code></summary><p>{esc(definition)}</p></details>"
        )
    out.append("</div>")
    return "".join(out)


def group_frame(run: StoredRun, group: str, metric: str) -> pd.DataFrame:
    """``metric`` by persona or tag, for a bar plot."""
    w = words()["results"]
    values = run.summary.metrics.get(group, {})
    data = [
        {w["group_axis"]: name or "(aucun)", w["value_axis"]: float(v[metric])}
        for name, v in values.items()
        if isinstance(v.get(metric), int | float)
    ]
    return pd.DataFrame(data, columns=[w["group_axis"], w["value_axis"]])


def latency_frame(run: StoredRun) -> pd.DataFrame:
    w = words()["results"]
    latencies = [float(r["scores"].get("latency_ms", 0.0)) for r in run.rows]
    return pd.DataFrame({w["latency_axis"]: latencies, w["count_axis"]: [1] * len(latencies)})


def latency_bin(run: StoredRun) -> tuple[float, int]:
    """A bin width giving about 12 bins, and the most questions in one bin (the plot's height)."""
    latencies = [float(r["scores"].get("latency_ms", 0.0)) for r in run.rows] or [0.0]
    width = max(1.0, round((max(latencies) - min(latencies)) / 12, 1))
    counts: dict[int, int] = {}
    for value in latencies:
        counts[int(value // width)] = counts.get(int(value // width), 0) + 1
    return width, max(counts.values())


def item_status(row: dict[str, Any]) -> str:
    w = words()["results"]
    if failure_reasons(row):
        return w["status_failed"]
    return w["status_declined"] if row["scores"].get("refused") else w["status_ok"]


SHOW_KEYS = ("all", "failed", "declined", "partial")
SORT_KEYS = ("set", "failed", "latency", "facts", "id")


def show_choices() -> list[tuple[str, str]]:
    w = words()["results"]
    return [(w[f"show_{k}"], k) for k in SHOW_KEYS]


def sort_choices() -> list[tuple[str, str]]:
    w = words()["results"]
    return [(w[f"sort_{k}"], k) for k in SORT_KEYS]


def filtered_rows(
    rows: list[dict[str, Any]], show: str = "all", persona: str = "", tag: str = "", sort: str = "set"
) -> list[dict[str, Any]]:
    """The rows kept by the filters (failed, declined, partial; persona; tag), in the chosen order."""
    kept = []
    for row in rows:
        answer = row.get("answer", {})
        if show == "failed" and not failure_reasons(row):
            continue
        if show == "declined" and not answer.get("refused"):
            continue
        if show == "partial" and answer.get("coverage") != "partial":
            continue
        if persona and row.get("persona", "") != persona:
            continue
        if tag and tag not in row.get("tags", []):
            continue
        kept.append(row)
    if sort == "failed":
        kept.sort(key=lambda r: -len(failure_reasons(r)))
    elif sort == "latency":
        kept.sort(key=lambda r: -float(r["scores"].get("latency_ms", 0.0)))
    elif sort == "facts":
        kept.sort(key=lambda r: float(r["scores"].get("key_facts", 2.0)))
    elif sort == "id":
        kept.sort(key=lambda r: str(r["id"]))
    return kept


def items_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    columns = list(words()["results"]["columns"])
    data = [
        [
            str(r["id"]),
            r["question"],
            r.get("persona", ""),
            ", ".join(r.get("tags", [])),
            item_status(r),
            number(r["scores"].get("hit@5")),
            number(r["scores"].get("key_facts")),
            number(float(r["scores"].get("latency_ms", 0.0))),
        ]
        for r in rows
    ]
    return pd.DataFrame(data, columns=columns)


def _source_list(sources: list[dict[str, Any]]) -> str:
    return "".join(f"<li>{esc(expected_source_text(s))}</li>" for s in sources)


def item_html(row: dict[str, Any]) -> str:
    """One evaluated question: question, reference, answer with its citations, contexts, what was missed."""
    w = words()["item"]
    answer = row.get("answer", {})
    scores = row["scores"]
    out = [f'<div class="eval-item" data-item="{esc(row["id"])}"><h3>{esc(row["id"])}</h3>']
    reasons = failure_reasons(row)
    if reasons:
        labels = ", ".join(w["reasons"].get(r, r) for r in reasons)
        out.append(f'<p class="eval-failed"><strong>{esc(w["failed"])}</strong> : {esc(labels)}</p>')
    out.append(f"<h4>{esc(w['question'])}</h4><p class='eval-question'>{esc(row['question'])}</p>")
    if row.get("history"):
        out.append(f"<h4>{esc(w['history'])}</h4><ul>")
        out += [f"<li>{esc(h)}</li>" for h in row["history"]]
        out.append("</ul>")
    reference = row.get("reference_answer") or w["no_reference"]
    out.append(f"<h4>{esc(w['reference'])}</h4><p class='eval-reference'>{esc(reference)}</p>")
    expected = row.get("expected_sources", [])
    out.append(f"<h4>{esc(w['expected'])}</h4>")
    out.append(f"<ul>{_source_list(expected)}</ul>" if expected else f"<p>{esc(w['expected_none'])}</p>")
    out.append(f"<h4>{esc(w['answer'])}</h4>")
    if answer.get("refused"):
        out.append(f"<p class='eval-note'>{esc(w['declined'])}</p>")
    elif answer.get("coverage") == "partial":
        out.append(f"<p class='eval-note'>{esc(w['partial'])}</p>")
    out.append(f"<pre class='eval-answer' style='white-space:pre-wrap'>{esc(row.get('text', ''))}</pre>")
    citations = answer.get("citations", [])
    if citations:
        out.append(f"<h4>{esc(w['citations'])}</h4><ol class='eval-citations'>")
        for c in citations:
            mark = f" <em>({esc(w['matches'])})</em>" if matches_expected(c, row) else ""
            out.append(
                f"<li>[{esc(c.get('n', ''))}] {esc(c.get('label', ''))}{mark}<br><q>{esc(c.get('quote', ''))}</q></li>"
            )
        out.append("</ol>")
    contexts = answer.get("contexts", [])
    if contexts:
        out.append(f"<details class='eval-contexts'><summary>{esc(w['contexts'])} ({len(contexts)})</summary><ol>")
        for c in contexts:
            where = " — ".join(str(x) for x in (c.get("doc_title"), c.get("fiche_title"), c.get("section")) if x)
            mark = f" <em>({esc(w['matches'])})</em>" if matches_expected(c, row) else ""
            out.append(f"<li><strong>{esc(where)}</strong>{mark}<br>{esc(str(c.get('text', ''))[:600])}</li>")
        out.append("</ol></details>")
    facts = missed_facts(row)
    sources = missed_sources(row)
    out.append(f"<h4>{esc(w['missed'])}</h4><div class='eval-missed'>")
    if facts:
        out.append(f"<p>{esc(w['missed_facts'])} :</p><ul>" + "".join(f"<li>{esc(f)}</li>" for f in facts) + "</ul>")
    if sources["retrieved"]:
        out.append(f"<p>{esc(w['missed_retrieved'])} :</p><ul>{_source_list(sources['retrieved'])}</ul>")
    if sources["cited"]:
        out.append(f"<p>{esc(w['missed_cited'])} :</p><ul>{_source_list(sources['cited'])}</ul>")
    if not (facts or sources["retrieved"] or sources["cited"]):
        out.append(f"<p>{esc(w['nothing_missed'])}</p>")
    out.append("</div>")
    shown = {k: v for k, v in scores.items() if isinstance(v, int | float) and not isinstance(v, bool)}
    out.append(f"<details><summary>{esc(w['scores'])}</summary><ul>")
    out += [f"<li><code>{esc(k)}</code> {esc(number(float(v)))}</li>" for k, v in sorted(shown.items())]
    out.append("</ul></details></div>")
    return "".join(out)


def comparison_html(comparison: dict[str, Any]) -> str:
    """Metric deltas (B − A) and the questions that got better or worse."""
    w = words()["compare"]
    out = [
        f"<table class='eval-compare'><thead><tr><th>{esc(w['metric'])}</th><th>A</th><th>B</th>"
        f"<th>{esc(w['delta'])}</th></tr></thead><tbody>"
    ]
    for key, d in comparison["metrics"].items():
        if key == "items":
            continue
        delta = float(d["delta"])
        sign = "+" if delta > 0 else ""
        css = "up" if delta > 0 else ("down" if delta < 0 else "same")
        out.append(
            f"<tr class='delta-{css}'><td title='{esc(metric_label(key))}'>{esc(key)}</td><td>{esc(number(d['a']))}"
            f"</td><td>{esc(number(d['b']))}</td><td>{esc(sign + number(delta))}</td></tr>"
        )
    out.append("</tbody></table>")
    for title, entries, css in (
        (w["better"], comparison["better"], "better"),
        (w["worse"], comparison["worse"], "worse"),
    ):
        out.append(f"<h4 class='eval-{css}'>{esc(title.format(count=len(entries)))}</h4><ul class='eval-{css}'>")
        for e in entries:
            changes = ", ".join(f"{k} {'+' if v > 0 else ''}{number(float(v))}" for k, v in e["changes"].items())
            out.append(f"<li><strong>{esc(e['id'])}</strong> ({esc(changes)}) — {esc(e['question'])}</li>")
        out.append("</ul>")
    if not comparison["better"] and not comparison["worse"]:
        out.append(f"<p>{esc(w['unchanged'])}</p>")
    for key, text in (("only_in_a", w["only_a"]), ("only_in_b", w["only_b"])):
        if comparison[key]:
            out.append(f"<p>{esc(text.format(ids=', '.join(comparison[key])))}</p>")
    return "".join(out)


# --- what users asked -------------------------------------------------------------------------------------


def fiche_label(gap: UserGap) -> str:
    w = words()["users"]
    if not gap.fiche:
        return w["no_fiche"]
    if not gap.fiche.get("number"):
        return w["document"].format(title=gap.fiche.get("title", ""))
    return w["fiche"].format(number=gap.fiche["number"], title=gap.fiche.get("title", ""))


def gaps_html(gaps: list[UserGap]) -> str:
    """The questions grouped by closest fiche (the largest group first), each with what was answered."""
    w = words()["users"]
    if not gaps:
        return f"<p class='eval-empty'>{esc(w['none'])}</p>"
    groups: dict[str, list[UserGap]] = {}
    for gap in gaps:
        groups.setdefault(fiche_label(gap), []).append(gap)
    out = []
    for label, members in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        out.append(
            f"<section class='eval-gap-group'><h4>{esc(label)} — {esc(w['count'].format(count=len(members)))}</h4><ul>"
        )
        for gap in members:
            kind = w["kind_labels"].get(gap.kind, gap.kind)
            comment = f"<br><em>{esc(w['comment'])} : {esc(gap.comment)}</em>" if gap.comment else ""
            wrong = f" ({esc(w['wrong_source'])})" if gap.wrong_source else ""
            out.append(
                f"<li class='eval-gap' data-ref='{esc(gap.ref)}'><span class='eval-kind'>{esc(kind)}</span>{wrong} "
                f"<strong>{esc(gap.question)}</strong> <small>{esc(gap.created_at[:10])}</small>{comment}"
                f"<details><summary>{esc(w['answer_given'])}</summary>"
                f"<pre style='white-space:pre-wrap'>{esc(gap.answer)}</pre></details></li>"
            )
        out.append("</ul></section>")
    return "".join(out)


def gaps_frame(gaps: list[UserGap]) -> pd.DataFrame:
    """How many declined, partial and disliked questions there were each day."""
    w = words()["users"]
    counts: dict[tuple[str, str], int] = {}
    for gap in gaps:
        key = (gap.created_at[:10], w["kind_labels"].get(gap.kind, gap.kind))
        counts[key] = counts.get(key, 0) + 1
    data = [{w["day_axis"]: d, w["kind_axis"]: k, w["count_axis"]: n} for (d, k), n in sorted(counts.items())]
    return pd.DataFrame(data, columns=[w["day_axis"], w["kind_axis"], w["count_axis"]])


# --- the tab ----------------------------------------------------------------------------------------------


class EvaluationTab:
    """The components and handlers of the evaluation tab; one run at a time for the whole app."""

    def __init__(self, settings: Settings, holder: AssistantHolder, export_dir: Path | None = None) -> None:
        self.settings = settings
        self.holder = holder
        self.enabled = management_enabled(settings)
        self.auth_on = bool(parse_auth(settings))
        self.store = EvalStore(settings.feedback_db)
        self.export_dir = export_dir or Path(tempfile.mkdtemp(prefix="engagement-evaluation-"))
        self.job: EvalJob | None = None
        self._job_lock = threading.Lock()
        self._cache: dict[int, StoredRun] = {}

    # --- starting a run -------------------------------------------------------------------------------
    def prepare(self, source: str, shipped: str, split: str, upload: str | None) -> tuple[LoadedSet, str, str]:
        """The set to run, its name and split; raises ValueError with the French reason."""
        w = words()["run"]
        if source == "upload":
            if not upload:
                raise ValueError(w["no_file"])
            path = Path(upload)
            if path.suffix.lower() not in SET_SUFFIXES:
                raise ValueError(w["bad_type"].format(name=path.name))
            try:
                loaded = load_set(path)
            except OSError as exc:
                raise ValueError(w["unreadable"].format(reason=exc.strerror or type(exc).__name__)) from None
            name, split = path.name, ""
        else:
            sets = shipped_sets()
            path = sets.get(shipped) or next(iter(sets.values()))
            loaded = select_split(load_set(path), split)
            name = path.name
        if not loaded.items:
            raise ValueError(w["no_items"].format(split=f" (partie {split})" if split else ""))
        return loaded, name, split

    def start(self, loaded: LoadedSet, set_name: str, split: str = "") -> EvalJob:
        """Start a run in the background; raises ValueError when one is already going on."""
        with self._job_lock:
            if self.job is not None and self.job.running:
                step = self.job.progress or RunProgress(0, 0, 0.0)
                raise ValueError(words()["run"]["busy"].format(done=step.done, total=step.total))
            try:  # evaluate the index in service, like the chat does
                self.holder.refresh_if_stale()
            except Exception:
                log.exception("rechargement de l'index impossible")
            self.job = EvalJob(self.store, self.holder.assistant, loaded, set_name, split).start()
            return self.job

    def run(self, source: str, shipped: str, split: str, upload: str | None) -> Iterator[Updates]:
        """Start a run and show its progress until it ends; yields (status, start, cancel, run lists…)."""
        w = words()["run"]
        idle = (gr.Button(interactive=True), gr.Button(interactive=False))
        skip_lists = (gr.skip(), gr.skip(), gr.skip())
        try:
            loaded, name, split = self.prepare(source, shipped, split, upload)
            job = self.start(loaded, name, split)
        except ValueError as exc:
            yield message_html(str(exc), "error"), *idle, *skip_lists
            return
        errors = row_errors_html(loaded)
        shown = ""
        while job.running:
            page = progress_html(job) + errors
            if page != shown:
                shown = page
                yield page, gr.Button(interactive=False), gr.Button(interactive=True), *skip_lists
            job.wait(POLL_S)
        final = progress_html(job)
        if job.run_id is not None:
            text = w["done"].format(run=job.run_id, total=len(loaded.items), duration=duration(job.duration_s))
            choices = self.run_choices()
            yield (
                final + message_html(text, "done") + errors,
                *idle,
                gr.Dropdown(choices=choices, value=job.run_id),
                gr.Dropdown(choices=choices),
                gr.Dropdown(choices=choices, value=job.run_id),
            )
            return
        if job.cancelled is not None:
            text = w["cancelled"].format(done=job.cancelled.done, total=job.cancelled.total)
        else:
            text = w["failed"]  # the exception itself (its English class name) goes to the server's log
        yield final + message_html(text, "error") + errors, *idle, *skip_lists

    def cancel(self) -> str:
        """Ask the running evaluation to stop after its current question."""
        job = self.job
        if job is None or not job.running:
            return message_html(words()["run"]["nothing_running"])
        job.cancel.set()
        return progress_html(job)

    @staticmethod
    def split_choices(shipped: str) -> Any:
        path = shipped_sets().get(shipped)
        splits = splits_of(path) if path else []
        all_label = words()["run"]["split_all"]
        return gr.Dropdown(choices=[(all_label, ""), *((s, s) for s in splits)], value="")

    # --- reading runs ---------------------------------------------------------------------------------
    def run_choices(self) -> list[tuple[str, int]]:
        return [(s.label, s.id) for s in self.store.list_runs()]

    def refresh_runs(self, current: int | None, a: int | None, b: int | None) -> Updates:
        choices = self.run_choices()
        ids = {c[1] for c in choices}
        newest = choices[0][1] if choices else None
        return (
            gr.Dropdown(choices=choices, value=current if current in ids else newest),
            gr.Dropdown(choices=choices, value=a if a in ids else (choices[1][1] if len(choices) > 1 else None)),
            gr.Dropdown(choices=choices, value=b if b in ids else newest),
        )

    def _run(self, run_id: Any) -> StoredRun | None:
        """A stored run (runs never change once kept: the last few read are cached)."""
        try:
            key = int(run_id)
        except (TypeError, ValueError):
            return None
        with self._job_lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        run = self.store.get(key)
        if run is not None:
            with self._job_lock:
                self._cache[key] = run
                while len(self._cache) > RUNS_CACHED:
                    self._cache.pop(next(iter(self._cache)))
        return run

    def show_run(self, run_id: Any, metric: str, show: str, persona: str, tag: str, sort: str) -> Updates:
        """Headline, plots, filters, table and downloads of a run."""
        w = words()["results"]
        run = self._run(run_id)
        if run is None:
            empty = pd.DataFrame(columns=list(w["columns"]))
            hidden = gr.DownloadButton(visible=False)
            return (
                message_html(w["none"]),
                gr.Dropdown(),
                None,
                None,
                None,
                gr.Dropdown(choices=[(w["any"], "")], value=""),
                gr.Dropdown(choices=[(w["any"], "")], value=""),
                empty,
                gr.Dropdown(choices=[], value=None),
                "",
                hidden,
                hidden,
                hidden,
            )
        keys = metric_keys(run.summary.metrics)
        metric = metric if metric in keys else (PLOT_DEFAULT if PLOT_DEFAULT in keys else (keys or [""])[0])
        personas = sorted({str(r.get("persona", "")) for r in run.rows if r.get("persona")})
        tags = sorted({t for r in run.rows for t in r.get("tags", [])})
        persona = persona if persona in personas else ""
        tag = tag if tag in tags else ""
        table, choices, count = self._table(run, show, persona, tag, sort)
        return (
            headline_html(run),
            gr.Dropdown(choices=[(f"{metric_label(k)} ({k})", k) for k in keys], value=metric),
            *self._plots(run, metric),
            gr.Dropdown(choices=[(w["any"], ""), *((p, p) for p in personas)], value=persona),
            gr.Dropdown(choices=[(w["any"], ""), *((t, t) for t in tags)], value=tag),
            table,
            gr.Dropdown(choices=choices, value=None),
            count,
            *self._downloads(run),
        )

    def _plots(self, run: StoredRun, metric: str) -> Updates:
        w = words()["results"]
        ratio = metric and not metric.endswith("_ms")
        limits = [0, 1] if ratio else None
        by_persona = gr.BarPlot(
            group_frame(run, "by_persona", metric), x=w["group_axis"], y=w["value_axis"], y_lim=limits,
            title=f"{w['by_persona']} — {metric}",
        )  # fmt: skip
        by_tag = gr.BarPlot(
            group_frame(run, "by_tag", metric), x=w["group_axis"], y=w["value_axis"], y_lim=limits,
            title=f"{w['by_tag']} — {metric}", x_label_angle=-45,
        )  # fmt: skip
        width, highest = latency_bin(run)
        latency = gr.BarPlot(
            latency_frame(run), x=w["latency_axis"], y=w["count_axis"], x_bin=width, y_aggregate="sum",
            y_lim=[0, highest], title=w["latency"],
        )  # fmt: skip
        return by_persona, by_tag, latency

    def replot(self, run_id: Any, metric: str) -> Updates:
        run = self._run(run_id)
        if run is None:
            return gr.skip(), gr.skip()
        return self._plots(run, metric)[:2]

    def _table(self, run: StoredRun, show: str, persona: str, tag: str, sort: str) -> tuple[Any, list[Any], str]:
        rows = filtered_rows(run.rows, show or "all", persona or "", tag or "", sort or "set")
        choices = [(f"{r['id']} — {r['question'][:70]}", str(r["id"])) for r in rows]
        count = words()["results"]["shown"].format(shown=len(rows), total=len(run.rows))
        return items_frame(rows), choices, f"<p class='eval-shown'>{esc(count)}</p>"

    def filter_items(self, run_id: Any, show: str, persona: str, tag: str, sort: str) -> Updates:
        run = self._run(run_id)
        if run is None:
            return gr.skip(), gr.skip(), gr.skip()
        table, choices, count = self._table(run, show, persona, tag, sort)
        return table, gr.Dropdown(choices=choices, value=None), count

    def _downloads(self, run: StoredRun) -> Updates:
        w = words()["results"]
        stem = self.export_dir / f"evaluation-{run.summary.id}"
        report = stem.with_name(f"{stem.name}-rapport.html")
        report.write_text(report_html(run), encoding="utf-8")
        jsonl = stem.with_name(f"{stem.name}-resultats.jsonl")
        jsonl.write_text(results_jsonl(run.rows), encoding="utf-8")
        table = stem.with_name(f"{stem.name}-resultats.csv")
        table.write_text(results_csv(run.rows), encoding="utf-8-sig")
        return (
            gr.DownloadButton(w["download_report"], value=str(report), visible=True),
            gr.DownloadButton(w["download_jsonl"], value=str(jsonl), visible=True),
            gr.DownloadButton(w["download_csv"], value=str(table), visible=True),
        )

    def open_item(self, run_id: Any, item_id: str | None) -> str:
        run = self._run(run_id)
        row = run.by_id.get(str(item_id)) if run and item_id else None
        return item_html(row) if row else f"<p>{esc(words()['item']['placeholder'])}</p>"

    def select_item(self, run_id: Any, evt: gr.SelectData) -> Updates:
        """A row of the table was clicked: open its question."""
        values = evt.row_value or []
        item_id = str(values[0]) if values else ""
        return self.open_item(run_id, item_id), gr.Dropdown(value=item_id or None)

    def compare(self, a: Any, b: Any) -> str:
        run_a, run_b = self._run(a), self._run(b)
        if run_a is None or run_b is None:
            return message_html(words()["compare"]["need_two"])
        comparison = compare_results(
            run_a.summary.metrics, run_a.by_id, run_b.summary.metrics, run_b.by_id, run_a.summary.label,
            run_b.summary.label,
        )  # fmt: skip
        return comparison_html(comparison)

    # --- what users asked ---------------------------------------------------------------------------
    def users(self, kind: str) -> Updates:
        """Grouped questions, the count per day, the export choices and the whole export file."""
        w = words()["users"]
        gaps = [g for g in user_gaps(self.settings.feedback_db) if kind in ("", "all", g.kind)]
        days = questions_per_day(self.settings.feedback_db)
        total = ""
        if days:
            total = f"<p>{esc(w['questions_day'].format(total=sum(days.values()), first=min(days)))}</p>"
        path = self.export_dir / f"questions-usagers-{kind or 'all'}.jsonl"
        path.write_text("".join(json.dumps(gap_qa_row(g), ensure_ascii=False) + "\n" for g in gaps), "utf-8")
        choices = [(f"{w['kind_labels'].get(g.kind, g.kind)} — {g.question[:80]}", g.ref) for g in gaps]
        return (
            total + gaps_html(gaps),
            gr.BarPlot(
                gaps_frame(gaps), x=w["day_axis"], y=w["count_axis"], color=w["kind_axis"], title=w["over_time"]
            ),
            gr.Dropdown(choices=choices, value=None),
            gr.Code(value="", visible=False),
            gr.DownloadButton(w["export_all"], value=str(path), visible=bool(gaps)),
        )

    def export_gap(self, ref: str | None) -> Any:
        gap = next((g for g in user_gaps(self.settings.feedback_db) if g.ref == ref), None)
        if gap is None:
            return gr.Code(value="", visible=False)
        return gr.Code(value=json.dumps(gap_qa_row(gap), ensure_ascii=False), visible=True)

    # --- layout ---------------------------------------------------------------------------------------
    def build(self) -> None:
        """The tab's components and events, inside the current ``gr.Tab``. Runs are read when the "Résultats"
        or "Comparer" tab is opened, never on page load (most visitors never open this tab)."""
        w = words()
        if not self.enabled:
            gr.Markdown(w["tab"]["disabled"], elem_id="eval-disabled")
            return
        gr.Markdown(w["tab"]["intro"] + (w["tab"]["signed_in"] if self.auth_on else ""), elem_id="eval-intro")
        with gr.Tabs(elem_id="eval-tabs"):
            with gr.Tab(w["run"]["tab"], id="eval-run", elem_id="eval-tab-run"):
                self._run_panel()
            with gr.Tab(w["results"]["tab"], id="eval-results", elem_id="eval-tab-results") as results_tab:
                self._results_panel()
            with gr.Tab(w["compare"]["tab"], id="eval-compare", elem_id="eval-tab-compare") as compare_tab:
                self._compare_panel()
            with gr.Tab(w["users"]["tab"], id="eval-users", elem_id="eval-tab-users") as users_tab:
                self._users_panel()
        self._events(results_tab, compare_tab, users_tab)

    def _run_panel(self) -> None:
        w = words()["run"]
        sets = list(shipped_sets())
        first = sets[0] if sets else ""
        self.source = gr.Radio(
            [(w["source_shipped"], "shipped"), (w["source_upload"], "upload")],
            value="shipped",
            label=w["source"],
            elem_id="eval-source",
        )
        with gr.Row():
            self.shipped = gr.Dropdown(sets, value=first, label=w["shipped"], elem_id="eval-shipped", min_width=200)
            all_label = w["split_all"]
            splits = splits_of(shipped_sets()[first]) if first else []
            self.split = gr.Dropdown(
                [(all_label, ""), *((s, s) for s in splits)],
                value="test" if "test" in splits else "",
                label=w["split"],
                elem_id="eval-split",
                min_width=160,
            )
        # No ``file_types``: Gradio would refuse other types itself, in English; prepare() says it in French.
        self.upload = gr.File(label=w["upload"], type="filepath", elem_id="eval-upload")
        with gr.Row():
            self.start_button = gr.Button(w["start"], variant="primary", elem_id="eval-start", min_width=160)
            self.cancel_button = gr.Button(
                w["cancel"], variant="stop", interactive=False, elem_id="eval-cancel", min_width=120
            )
        self.status = gr.HTML("", elem_id="eval-status", js_on_load=None)

    def _results_panel(self) -> None:
        w = words()["results"]
        choices = self.run_choices()
        newest = choices[0][1] if choices else None
        self.run_choice = gr.Dropdown(choices, value=newest, label=w["run"], elem_id="eval-run-choice")
        self.headline = gr.HTML("", elem_id="eval-headline", js_on_load=None)
        with gr.Row():
            self.download_report = gr.DownloadButton(
                w["download_report"], visible=False, elem_id="eval-download-report", size="sm"
            )
            self.download_jsonl = gr.DownloadButton(
                w["download_jsonl"], visible=False, elem_id="eval-download-jsonl", size="sm"
            )
            self.download_csv = gr.DownloadButton(
                w["download_csv"], visible=False, elem_id="eval-download-csv", size="sm"
            )
        self.plot_metric = gr.Dropdown([], label=w["plot_metric"], elem_id="eval-plot-metric")
        with gr.Row():
            self.persona_plot = gr.BarPlot(label=w["by_persona"], elem_id="eval-plot-persona", min_width=300)
            self.latency_plot = gr.BarPlot(label=w["latency"], elem_id="eval-plot-latency", min_width=300)
        self.tag_plot = gr.BarPlot(label=w["by_tag"], elem_id="eval-plot-tag")
        with gr.Row():
            self.show = gr.Dropdown(show_choices(), value="all", label=w["show"], elem_id="eval-show", min_width=160)
            self.persona = gr.Dropdown(
                [(w["any"], "")], value="", label=w["persona"], elem_id="eval-persona", min_width=140
            )
            self.tag = gr.Dropdown([(w["any"], "")], value="", label=w["tag"], elem_id="eval-tag", min_width=140)
            self.sort = gr.Dropdown(sort_choices(), value="set", label=w["sort"], elem_id="eval-sort", min_width=160)
        self.shown = gr.HTML("", elem_id="eval-shown", js_on_load=None)
        self.items = gr.Dataframe(
            pd.DataFrame(columns=list(w["columns"])),
            label=w["table"],
            interactive=False,
            wrap=True,
            max_height=420,
            elem_id="eval-items",
        )
        self.item_choice = gr.Dropdown([], label=w["open"], elem_id="eval-item-choice")
        self.item_view = gr.HTML(f"<p>{esc(words()['item']['placeholder'])}</p>", elem_id="eval-item", js_on_load=None)

    def _compare_panel(self) -> None:
        w = words()["compare"]
        choices = self.run_choices()
        with gr.Row():
            self.compare_a = gr.Dropdown(
                choices, value=choices[1][1] if len(choices) > 1 else None, label=w["a"], elem_id="eval-compare-a"
            )
            self.compare_b = gr.Dropdown(
                choices, value=choices[0][1] if choices else None, label=w["b"], elem_id="eval-compare-b"
            )
        self.compare_button = gr.Button(w["button"], elem_id="eval-compare-button")
        self.compare_view = gr.HTML("", elem_id="eval-compare-view", js_on_load=None)

    def _users_panel(self) -> None:
        w = words()["users"]
        gr.Markdown(f"### {w['title']}\n\n{w['intro']}")
        with gr.Row():
            self.gap_kind = gr.Dropdown(
                [(label, key) for key, label in w["kinds"].items()],
                value="all",
                label=w["kind"],
                elem_id="eval-gap-kind",
            )
            self.gap_refresh = gr.Button(w["refresh"], size="sm", elem_id="eval-gap-refresh")
        self.gap_plot = gr.BarPlot(label=w["over_time"], elem_id="eval-gap-plot")
        self.gap_view = gr.HTML("", elem_id="eval-gaps", js_on_load=None)
        self.gap_choice = gr.Dropdown([], label=w["choose"], elem_id="eval-gap-choice")
        self.gap_code = gr.Code(language="json", label=w["export_one"], visible=False, elem_id="eval-gap-code")
        self.gap_all = gr.DownloadButton(w["export_all"], visible=False, elem_id="eval-gap-all", size="sm")

    def _events(self, results_tab: gr.Tab, compare_tab: gr.Tab, users_tab: gr.Tab) -> None:
        lists = [self.run_choice, self.compare_a, self.compare_b]
        run_view = [
            self.headline, self.plot_metric, self.persona_plot, self.tag_plot, self.latency_plot, self.persona,
            self.tag, self.items, self.item_choice, self.shown, self.download_report, self.download_jsonl,
            self.download_csv,
        ]  # fmt: skip
        filters = [self.show, self.persona, self.tag, self.sort]
        view_inputs = [self.run_choice, self.plot_metric, *filters]
        # not queued: a second evaluator is told at once that a run is going on (``start`` refuses it)
        serial: dict[str, Any] = {"concurrency_limit": None, **PRIVATE}
        quiet: dict[str, Any] = {"show_progress": "hidden", **PRIVATE}
        self.shipped.change(self.split_choices, [self.shipped], [self.split], **PRIVATE)
        self.upload.upload(lambda: "upload", None, [self.source], **PRIVATE)
        self.start_button.click(
            self.run,
            [self.source, self.shipped, self.split, self.upload],
            [self.status, self.start_button, self.cancel_button, *lists],
            show_progress="hidden",
            **serial,
        ).then(self.show_run, view_inputs, run_view, **PRIVATE)
        self.cancel_button.click(self.cancel, None, [self.status], **quiet)
        self.run_choice.input(self.show_run, view_inputs, run_view, **PRIVATE)
        self.plot_metric.input(
            self.replot, [self.run_choice, self.plot_metric], [self.persona_plot, self.tag_plot], **PRIVATE
        )
        for control in filters:
            control.input(
                self.filter_items, [self.run_choice, *filters], [self.items, self.item_choice, self.shown], **PRIVATE
            )
        self.items.select(self.select_item, [self.run_choice], [self.item_view, self.item_choice], **PRIVATE)
        self.item_choice.input(self.open_item, [self.run_choice, self.item_choice], [self.item_view], **PRIVATE)
        results_tab.select(self.refresh_runs, lists, lists, **quiet).then(self.show_run, view_inputs, run_view, **quiet)
        compare_tab.select(self.refresh_runs, lists, lists, **quiet)
        self.compare_button.click(self.compare, [self.compare_a, self.compare_b], [self.compare_view], **PRIVATE)
        users_out = [self.gap_view, self.gap_plot, self.gap_choice, self.gap_code, self.gap_all]
        users_tab.select(self.users, [self.gap_kind], users_out, **quiet)
        self.gap_kind.input(self.users, [self.gap_kind], users_out, **PRIVATE)
        self.gap_refresh.click(self.users, [self.gap_kind], users_out, **PRIVATE)
        self.gap_choice.input(self.export_gap, [self.gap_choice], [self.gap_code], **PRIVATE)


def build_evaluation_tab(settings: Settings, holder: AssistantHolder) -> EvaluationTab:
    """Build the evaluation tab inside the current ``gr.Tab`` (offered on 127.0.0.1 or to signed-in
    accounts, like corpus management)."""
    tab = EvaluationTab(settings, holder)
    tab.build()
    return tab


def evaluation_app(settings: Settings, holder: AssistantHolder) -> tuple[gr.Blocks, EvaluationTab]:
    """A page with the evaluation tab only (the tests launch it with :func:`assistant.web.app.launch`)."""
    with (
        gr.Blocks(title="Évaluation — engagement des usagers", analytics_enabled=False) as app,
        gr.Tabs(),
        gr.Tab("Évaluation", id="evaluation", elem_id="tab-evaluation"),
    ):
        tab = build_evaluation_tab(settings, holder)
    return app, tab
