"""Approximate 1:N index over face embeddings: faiss IVF with 8-bit scalar quantisation (pure).

Why this shape: a national self-join compares every enrolled person with every other one
(about 8·10¹² pairs at 4 million voters). An inverted file cuts that to the few lists a
vector falls near, and 8-bit codes (512 bytes for a 512-d template instead of 2 KiB) keep a
million templates in half a gibibyte and scan four times faster. The codes only *shortlist*:
every candidate is re-scored exactly on the original float vectors before it counts, and
the shortlist threshold sits a margin below the decision threshold so that quantisation
error cannot push a true duplicate out.

One index holds one model's templates: vectors of different embedding models live in
different spaces and a score between them means nothing, so :class:`EmbeddingIndex` refuses
a vector whose model id is not its own, and :class:`ModelIndexes` keeps one index per model.

Rows are numbered 0..n-1 in the order they were added; callers map rows to persons.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import faiss
import numba as nb
import numpy as np
import numpy.typing as npt

from shailoo.common import safe_json
from shailoo.common.refusals import InvalidInput

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]
#: Held-out rows on which training estimates what a probing ratio costs.
CALIBRATION_ROWS = 16384


class DedupIndexError(InvalidInput):
    """A request the index cannot serve (wrong model, wrong shape, not trained)."""

    default_code = "dedup_request_invalid"

    def __init__(self, message: str) -> None:
        super().__init__(self.default_code, message)


class ModelMismatchError(DedupIndexError):
    """Templates of another embedding model: never compared."""

    default_code = "embedding_model_mismatch"


@dataclass(frozen=True, slots=True)
class IndexParams:
    """Tuning of the shortlist; see docs/operator/dedup.md for how to choose them.

    ``nlist`` 0 means "choose from the size": about ``lists_per_root``·√n lists, a power of
    two. ``train_per_list`` sample rows per list train the k-means: fewer give noisy lists
    and cost recall on unstructured data.

    Probing is adaptive: a vector scans every list whose centroid similarity reaches
    ``probe_ratio`` times that of its nearest list, at least ``min_nprobe`` lists and at most
    ``probe`` of all lists (``nprobe = probe · nlist``). Why: the duplicates a fixed count
    misses belong to vectors that sit between several lists of nearly equal similarity
    (boundary rows, dense regions split by the k-means); a vector deep inside one list needs
    few. At the same cost as a fixed count the ratio rule finds most of those pairs.

    ``scan_budget`` spends spare time where the data need it: when the ratio rule would scan
    less than this share of all rows per vector on average (estimated on held-out rows at
    training), the ratio is lowered until it scans about that much. Structured (clustered)
    data already use the budget at ``probe_ratio``; structureless (isotropic) data, where
    every centroid is about as near, would otherwise scan a handful of lists and miss many
    duplicates. The ratio is never raised above ``probe_ratio``; 0 turns the budget off.
    ``margin`` is how far below the decision threshold the 8-bit shortlist reaches.
    """

    nlist: int = 0
    lists_per_root: float = 2.0
    probe: float = 0.03
    probe_ratio: float = 0.85
    scan_budget: float = 0.012
    min_nprobe: int = 4
    train_per_list: int = 32
    kmeans_iterations: int = 10
    margin: float = 0.03
    seed: int = 1234

    def __post_init__(self) -> None:
        if not 0.0 < self.probe_ratio <= 1.0:
            raise DedupIndexError(f"probe_ratio must lie in (0, 1], got {self.probe_ratio}")
        if self.min_nprobe < 1 or not 0.0 < self.probe <= 1.0:
            raise DedupIndexError("min_nprobe must be at least 1 and probe lie in (0, 1]")
        if self.margin < 0:
            raise DedupIndexError(f"margin must not be negative, got {self.margin}")
        if not 0.0 <= self.scan_budget <= 1.0:
            raise DedupIndexError(f"scan_budget must lie in [0, 1], got {self.scan_budget}")

    def lists_for(self, n: int) -> int:
        if self.nlist:
            return self.nlist
        target = max(16, int(self.lists_per_root * math.sqrt(max(n, 1))))
        return 1 << round(math.log2(target))

    def training_rows(self, n: int) -> I64:
        """The sorted rows to train on: the k-means sample plus the held-out rows that set the
        scan budget's ratio (deterministic by ``seed``)."""
        want = self.lists_for(n) * self.train_per_list + CALIBRATION_ROWS
        rng = np.random.default_rng(self.seed)
        rows: I64 = np.sort(rng.choice(n, min(n, want), replace=False)).astype(np.int64)
        return rows

    def nprobe_for(self, nlist: int) -> int:
        """The most lists one vector may scan (the width of a probe table)."""
        return min(nlist, max(self.min_nprobe, round(self.probe * nlist)))

    def adaptive(self, similarity: F32, lists: I64) -> I64:
        """``lists`` (nearest first, with their centroid ``similarity``) cut by the ratio rule;
        dropped entries become -1, which faiss and :func:`self_join_rows` skip."""
        best = similarity[:, :1]
        keep = (similarity >= self.probe_ratio * best) | (best <= 0)
        keep[:, : self.min_nprobe] = True
        kept: I64 = np.where(keep & (lists >= 0), lists, -1).astype(np.int64)
        return kept


def normalise(vectors: npt.ArrayLike) -> F32:
    """Unit-length float32 rows (cosine similarity becomes an inner product)."""
    array = np.ascontiguousarray(vectors, dtype=np.float32)
    if array.ndim != 2:
        raise DedupIndexError(f"embeddings must be a 2-d array, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        bad = int(np.argwhere(~np.isfinite(array))[0][0])
        raise DedupIndexError(f"row {bad}: embedding holds NaN or infinity")
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    zero = np.flatnonzero(norms[:, 0] == 0)
    if zero.size:
        raise DedupIndexError(f"row {int(zero[0])}: embedding is all zeros")
    return np.ascontiguousarray(array / norms, dtype=np.float32)


def exact_scores(a: F32, b: F32) -> npt.NDArray[np.float32]:
    """Row-wise cosine of two equally long stacks of unit vectors (the exact re-score)."""
    scores: npt.NDArray[np.float32] = np.einsum("ij,ij->i", a, b, dtype=np.float32)
    return scores


@dataclass(slots=True)
class Pairs:
    """Candidate pairs as rows ``a < b`` with their exact cosine, sorted by (a, b)."""

    a: I64
    b: I64
    score: npt.NDArray[np.float32]

    @staticmethod
    def empty() -> Pairs:
        return Pairs(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32))

    def __len__(self) -> int:
        return int(self.a.size)

    @staticmethod
    def merge(parts: list[Pairs]) -> Pairs:
        """Union of pair sets; a pair found from both sides is kept once."""
        if not parts:
            return Pairs.empty()
        a = np.concatenate([p.a for p in parts])
        b = np.concatenate([p.b for p in parts])
        s = np.concatenate([p.score for p in parts])
        return Pairs.unique(a, b, s)

    @staticmethod
    def unique(a: I64, b: I64, score: npt.NDArray[np.float32]) -> Pairs:
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        keep = lo != hi
        lo, hi, score = lo[keep], hi[keep], score[keep]
        order = np.lexsort((hi, lo))
        lo, hi, score = lo[order], hi[order], score[order]
        first = np.ones(lo.size, dtype=bool)
        first[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
        return Pairs(lo[first], hi[first], score[first].astype(np.float32))


@dataclass
class EmbeddingIndex:
    """IVF-SQ8 over unit vectors of one embedding model."""

    model_id: str
    dim: int
    params: IndexParams = field(default_factory=IndexParams)
    index: faiss.IndexIVFScalarQuantizer | None = None

    def _check(self, model_id: str, vectors: F32) -> None:
        if model_id != self.model_id:
            raise ModelMismatchError(
                f"templates of model {model_id!r} cannot be compared with the index of "
                f"model {self.model_id!r}"
            )
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise DedupIndexError(
                f"model {self.model_id!r} has {self.dim}-d embeddings, got shape {vectors.shape}"
            )

    @property
    def ntotal(self) -> int:
        return 0 if self.index is None else int(self.index.ntotal)

    @property
    def nprobe(self) -> int:
        return 0 if self.index is None else int(self.index.nprobe)

    def train(self, model_id: str, sample: F32, expected_total: int) -> None:
        """Learn the coarse lists and the per-dimension 8-bit ranges from a sample, then the
        probing ratio the scan budget allows (on the sample rows k-means did not see)."""
        self._check(model_id, sample)
        nlist = min(self.params.lists_for(expected_total), max(1, sample.shape[0] // 4))
        want = nlist * self.params.train_per_list
        held_out = sample
        if sample.shape[0] > want:
            order = np.random.default_rng(self.params.seed).permutation(sample.shape[0])
            held_out = sample[np.sort(order[want : want + CALIBRATION_ROWS])]
            sample = sample[np.sort(order[:want])]
            if held_out.shape[0] < 256:  # too few to estimate a cost: reuse the k-means rows
                held_out = sample
        quantizer = faiss.IndexFlatIP(self.dim)
        index = faiss.IndexIVFScalarQuantizer(
            quantizer, self.dim, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        index.by_residual = False  # list-independent codes: cheaper scans, same shortlist
        index.cp.niter = self.params.kmeans_iterations
        index.cp.seed = self.params.seed
        index.cp.min_points_per_centroid = 1  # small training sets are fine, no warning spam
        index.train(np.ascontiguousarray(sample))
        index.nprobe = self.params.nprobe_for(nlist)
        self.index = index
        self.params = replace(
            self.params, probe_ratio=self._budget_ratio(np.ascontiguousarray(held_out))
        )

    def _budget_ratio(self, held_out: F32) -> float:
        """The lowest ratio (most lists) whose estimated scan stays within the budget, and never
        above ``probe_ratio``. Half the held-out rows estimate each list's share of all rows,
        the other half what each ratio would make them scan."""
        params = self.params
        if params.scan_budget == 0 or held_out.shape[0] < 2:
            return params.probe_ratio
        index = self._trained()
        similarity, lists = index.quantizer.search(held_out, index.nprobe)
        half = held_out.shape[0] // 2
        share = np.bincount(lists[:half, 0], minlength=index.nlist) / half
        similarity, lists = similarity[half:], lists[half:]
        scanned = share[np.maximum(lists, 0)] * (lists >= 0)
        chosen = params.probe_ratio
        for ratio in np.arange(params.probe_ratio, 0.0, -0.01):
            keep = replace(params, probe_ratio=float(ratio)).adaptive(similarity, lists) >= 0
            if float((scanned * keep).sum(axis=1).mean()) > params.scan_budget:
                break
            chosen = float(ratio)
        return round(chosen, 2)

    def _trained(self) -> faiss.IndexIVFScalarQuantizer:
        if self.index is None or not self.index.is_trained:
            raise DedupIndexError(f"the index of model {self.model_id!r} is not trained")
        return self.index

    def probes(self, vectors: F32) -> I64:
        """The lists each vector scans, nearest first, padded with -1 to ``nprobe`` columns
        (the ratio rule of :class:`IndexParams`)."""
        index = self._trained()
        similarity, lists = index.quantizer.search(vectors, index.nprobe)
        return self.params.adaptive(
            np.asarray(similarity, dtype=np.float32), np.asarray(lists, dtype=np.int64)
        )

    def add(self, model_id: str, vectors: F32, probes: I64 | None = None) -> None:
        """Append unit vectors as rows ``ntotal..``; ``probes`` reuses a computed assignment."""
        self._check(model_id, vectors)
        index = self._trained()
        if probes is None:
            probes = self.probes(vectors)
        assign = np.ascontiguousarray(probes[:, 0])
        ids = np.arange(index.ntotal, index.ntotal + vectors.shape[0], dtype=np.int64)
        index.add_core(
            vectors.shape[0], faiss.swig_ptr(vectors), faiss.swig_ptr(ids), faiss.swig_ptr(assign)
        )

    def shortlist(
        self, model_id: str, vectors: F32, threshold: float, probes: I64 | None = None
    ) -> tuple[I64, I64, npt.NDArray[np.float32]]:
        """(query position, row, approximate score) of rows scoring ≥ threshold − margin."""
        self._check(model_id, vectors)
        index: Any = self._trained()  # faiss's stubs miss the numpy wrappers
        if probes is None:
            probes = self.probes(vectors)
        dummy = np.zeros(probes.shape, dtype=np.float32)
        lims, scores, rows = index.range_search_preassigned(
            vectors, float(threshold - self.params.margin), probes, dummy
        )
        queries = np.repeat(
            np.arange(vectors.shape[0], dtype=np.int64), np.diff(lims).astype(np.int64)
        )
        return queries, rows.astype(np.int64), scores.astype(np.float32)

    def decoder(self) -> tuple[F32, F32]:
        """``scale, offset`` with ``code · scale + offset`` = faiss's 8-bit decoding.

        Decoding in numpy keeps faiss's OpenMP threads out of the BLAS loop of the self-join
        (their spin-waiting halves the speed of the matrix products).
        """
        trained = faiss.vector_to_array(self._trained().sq.trained).astype(np.float32)
        vmin, vdiff = trained[: self.dim], trained[self.dim :]
        return vdiff / 255.0, vmin + 0.5 * vdiff / 255.0

    def save(self, path: Path) -> None:
        """The faiss index, and beside it the probing ratio training chose."""
        faiss.write_index(self._trained(), str(path))
        _ratio_path(path).write_text(
            json.dumps({"probe_ratio": self.params.probe_ratio}), encoding="utf-8"
        )

    @classmethod
    def load(cls, path: Path, model_id: str, params: IndexParams | None = None) -> EmbeddingIndex:
        index: Any = faiss.read_index(str(path))
        params = params or IndexParams()
        saved = _ratio_path(path)
        if saved.exists():
            try:
                ratio = float(safe_json.loads(saved.read_bytes(), source=str(saved))["probe_ratio"])
            except (ValueError, KeyError, TypeError) as exc:
                raise DedupIndexError(f"{saved}: unreadable probing ratio ({exc})") from None
            params = replace(params, probe_ratio=ratio)
        return cls(model_id, int(index.d), params, index)


def _ratio_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def self_join_rows(
    index: EmbeddingIndex,
    vectors: F32,
    start: int,
    stop: int,
    threshold: float,
    *,
    probes: npt.NDArray[np.integer] | None = None,
) -> Pairs:
    """Pairs between rows ``start:stop`` (as queries) and the whole index, exactly re-scored.

    Why not faiss's own search: a self-join asks the same lists again and again, so the
    queries are grouped by the list they probe and each list's 8-bit codes are decoded once
    and met with one matrix product (BLAS runs several times faster than scanning codes one
    query at a time). ``vectors`` holds every indexed row (an array or a memory map of the unit
    vectors): the shortlist's 8-bit scores are replaced by the exact cosine before the
    threshold applies. ``probes`` are the rows' lists when the caller kept them from the build
    (-1 entries, lists the ratio rule left out, are skipped).
    """
    ivf: Any = index._trained()
    queries = np.ascontiguousarray(vectors[start:stop], dtype=np.float32)
    if probes is None:
        probes = index.probes(queries)
    probes = np.asarray(probes)[:, : ivf.nprobe]
    flat = probes.ravel()
    qpos = np.repeat(np.arange(queries.shape[0], dtype=np.int64), probes.shape[1])
    probed = flat >= 0  # -1: a list the ratio rule left out
    flat, qpos = flat[probed], qpos[probed]
    order = np.argsort(flat, kind="stable")
    flat, qpos = flat[order], qpos[order]
    cuts = np.flatnonzero(np.diff(flat)) + 1
    low = float(threshold - index.params.margin)
    found_q: list[I64] = []
    found_r: list[I64] = []
    invlists: Any = faiss.downcast_InvertedLists(ivf.invlists)
    scale, offset = index.decoder()
    for group in np.split(np.arange(flat.size), cuts):
        if group.size == 0:
            continue
        rows, codes = _list_contents(invlists, int(flat[group[0]]))
        if rows.size == 0:
            continue
        members = qpos[group]
        sims = queries[members] @ (codes * scale + offset).T
        qi, ri = _hits(sims, low)
        if qi.size:
            found_q.append(members[qi] + start)
            found_r.append(rows[ri])
    if not found_q:
        return Pairs.empty()
    qrows = np.concatenate(found_q)
    rows = np.concatenate(found_r)
    keep = rows != qrows
    qrows, rows = qrows[keep], rows[keep]
    order = np.argsort(rows, kind="stable")  # sorted reads from a memory map
    qrows, rows = qrows[order], rows[order]
    exact = exact_scores(queries[qrows - start], np.asarray(vectors[rows], dtype=np.float32))
    good = exact >= threshold
    return Pairs.unique(qrows[good], rows[good], exact[good])


@nb.njit(cache=True, nogil=True)
def _hits(sims: F32, low: float) -> tuple[I64, I64]:
    """``np.nonzero(sims >= low)`` in two tight passes (the product's scan costs a third of
    the product itself in numpy; hits are rare, so counting first is cheap)."""
    rows, cols = sims.shape
    count = 0
    for i in range(rows):
        for j in range(cols):
            if sims[i, j] >= low:
                count += 1
    qi = np.empty(count, dtype=np.int64)
    ri = np.empty(count, dtype=np.int64)
    k = 0
    for i in range(rows):
        for j in range(cols):
            if sims[i, j] >= low:
                qi[k] = i
                ri[k] = j
                k += 1
    return qi, ri


def _list_contents(invlists: Any, number: int) -> tuple[I64, npt.NDArray[np.uint8]]:
    """The row ids and 8-bit codes stored in one inverted list (copied out of faiss)."""
    size = int(invlists.list_size(number))
    rows = np.zeros(size, dtype=np.int64)
    codes = np.zeros((size, invlists.code_size), dtype=np.uint8)
    if size:
        ids_ptr = invlists.get_ids(number)
        codes_ptr = invlists.get_codes(number)
        try:
            faiss.memcpy(faiss.swig_ptr(rows), ids_ptr, rows.nbytes)
            faiss.memcpy(faiss.swig_ptr(codes), codes_ptr, codes.nbytes)
        finally:
            invlists.release_ids(number, ids_ptr)
            invlists.release_codes(number, codes_ptr)
    return rows, codes


def exact_neighbours(
    queries: F32, vectors: F32, threshold: float, *, chunk: int = 65536
) -> Iterator[tuple[int, I64, npt.NDArray[np.float32]]]:
    """Brute force: for each query position, every row with cosine ≥ threshold (the truth)."""
    found: dict[int, list[tuple[I64, npt.NDArray[np.float32]]]] = {}
    for lo in range(0, vectors.shape[0], chunk):
        block = np.asarray(vectors[lo : lo + chunk], dtype=np.float32)
        sims = queries @ block.T
        qs, rs = np.nonzero(sims >= threshold)
        for q in np.unique(qs):
            mask = qs == q
            found.setdefault(int(q), []).append((rs[mask] + lo, sims[q, rs[mask]]))
    for q in range(queries.shape[0]):
        items = found.get(q, [])
        rows = np.concatenate([r for r, _ in items]) if items else np.zeros(0, np.int64)
        sims = np.concatenate([s for _, s in items]) if items else np.zeros(0, np.float32)
        yield q, rows.astype(np.int64), sims.astype(np.float32)


class ModelIndexes:
    """One :class:`EmbeddingIndex` per model id, so models can never meet in one search."""

    def __init__(self, params: IndexParams | None = None) -> None:
        self.params = params or IndexParams()
        self._by_model: dict[str, EmbeddingIndex] = {}

    def for_model(self, model_id: str, dim: int) -> EmbeddingIndex:
        index = self._by_model.get(model_id)
        if index is None:
            index = self._by_model[model_id] = EmbeddingIndex(model_id, dim, self.params)
        elif index.dim != dim:
            raise DedupIndexError(f"model {model_id!r} has {index.dim}-d embeddings, not {dim}-d")
        return index

    def models(self) -> list[str]:
        return sorted(self._by_model)


def build_index(
    model_id: str,
    vectors: F32,
    params: IndexParams | None = None,
    *,
    chunk: int = 65536,
) -> EmbeddingIndex:
    """Train on a sample and add every row, in chunks (the memory stays near the codes)."""
    if vectors.shape[0] == 0:
        raise DedupIndexError(f"no embeddings of model {model_id!r} to index")
    index = EmbeddingIndex(model_id, int(vectors.shape[1]), params or IndexParams())
    params = index.params
    n = vectors.shape[0]
    rows = params.training_rows(n)
    index.train(model_id, np.asarray(vectors[rows], dtype=np.float32), n)
    for lo in range(0, n, chunk):
        index.add(model_id, np.ascontiguousarray(vectors[lo : lo + chunk], dtype=np.float32))
    return index
