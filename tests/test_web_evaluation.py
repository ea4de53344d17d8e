"""The evaluation tab: uploaded sets checked in French, a run in the background with its progress bar,
reading a run (metrics, item table, one item), comparing runs, downloads, and chat answered meanwhile.

Browser tests drive a page holding only the evaluation tab (:func:`assistant.web.evaluation.evaluation_app`,
launched like the app) in Debian's Chromium at 1280 and 390 px. The assistant is the real one on the
shared test index, wrapped so that a question containing "PAUSE" waits until the test lets it go: the
progress bar is seen mid-run without any timing.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from evals.dataset import load_set
from evals.runner import RunOutput, evaluate
from evals.store import EvalStore
from ingest.settings import PROJECT_ROOT, Settings
from tests.test_eval_store import ITEMS, StandIn, write_set
from tests.ui_helpers import SCREENSHOTS, browser, free_port

PAUSE = "PAUSE"
MINI = [
    {
        "id": "secret",
        "question": "les usagers sont-ils tenus au secret ?",
        "expected_sources": [{"doc": "has-2023", "fiche": 6}],
        "key_facts": ["secret"],
        "persona": "representant",
        "tags": ["fiche"],
        "reference_answer": "Oui, les usagers sont tenus au secret.",
    },
    "{pas du json",
    {"id": "pause", "question": f"{PAUSE} qui anime le comité des usagers ?", "persona": "professionnel"},
    {
        "id": "licorne",
        "question": "comment recruter des représentants des usagers ?",
        "expected_sources": [{"doc": "has-2023"}],
        "key_facts": ["licorne violette"],
        "persona": "professionnel",
        "tags": ["recrutement"],
    },
]


class Gated:
    """The assistant, except that a question containing ``PAUSE`` waits for :attr:`gate`."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.reached = threading.Event()
        self.gate = threading.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def ask(self, question: str, *args: Any, **kwargs: Any) -> Any:
        if PAUSE in question:
            self.reached.set()
            assert self.gate.wait(120), "the test never let the paused question go"
        return self.inner.ask(question, *args, **kwargs)


# --- without a browser or the index -----------------------------------------------------------------


@pytest.fixture
def standin_tab(tmp_path: Path) -> Any:
    from assistant.web.evaluation import EvaluationTab
    from assistant.web.holder import AssistantHolder

    settings = Settings(index_dir=tmp_path / "index", feedback_db=tmp_path / "app.sqlite")
    return EvaluationTab(settings, AssistantHolder(settings, StandIn(settings)))


@pytest.mark.fast
def test_an_unusable_upload_is_refused_in_french(standin_tab: Any, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Choisissez d'abord un fichier"):
        standin_tab.prepare("upload", "", "", None)
    notes = tmp_path / "notes.txt"
    notes.write_text("bonjour", encoding="utf-8")
    with pytest.raises(ValueError, match=r"non pris en charge : « notes\.txt »"):
        standin_tab.prepare("upload", "", "", str(notes))
    broken = write_set(tmp_path / "cassé.jsonl", ["{pas du json", json.dumps({"id": "x"})])
    with pytest.raises(ValueError, match="Aucune question à évaluer"):
        standin_tab.prepare("upload", "", "", str(broken))
    loaded, name, split = standin_tab.prepare("shipped", "engagement-qa.jsonl", "dev", None)
    assert name == "engagement-qa.jsonl" and split == "dev" and {i.split for i in loaded.items} == {"dev"}


@pytest.mark.fast
def test_a_second_run_waits_for_the_first_and_every_finished_run_is_kept(standin_tab: Any, tmp_path: Path) -> None:
    gated = Gated(standin_tab.holder.assistant)
    standin_tab.holder._assistant = gated
    loaded = load_set(write_set(tmp_path / "set.jsonl", [*ITEMS, {"id": "p", "question": f"{PAUSE} ?"}]))
    job = standin_tab.start(loaded, "set.jsonl")
    assert gated.reached.wait(30)
    with pytest.raises(ValueError, match=r"déjà en cours \(3 / 4 questions\)"):
        standin_tab.start(loaded, "set.jsonl")
    gated.gate.set()
    job.wait(60)
    assert job.run_id is not None and job.error is None
    again = standin_tab.start(loaded, "set.jsonl")
    again.wait(60)
    assert [r.id for r in standin_tab.store.list_runs()] == [again.run_id, job.run_id]


@pytest.mark.fast
def test_item_filters_and_what_an_item_missed(standin_tab: Any, tmp_path: Path) -> None:
    from assistant.web.evaluation import filtered_rows, item_html

    loaded = load_set(write_set(tmp_path / "set.jsonl", ITEMS))
    rows = evaluate(standin_tab.holder.assistant, loaded, "set.jsonl", with_cosine=False).rows
    ids = lambda kept: [r["id"] for r in kept]  # noqa: E731
    assert ids(filtered_rows(rows, "failed")) == ["licorne"]
    assert ids(filtered_rows(rows, "declined")) == ["meteo"]
    assert ids(filtered_rows(rows, persona="representant")) == ["secret"]
    assert ids(filtered_rows(rows, tag="fiche", sort="id")) == ["licorne", "secret"]
    rows[2]["question"] = "<script>alert(1)</script> combien ?"
    page = item_html(rows[2])
    assert "licorne violette" in page and "urps-2022" in page and "En échec" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "Rien : les faits clés" in item_html(rows[0])


@pytest.mark.fast
def test_the_tab_is_not_offered_on_the_network_without_accounts(tmp_path: Path) -> None:
    import gradio as gr

    from assistant.web.evaluation import EvaluationTab
    from assistant.web.holder import AssistantHolder

    for host, auth, offered in (("0.0.0.0", "", False), ("0.0.0.0", "alice:motdepasse", True), ("127.0.0.1", "", True)):
        settings = Settings(host=host, auth=auth, index_dir=tmp_path / "i", feedback_db=tmp_path / "app.sqlite")
        tab = EvaluationTab(settings, AssistantHolder(settings, StandIn(settings)))
        with gr.Blocks():
            tab.build()
        assert tab.enabled is offered and hasattr(tab, "start_button") is offered


@pytest.mark.fast
def test_what_users_asked_is_grouped_by_fiche_and_exports_filled_rows(standin_tab: Any) -> None:
    from assistant.web.feedback import FeedbackStore, record_exchange
    from tests.test_eval_store import answered, declined

    db = standin_tab.settings.feedback_db
    record_exchange(db, declined("quel est le salaire d'un coordinateur ?"))
    record_exchange(db, declined("la CPTS paie-t-elle les RU ?"))
    record_exchange(db, answered("qui anime les réunions ?"))
    store = FeedbackStore(db)
    store.update(store.add("dislike", answered("<b>les RU</b> signent ?"), standin_tab.settings), comment="hors sujet")
    page, _plot, choices, _code, export_all = standin_tab.users("all")
    assert page.index("Fiche ressource n° 3 « Recruter des usagers » — 2 question(s)") < page.index(
        "Fiche ressource n° 6 « Respect de la vie privée » — 1 question(s)"
    )
    assert "3 question(s) posée(s) en tout" in page and "hors sujet" in page and "<b>les RU</b>" not in page
    refs = [value for _label, value in choices.constructor_args["choices"]]
    assert len(refs) == 3
    only_declined = standin_tab.users("refus")[0]
    assert "salaire" in only_declined and "signent" not in only_declined
    disliked = next(r for r in refs if r.startswith("retour-"))
    row = json.loads(standin_tab.export_gap(disliked).constructor_args["value"])
    assert row["question"] == "<b>les RU</b> signent ?" and row["comment"] == "hors sujet"
    assert row["answer_given"] and row["sources_given"] and row["expected_sources"][0]["fiche"] == 6
    lines = Path(export_all.constructor_args["value"]).read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == sorted(refs)


# --- with the index ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_chat_question_is_answered_while_a_run_goes_on(assistant: Any, tmp_path: Path) -> None:
    """The app's ``ask`` and a run share the assistant: questions asked during a run get their usual answer,
    and the run's figures are those of a run alone."""
    from assistant.web.evaluation import EvaluationTab
    from assistant.web.holder import AssistantHolder

    settings = assistant.settings.model_copy(update={"feedback_db": tmp_path / "app.sqlite"})
    gated = Gated(assistant)
    tab = EvaluationTab(settings, AssistantHolder(settings, gated))
    shipped = load_set(PROJECT_ROOT / "evals" / "sets" / "engagement-qa.jsonl")
    items = [i for i in shipped.items if i.split == "dev"]
    loaded = load_set(
        write_set(tmp_path / "set.jsonl", [*(i.to_dict() for i in items), {"id": "p", "question": PAUSE}])
    )
    alone = evaluate(assistant, loaded, "set.jsonl")  # the same items, with nothing else going on
    job = tab.start(loaded, "set.jsonl")
    answers = [assistant.ask("les usagers sont-ils tenus au secret ?")]  # as the run starts
    assert gated.reached.wait(120)  # the run is under way, held at its last question
    for _ in range(2):
        answers.append(assistant.ask("les usagers sont-ils tenus au secret ?"))
    assert job.running and job.progress is not None and job.progress.done < job.progress.total
    gated.gate.set()
    job.wait(300)
    assert job.run_id is not None
    for answer in answers:
        assert not answer.refused and any(c.fiche == 6 for c in answer.citations)
    stored = tab.store.get(job.run_id)
    assert stored is not None
    strip = lambda m: {k: v for k, v in m.items() if "latency" not in k}  # noqa: E731
    assert strip(stored.summary.metrics["overall"]) == strip(alone.metrics["overall"])


@pytest.mark.slow
def test_the_tab_run_of_the_test_split_gives_the_cli_figures(
    assistant: Any, env_for: dict[str, str], tmp_path: Path
) -> None:
    from assistant.web.evaluation import EvaluationTab
    from assistant.web.holder import AssistantHolder

    db = tmp_path / "app.sqlite"
    settings = assistant.settings.model_copy(update={"feedback_db": db})
    tab = EvaluationTab(settings, AssistantHolder(settings, assistant))
    loaded, name, split = tab.prepare("shipped", "engagement-qa.jsonl", "test", None)
    job = tab.start(loaded, name, split)
    env = {**env_for, "ENGAGEMENT_FEEDBACK_DB": str(db)}
    cli = subprocess.run(
        [sys.executable, "-m", "evals", "run", "--split", "test", "--out", str(tmp_path / "cli"), "--history"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert cli.returncode == 0, cli.stderr[-2000:]
    job.wait(900)
    assert job.run_id is not None
    from_cli = json.loads((tmp_path / "cli" / "metrics.json").read_text(encoding="utf-8"))
    runs = {r.origin: r for r in EvalStore(db).list_runs()}
    assert set(runs) == {"web", "cli"} and runs["web"].split == runs["cli"].split == "test"

    def figures(metrics: dict[str, Any]) -> dict[str, Any]:
        groups = {"overall": metrics["overall"], **metrics["by_persona"], **metrics["by_tag"]}
        return {g: {k: v for k, v in m.items() if "latency" not in k} for g, m in groups.items()}

    assert figures(runs["web"].metrics) == figures(from_cli)
    assert figures(runs["cli"].metrics) == figures(from_cli)
    assert runs["web"].items == from_cli["overall"]["items"] == len(loaded.items)


# --- in the browser ------------------------------------------------------------------------------------


class EvalPage:
    def __init__(self, url: str, width: int, downloads: Path) -> None:
        self.errors: list[str] = []
        self.outside: list[str] = []
        mobile = {"is_mobile": True, "has_touch": True} if width < 500 else {}
        self.context = browser().new_context(
            viewport={"width": width, "height": 900}, locale="fr-FR", accept_downloads=True, **mobile
        )
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(60_000)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.goto(url)
        self.page.wait_for_selector("#eval-start")
        self.downloads = downloads

    def _route(self, r: Any) -> None:
        if r.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            r.continue_()
        else:
            self.outside.append(r.request.url)
            r.abort()

    def tab(self, name: str) -> None:
        """Open a sub-tab; on a narrow screen Gradio moves the last ones into its "More tabs" menu."""
        tab = self.page.get_by_role("tab", name=name, exact=True)
        if tab.count():
            tab.click()
        else:
            self.page.click("#eval-tabs .overflow-menu button[aria-label]")
            self.page.locator("#eval-tabs .overflow-dropdown button", has_text=name).click()

    def choose(self, dropdown: str, option: str) -> None:
        self.page.click(f"{dropdown} input")
        self.page.get_by_role("option", name=option, exact=True).click()

    def cell(self, text: str) -> Any:
        """The first-column cell of the item table that reads ``text``."""
        test_id = self.page.evaluate(
            """t => [...document.querySelectorAll('#eval-items [data-testid^="cell-"]')]
                 .find(e => /^cell-\\d+-0$/.test(e.dataset.testid) && e.textContent.trim() === t)?.dataset.testid""",
            text,
        )
        assert test_id, f"{text} n'est pas dans le tableau"
        return self.page.get_by_test_id(test_id)

    def close(self) -> None:
        self.context.close()


def launch_tab(settings: Settings, gated: Gated) -> tuple[Any, str]:
    from assistant.web.app import launch
    from assistant.web.evaluation import evaluation_app
    from assistant.web.holder import AssistantHolder

    settings = settings.model_copy(update={"host": "127.0.0.1", "port": free_port()})
    app, _ = evaluation_app(settings, AssistantHolder(settings, gated))
    launch(app, settings, prevent_thread_lock=True, quiet=True)
    url = f"http://127.0.0.1:{settings.port}/"
    for _ in range(150):
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return app, url
        except httpx.HTTPError:
            time.sleep(0.2)
    app.close()
    raise RuntimeError(f"la page d'évaluation ne répond pas sur {url}")


@pytest.fixture
def eval_page(request: pytest.FixtureRequest, assistant: Any, tmp_path: Path) -> Iterator[tuple[EvalPage, Gated]]:
    """A page on a fresh evaluation tab whose history already holds an earlier run of the mini set, in which
    the question "secret" missed its source."""
    settings = assistant.settings.model_copy(update={"feedback_db": tmp_path / "app.sqlite"})
    mini = write_set(tmp_path / "mini.jsonl", MINI)
    earlier = evaluate(assistant, load_set(mini), "mini.jsonl", with_cosine=False)
    for row in earlier.rows:
        if row["id"] == "secret":
            row["scores"]["hit@5"] = 0.0
    EvalStore(settings.feedback_db).save(RunOutput(earlier.rows, earlier.metrics), assistant, "mini.jsonl")
    gated = Gated(assistant)
    app, url = launch_tab(settings, gated)
    opened = EvalPage(url, request.param, tmp_path)
    try:
        yield opened, gated
        assert not opened.errors, f"erreurs JavaScript : {opened.errors}"
        assert not opened.outside, f"requêtes hors de 127.0.0.1 : {opened.outside}"
    finally:
        gated.gate.set()
        opened.close()
        app.close()


@pytest.mark.slow
@pytest.mark.parametrize("eval_page", [1280, 390], indirect=True, ids=["1280px", "390px"])
def test_upload_run_read_compare_and_download(eval_page: tuple[EvalPage, Gated], tmp_path: Path) -> None:
    ui, gated = eval_page
    page = ui.page
    width = page.viewport_size["width"]
    page.set_input_files("#eval-upload input[type=file]", str(tmp_path / "mini.jsonl"))
    page.wait_for_selector("#eval-source input[value=upload]:checked")
    page.click("#eval-start")
    # mid-run: one question done, the paused one under way; the broken line is reported with its number
    page.wait_for_selector("#eval-status progress[value='1'][max='3']")
    status = page.inner_text("#eval-status")
    assert "1 / 3 questions" in status and "restantes" in status
    assert "ligne 2 : JSON invalide" in status and "1 ligne(s) ignorée(s)" in status
    assert page.is_disabled("#eval-start") and page.is_enabled("#eval-cancel")
    page.screenshot(path=str(SCREENSHOTS / f"evaluation-progress-{width}.png"))
    gated.gate.set()
    page.wait_for_selector("#eval-status .eval-done")
    assert "Évaluation n° 2 terminée : 3 questions" in page.inner_text("#eval-status")
    assert page.is_enabled("#eval-start")

    ui.tab("Résultats")
    page.wait_for_selector("#eval-headline .eval-metric")
    assert "mini.jsonl, 3 questions" in page.inner_text("#eval-headline")
    page.click("#eval-headline details[data-metric='hit@5'] summary")
    assert page.is_visible("#eval-headline details[data-metric='hit@5'] >> text=parmi les 5 passages")
    for plot in ("#eval-plot-persona", "#eval-plot-tag", "#eval-plot-latency"):
        page.wait_for_selector(f"{plot} canvas, {plot} svg")
    ui.choose("#eval-show", "en échec")
    shown = "document.querySelector('#eval-shown').textContent.trim()"
    page.wait_for_function(f"() => /^[12] question\\(s\\) affichée\\(s\\) sur 3/.test({shown})")
    ui.cell("licorne").click()
    page.wait_for_selector("#eval-item .eval-item[data-item='licorne']")
    item = page.inner_text("#eval-item")
    assert "comment recruter des représentants des usagers ?" in item and "En échec" in item
    assert "Faits clés absents de la réponse" in item and "licorne violette" in item
    assert "[1]" in item and "Citations" in item
    assert page.evaluate("() => !document.querySelector('#eval-items').textContent.includes('les usagers sont-ils')")
    page.screenshot(path=str(SCREENSHOTS / f"evaluation-item-{width}.png"), full_page=True)

    with page.expect_download() as download:
        page.click("#eval-download-report")
    report = Path(download.value.path()).read_text(encoding="utf-8")
    assert download.value.suggested_filename == "evaluation-2-rapport.html"
    assert "Évaluation — mini.jsonl" in report and "ligne 2" in report
    with page.expect_download() as download:
        page.click("#eval-download-csv")
    rows = list(csv.DictReader(Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()))
    assert [r["id"] for r in rows] == ["secret", "pause", "licorne"]

    ui.tab("Comparer")
    page.wait_for_function("() => document.querySelector('#eval-compare-a input').value.startsWith('n° 1')")
    page.click("#eval-compare-button")
    page.wait_for_selector("#eval-compare-view table")
    better = page.inner_text("#eval-compare-view ul.eval-better")
    assert "secret" in better and "hit@5 +1,000" in better
    assert "Mieux dans B (1)" in page.inner_text("#eval-compare-view")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(SCREENSHOTS / f"evaluation-compare-{width}.png"), full_page=True)


@pytest.mark.slow
@pytest.mark.parametrize("eval_page", [1280], indirect=True, ids=["1280px"])
def test_a_run_can_be_cancelled_and_nothing_is_kept(eval_page: tuple[EvalPage, Gated], tmp_path: Path) -> None:
    ui, gated = eval_page
    page = ui.page
    page.set_input_files("#eval-upload input[type=file]", str(tmp_path / "mini.jsonl"))
    page.wait_for_selector("#eval-source input[value=upload]:checked")
    page.click("#eval-start")
    page.wait_for_selector("#eval-status progress[value='1']")
    page.click("#eval-cancel")
    page.wait_for_selector("#eval-status >> text=Annulation demandée")
    gated.gate.set()
    page.wait_for_selector("#eval-status >> text=Évaluation annulée après 2 question(s) sur 3")
    assert page.is_enabled("#eval-start") and page.is_disabled("#eval-cancel")
    ui.tab("Résultats")
    page.wait_for_selector("#eval-headline .eval-metric")
    assert "n° 1" in page.input_value("#eval-run-choice input")  # only the earlier run is in the history
