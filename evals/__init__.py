"""Evaluation of the assistant on QA sets (see the README)."""

import ingest  # noqa: F401  (first: one BLAS thread before numpy loads)
