"""Minutia Cylinder-Code matcher with LSS-R relaxation (Cappelli, Ferrara & Maltoni, 2010).

Each minutia gets a *cylinder*: a 16 x 16 spatial grid (radius 70 px) rotated to the
minutia's direction, times 6 direction slices, one bit per cell saying whether neighbouring
minutiae with that relative direction lie there. Cylinders are invariant to rotation and
translation by construction, so comparing two templates never searches over poses; the bit
form makes a cylinder comparison 24 AND/XOR/popcount word operations. A global step then
keeps only pairs that agree with each other geometrically (LSS-R relaxation), which is what
rejects impostors whose local neighbourhoods happen to look alike.

``prepare(template)`` builds the cylinders once (for a gallery: at enrolment);
``score(a, b)`` compares two prepared templates and returns a similarity in ``[0, 1]``.
``score_many`` compares one probe with a stack of gallery templates in one compiled loop.
The raw score is not a probability: ``shailoo.biometrics.calibration`` maps it to
``-log10(FMR)``.

Every kernel is compiled ``nogil``: a server answers check-ins on several threads of one
process, and a kernel that held the interpreter lock would make two stations' voters queue
for one core while the other sits idle.

Internally the y axis is flipped (``v = -y``), so that the standard's angle, counter-clockwise
as seen on the image, becomes the ordinary mathematical angle of the direction vector.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numba as nb
import numpy as np
import numpy.typing as npt
from numba import types
from numba.extending import intrinsic

from shailoo.biometrics.minutiae import FingerTemplate

# Cylinder parameters from the MCC paper (500 dpi): radius, cells per side, direction slices.
RADIUS = 70.0
NS = 16
ND = 6
SIGMA_S = 28.0 / 3.0
SIGMA_D = 2.0 * math.pi / 9.0
MU_PSI = 0.01
OMEGA = 50.0  # convex-hull offset (px) beyond which cells are outside the finger
MIN_VALID_FRACTION = 0.75  # a cylinder needs this share of its disc valid...
MIN_NEIGHBOURS = 2  # ...and this many minutiae nearby, else it says nothing
MIN_MATCHABLE_FRACTION = 0.6  # two cylinders compare only on enough common valid cells
MAX_DIRECTION_DIFF = math.pi / 2.0

CELLS = NS * NS  # 256 spatial cells = 4 words
MASK_WORDS = CELLS // 64
WORDS = MASK_WORDS * ND  # 24 words per cylinder

# LSS-R consolidation parameters (paper, section 5).
MIN_NP = 4
MAX_NP = 12
MU_P = 20.0
TAU_P = 0.4
W_R = 0.5
N_REL = 5
# Relative-direction tolerance pi/7 (paper: pi/12): that difference combines four minutia
# directions, so its error is twice one direction's; at pi/12 genuine pairs were dropped.
MU_RHO = (5.0, math.pi / 7.0, math.pi / 12.0)
TAU_RHO = (-8.0 / 5.0, -30.0, -30.0)
DIST_RELATIVE = 0.02  # distance tolerance growing with distance (skin stretches)
MAX_NR = 64  # pairs kept for relaxation
BUCKETS = 256
PREFILTER_CYLINDERS = 24  # probe cylinders used by the identification pre-filter
PREFILTER_TOP = 6  # best cylinder matches averaged by the pre-filter


@dataclass(frozen=True, slots=True)
class PreparedTemplate:
    """Cylinders of one template, kept only for minutiae whose cylinder is valid.

    ``geometry`` rows are ``u, v, theta`` in the internal (y up) frame; ``bits`` and ``mask``
    hold the cylinder cells and their validity as 64-bit words. Never log these: they are
    biometric data.
    """

    geometry: npt.NDArray[np.float64]
    bits: npt.NDArray[np.uint64]
    mask: npt.NDArray[np.uint64]
    mask_count: npt.NDArray[np.int32]
    minutiae: int

    @property
    def cylinders(self) -> int:
        return int(self.geometry.shape[0])


def _popcount_intrinsic(typingctx: Any, x: Any) -> Any:
    """Hardware popcount of a 64-bit word: numba exposes no builtin for it."""
    sig = types.uint64(types.uint64)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.ctpop(args[0])

    return sig, codegen


_popcount: Any = intrinsic(_popcount_intrinsic)


@nb.njit(cache=True, nogil=True)
def _ang_diff(a: float, b: float) -> float:
    """Signed difference a - b wrapped to [-pi, pi)."""
    d = a - b
    while d < -math.pi:
        d += 2.0 * math.pi
    while d >= math.pi:
        d -= 2.0 * math.pi
    return d


@nb.njit(cache=True, nogil=True)
def _inside_hull(px: float, py: float, hull: np.ndarray, offset: float) -> bool:
    """True if the point lies in the convex hull (counter-clockwise) or within offset of it."""
    n = hull.shape[0]
    if n == 0:
        return False
    inside = n >= 3
    best = 1e30
    for i in range(n):
        ax = hull[i, 0]
        ay = hull[i, 1]
        bx = hull[(i + 1) % n, 0]
        by = hull[(i + 1) % n, 1]
        ex = bx - ax
        ey = by - ay
        cross = ex * (py - ay) - ey * (px - ax)
        if cross < 0.0:
            inside = False
        el = ex * ex + ey * ey
        t = 0.0
        if el > 0.0:
            t = ((px - ax) * ex + (py - ay) * ey) / el
            t = min(1.0, max(0.0, t))
        dx = px - (ax + t * ex)
        dy = py - (ay + t * ey)
        d = dx * dx + dy * dy
        if d < best:
            best = d
    return inside or best <= offset * offset


@nb.njit(cache=True, nogil=True)
def _build_cylinders(
    geo: np.ndarray, hull: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Bit cylinders for every minutia plus a flag saying which cylinders are valid."""
    n = geo.shape[0]
    bits = np.zeros((n, WORDS), dtype=np.uint64)
    mask = np.zeros((n, MASK_WORDS), dtype=np.uint64)
    counts = np.zeros(n, dtype=np.int32)
    valid = np.zeros(n, dtype=np.bool_)
    delta_s = 2.0 * RADIUS / NS
    delta_d = 2.0 * math.pi / ND
    gauss_norm = 1.0 / (SIGMA_S * math.sqrt(2.0 * math.pi))
    reach = 3.0 * SIGMA_S
    sq2 = SIGMA_D * math.sqrt(2.0)
    in_disc = 0
    for i in range(NS):
        for j in range(NS):
            ci = (i + 0.5 - NS / 2.0) * delta_s
            cj = (j + 0.5 - NS / 2.0) * delta_s
            if ci * ci + cj * cj <= RADIUS * RADIUS:
                in_disc += 1
    contrib = np.zeros(ND)
    for m in range(n):
        mx = geo[m, 0]
        my = geo[m, 1]
        mt = geo[m, 2]
        c = math.cos(mt)
        s = math.sin(mt)
        near = 0
        for t in range(n):
            if t != m:
                dx = geo[t, 0] - mx
                dy = geo[t, 1] - my
                if dx * dx + dy * dy <= (RADIUS + reach) ** 2:
                    near += 1
        n_valid = 0
        for i in range(NS):
            for j in range(NS):
                li = (i + 0.5 - NS / 2.0) * delta_s
                lj = (j + 0.5 - NS / 2.0) * delta_s
                if li * li + lj * lj > RADIUS * RADIUS:
                    continue
                px = mx + c * li - s * lj
                py = my + s * li + c * lj
                if not _inside_hull(px, py, hull, OMEGA):
                    continue
                cell = i * NS + j
                mask[m, cell >> 6] |= np.uint64(1) << np.uint64(cell & 63)
                n_valid += 1
                for k in range(ND):
                    contrib[k] = 0.0
                for t in range(n):
                    if t == m:
                        continue
                    dx = geo[t, 0] - px
                    dy = geo[t, 1] - py
                    d2 = dx * dx + dy * dy
                    if d2 > reach * reach:
                        continue
                    cs = gauss_norm * math.exp(-d2 / (2.0 * SIGMA_S * SIGMA_S))
                    dtheta = _ang_diff(geo[t, 2], mt)
                    for k in range(ND):
                        centre = -math.pi + (k + 0.5) * delta_d
                        alpha = _ang_diff(centre, dtheta)
                        cd = 0.5 * (
                            math.erf((alpha + delta_d / 2.0) / sq2)
                            - math.erf((alpha - delta_d / 2.0) / sq2)
                        )
                        contrib[k] += cs * cd
                for k in range(ND):
                    if contrib[k] >= MU_PSI:
                        w = k * MASK_WORDS + (cell >> 6)
                        bits[m, w] |= np.uint64(1) << np.uint64(cell & 63)
        counts[m] = n_valid
        valid[m] = n_valid >= MIN_VALID_FRACTION * in_disc and near >= MIN_NEIGHBOURS
    return bits, mask, counts, valid


def _convex_hull(points: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Counter-clockwise convex hull (Andrew's monotone chain); the finger's extent."""
    pts = sorted({(float(p[0]), float(p[1])) for p in points})
    if len(pts) <= 2:
        return np.array(pts, dtype=np.float64).reshape(-1, 2)

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return np.array(lower[:-1] + upper[:-1], dtype=np.float64)


def prepare(template: FingerTemplate) -> PreparedTemplate:
    """Build the template's cylinders once; comparisons then only read them."""
    arr = template.as_array()
    geo = np.empty((arr.shape[0], 3), dtype=np.float64)
    geo[:, 0] = arr[:, 0]
    geo[:, 1] = -arr[:, 1]
    geo[:, 2] = arr[:, 2]
    if geo.shape[0] == 0:
        return PreparedTemplate(
            geometry=np.zeros((0, 3)),
            bits=np.zeros((0, WORDS), dtype=np.uint64),
            mask=np.zeros((0, MASK_WORDS), dtype=np.uint64),
            mask_count=np.zeros(0, dtype=np.int32),
            minutiae=0,
        )
    hull = _convex_hull(geo[:, :2])
    bits, mask, counts, valid = _build_cylinders(geo, hull)
    return PreparedTemplate(
        geometry=np.ascontiguousarray(geo[valid]),
        bits=np.ascontiguousarray(bits[valid]),
        mask=np.ascontiguousarray(mask[valid]),
        mask_count=np.ascontiguousarray(counts[valid]),
        minutiae=int(geo.shape[0]),
    )


@nb.njit(cache=True, nogil=True)
def _sigmoid(v: float, mu: float, tau: float) -> float:
    return 1.0 / (1.0 + math.exp(-tau * (v - mu)))


@nb.njit(cache=True, nogil=True)
def _similarities(
    ga: np.ndarray,
    ba: np.ndarray,
    ma: np.ndarray,
    ca: np.ndarray,
    gb: np.ndarray,
    bb: np.ndarray,
    mb: np.ndarray,
    cb: np.ndarray,
    sims: np.ndarray,
    idx: np.ndarray,
) -> int:
    """Bit-cylinder similarity of every matchable pair; returns how many were written."""
    na = ga.shape[0]
    nb_ = gb.shape[0]
    cnt = 0
    for r in range(na):
        for c in range(nb_):
            if abs(_ang_diff(ga[r, 2], gb[c, 2])) > MAX_DIRECTION_DIFF:
                continue
            common = 0
            for w in range(MASK_WORDS):
                common += _popcount(ma[r, w] & mb[c, w])
            if common < MIN_MATCHABLE_FRACTION * min(ca[r], cb[c]):
                continue
            pa = 0
            pb = 0
            px = 0
            for k in range(ND):
                for w in range(MASK_WORDS):
                    m = ma[r, w] & mb[c, w]
                    x = ba[r, k * MASK_WORDS + w] & m
                    y = bb[c, k * MASK_WORDS + w] & m
                    pa += _popcount(x)
                    pb += _popcount(y)
                    px += _popcount(x ^ y)
            den = math.sqrt(pa) + math.sqrt(pb)
            if den == 0.0:
                continue
            sim = 1.0 - math.sqrt(px) / den
            if sim <= 0.0:
                continue
            sims[cnt] = sim
            idx[cnt] = r * nb_ + c
            cnt += 1
    return cnt


@nb.njit(cache=True, nogil=True)
def _greedy_pairs(
    sims: np.ndarray,
    idx: np.ndarray,
    cnt: int,
    na: int,
    nb_: int,
    pr: np.ndarray,
    pc: np.ndarray,
    lam: np.ndarray,
) -> int:
    """One-to-one pairs by decreasing similarity (a bucket sort: linear, no comparison sort)."""
    heads = np.full(BUCKETS, -1, dtype=np.int64)
    nxt = np.empty(cnt, dtype=np.int64)
    for q in range(cnt):
        b = min(BUCKETS - 1, int(sims[q] * BUCKETS))
        nxt[q] = heads[b]
        heads[b] = q
    used_a = np.zeros(na, dtype=np.bool_)
    used_b = np.zeros(nb_, dtype=np.bool_)
    limit = min(min(na, nb_), pr.shape[0])
    nr = 0
    for b in range(BUCKETS - 1, -1, -1):
        q = heads[b]
        while q >= 0 and nr < limit:
            r = idx[q] // nb_
            c = idx[q] % nb_
            if not used_a[r] and not used_b[c]:
                used_a[r] = True
                used_b[c] = True
                pr[nr] = r
                pc[nr] = c
                lam[nr] = sims[q]
                nr += 1
            q = nxt[q]
        if nr >= limit:
            break
    return nr


@nb.njit(cache=True, nogil=True)
def _compatibility(
    ga: np.ndarray, gb: np.ndarray, pr: np.ndarray, pc: np.ndarray, nr: int
) -> np.ndarray:
    """How well every two selected pairs agree: distance, relative direction, radial angle."""
    rho = np.zeros((nr, nr), dtype=np.float64)
    for t in range(nr):
        at = pr[t]
        bt = pc[t]
        for k in range(t + 1, nr):
            ak = pr[k]
            bk = pc[k]
            dxa = ga[ak, 0] - ga[at, 0]
            dya = ga[ak, 1] - ga[at, 1]
            dxb = gb[bk, 0] - gb[bt, 0]
            dyb = gb[bk, 1] - gb[bt, 1]
            la = math.sqrt(dxa * dxa + dya * dya)
            lb = math.sqrt(dxb * dxb + dyb * dyb)
            d1 = abs(la - lb) / (1.0 + DIST_RELATIVE * 0.5 * (la + lb))
            if d1 > MU_RHO[0] + 10.0:
                continue
            d2 = abs(_ang_diff(_ang_diff(ga[at, 2], ga[ak, 2]), _ang_diff(gb[bt, 2], gb[bk, 2])))
            if d2 > MU_RHO[1] + 0.35:
                continue
            ra = _ang_diff(ga[at, 2], math.atan2(dya, dxa))
            rb = _ang_diff(gb[bt, 2], math.atan2(dyb, dxb))
            d3 = abs(_ang_diff(ra, rb))
            v = (
                _sigmoid(d1, MU_RHO[0], TAU_RHO[0])
                * _sigmoid(d2, MU_RHO[1], TAU_RHO[1])
                * _sigmoid(d3, MU_RHO[2], TAU_RHO[2])
            )
            rho[t, k] = v
            rho[k, t] = v
    return rho


@nb.njit(cache=True, nogil=True)
def _score_core(
    ga: np.ndarray,
    ba: np.ndarray,
    ma: np.ndarray,
    ca: np.ndarray,
    gb: np.ndarray,
    bb: np.ndarray,
    mb: np.ndarray,
    cb: np.ndarray,
) -> float:
    """Local cylinder similarities, greedy one-to-one pairing, then LSS-R relaxation."""
    na = ga.shape[0]
    nb_ = gb.shape[0]
    if na < 2 or nb_ < 2:
        return 0.0
    sims = np.empty(na * nb_, dtype=np.float64)
    idx = np.empty(na * nb_, dtype=np.int64)
    cnt = _similarities(ga, ba, ma, ca, gb, bb, mb, cb, sims, idx)
    if cnt < 2:
        return 0.0
    pr = np.empty(MAX_NR, dtype=np.int64)
    pc = np.empty(MAX_NR, dtype=np.int64)
    lam = np.empty(MAX_NR, dtype=np.float64)
    nr = _greedy_pairs(sims, idx, cnt, na, nb_, pr, pc, lam)
    if nr < 2:
        return 0.0
    n_p = MIN_NP + round(_sigmoid(float(min(na, nb_)), MU_P, TAU_P) * (MAX_NP - MIN_NP))
    rho = _compatibility(ga, gb, pr, pc, nr)
    lam0 = lam[:nr].copy()
    cur = lam0.copy()
    nxt = np.empty(nr, dtype=np.float64)
    for _ in range(N_REL):
        for t in range(nr):
            acc = 0.0
            for k in range(nr):
                acc += rho[t, k] * cur[k]
            nxt[t] = W_R * cur[t] + (1.0 - W_R) * acc / (nr - 1)
        cur[:] = nxt
    # Keep the pairs the relaxation supported best (efficiency), score their relaxed values.
    eff = np.empty(nr, dtype=np.float64)
    for t in range(nr):
        eff[t] = cur[t] / lam0[t]
    best = np.argsort(-eff)
    take = min(n_p, nr)
    total = 0.0
    for q in range(take):
        total += cur[best[q]]
    return total / n_p


def score(a: PreparedTemplate, b: PreparedTemplate) -> float:
    """Similarity of two prepared templates in [0, 1]; 0 when either says too little."""
    return float(
        _score_core(
            a.geometry, a.bits, a.mask, a.mask_count, b.geometry, b.bits, b.mask, b.mask_count
        )
    )


@dataclass(frozen=True, slots=True)
class TemplateStack:
    """Many prepared templates concatenated, so one compiled loop can scan them all."""

    geometry: npt.NDArray[np.float64]
    bits: npt.NDArray[np.uint64]
    mask: npt.NDArray[np.uint64]
    mask_count: npt.NDArray[np.int32]
    offsets: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return int(self.offsets.shape[0] - 1)

    @classmethod
    def of(cls, templates: Sequence[PreparedTemplate]) -> TemplateStack:
        offsets = np.zeros(len(templates) + 1, dtype=np.int64)
        for i, t in enumerate(templates):
            offsets[i + 1] = offsets[i] + t.cylinders
        if templates:
            geometry = np.concatenate([t.geometry for t in templates]).reshape(-1, 3)
            bits = np.concatenate([t.bits for t in templates]).reshape(-1, WORDS)
            mask = np.concatenate([t.mask for t in templates]).reshape(-1, MASK_WORDS)
            counts = np.concatenate([t.mask_count for t in templates]).astype(np.int32)
        else:
            geometry = np.zeros((0, 3))
            bits = np.zeros((0, WORDS), dtype=np.uint64)
            mask = np.zeros((0, MASK_WORDS), dtype=np.uint64)
            counts = np.zeros(0, dtype=np.int32)
        return cls(geometry, bits, mask, counts, offsets)


@nb.njit(cache=True, nogil=True)
def _score_stack(
    ga: np.ndarray,
    ba: np.ndarray,
    ma: np.ndarray,
    ca: np.ndarray,
    gs: np.ndarray,
    bs: np.ndarray,
    ms: np.ndarray,
    cs: np.ndarray,
    offsets: np.ndarray,
    positions: np.ndarray,
    out: np.ndarray,
) -> None:
    for q in range(positions.shape[0]):
        i = positions[q]
        lo = offsets[i]
        hi = offsets[i + 1]
        out[q] = _score_core(ga, ba, ma, ca, gs[lo:hi], bs[lo:hi], ms[lo:hi], cs[lo:hi])


def score_many(
    probe: PreparedTemplate,
    stack: TemplateStack,
    positions: npt.NDArray[np.int64] | None = None,
) -> npt.NDArray[np.float64]:
    """Scores of one probe against the stack's templates (all, or those at ``positions``)."""
    if positions is None:
        positions = np.arange(len(stack), dtype=np.int64)
    positions = np.ascontiguousarray(positions, dtype=np.int64)
    if positions.size and (positions.min() < 0 or positions.max() >= len(stack)):
        raise IndexError("stack position out of range")
    out = np.zeros(positions.shape[0], dtype=np.float64)
    _score_stack(
        probe.geometry,
        probe.bits,
        probe.mask,
        probe.mask_count,
        stack.geometry,
        stack.bits,
        stack.mask,
        stack.mask_count,
        stack.offsets,
        positions,
        out,
    )
    return out


def salient(template: PreparedTemplate, count: int = PREFILTER_CYLINDERS) -> PreparedTemplate:
    """The ``count`` cylinders with the most valid cells (central, fully informative ones)."""
    if template.cylinders <= count:
        return template
    keep = np.sort(np.argsort(-template.mask_count, kind="stable")[:count])
    return PreparedTemplate(
        geometry=np.ascontiguousarray(template.geometry[keep]),
        bits=np.ascontiguousarray(template.bits[keep]),
        mask=np.ascontiguousarray(template.mask[keep]),
        mask_count=np.ascontiguousarray(template.mask_count[keep]),
        minutiae=template.minutiae,
    )


@nb.njit(cache=True, nogil=True)
def _prefilter_stack(
    ga: np.ndarray,
    ba: np.ndarray,
    ma: np.ndarray,
    ca: np.ndarray,
    gs: np.ndarray,
    bs: np.ndarray,
    ms: np.ndarray,
    cs: np.ndarray,
    offsets: np.ndarray,
    out: np.ndarray,
) -> None:
    """Mean of the best few per-cylinder similarities: local evidence only, no geometry."""
    na = ga.shape[0]
    best = np.zeros(na, dtype=np.float64)
    ones_a = np.empty(na, dtype=np.float64)
    for r in range(na):
        total_a = 0
        for w in range(WORDS):
            total_a += _popcount(ba[r, w])
        ones_a[r] = math.sqrt(total_a)
    for i in range(offsets.shape[0] - 1):
        lo = offsets[i]
        hi = offsets[i + 1]
        nb_ = hi - lo
        if na < 2 or nb_ < 2:
            out[i] = 0.0
            continue
        # Unmasked bit similarity (a third of the popcounts of the masked one): cheap enough
        # to scan a whole gallery, good enough to shortlist.
        ones_b = np.empty(nb_, dtype=np.float64)
        for c in range(nb_):
            total_b = 0
            for w in range(WORDS):
                total_b += _popcount(bs[lo + c, w])
            ones_b[c] = math.sqrt(total_b)
        best[:] = 0.0
        for r in range(na):
            for c in range(nb_):
                if abs(_ang_diff(ga[r, 2], gs[lo + c, 2])) > MAX_DIRECTION_DIFF:
                    continue
                px = 0
                for w in range(WORDS):
                    px += _popcount(ba[r, w] ^ bs[lo + c, w])
                den = ones_a[r] + ones_b[c]
                if den > 0.0:
                    sim = 1.0 - math.sqrt(px) / den
                    if sim > best[r]:
                        best[r] = sim
        best.sort()
        total = 0.0
        take = min(PREFILTER_TOP, na)
        for q in range(take):
            total += best[na - 1 - q]
        out[i] = total / PREFILTER_TOP


def prefilter_many(probe: PreparedTemplate, stack: TemplateStack) -> npt.NDArray[np.float64]:
    """Cheap similarity of a probe's salient cylinders to every stack template (shortlisting)."""
    sub = salient(probe)
    out = np.zeros(len(stack), dtype=np.float64)
    _prefilter_stack(
        sub.geometry,
        sub.bits,
        sub.mask,
        sub.mask_count,
        stack.geometry,
        stack.bits,
        stack.mask,
        stack.mask_count,
        stack.offsets,
        out,
    )
    return out


def warm() -> None:
    """Load every compiled kernel now, on a small fixed template, instead of at a first voter.

    Numba loads each kernel from its on-disk cache at the kernel's first call, and the first
    call in a fresh process costs seconds (numba, LLVM, the cache index). A server restarted on
    polling day calls this before it accepts requests, so the first voters after the restart
    are not the ones who pay. The template is geometry only: no person's data.
    """
    from shailoo.biometrics.minutiae import FingerTemplate, Minutia

    rng = np.random.default_rng(0)
    points = rng.uniform(40.0, 260.0, size=(30, 2))
    angles = rng.uniform(0.0, 2.0 * math.pi, size=30)
    template = FingerTemplate(
        width=300,
        height=300,
        minutiae=tuple(
            Minutia(int(x), int(y), float(t)) for (x, y), t in zip(points, angles, strict=True)
        ),
    )
    prepared = prepare(template)
    stack = TemplateStack.of([prepared, prepared])
    score(prepared, prepared)
    score_many(prepared, stack)
    prefilter_many(prepared, stack)
