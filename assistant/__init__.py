"""The assistant: questions → typed answers from the index (see the README)."""

import ingest  # noqa: F401  (first: one BLAS thread before numpy loads)
