"""Hybrid retrieval on a tiny in-memory corpus: fusion, authority, roles, near-duplicates, sentence evidence."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from assistant.answer import Role
from assistant.retrieval import HybridRetriever, Probe, TermStats, authority_bonus, role_boosts
from ingest.chunking import split_sentences
from ingest.index import SearchHit
from ingest.lexical import FrenchAnalyzer, LexicalIndex
from ingest.models import Chunk, Sentence
from ingest.settings import Settings

pytestmark = pytest.mark.fast

MISSION = (
    "Le représentant des usagers porte la parole des usagers au sein de la CPTS. Il rend compte à son association."
)


def chunk(n: int, text: str, kind: str = "guide", authority: int = 1, doc: str = "has") -> Chunk:
    return Chunk(
        chunk_id=f"{doc}-{n}", doc_id=doc, file=f"{doc}.txt", doc_title=doc.upper(), publisher="", kind=kind,
        authority=authority, section_path="", section_number="", section_title="", fiche=0, fiche_title="",
        page=0, page_end=0, page_source="", char_start=0, char_end=len(text), text=text, embed_text=text,
    )  # fmt: skip


class TinyReader:
    """The part of :class:`ingest.index.IndexReader` that retrieval reads, over a few passages in memory.

    Each passage and sentence gets a vector from the words it holds (a bag of words), so that vectors
    and BM25 agree on a tiny corpus."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self.chunks = chunks
        self.sentences = [Sentence(c.chunk_id, s, e, c.text[s:e]) for c in chunks for s, e in split_sentences(c.text)]
        self.position = {c.chunk_id: i for i, c in enumerate(chunks)}
        self.sentences_of: dict[str, list[int]] = {}
        for i, sentence in enumerate(self.sentences):
            self.sentences_of.setdefault(sentence.chunk_id, []).append(i)
        self.analyzer = FrenchAnalyzer()
        self.vocabulary = sorted({t for c in chunks for t in self.analyzer.terms(c.text)})
        self.chunk_vectors = np.stack([self.embed(c.text) for c in chunks])
        self.sentence_vectors = np.stack([self.embed(s.text) for s in self.sentences])
        self.lexical = LexicalIndex.build([c.text for c in chunks])

    def embed(self, text: str) -> np.ndarray:
        terms = set(self.analyzer.terms(text))
        vector = np.array([1.0 if t in terms else 0.0 for t in self.vocabulary]) + 1e-3
        return vector / np.linalg.norm(vector)

    def vector_search(self, query_vector: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[SearchHit]:
        sims = self.chunk_vectors @ query_vector
        return sorted((SearchHit(i, float(s)) for i, s in enumerate(sims)), key=lambda h: (-h.score, h.index))[:k]

    def lexical_search(self, text: str, k: int, where: dict[str, Any] | None = None) -> list[SearchHit]:
        scores = self.lexical.scores(text)
        hits = [SearchHit(i, float(s)) for i, s in enumerate(scores) if s > 0]
        return sorted(hits, key=lambda h: (-h.score, h.index))[:k]


CORPUS = [
    chunk(0, "La gouvernance de la maison de santé associe les usagers au comité de pilotage."),
    chunk(1, "Le financement des actions de prévention relève de l'ARS."),
    chunk(2, MISSION, kind="fiche mission", authority=2, doc="fas"),
    chunk(3, MISSION + " ", kind="advice sheet", authority=3, doc="urps"),  # the URPS sheet repeats it
    chunk(4, "Le représentant des usagers siège au conseil d'administration de la CPTS et porte leur voix."),
]


def search(question: str, role: Role | str | None = None, settings: Settings | None = None) -> list[int]:
    """The passages found, in the fusion's order (the contexts are not ordered again by their best sentence)."""
    reader = TinyReader(CORPUS)
    settings = (settings or Settings.model_construct()).model_copy(update={"lead_sentence_weight": 0.0})
    retriever = HybridRetriever(reader, settings, TermStats(reader, reader.analyzer))  # type: ignore[arg-type]
    return [c.index for c in retriever.search(question, reader.embed(question), role=role, k=5)]


def judged(
    reader: TinyReader,
    question: str,
    evidence: list[Any],
    settings: Settings | None = None,
    names: Any = None,
    spelled: tuple[str, ...] = (),
) -> Any:
    """The guard's assessment of ``question`` over ``evidence`` (first passage leading; ``names``: what the
    corpus's sentences define and write; ``spelled``: the acronyms asked about that the corpus spells out)."""
    from assistant.guard import assess
    from assistant.query import Query
    from assistant.retrieval import Candidate

    stats = TermStats(reader, reader.analyzer)  # type: ignore[arg-type]
    return assess(
        reader,  # type: ignore[arg-type]
        stats,
        Query(question, question),
        [Candidate(0, 1.0)],
        evidence,
        stats.weights(question),
        settings=settings or Settings.model_construct(),
        names=names,
        spelled=spelled,
    )


def test_the_passage_that_shares_the_question_words_comes_first() -> None:
    assert search("Qui finance les actions de prévention ?")[0] == 1
    assert search("Comment associer les usagers à la gouvernance de la maison de santé ?")[0] == 0


def test_a_follow_up_s_own_words_weigh_beside_the_question_it_leans_on() -> None:
    """« et les élus locaux, ils peuvent jouer un rôle ? » after a question on the users' place in CPTS was searched
    with both glued: the earlier question's words led, and the answer spoke of users (a reader found 8 such answers
    in 30 conversations). The follow-up's own words, searched alone, add their ranks to the fusion."""
    reader = TinyReader(CORPUS)
    settings = Settings.model_construct().model_copy(update={"lead_sentence_weight": 0.0})
    retriever = HybridRetriever(reader, settings, TermStats(reader, reader.analyzer))  # type: ignore[arg-type]
    glued = "La gouvernance de la maison de santé associe-t-elle les usagers ? et au conseil d'administration ?"
    own = "et au conseil d'administration ?"

    def first(also: Probe | None) -> int:
        return retriever.search(glued, reader.embed(glued), k=5, also=also)[0].index

    assert first(None) == 0  # the earlier question's passage
    assert first(Probe(own, reader.embed(own), 1.0)) == 4  # the one the follow-up asks about


def test_an_annex_s_title_is_no_signpost_to_what_the_question_asks() -> None:
    """« Guide d'entretien à destination des patients experts » names whom a study's interview guide was for, not what
    it found: its words give the annex no title bonus, while a section of the text so titled gets one."""
    from ingest.roles import PassageRole

    guide = "Annexe 3 - Guide d'entretien à destination des patients experts"
    annex = replace(
        chunk(0, "Quel regard portez-vous sur les réunions ?", doc="memoire"),
        section_path=guide,
        role=PassageRole.ANNEX,
    )
    body = replace(chunk(1, "Ils animent des ateliers avec les usagers."), section_path="Rôle des patients experts")
    reader = TinyReader([annex, body])
    question = "Quel est le rôle des patients experts ?"
    retriever = HybridRetriever(reader, Settings(), TermStats(reader, reader.analyzer))  # type: ignore[arg-type]
    scores = {c.index: c.scores for c in retriever.search(question, reader.embed(question), k=2).ranked}
    assert scores[1]["title"] > 0
    assert "title" not in scores[0]


def test_a_title_that_names_something_else_than_the_word_it_shares_counts_less() -> None:
    """« Comment mobiliser les habitants ? » shares « mobiliser » with « Mobilisation des ressources financières »:
    that title names something else (resources) and its bonus is now lower than the share of the question's words it
    holds (``title_share_power`` at 0); « Mobilisation des habitants », all of whose words the question writes, keeps
    its whole bonus."""
    text = "Les actions demandent du temps."
    money, people = (
        replace(chunk(n, text), section_path=f"6. Fiches > {title}", section_title=title)
        for n, title in enumerate(["Mobilisation des ressources financières", "Mobilisation des habitants"])
    )
    reader = TinyReader([money, people])
    question = "Comment mobiliser les habitants ?"

    def titles(settings: Settings) -> dict[int, float]:
        retriever = HybridRetriever(reader, settings, TermStats(reader, reader.analyzer))  # type: ignore[arg-type]
        return {c.index: c.scores["title"] for c in retriever.search(question, reader.embed(question), k=2).ranked}

    shared, flat = titles(Settings()), titles(Settings(title_share_power=0))
    assert flat[0] == pytest.approx(0.5) and 0 < shared[0] < flat[0]
    assert shared[1] == pytest.approx(flat[1]) == pytest.approx(1.0)


def test_the_passage_with_a_sentence_that_answers_leads_the_contexts() -> None:
    """A passage holding the question's words one per sentence outranks, by fusion, a longer passage whose one
    sentence says all of it: that passage leads the contexts, and the same passages stay among them."""
    spread = chunk(0, "Les indemnités sont prévues. Les usagers participent. Le financement vient de la région.")
    answers = chunk(
        1,
        "Le fonds régional finance les indemnités des usagers. La gouvernance associe le comité de pilotage. "
        "Le diagnostic territorial recense les besoins. La charte fixe les règles du groupe de travail.",
    )
    reader = TinyReader([spread, answers, chunk(2, "Le comité se réunit chaque trimestre.")])
    question = "Qui finance les indemnités des usagers ?"

    def contexts(weight: float) -> list[int]:
        settings = Settings.model_construct(lead_sentence_weight=weight)
        retriever = HybridRetriever(reader, settings, TermStats(reader, reader.analyzer))  # type: ignore[arg-type]
        return [c.index for c in retriever.search(question, reader.embed(question), k=3)]

    fused = contexts(0.0)
    assert fused[0] == 0
    assert contexts(5.0)[0] == 1 and sorted(contexts(5.0)) == sorted(fused)


def test_a_near_duplicate_passage_is_kept_once_the_most_authoritative_one() -> None:
    found = search("Que fait le représentant des usagers dans la CPTS ?")
    assert 2 in found and 3 not in found


def test_near_duplicates_are_kept_when_the_cut_off_says_so() -> None:
    found = search("Que fait le représentant des usagers dans la CPTS ?", settings=Settings.model_construct(
        duplicate_similarity=100.1
    ))  # fmt: skip
    assert {2, 3} <= set(found)


def test_the_role_prefers_the_documents_it_reads_first() -> None:
    question = "Que fait le représentant des usagers dans la CPTS ?"
    settings = Settings.model_construct(role_boosts=(("representant", "fiche mission", 0.2),))
    assert search(question, settings=settings)[0] == 4  # the HAS guide: the most authoritative
    assert search(question, role=Role.REPRESENTANT, settings=settings)[0] == 2  # the fiche mission
    assert search(question, role="professionnel", settings=settings)[0] == 4


def test_six_passages_are_not_one_section_read_on() -> None:
    """A section gives one of the contexts; its next passage gives way to another section's and is kept after the
    contexts (for a sentence that carries on); a search with fewer sections than contexts is completed by them."""
    from dataclasses import replace

    texts = [
        ("2.1", "Les usagers siègent dans la gouvernance de la maison de santé au conseil d'administration."),
        ("2.1", "Un collège des usagers de la maison de santé peut voter en assemblée générale."),
        ("2.1", "La gouvernance associative ouvre ses statuts aux associations d'usagers."),
        ("6.1", "Dans la gouvernance, un comité des usagers de la maison de santé rend des avis."),
    ]
    corpus = [replace(chunk(i, text), section_number=code, section_path=code) for i, (code, text) in enumerate(texts)]
    reader = TinyReader(corpus)

    def found(settings: Settings, k: int) -> list[int]:
        retriever = HybridRetriever(reader, settings, TermStats(reader, reader.analyzer))  # type: ignore[arg-type]
        question = (
            "Les usagers de la maison de santé siègent-ils au conseil d'administration ou en assemblée générale ?"
        )
        return [c.index for c in retriever.search(question, reader.embed(question), k=k)]

    def spread(per_section: int, overflow: int = 1) -> Settings:  # in the fusion's order
        return Settings.model_construct(
            context_per_section=per_section, section_overflow=overflow, lead_sentence_weight=0
        )

    # as ranked: 0 (2.1), 1 (2.1), 3 (6.1), 2 (2.1)
    assert found(spread(0), k=2) == [0, 1], "one section takes every context"
    assert found(spread(1), k=2) == [0, 3, 1]
    assert found(spread(1, 0), k=2) == [0, 3]
    assert found(spread(1, 0), k=4) == [0, 3, 1, 2]
    # ordered by their best sentence, the contexts are the same, and the passage kept after them stays there
    ordered = found(Settings.model_construct(context_per_section=1, section_overflow=1), k=2)
    assert sorted(ordered[:2]) == [0, 3] and ordered[2] == 1


def test_the_confidence_reads_the_best_passages_as_ranked_not_as_spread() -> None:
    """How well the best passages hold the question's words must not grow because the contexts show more
    sections: a search gives them apart (``Ranking.leading``), and the assistant gives those to the guard."""
    from dataclasses import replace

    corpus = [
        replace(chunk(0, "Le comité des usagers de la maison de santé se réunit chaque mois."), section_number="2.1"),
        replace(chunk(1, "Le comité des usagers de la maison de santé rend un avis écrit."), section_number="2.1"),
        replace(chunk(2, "Le comité des usagers peut saisir le conseil d'administration."), section_number="6.1"),
    ]
    reader = TinyReader(corpus)
    settings = Settings.model_construct(context_per_section=1, section_overflow=0, guard_top_passages=2)
    retriever = HybridRetriever(reader, settings, TermStats(reader, reader.analyzer))  # type: ignore[arg-type]
    question = "Le comité des usagers de la maison de santé se réunit-il ?"
    found = retriever.search(question, reader.embed(question), k=2)
    assert [c.index for c in found] == [0, 2] and [c.index for c in found.leading] == [0, 1]


def test_a_near_duplicate_of_a_displaced_passage_is_not_kept_twice() -> None:
    """Near-duplicates are merged among all the passages met, the displaced ones too: the URPS sheet's copy of a
    passage a section's limit displaced does not come back in its own right."""
    from dataclasses import replace

    from assistant.retrieval import Candidate

    corpus = [
        replace(chunk(0, "La gouvernance de la maison de santé associe les usagers."), section_number="2.1"),
        replace(chunk(1, MISSION), section_number="2.1"),
        replace(chunk(2, MISSION + " ", kind="advice sheet", authority=3, doc="urps"), section_number=""),
    ]
    reader = TinyReader(corpus)
    settings = Settings.model_construct(context_per_section=1, section_overflow=1)
    retriever = HybridRetriever(reader, settings, TermStats(reader, reader.analyzer))  # type: ignore[arg-type]
    ranked = [Candidate(0, 1.0), Candidate(1, 0.9), Candidate(2, 0.8)]
    assert [c.index for c in retriever._diversify(ranked, 2)] == [0, 1]


def test_authority_bonus_counts_the_ranks_above_the_lowest() -> None:
    assert authority_bonus(1, 0.04) == pytest.approx(0.08)
    assert authority_bonus(3, 0.04) == 0.0
    assert authority_bonus(5, 0.04) == 0.0


def test_role_boosts_are_read_from_the_settings_and_an_unknown_role_is_an_error() -> None:
    assert role_boosts(Settings.model_construct())[Role.REPRESENTANT]["fiche mission"] == pytest.approx(0.10)
    with pytest.raises(ValueError, match="administrateur"):
        role_boosts(Settings.model_construct(role_boosts=(("administrateur", "guide", 0.1),)))


def test_evidence_ranks_the_sentence_that_answers_first() -> None:
    reader = TinyReader(CORPUS)
    settings = Settings.model_construct()
    stats = TermStats(reader, reader.analyzer)
    retriever = HybridRetriever(reader, settings, stats)  # type: ignore[arg-type]
    question = "À qui le représentant rend-il compte ?"
    vector = reader.embed(question)
    evidence = retriever.evidence(retriever.search(question, vector, k=3), vector, stats.weights(question))
    assert reader.sentences[evidence[0].sentence].text == "Il rend compte à son association."


def test_term_tables_read_from_the_index_equal_an_analysis_of_every_passage() -> None:
    reader = TinyReader([*CORPUS, chunk(5, "et de la")])  # a passage of stop words only: no term
    stats = TermStats(reader, reader.analyzer)  # type: ignore[arg-type]
    analyzed = [frozenset(reader.analyzer.terms(c.embed_text)) for c in reader.chunks]
    df: dict[str, int] = {}
    for terms in analyzed:
        for term in terms:
            df[term] = df.get(term, 0) + 1
    n = len(reader.chunks)
    assert stats.idf == {t: pytest.approx(math.log(1 + n / d), abs=0) for t, d in df.items()}
    assert list(stats.chunk_terms) == analyzed
    assert [stats.sentence_terms[i] for i in range(len(reader.sentences))] == [
        frozenset(reader.analyzer.terms(s.text)) for s in reader.sentences
    ]
    assert stats.chunk_terms[1:3] == analyzed[1:3] and stats.chunk_terms[-1] == frozenset()


def test_words_the_corpus_never_uses_are_named_as_the_question_writes_them() -> None:
    """A partly covered answer names the question's words the documents never use: « RAP » as written, and no
    two-letter scrap (« nt » of « souhaite(nt) »)."""
    from assistant.retrieval import Evidence

    question = "Le RAP du promoteur, qui le finance(nt) dans la gouvernance ?"
    found = judged(TinyReader(CORPUS), question, [Evidence(0, 0, 1.0, 0.9, 0.5, 0)])
    assert found.unknown_words == ["RAP", "promoteur"]


def test_an_acronym_a_few_passages_mention_makes_the_answer_partial_and_is_named() -> None:
    """« Qui peut être associé d'une SISA ? »: the documents mention the SISA in one passage, in passing; the answer
    says so first. An acronym the lexicon spells out counts the passages that use its meaning (« éducation
    thérapeutique du patient » for ETP); one the documents never use is an unknown word, not a rare one."""
    from assistant.answer import Coverage
    from assistant.coverage import decide, partial_notice
    from assistant.prompts import load_phrases
    from assistant.retrieval import Evidence

    therapy = "La CPTS soutient un programme d'éducation thérapeutique du patient, n° {n}."
    reader = TinyReader(
        [chunk(0, "La SISA de la maison de santé perçoit les financements de la CPTS pour l'ETP.")]
        + [replace(chunk(n, therapy.format(n=n)), section_path=f"6.{n}") for n in range(1, 5)]
    )
    settings = Settings.model_construct(refusal_threshold=0.0, guard_min_similarity=0.0)
    evidence = [Evidence(0, 0, 1.0, 0.9, 0.5, 0)]

    sisa = judged(reader, "Qui finance la SISA de la CPTS ?", evidence, settings)
    assert sisa.rare_words == ["SISA"]
    assert decide(sisa, settings) is Coverage.PARTIAL
    phrases = load_phrases(Settings().prompts_dir, "extractive")
    notice = partial_notice(sisa, phrases, settings)
    assert notice.startswith("Les documents de référence ne mentionnent « SISA » qu'en passant.")
    two = partial_notice(replace(sisa, rare_words=["PACTE", "EHESP"]), phrases, settings)
    assert "ne mentionnent « PACTE » et « EHESP » qu'en passant" in two
    assert judged(reader, "Un programme d'ETP dans la CPTS ?", evidence).rare_words == []  # 1 by name, 5 by meaning
    assert judged(reader, "La CPTS et le PTSM ?", evidence).rare_words == []  # never mentioned: an unknown word
    never = settings.model_copy(update={"partial_rare_sections": 0})  # 0: never
    assert judged(reader, "Qui finance la SISA de la CPTS ?", evidence, never).rare_words == []
    # its meaning asked, and spelled out by the corpus: what is asked is given, not mentioned in passing
    assert judged(reader, "Que veut dire SISA ?", evidence, settings, spelled=("SISA",)).rare_words == []
    # two overlapping passages of one section mention it once: still in passing where one place is the most
    twice = TinyReader([*reader.chunks, chunk(5, "La SISA de la maison de santé perçoit les financements.")])
    one = settings.model_copy(update={"partial_rare_sections": 1})
    assert judged(twice, "Qui finance la SISA de la CPTS ?", evidence, one).rare_words == ["SISA"]


def test_a_partial_notice_elides_de_before_a_word_opening_on_a_vowel() -> None:
    """« ne parlent pas d'« ostéopathie » », « pas de définition d'« activité… » », but « de « naturopathie » »."""
    from assistant.coverage import partial_notice
    from assistant.guard import Assessment
    from assistant.prompts import load_phrases

    phrases = load_phrases(Settings().prompts_dir, "extractive")
    settings = Settings.model_construct()
    unknown = Assessment(1.0, 0.9, 1.0, 0.5, None, False, ["ostéopathie"])
    assert "ne parlent pas d'« ostéopathie »." in partial_notice(unknown, phrases, settings)
    consonant = Assessment(1.0, 0.9, 1.0, 0.5, None, False, ["naturopathie"])
    assert "ne parlent pas de « naturopathie »." in partial_notice(consonant, phrases, settings)
    term = "activité d'un patient partenaire"
    definition = Assessment(1.0, 0.9, 1.0, 0.0, "définition", True, [], 1.0, True, term)
    assert f"pas de définition d'« {term} »." in partial_notice(definition, phrases, settings)


def test_an_acronym_the_documents_never_write_is_said_unwritten_not_absent() -> None:
    """« Les documents ne parlent pas d'« EPCI » » stood above « …, établissements publics de coopération
    intercommunale, … »: a reader found it contradicted. What is sure is that they never write the acronym (a run of
    words may spell it by chance: « parfois difficile de surmonter l'asymétrie » for PDSA); a word still missing is
    named after it."""
    from assistant.coverage import partial_notice
    from assistant.guard import Assessment
    from assistant.prompts import load_phrases

    phrases = load_phrases(Settings().prompts_dir, "extractive")
    settings = Settings.model_construct()
    alone = partial_notice(Assessment(1.0, 0.9, 1.0, 0.5, None, False, ["EPCI"]), phrases, settings)
    assert alone == f"Les documents de référence n'écrivent pas le sigle « EPCI ». {phrases['partial_closest']}"
    both = partial_notice(
        Assessment(1.0, 0.9, 1.0, 0.5, None, False, ["EPCI", "PDSA", "ratatouille"]), phrases, settings
    )
    assert both.startswith("Les documents de référence n'écrivent pas les sigles « EPCI » et « PDSA ».")
    assert "ne parlent pas de « ratatouille »" in both and "d'« EPCI »" not in both
    rare = Assessment(1.0, 0.9, 1.0, 0.5, None, False, ["EPCI"], rare_words=["SISA"])  # the unknown share was EPCI's
    assert partial_notice(rare, phrases, settings).endswith(
        "ne mentionnent « SISA » qu'en passant. Voici ce qu'ils disent de plus proche :"
    )


def test_a_tax_rule_about_something_else_does_not_answer_a_tax_question() -> None:
    """« Ces dons ouvrent droit à une réduction d'impôt » gives a tax rule about patronage: it answers « Les dons de
    mécénat sont-ils défiscalisés ? » (it goes on with the sentence about patronage before it), not « le représentant
    doit-il déclarer ses défraiements aux impôts ? », whose only word it shares is the mark of the fact."""
    from assistant.retrieval import Evidence

    text = (
        "Ce type de mécénat consiste pour les entreprises à réaliser des dons auprès des associations. "
        "Ces dons ouvrent droit à une réduction d'impôt sous réserve de conditions précises."
    )
    reader = TinyReader([chunk(0, text), chunk(1, "Le représentant des usagers est bénévole et défrayé.")])
    tax = reader.sentences_of["has-0"][1]
    evidence = [Evidence(tax, 0, 1.0, 0.9, 0.3, 0), Evidence(reader.sentences_of["has-1"][0], 1, 0.9, 0.9, 0.3, 1)]

    def missing(question: str) -> bool:
        found = judged(reader, question, evidence)
        assert found.fact_asked == "fiscalité"
        return found.fact_missing

    assert missing("le représentant doit-il déclarer ses défraiements aux impôts ?")
    assert not missing("Les dons de mécénat sont-ils défiscalisés ?")


@pytest.mark.parametrize(
    ("question", "unknown"),
    [
        ("Quelles questions peut-on poser en appelant Santé Info Droits ?", ["Santé Info Droits"]),
        ("Qu'est-ce qu'une Structure Régionale d'Appui ?", []),  # written « structures régionales d'appui »
        ("Le président Nouvelle-Aquitaine de France Assos Santé, que fait-il ?", []),  # two names, both written
        ("Les CPTS KESAKO ?", []),  # capitals, no name
        # a body's name with one capital: unknown as a whole though each of its words is written
        ("Quelles sont les missions d'une Maison des usagers ?", ["Maison des usagers"]),
        ("Que font les Structures régionales d'appui ?", []),  # written, plural and case aside
        ("Maison des usagers : quelles missions ?", []),  # opening the question: not told from a capital's first word
        ("Que fait la Maison des Usagers ?", ["Maison des Usagers"]),  # two capitals: « Maison » alone is no name
        ("Comment impliquer les usagers – Exemple de charte ?", []),  # after a dash: a capital that opens
        # a question addressing someone by name opens on it (its « Bonjour » set aside); not an article's capital
        ("Françoise Sellin, pouvez-vous nous présenter le patient partenaire ?", ["Françoise Sellin"]),
        ("Quel Avenir, pour les usagers ?", []),
        # a person the documents cite by the first name's initial (« le rapport de C. Compagnon »)
        ("Claire Compagnon, quel est le fil rouge de votre rapport ?", []),
        ("Que dit le rapport de Claire Compagnon ?", []),
        ("Que dit le rapport de Claire Dupont ?", ["Claire Dupont"]),
    ],
)
def test_a_proper_name_no_passage_writes_makes_the_answer_partial_and_is_named(question: str, unknown: list) -> None:
    """« Santé Info Droits »: its words are the documents' words, the service is not; the answer says so first."""
    from assistant.answer import Coverage
    from assistant.coverage import decide, partial_notice
    from assistant.prompts import load_phrases
    from assistant.retrieval import Evidence
    from assistant.rules import FactRules

    texts = [
        "Les structures régionales d'appui (SRA) accompagnent les équipes de santé et leurs usagers.",
        "France Assos Santé Nouvelle Aquitaine a publié une note sur les droits des usagers en santé.",
        "La maison de santé présente ses missions aux usagers.",
        "Le rapport de C. Compagnon, Pour l'An II de la démocratie sanitaire, est cité par les usagers.",
    ]
    reader = TinyReader([chunk(n, text) for n, text in enumerate(texts)])
    names = FactRules.load().names_in(s.text for s in reader.sentences)
    settings = Settings.model_construct(refusal_threshold=0.0, guard_min_similarity=0.0)
    found = judged(reader, question, [Evidence(0, 0, 1.0, 0.9, 0.5, 0)], settings, names)
    assert found.unknown_names == unknown
    if unknown:
        assert decide(found, settings) is Coverage.PARTIAL
        phrases = load_phrases(Settings().prompts_dir, "extractive")
        assert partial_notice(found, phrases, settings).startswith("Les documents de référence ne parlent pas de « ")


def test_a_word_of_a_name_already_named_is_not_named_again() -> None:
    """« ne parlent pas de « Françoise Sellin », « Sellin » » named the surname twice, once as a word the documents
    never use."""
    from assistant.coverage import partial_notice
    from assistant.guard import Assessment
    from assistant.prompts import load_phrases

    found = Assessment(0.9, 0.9, 0.5, 0.4, None, False, ["Sellin", "kesako"], unknown_names=["Françoise Sellin"])
    notice = partial_notice(found, load_phrases(Settings().prompts_dir, "extractive"), Settings())
    assert "« Françoise Sellin », « kesako »" in notice and "« Sellin »" not in notice


def test_a_sentence_of_a_passage_about_another_structure_only_weighs_less() -> None:
    """For a question naming an MSP, a sentence of a passage about CPTS only (setting ``evidence_structure_penalty``)
    comes after an equally close sentence of a passage that is not: the answer follows the structure asked, not only
    the ranking of the passages."""
    from types import SimpleNamespace

    from assistant.signals import Preferences

    corpus = [
        chunk(0, "La CPTS associe les usagers aux actions prioritaires. Ses statuts ont un collège.", "advice sheet"),
        chunk(1, "Le comité associe les usagers aux actions prioritaires. Il se réunit deux fois par an."),
    ]
    reader = TinyReader(corpus)
    question = "Comment associer les usagers aux actions prioritaires ?"
    vector = reader.embed(question)
    prefs = Preferences(structures=frozenset({"msp"}))

    def first(penalty: float, document_penalty: float = 0.0, other_document: bool = False) -> int:
        settings = Settings.model_construct(
            evidence_structure_penalty=penalty,
            evidence_named_document_penalty=document_penalty,
            evidence_authority_bonus=0.0,
        )
        stats = TermStats(reader, reader.analyzer)  # type: ignore[arg-type]
        retriever = HybridRetriever(reader, settings, stats)  # type: ignore[arg-type]
        retriever.signals = SimpleNamespace(  # type: ignore[assignment]
            other_structure=lambda index, p: index == 0 and not other_document,
            other_document=lambda index, p: index == 0 and other_document,
        )
        candidates = retriever.search(question, vector, k=2)
        candidates.sort(key=lambda c: c.index)  # the CPTS passage first, as the search may rank it
        return retriever.evidence(candidates, vector, stats.weights(question), prefs)[0].chunk

    assert first(0.0) == 0
    assert first(0.05) == 1
    # so does one of another document than the one the question names (« d'après la fiche URPS »)
    assert first(0.0, 0.0, other_document=True) == 0
    assert first(0.0, 0.05, other_document=True) == 1


def test_a_line_of_web_addresses_in_the_body_is_quoted_only_when_the_question_asks_for_a_way_to_reach_someone() -> None:
    """« En savoir + : https://… Contact : … » sits in the advice sheet's body under the regional delegation's
    missions: quoted for « Quel est le rôle des associations agréées ? », it answered nothing. It stays evidence for
    a question that asks for resources or contacts (back matter may answer those)."""
    from assistant.signals import Preferences

    corpus = [
        chunk(
            0,
            "La délégation informe et accompagne les associations agréées. En savoir + : "
            "https://occitanie.france-assos-sante.org/ Contact : occitanie@france-assos-sante.org",
        )
    ]
    reader = TinyReader(corpus)
    stats = TermStats(reader, reader.analyzer)  # type: ignore[arg-type]
    retriever = HybridRetriever(reader, Settings(), stats)  # type: ignore[arg-type]
    question = "Quel est le rôle des associations agréées ?"
    vector = reader.embed(question)
    candidates = retriever.search(question, vector, k=1)

    def quoted(prefs: Preferences) -> list[str]:
        evidence = retriever.evidence(candidates, vector, stats.weights(question), prefs)
        return [reader.sentences[e.sentence].text for e in evidence]

    assert not any("https://" in text for text in quoted(Preferences()))
    assert any("https://" in text for text in quoted(Preferences(asks_resources=True)))


def test_a_partial_notice_names_no_everyday_word_only_what_is_asked() -> None:
    """« Les documents de référence ne parlent pas de « dois » » (and « bientôt », « fou ») named a word of any
    question as the missing topic: among the most frequent words of French, a word without a determiner before it is
    not named, and with nothing else missing the notice says the documents do not answer directly. A frequent noun the
    question determines (« le numéro de téléphone ») is what is asked: still named."""
    from assistant.coverage import partial_notice
    from assistant.guard import Assessment
    from assistant.prompts import load_phrases

    phrases = load_phrases(Settings().prompts_dir, "extractive")
    settings = Settings.model_construct()
    question = "Est-ce que je dois faire des hautes études pour être un patient partenaire ?"
    must = Assessment(1.0, 0.9, 1.0, 0.2, None, False, ["dois"])
    notice = partial_notice(must, phrases, settings, question=question)
    assert "« dois »" not in notice and notice.startswith(phrases["partial_general"].split(".")[0])
    both = Assessment(1.0, 0.9, 1.0, 0.4, None, False, ["dois", "ostéopathie"])
    assert "ne parlent pas d'« ostéopathie »." in partial_notice(
        both, phrases, settings, question=f"{question} ostéopathie"
    )
    number = Assessment(1.0, 0.9, 1.0, 0.2, None, False, ["numéro"])
    asked = "c'est quoi le numero de telephone de france assos santé occitanie ?"
    assert "« numéro »" in partial_notice(number, phrases, settings, question=asked)
    # so is one after « quel » or a preposition (a second reader's « en prison », « combien d'argent »)
    for word, asked in [("prison", "un représentant peut-il aller en prison ?"), ("argent", "combien d'argent ?")]:
        found = Assessment(1.0, 0.9, 1.0, 0.2, None, False, [word])
        assert f"« {word} »" in partial_notice(found, phrases, settings, question=asked)
