"""Answers written by an LLM, checked before they are shown: the generator on a chat model with queued
replies (tests/llm_fakes.py) over a tiny corpus view, no index, no server.

What the user must never get: a marker pointing nowhere, an answer without citations, garbage, or a
stream that stopped early shown as if it were whole — each gives the extractive answer after a notice
saying why. Sentences their passage does not support are flagged, not rewritten. The real clients
against a server are in test_llm_stream.py; the whole assistant on the real index in
test_llm_assistant.py.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from assistant.answer import BlockKind, SpanSource
from assistant.corpus import CorpusView
from assistant.llm import LLMGenerator
from assistant.llm.condense import QuestionRules
from assistant.llm.draft import looks_like_garbage, parse_draft, split_claims, tidy_draft
from assistant.llm.tools import CorpusTools, Passages
from assistant.prompts import load_phrases
from evals.judge import parse_verdict
from ingest.settings import PROJECT_ROOT, Settings
from tests.llm_fakes import (
    CHARTER_SENTENCE,
    PASSAGES,
    RECRUIT_SENTENCE,
    SECRET_SENTENCE,
    FakeExtractive,
    QueuedChatModel,
    Reply,
    model_sentences,
    notice_of,
    request_for,
    tiny_corpus,
)
from tests.openai_standin import UNSUPPORTED_CLAIM, passages_in

PROMPTS = PROJECT_ROOT / "prompts"
PHRASES = load_phrases(PROMPTS, "llm")


@pytest.fixture(scope="module")
def corpus() -> CorpusView:
    return tiny_corpus(PASSAGES)


def fake_llm(corpus: CorpusView, *replies: Reply, tools: bool = False) -> tuple[LLMGenerator, QueuedChatModel]:
    model = QueuedChatModel(replies=list(replies))
    settings = Settings(llm_backend="openai", llm_model="fake", llm_timeout=5.0, llm_tools=tools)
    return LLMGenerator(settings, corpus, FakeExtractive(corpus), model, tools), model


# --- the generator on a fake model ------------------------------------------------------------------
@pytest.mark.fast
def test_a_checked_answer_becomes_model_sentences_with_renumbered_markers(corpus: CorpusView) -> None:
    draft = (
        f"{RECRUIT_SENTENCE} [2]\n\n{SECRET_SENTENCE} [1]\n"
        f"- {CHARTER_SENTENCE} [1]\n\n**Sources :**\n[1] une source inventée par le modèle"
    )
    tokens: list[str] = []
    llm, model = fake_llm(corpus, Reply(draft))
    result = llm.generate(request_for(tokens=tokens))
    assert "".join(tokens) == draft  # streamed as it came
    assert result.details["llm"]["status"] == "ok" and notice_of(result) is None
    # the model cited [2] first: it becomes [1], in the order of the answer
    assert [c.chunk_id for c in result.citations] == ["c1", "c0"]
    assert model_sentences(result) == [
        (RECRUIT_SENTENCE, (1,), True),
        (SECRET_SENTENCE, (2,), True),
        (CHARTER_SENTENCE, (2,), True),
    ]
    assert [b.kind for b in result.blocks] == [BlockKind.PARAGRAPH, BlockKind.PARAGRAPH, BlockKind.LIST_ITEM]
    assert "inventée" not in " ".join(b.text for b in result.blocks)  # the model's own sources are dropped
    # the passage sentence closest to each claim is the citation's highlighted quote
    assert result.citations[1].quote == f"{SECRET_SENTENCE} {CHARTER_SENTENCE}"
    # the model read the three passages, numbered, under the system prompt
    system, user = model.seen[0]
    assert "HORS_CORPUS" in system.content
    assert [n for n, _ in passages_in([{"content": user.content}])] == [1, 2, 3]


@pytest.mark.fast
def test_a_sentence_its_passage_does_not_support_is_flagged_not_rewritten(corpus: CorpusView) -> None:
    llm, _ = fake_llm(corpus, Reply(f"{SECRET_SENTENCE} [1] {UNSUPPORTED_CLAIM} [1]"))
    result = llm.generate(request_for())
    assert model_sentences(result) == [(SECRET_SENTENCE, (1,), True), (UNSUPPORTED_CLAIM, (1,), False)]
    assert result.blocks[-1].kind is BlockKind.NOTICE and result.blocks[-1].text == PHRASES["note_unsupported_one"]
    assert [row["sentence"] for row in result.details["unsupported"]] == [UNSUPPORTED_CLAIM]
    assert result.details["unsupported"][0]["score"] < Settings().support_threshold


@pytest.mark.fast
@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(f"{SECRET_SENTENCE} [9]"), "bad_marker"),
        (Reply(SECRET_SENTENCE), "no_citation"),
        (Reply("<|im_start|> ::: ;;; ### 0x0F [1] <|im_end|>"), "garbage"),
        # issue 12: the server went away mid-answer; early (nothing cited yet) and late (mid-sentence)
        (Reply("Les représentants", end=None), "dropped"),
        (Reply(f"{SECRET_SENTENCE} [1] Ils signent une charte", end=None), "dropped"),
        (Reply(f"{SECRET_SENTENCE} [1] Ils signent une charte", break_after=12), "dropped"),
        (Reply(f"{SECRET_SENTENCE} [1] Ils signent une", end="length"), "truncated"),
    ],
)
def test_an_answer_that_cannot_be_shown_gives_the_extractive_one_after_a_notice(
    corpus: CorpusView, reply: Reply, reason: str
) -> None:
    llm, _ = fake_llm(corpus, reply)
    result = llm.generate(request_for())
    assert notice_of(result) == PHRASES[f"fallback_{reason}"]
    offline = FakeExtractive(corpus).generate(request_for())
    assert result.blocks[1:] == offline.blocks  # the extractive answer, word for word
    assert [c.chunk_id for c in result.citations] == [c.chunk_id for c in offline.citations]
    assert result.details["llm"]["status"] == "fallback" and result.details["llm"]["reason"] == reason
    assert not any(span.source is SpanSource.MODEL for block in result.blocks for span in block.spans)


@pytest.mark.fast
def test_a_model_that_declines_gives_no_citation(corpus: CorpusView) -> None:
    llm, _ = fake_llm(corpus, Reply("HORS_CORPUS"))
    result = llm.generate(request_for())
    assert result.blocks == [] and result.citations == []  # the assistant then declines
    assert result.details["llm"]["status"] == "declined"


@pytest.mark.fast
def test_the_tool_agent_cites_what_its_tools_showed_it(corpus: CorpusView) -> None:
    search = Reply(tool_calls=[{"name": "search_corpus", "args": {"query": "secret professionnel"}}])
    llm, model = fake_llm(corpus, search, Reply(f"{SECRET_SENTENCE} [1]"), tools=True)
    result = llm.generate(request_for())
    assert set(model.tools) == {"search_corpus", "get_fiche", "list_fiches", "list_documents"}
    assert result.details["llm"]["tool_calls"] == ['search_corpus({"query": "secret professionnel"})']
    tool_message = model.seen[1][-1]
    assert passages_in([{"content": tool_message.content}])[0] == (1, PASSAGES[0][2])
    assert [c.chunk_id for c in result.citations] == ["c0"] and llm.name == "llm:openai:fake:outils"


@pytest.mark.fast
def test_the_tools_read_the_corpus_view(corpus: CorpusView) -> None:
    tools = CorpusTools(corpus, Passages(corpus, PHRASES["context_heading"]), PHRASES, None, per_call=6)
    assert tools.get_fiche(6).startswith("Passage [1] — HAS 2023 — Fiche ressource n° 6")
    assert tools.get_fiche(99) == PHRASES["tool_fiche_missing"].format(n=99, count=2)
    assert tools.list_fiches().splitlines() == [
        "[1] Fiche ressource n° 6 – Secret professionnel",
        "[2] Fiche ressource n° 2 – Recruter des usagers",
    ]
    assert "doc_id : has-2023" in tools.list_documents()
    found = tools.search_corpus("recrutement des usagers", {"fiche": 2, "couleur": "rouge"})
    allowed = "fiche, doc_id, kind, section_number"
    assert found.startswith(PHRASES["tool_bad_filter"].format(key="couleur", allowed=allowed))
    assert "Un appel à candidatures" in found and SECRET_SENTENCE not in found
    assert tools.call("effacer_tout", {}) == PHRASES["tool_unknown"].format(name="effacer_tout")


# --- condensing follow-ups ---------------------------------------------------------------------------
@pytest.mark.fast
@pytest.mark.parametrize(
    ("reply", "kept"),
    [
        ("Question réécrite : « Comment recruter des représentants des usagers dans une CPTS ? »",
         "Comment recruter des représentants des usagers dans une CPTS ?"),
        # issue 11 item 8: two questions glued, "notre une": the question is understood as asked
        ("Comment recruter des représentants des usagers dans notre une CPTS ? et dans une CPTS ?", None),
        ("Comment recruter des représentants des usagers dans notre une CPTS ?", None),
        ("Comment recruter des représentants des usagers dans une MSP ? et dans une CPTS ?", None),
        ("Comment recruter recruter des représentants des usagers dans une CPTS ?", None),
        ("How do we recruit patient representatives in a CPTS?", None),
        ("HORS_CORPUS", None),
    ],
)  # fmt: skip
def test_a_follow_up_is_rewritten_only_into_one_french_question(
    corpus: CorpusView, reply: str, kept: str | None
) -> None:
    llm, model = fake_llm(corpus, Reply(reply))
    history = ["Comment recruter des représentants des usagers dans une MSP ?"]
    assert llm.condense("et dans une CPTS ?", history) == kept
    assert "Nouvelle question : et dans une CPTS ?" in model.seen[0][0].content


@pytest.mark.fast
def test_a_rewrite_whose_stream_dropped_is_not_used(corpus: CorpusView) -> None:
    llm, _ = fake_llm(corpus, Reply("Comment recruter des représentants des usagers dans une", end=None))
    assert llm.condense("et dans une CPTS ?", ["Comment recruter dans une MSP ?"]) is None


@pytest.mark.fast
@pytest.mark.parametrize(
    "question",
    [
        "Qu'est-ce que la charte d'engagement d'une CPTS ?",
        "Est-ce la CPTS qui recrute l'une des associations d'usagers ?",
        "Comment nous nous organisons pour accueillir les usagers dans une MSP ?",
        "Quels sont les financements des représentants des usagers en centre de santé",
        "L'ACI : pourquoi signer cette convention ? Avec quelles conséquences ?",
        "Le médiateur en maison de santé : quelle plus-value en maison de santé ?",
    ],
)
def test_ordinary_questions_read_as_questions(question: str) -> None:
    assert QuestionRules.load(PROMPTS).reads_as_question(question)


# --- reading the model's draft -----------------------------------------------------------------------
@pytest.mark.fast
def test_draft_sentences_keep_their_markers() -> None:
    claims = split_claims("Les usagers signent la charte [1]. Ils sont tenus au secret. [2][3]\n- un item [4]")
    assert [(c.text, c.markers) for c in claims] == [
        ("Les usagers signent la charte.", [1]),
        ("Ils sont tenus au secret.", [2, 3]),
        ("un item", [4]),
    ]
    blocks = parse_draft("Voici :\n1. premier point [1]\n2) second point [2]\n[3]\n\n## Titre\nFin. [1]")
    assert [(b.kind, [(c.text, c.markers) for c in b.claims]) for b in blocks] == [
        (BlockKind.PARAGRAPH, [("Voici :", [])]),
        (BlockKind.LIST_ITEM, [("premier point", [1])]),
        (BlockKind.LIST_ITEM, [("second point", [2, 3])]),
        (BlockKind.PARAGRAPH, [("Titre", [])]),
        (BlockKind.PARAGRAPH, [("Fin.", [1])]),
    ]


@pytest.mark.fast
def test_the_models_own_sources_block_is_removed_and_marker_lists_split() -> None:
    draft = "Les usagers sont tenus au secret [1, 2].\n\n**Sources :**\n[1] HAS 2023, fiche 6\n[2] inventé"
    assert tidy_draft(draft) == "Les usagers sont tenus au secret [1][2]."
    assert tidy_draft("Les sources de financement sont variées [3].") == "Les sources de financement sont variées [3]."
    stuck = "Réponse [1]." + "\n" * 20_000 + "fin"  # a model stuck on newlines: linear, not minutes
    assert tidy_draft(stuck).endswith("fin")


@pytest.mark.fast
@pytest.mark.parametrize(
    ("text", "garbage"),
    [
        ("Les usagers sont tenus au secret professionnel comme les soignants [1].", False),
        ("<|im_start|> ::: ;;; ### 0x0F [1] <|im_end|>", True),
        ("", True),
        ("[1] [2] [3]", True),
        ("The users must keep professional secrecy like every member of the team [1].", True),
    ],
)
def test_garbage_is_recognised(text: str, garbage: bool) -> None:
    assert looks_like_garbage(text) is garbage


@pytest.mark.fast
@pytest.mark.parametrize("backend", ["openai", "ollama"])
def test_the_backend_is_found_by_name_and_falls_back_on_the_generator_it_is_given(
    corpus: CorpusView, backend: str
) -> None:
    from assistant.generators import make_generator

    fallback = FakeExtractive(corpus)
    settings = Settings(llm_backend=backend, llm_base_url="http://127.0.0.1:9", llm_model="qwen2.5:7b")
    generator = make_generator(settings, corpus, fallback)
    assert isinstance(generator, LLMGenerator) and generator.name == f"llm:{backend}:qwen2.5:7b"
    assert generator.fallback is fallback and generator.corpus is corpus
    assert make_generator(settings.model_copy(update={"llm_backend": "none"}), corpus, fallback) is fallback


@pytest.mark.fast
def test_the_llm_package_does_not_import_the_assistant() -> None:
    code = "import sys, assistant.llm; print(sorted(m for m in sys.modules if m.startswith('assistant.')))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT)
    assert "'assistant.agent'" not in loaded.stdout and "'assistant.llm.generator'" in loaded.stdout


@pytest.mark.fast
def test_judge_verdicts_are_read_and_clamped() -> None:
    assert parse_verdict('Voici : {"fidelite": 0.8, "exactitude": 1.4}') == {
        "llm_faithfulness": 0.8,
        "llm_correctness": 1.0,
    }
    assert parse_verdict('{"fidelite": "0,5", "exactitude": 1}') == {"llm_faithfulness": 0.5, "llm_correctness": 1.0}
    assert parse_verdict('{"fidelite": true, "exactitude": 1}') is None  # not a score
    assert parse_verdict("je ne sais pas") is None


@pytest.mark.fast
@pytest.mark.parametrize(
    ("draft", "missing", "rest"),
    [
        (
            "PARTIEL : le montant n'est pas donné.\nLes usagers sont défrayés [1].",
            "le montant n'est pas donné.",
            "Les usagers sont défrayés [1].",
        ),
        ("**Partiel** — la date [2] n'y est pas\n\nTexte [1].", "la date n'y est pas", "Texte [1]."),
        ("Les usagers sont défrayés [1]. Partiel : rien.", None, "Les usagers sont défrayés [1]. Partiel : rien."),
        ("PARTIEL :\nTexte [1].", None, "Texte [1]."),
        ("Partiellement, les usagers sont défrayés [1].", None, "Partiellement, les usagers sont défrayés [1]."),
    ],
)
def test_the_model_s_partial_line_is_read_and_removed(draft: str, missing: str | None, rest: str) -> None:
    from assistant.llm.draft import split_partial

    assert split_partial(draft, "PARTIEL") == (rest, missing)


@pytest.mark.fast
def test_a_model_that_answers_in_part_says_what_is_missing(corpus: CorpusView) -> None:
    llm, _ = fake_llm(corpus, Reply(f"PARTIEL : le montant des indemnités.\n{SECRET_SENTENCE} [1]"))
    result = llm.generate(request_for())
    assert result.missing == "le montant des indemnités."
    assert result.citations and "PARTIEL" not in " ".join(b.text for b in result.blocks)
    offline = FakeExtractive(corpus).generate(request_for())
    assert offline.missing is None  # only a generator that reads the passages against the question says it
