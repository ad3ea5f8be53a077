"""Synthetic face embeddings with controllable genuine and impostor similarity (pure, seeded).

Each identity has a unit "identity vector" ``μ``; each capture of it is
``normalize(μ + σ·g)`` with isotropic Gaussian noise ``g ~ N(0, I/d)``. A capture's cosine to
its identity is ``q = 1/sqrt(1 + σ²)``, so two captures of one person score about ``q₁·q₂``:
drawing ``q`` per capture around ``sqrt(mean)`` sets the genuine mean and spread. Impostors
score ``q₁·q₂·(μ_a·μ_b)``, which is about 0 for isotropic identities (spread ``≈ 1/sqrt(d)``).

Two kinds of identity space, because an approximate index behaves very differently on them:

- **isotropic** (``clusters=0, anisotropy=0``): identities uniform on the sphere. No structure
  for an index to exploit: the worst case for IVF-style shortlisting.
- **clustered** (realistic): identities grouped around cluster centres (cosine between two
  identities of one cluster about ``cluster_similarity``) in a space whose variance decays
  over the dimensions (``anisotropy``: exponent of a power-law spectrum), as real face
  embeddings do.

:func:`stream` produces a population with planted duplicates (second enrolments of the same
person) in float32 blocks, fast enough for the 1,000,000 x 512 deduplication benchmark; the
data depend on the seed only, never on the block size asked for.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
#: Rows generated per internal block: the unit of determinism (each block has its own RNG).
BLOCK_ROWS = 8192
_IDENTITY, _CAPTURE, _PLAN, _CENTRES, _QUALITY = 1, 2, 3, 4, 5


@dataclass(frozen=True, slots=True)
class EmbeddingSpec:
    """The shape of a synthetic embedding space and of its genuine-score distribution."""

    dim: int = 512
    genuine_mean: float = 0.72
    genuine_stdev: float = 0.06
    clusters: int = 0
    cluster_similarity: float = 0.15
    anisotropy: float = 0.0
    model_id: str = "synth-face-512"

    def __post_init__(self) -> None:
        if self.dim < 2:
            raise ValueError("dim must be at least 2")
        if not 0.05 <= self.genuine_mean < 1.0:
            raise ValueError("genuine_mean must lie in [0.05, 1)")
        if not 0.0 <= self.genuine_stdev < 0.5:
            raise ValueError("genuine_stdev must lie in [0, 0.5)")
        if self.clusters < 0 or not 0.0 <= self.cluster_similarity < 1.0:
            raise ValueError("clusters must be >= 0 and cluster_similarity in [0, 1)")
        if self.anisotropy < 0:
            raise ValueError("anisotropy must be >= 0")

    def noise_floor(self) -> float:
        """The genuine stdev that noise alone gives, about ``sqrt((1-m)²(1+m)/d)`` (fitted to
        simulation within 5%); a requested stdev below it cannot be reached."""
        m = self.genuine_mean
        return math.sqrt((1.0 - m) ** 2 * (1.0 + m) / self.dim)


#: The worst case for an approximate index: no structure at all.
ISOTROPIC = EmbeddingSpec()
#: Closer to real face embeddings: clusters in an anisotropic space.
CLUSTERED = EmbeddingSpec(clusters=256, cluster_similarity=0.15, anisotropy=0.5)


def _rng(seed: int, *path: int) -> np.random.Generator:
    return np.random.default_rng([seed, *path])


def _normalise(rows: F32) -> F32:
    norms = np.sqrt(np.einsum("ij,ij->i", rows, rows, dtype=np.float32))
    rows /= norms[:, None]
    return rows


def _spectrum(spec: EmbeddingSpec) -> F32 | None:
    """Per-dimension scale of the identity space (mean square 1), or None when isotropic."""
    if spec.anisotropy == 0:
        return None
    weights = np.arange(1, spec.dim + 1, dtype=np.float64) ** -spec.anisotropy
    weights /= math.sqrt(float(np.mean(weights**2)))
    return weights.astype(np.float32)


def _directions(rng: np.random.Generator, n: int, spectrum: F32 | None, dim: int) -> F32:
    rows = rng.standard_normal((n, dim), dtype=np.float32)
    if spectrum is not None:
        rows *= spectrum
    return _normalise(rows)


class _Space:
    """Cluster centres and spectrum, shared by every block of one seed."""

    def __init__(self, spec: EmbeddingSpec, seed: int) -> None:
        self.spec = spec
        self.seed = seed
        self.spectrum = _spectrum(spec)
        self.centres: F32 | None = None
        if spec.clusters:
            self.centres = _directions(_rng(seed, _CENTRES), spec.clusters, self.spectrum, spec.dim)
            self.scaled_centres = self.centres * np.float32(math.sqrt(spec.cluster_similarity))

    def identities(self, rng: np.random.Generator, n: int) -> F32:
        spec = self.spec
        if self.centres is None:
            return _directions(rng, n, self.spectrum, spec.dim)
        # In high dimension a Gaussian row's norm is sqrt(d) to within a few per cent, so one
        # scalar scale replaces a per-row normalisation before mixing in the centre.
        rho = spec.cluster_similarity
        rows = rng.standard_normal((n, spec.dim), dtype=np.float32)
        scale = np.float32(math.sqrt((1.0 - rho) / spec.dim))
        if self.spectrum is not None:
            rows *= self.spectrum * scale
        else:
            rows *= scale
        rows += self.scaled_centres[rng.integers(0, spec.clusters, n)]
        return _normalise(rows)

    def captures(self, rng: np.random.Generator, identities: F32) -> F32:
        """One capture per identity row: identity plus noise of a per-capture quality."""
        spec = self.spec
        n, dim = identities.shape
        spread = max(spec.genuine_stdev**2 - spec.noise_floor() ** 2, 0.0)
        tau = math.sqrt(spread / (2.0 * spec.genuine_mean))
        q = np.clip(math.sqrt(spec.genuine_mean) + tau * rng.standard_normal(n), 0.05, 0.999)
        sigma = np.sqrt(1.0 / q**2 - 1.0).astype(np.float32) / np.float32(math.sqrt(dim))
        rows = rng.standard_normal((n, dim), dtype=np.float32)
        rows *= sigma[:, None]
        rows += identities
        return _normalise(rows)


def identities(spec: EmbeddingSpec, seed: int, n: int) -> F32:
    """``n`` identity vectors (unit rows) of the space ``spec`` describes."""
    space = _Space(spec, seed)
    return space.identities(_rng(seed, _IDENTITY), n)


def captures(spec: EmbeddingSpec, seed: int, identity_vectors: F32) -> F32:
    """One noisy capture (unit float32 row) per identity vector; call with another seed for
    another capture session of the same people."""
    space = _Space(spec, 0)
    return space.captures(_rng(seed, _CAPTURE), np.asarray(identity_vectors, dtype=np.float32))


def capture_of(spec: EmbeddingSpec, seed: int, identity: int, session: int) -> F32:
    """Capture ``session`` of identity number ``identity``: one unit float32 vector.

    For galleries and probes built person by person (enrolment demos, identification tests):
    the same identity and session always give the same vector, another session of the same
    identity a genuine match, another identity an impostor.
    """
    space = _Space(spec, seed)
    ident = space.identities(_rng(seed, _IDENTITY, 1 << 40, identity), 1)
    return space.captures(_rng(seed, _CAPTURE, identity, session), ident).reshape(-1)


def planted_duplicates(n: int, seed: int, duplicate_rate: float) -> npt.NDArray[np.int64]:
    """The ``(original, duplicate)`` row pairs :func:`stream` plants, sorted by duplicate.

    ``round(n * duplicate_rate)`` pairs over distinct rows (no chains): the duplicate is always
    the later row, as a second enrolment would be.
    """
    if not 0.0 <= duplicate_rate <= 0.5:
        raise ValueError("duplicate_rate must lie in [0, 0.5]")
    pairs = min(round(n * duplicate_rate), n // 2)
    if pairs == 0:
        return np.zeros((0, 2), dtype=np.int64)
    rows = _rng(seed, _PLAN).choice(n, size=2 * pairs, replace=False).reshape(pairs, 2)
    rows.sort(axis=1)
    return rows[np.argsort(rows[:, 1], kind="stable")].astype(np.int64)


def stream(
    spec: EmbeddingSpec,
    n: int,
    seed: int,
    *,
    duplicate_rate: float = 0.01,
    chunk_rows: int = 65536,
) -> Iterator[F32]:
    """``n`` unit float32 embeddings in blocks of ``chunk_rows`` (the last may be shorter).

    Row ``j`` of a planted pair ``(i, j)`` is a fresh capture of row ``i``'s identity. The
    rows are the same whatever ``chunk_rows`` is. Memory: one block plus the identity vectors
    of originals still waiting for their duplicate (at most ``pairs x dim`` floats).
    """
    if n < 0 or chunk_rows < 1:
        raise ValueError("n must be >= 0 and chunk_rows >= 1")
    space = _Space(spec, seed)
    pairs = planted_duplicates(n, seed, duplicate_rate)
    originals = np.sort(pairs[:, 0])
    stash: dict[int, F32] = {}
    pending: list[F32] = []
    pending_rows = 0
    for block, start in enumerate(range(0, n, BLOCK_ROWS)):
        stop = min(start + BLOCK_ROWS, n)
        rng = _rng(seed, _IDENTITY, block)
        ident = space.identities(rng, stop - start)
        lo, hi = np.searchsorted(originals, [start, stop])
        for row in originals[lo:hi].tolist():
            stash[row] = ident[row - start].copy()
        lo, hi = np.searchsorted(pairs[:, 1], [start, stop])
        for original, duplicate in pairs[lo:hi].tolist():
            ident[duplicate - start] = stash.pop(original)
        pending.append(space.captures(rng, ident))
        pending_rows += stop - start
        while pending_rows >= chunk_rows:
            joined = np.concatenate(pending) if len(pending) > 1 else pending[0]
            yield joined[:chunk_rows]
            rest = joined[chunk_rows:]
            pending, pending_rows = ([rest], len(rest)) if len(rest) else ([], 0)
    if pending_rows:
        yield np.concatenate(pending) if len(pending) > 1 else pending[0]
