"""Benchmark: the MCC fingerprint matcher against NIST Bozorth3, and station identification.

Verification, per synthetic setting (standard, hard): ``--genuine`` persons, two impressions
of the right index finger each (one genuine comparison per person) and ``--impostor`` random
impostor pairs among them. Both matchers score exactly the same minutiae: ours through
``shailoo.biometrics.mcc``, Bozorth3 through the ``nbis-py`` package (``Minutiae.compare``),
fed the same templates as ISO/IEC 19794-2:2005-style bytes in the 26-byte-header layout that
package's loader reads (it quantises directions to NIST's 11.25 degree units). Reported:
EER, FNMR at FMR 1e-4 (empirical threshold; 30,000 impostors allow 3 false matches) and
comparisons per second of CPU time on one core, both measured in the same Python loop.

Identification: a gallery of ``--gallery`` voters enrolled with two fingers (right and left
index, standard setting), ``--searches`` mated searches (a second session of a voter) and
``--non-mated`` non-mated ones (people not enrolled; default 3,000 so that FPIR 1e-3 is
resolved; those beyond ``--searches`` run in ``--jobs`` forked processes), through
``identification.Gallery.identify`` with the threshold for FPIR 1e-3 (``-log10(1e-3 / N)`` on
the calibrated, fused scale). FNIR: mated searches whose mate is not the top candidate at or
above the threshold. FPIR: non-mated searches whose top candidate reaches it. Beside the
calibrated threshold, an empirical one for FPIR 1e-3 (from the non-mated top scores) and the
FNIR there. Latency: wall clock per search (the ``--searches`` mated and as many non-mated
ones, one thread), median and 99th percentile; the targets are judged on wall clock, the
thread's CPU time is printed too, because on a shared machine wall clock includes waiting.

Prints per-setting lines, target checks, and
``RESULT biometrics fnmr_at_1e4=... eer=... comparisons_per_s=... ratio_speed=...
bozorth3_fnmr_at_1e4=... identify_p99_ms=...`` (standard setting and identification), then
``RESULT biometrics_hard ...`` for the hard setting.
"""

from __future__ import annotations

import argparse
import math
import struct
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from shailoo.biometrics import evaluation, mcc  # noqa: E402
from shailoo.biometrics.identification import Gallery, IdentificationThresholds  # noqa: E402
from shailoo.biometrics.minutiae import FingerTemplate, MinutiaKind  # noqa: E402
from shailoo.synth.biometric_evaluation import synthetic_impressions  # noqa: E402
from shailoo.synth.fingerprints import STANDARD, impression, master_finger  # noqa: E402

FINGERS = (2, 7)  # right index, left index


def nbis_record(template: FingerTemplate) -> bytes:
    """The template in the layout nbis-py 0.1's ``load_iso_19794_2_2005`` parses."""
    body = bytearray()
    for m in template.minutiae:
        kind = 2 if m.kind == MinutiaKind.BIFURCATION else 1
        angle = round(math.degrees(m.theta) / (360.0 / 256.0)) & 0xFF
        body += struct.pack(">HHBB", (kind << 14) | m.x, m.y, angle, 40)
    count = len(template.minutiae)
    head = b"FMR\x00 20\x00" + struct.pack(
        ">IHHH", 26 + 6 * count, 0, template.width, template.height
    )
    return head + bytes([template.finger, 0, template.quality, 0, 0, 0, 0, count]) + bytes(body)


def bozorth3() -> tuple[Callable[[FingerTemplate], Any], str] | tuple[None, str]:
    """A loader for Bozorth3-ready objects, or None and the reason it is unavailable."""
    try:
        import nbis
    except ImportError as exc:
        return None, f"nbis-py is not installed ({exc})"
    if not hasattr(nbis.Minutiae, "compare"):
        return None, "nbis-py exposes no Bozorth3 compare"
    settings = nbis.NbisExtractorSettings(
        min_quality=0.0, get_center=False, check_fingerprint=False, compute_nfiq2=False, ppi=None
    )
    extractor = nbis.new_nbis_extractor(settings)
    probe = extractor.load_iso_19794_2_2005(nbis_record(impression(master_finger(1, 1, 2), 0)))
    if not probe.get():
        return None, "nbis-py loaded no minutiae from our records (layout changed?)"
    return (lambda t: extractor.load_iso_19794_2_2005(nbis_record(t))), "nbis-py 0.1 Bozorth3"


def timed_scores(
    score: Callable[[Any, Any], float],
    first: Sequence[Any],
    second: Sequence[Any],
    pairs: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Genuine scores (i, i), impostor scores over ``pairs`` and CPU seconds spent."""
    started = time.process_time()
    gen = np.array([score(first[i], second[i]) for i in range(len(first))], dtype=np.float64)
    imp = np.array([score(first[i], second[j]) for i, j in pairs.tolist()], dtype=np.float64)
    return gen, imp, time.process_time() - started


def verification(
    setting: str,
    genuine: int,
    impostor: int,
    seed: int,
    loader: Callable[[FingerTemplate], Any] | None,
) -> dict[str, float | None]:
    first, second = synthetic_impressions(setting, genuine, seed, finger=2)
    pairs = evaluation.impostor_pairs(genuine, impostor, seed)
    t0 = time.process_time()
    a = [mcc.prepare(t) for t in first]
    b = [mcc.prepare(t) for t in second]
    prepare_ms = (time.process_time() - t0) / (2 * genuine) * 1000
    gen, imp, cpu = timed_scores(mcc.score, a, b, pairs)
    out: dict[str, float | None] = {
        "eer": evaluation.equal_error_rate(gen, imp),
        "fnmr_at_1e4": evaluation.fnmr_at_fmr(gen, imp, 1e-4),
        "fnmr_at_1e3": evaluation.fnmr_at_fmr(gen, imp, 1e-3),
        "comparisons_per_s": (genuine + impostor) / cpu,
        "prepare_ms": prepare_ms,
        "minutiae": float(np.mean([len(t.minutiae) for t in first + second])),
    }
    if loader is not None:
        ba = [loader(t) for t in first]
        bb = [loader(t) for t in second]
        bgen, bimp, bcpu = timed_scores(lambda x, y: float(x.compare(y)), ba, bb, pairs)
        out["bozorth3_eer"] = evaluation.equal_error_rate(bgen, bimp)
        out["bozorth3_fnmr_at_1e4"] = evaluation.fnmr_at_fmr(bgen, bimp, 1e-4)
        out["bozorth3_fnmr_at_1e3"] = evaluation.fnmr_at_fmr(bgen, bimp, 1e-3)
        out["bozorth3_comparisons_per_s"] = (genuine + impostor) / bcpu
    return out


_GALLERY: Gallery | None = None  # set before forking the non-mated search workers


def _probe(seed: int, person: int, session: int) -> dict[int, FingerTemplate]:
    return {f: impression(master_finger(seed, person, f), session, STANDARD) for f in FINGERS}


def _stranger_tops(job: tuple[int, int, int]) -> list[float]:
    """Top fused score of each non-mated search ``start..stop`` (0 when nobody scored)."""
    start, stop, seed = job
    assert _GALLERY is not None
    thresholds = IdentificationThresholds(target_fpir=1e-3)
    tops = []
    for p in range(start, stop):
        result = _GALLERY.identify(_probe(seed, 5_000_000 + p, 1), thresholds=thresholds)
        tops.append(result.candidates[0][1] if result.candidates else 0.0)
    return tops


def identification(
    gallery_size: int, searches: int, non_mated: int, jobs: int, seed: int
) -> dict[str, float]:
    global _GALLERY
    t0 = time.perf_counter()
    gallery = Gallery.build((str(p), _probe(seed, p, 0), None) for p in range(gallery_size))
    build_s = time.perf_counter() - t0
    thresholds = IdentificationThresholds(target_fpir=1e-3)
    mated = [_probe(seed, p, 1) for p in range(min(searches, gallery_size))]
    gallery.identify(mated[0], thresholds=thresholds)  # compile outside the timing
    latencies: list[float] = []
    cpu: list[float] = []
    mate_scores: list[float] = []  # the mate's score when it is the top candidate, else -1
    for p, probe in enumerate(mated):
        t, c = time.perf_counter(), time.thread_time()
        result = gallery.identify(probe, thresholds=thresholds)
        latencies.append(time.perf_counter() - t)
        cpu.append(time.thread_time() - c)
        top = result.candidates[0] if result.candidates else None
        mate_scores.append(top[1] if top is not None and top[0] == str(p) else -1.0)
    # Non-mated searches: the first `searches` one by one in this thread (their latency counts
    # with the mated ones), the rest in `jobs` forked workers sharing the built gallery.
    tops: list[float] = []
    for p in range(min(searches, non_mated)):
        t, c = time.perf_counter(), time.thread_time()
        result = gallery.identify(_probe(seed, 5_000_000 + p, 1), thresholds=thresholds)
        latencies.append(time.perf_counter() - t)
        cpu.append(time.thread_time() - c)
        tops.append(result.candidates[0][1] if result.candidates else 0.0)
    rest = range(len(tops), non_mated)
    if len(rest):
        import multiprocessing

        _GALLERY = gallery
        step = math.ceil(len(rest) / (4 * jobs))
        parts = [(a, min(a + step, rest.stop), seed) for a in range(rest.start, rest.stop, step)]
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for chunk in pool.map(_stranger_tops, parts):
                tops.extend(chunk)
        _GALLERY = None
    threshold = float(result.threshold)
    top_scores = np.sort(np.array(tops))[::-1]
    # Empirical operating point: the smallest threshold with at most FPIR 1e-3 of non-mated
    # searches above it (needs >= 1,000 of them to mean anything).
    allowed = math.floor(1e-3 * len(tops))
    empirical = float(top_scores[allowed]) + 1e-9 if len(tops) > allowed else float("nan")
    mate = np.array(mate_scores)
    ms = np.array(latencies) * 1000
    return {
        "gallery": float(gallery_size),
        "build_s": build_s,
        "threshold": threshold,
        "fnir": float(np.mean(mate < threshold)),
        "fpir": float(np.mean(top_scores >= threshold)),
        "non_mated": float(len(tops)),
        "empirical_threshold": empirical,
        "fnir_at_empirical": float(np.mean(mate < empirical)),
        "median_ms": float(np.median(ms)),
        "p99_ms": float(np.percentile(ms, 99)),
        "cpu_median_ms": float(np.median(cpu) * 1000),
        "cpu_p99_ms": float(np.percentile(cpu, 99) * 1000),
    }


def fmt(value: float | None, digits: int = 4) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def check(label: str, value: float | None, limit: float) -> None:
    status = "n/a" if value is None else ("met" if value <= limit else "NOT met")
    print(f"TARGET {label} <= {limit:g}: {status} ({fmt(value)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--genuine", type=int, default=3000)
    parser.add_argument("--impostor", type=int, default=30000)
    parser.add_argument("--gallery", type=int, default=3000)
    parser.add_argument("--searches", type=int, default=300, help="mated searches (timed)")
    parser.add_argument(
        "--non-mated", type=int, default=3000, help="non-mated searches (FPIR at 1e-3 needs 1000+)"
    )
    parser.add_argument("--jobs", type=int, default=2, help="processes for non-mated searches")
    parser.add_argument("--seed", type=int, default=4242)
    args = parser.parse_args()

    loader, why = bozorth3()
    print(f"Bozorth3: {why}" if loader else f"Bozorth3 unavailable: {why}; ours only")
    results: dict[str, dict[str, float | None]] = {}
    for setting in ("standard", "hard"):
        r = verification(setting, args.genuine, args.impostor, args.seed, loader)
        results[setting] = r
        print(
            f"{setting}: {args.genuine} genuine, {args.impostor} impostor, "
            f"{r['minutiae']:.1f} minutiae/template, prepare {r['prepare_ms']:.2f} ms/template"
        )
        print(
            f"  MCC       EER {fmt(r['eer'])}  FNMR@1e-3 {fmt(r['fnmr_at_1e3'])}  "
            f"FNMR@1e-4 {fmt(r['fnmr_at_1e4'])}  {r['comparisons_per_s']:.0f} cmp/s"
        )
        if loader:
            print(
                f"  Bozorth3  EER {fmt(r['bozorth3_eer'])}  "
                f"FNMR@1e-3 {fmt(r['bozorth3_fnmr_at_1e3'])}  "
                f"FNMR@1e-4 {fmt(r['bozorth3_fnmr_at_1e4'])}  "
                f"{r['bozorth3_comparisons_per_s']:.0f} cmp/s"
            )
    ident = identification(args.gallery, args.searches, args.non_mated, args.jobs, args.seed)
    print(
        f"identification: gallery {args.gallery} x {len(FINGERS)} fingers (built in "
        f"{ident['build_s']:.1f} s), threshold {ident['threshold']:.2f} (-log10 FMR, FPIR 1e-3); "
        f"FNIR {ident['fnir']:.4f} over {min(args.searches, args.gallery)} mated, FPIR "
        f"{ident['fpir']:.4f} over {int(ident['non_mated'])} non-mated; empirical threshold for "
        f"FPIR 1e-3 {ident['empirical_threshold']:.2f}, FNIR there "
        f"{ident['fnir_at_empirical']:.4f}; median "
        f"{ident['median_ms']:.1f} ms, p99 {ident['p99_ms']:.1f} ms wall clock (CPU time of the "
        f"thread: median {ident['cpu_median_ms']:.1f} ms, p99 {ident['cpu_p99_ms']:.1f} ms)"
    )
    std, hard = results["standard"], results["hard"]
    check("standard EER", std["eer"], 0.01)
    check("standard FNMR@FMR1e-4", std["fnmr_at_1e4"], 0.02)
    check("hard FNMR@FMR1e-4", hard["fnmr_at_1e4"], 0.10)
    for name, r in results.items():
        b = r.get("bozorth3_fnmr_at_1e4")
        if loader and r["fnmr_at_1e4"] is not None and b is not None:
            better = "met" if r["fnmr_at_1e4"] < b else "NOT met"
            print(f"TARGET {name} FNMR@1e-4 better than Bozorth3: {better}")
    speed = std["comparisons_per_s"] or 0.0
    print(f"TARGET comparisons/s/core >= 10000: {'met' if speed >= 10000 else 'NOT met'}")
    check("identification FNIR at FPIR 1e-3", ident["fnir"], 0.01)
    check("identification FPIR at the calibrated threshold", ident["fpir"], 1e-3)
    check(
        "identification FNIR at the empirical FPIR 1e-3 threshold", ident["fnir_at_empirical"], 0.01
    )
    check("identification median ms", ident["median_ms"], 300)
    check("identification p99 ms", ident["p99_ms"], 500)
    b_speed = std.get("bozorth3_comparisons_per_s")
    ratio = f"{speed / b_speed:.2f}" if b_speed else "n/a"
    print(
        f"RESULT biometrics fnmr_at_1e4={fmt(std['fnmr_at_1e4'])} eer={fmt(std['eer'])} "
        f"comparisons_per_s={speed:.0f} ratio_speed={ratio} "
        f"bozorth3_fnmr_at_1e4={fmt(std.get('bozorth3_fnmr_at_1e4'))} "
        f"bozorth3_eer={fmt(std.get('bozorth3_eer'))} "
        f"identify_fnir={ident['fnir']:.4f} identify_fpir={ident['fpir']:.4f} "
        f"identify_non_mated={int(ident['non_mated'])} "
        f"identify_fnir_at_empirical_fpir_1e3={ident['fnir_at_empirical']:.4f} "
        f"identify_median_ms={ident['median_ms']:.1f} identify_p99_ms={ident['p99_ms']:.1f} "
        f"identify_cpu_median_ms={ident['cpu_median_ms']:.1f} "
        f"identify_cpu_p99_ms={ident['cpu_p99_ms']:.1f} "
        f"gallery={args.gallery}"
    )
    print(
        f"RESULT biometrics_hard fnmr_at_1e4={fmt(hard['fnmr_at_1e4'])} eer={fmt(hard['eer'])} "
        f"bozorth3_fnmr_at_1e4={fmt(hard.get('bozorth3_fnmr_at_1e4'))} "
        f"bozorth3_eer={fmt(hard.get('bozorth3_eer'))}"
    )


if __name__ == "__main__":
    main()
