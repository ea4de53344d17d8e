"""Ingestion: documents → passages and sentences → vectors, BM25 and Chroma (see ``python -m ingest``).

Importing this package first sets numpy's BLAS to one thread (unless ``OPENBLAS_NUM_THREADS`` is already
set): a question multiplies one vector by the passage matrix, and two BLAS threads waiting for each other
on a busy 2-core machine took 20–72 ms for a product that one thread does in 0.2 ms (docs/performance.md).
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
