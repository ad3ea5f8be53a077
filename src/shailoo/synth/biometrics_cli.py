"""Synthetic biometric commands: the matcher measured and calibrated, synthetic probe files.

Plain functions: the top-level ``shailoo.cli`` wires them as ``shailoo synth evaluate /
calibrate / probe`` and, under their older names, ``shailoo biometrics evaluate / calibrate /
probe-synth``. Pure like the rest of ``shailoo.synth`` (no Django), hence the console of
``shailoo.synth.cli``.

``evaluate`` draws two impressions of one finger per synthetic person, scores one genuine
comparison per person and random impostor pairs, and reports FMR/FNMR at the calibrated
thresholds, the EER, FNMR at FMR 1e-4, the closed-set rank-1 rate and optionally a DET curve.
``calibrate`` rewrites the shipped score calibrations (``shailoo/biometrics/data``) from the
generator; run it after any change to the matcher or the generator. ``probe`` writes a
synthetic capture of a person as files for ``shailoo biometrics identify``.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import typer

from shailoo.biometrics import calibration as _calibration
from shailoo.synth.cli import console, progress
from shailoo.synth.fingerprints import SETTINGS

DATA_DIR = Path(_calibration.__file__).resolve().parent / "data"
REPORTED_FMRS = (1e-2, 1e-3, 1e-4, 1e-5)


def _check_setting(value: str) -> str:
    if value not in SETTINGS:
        raise typer.BadParameter(f"expected one of {', '.join(sorted(SETTINGS))}, got {value!r}")
    return value


def write_det_png(
    path: Path,
    curves: dict[str, tuple[np.ndarray, np.ndarray]],
    title: str,
    floor: tuple[float, float] = (1e-6, 1e-4),
) -> None:
    """DET curves (FNMR against FMR, both logarithmic) as a PNG.

    Zero rates cannot sit on a log axis: they are drawn at ``floor`` (FMR, FNMR), half of
    what the sample can resolve, and the axes say so.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 5), dpi=110)
    for label, (fmr, fnmr) in curves.items():
        ax.plot(
            np.maximum(fmr, floor[0]),
            np.maximum(fnmr, floor[1]),
            label=label,
            drawstyle="steps-post",
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(floor[0], 1.0)
    ax.set_ylim(floor[1], 1.0)
    ax.set_xlabel(f"False match rate (FMR; 0 drawn at {floor[0]:.0e})")
    ax.set_ylabel(f"False non-match rate (FNMR; 0 drawn at {floor[1]:.0e})")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def evaluate(
    setting: str = typer.Option(
        "standard", "--setting", callback=_check_setting, help="standard or hard"
    ),
    genuine: int = typer.Option(3000, "--genuine", min=2, help="Genuine comparisons (persons)"),
    impostor: int = typer.Option(30000, "--impostor", min=1, help="Impostor comparisons"),
    seed: int = typer.Option(2026, "--seed", help="Same seed, same fingers, same figures"),
    rank_gallery: int = typer.Option(
        300, "--rank-gallery", min=2, help="Gallery size of the closed-set rank-1 test"
    ),
    det: Path | None = typer.Option(None, "--det", dir_okay=False, help="Write a DET curve PNG"),
) -> None:
    """Measure the fingerprint matcher on synthetic impressions (FMR/FNMR, EER, rank-1, DET)."""
    from shailoo.biometrics import evaluation, mcc
    from shailoo.biometrics.calibration import default_calibration
    from shailoo.synth.biometric_evaluation import synthetic_impressions

    possible = genuine * (genuine - 1)
    if impostor > possible:
        raise typer.BadParameter(
            f"{genuine} persons give at most {possible} impostor pairs", param_hint="--impostor"
        )
    calibration = default_calibration()
    pairs = evaluation.impostor_pairs(genuine, impostor, seed)
    with progress() as bar:
        task = bar.add_task(f"Synthesising {setting} impressions", total=genuine)
        first, second = synthetic_impressions(setting, genuine, seed)
        bar.update(task, completed=genuine)
        task = bar.add_task("Preparing templates", total=2 * genuine)
        enrolled = []
        for t in first:
            enrolled.append(mcc.prepare(t))
            bar.advance(task)
        probes = []
        for t in second:
            probes.append(mcc.prepare(t))
            bar.advance(task)
        task = bar.add_task("Comparing", total=genuine + impostor)
        started = time.process_time()
        gen = np.empty(genuine)
        for i in range(genuine):
            gen[i] = mcc.score(enrolled[i], probes[i])
            if i % 500 == 499:
                bar.advance(task, 500)
        imp = np.empty(impostor)
        for q, (i, j) in enumerate(pairs.tolist()):
            imp[q] = mcc.score(enrolled[i], probes[j])
            if q % 500 == 499:
                bar.advance(task, 500)
        cpu = time.process_time() - started
        bar.update(task, completed=genuine + impostor)
        size = min(rank_gallery, genuine)
        task = bar.add_task("Rank-1 search", total=size)
        stack = mcc.TemplateStack.of(enrolled[:size])
        matrix = np.empty((size, size))
        for i in range(size):
            matrix[i] = mcc.score_many(probes[i], stack)
            bar.advance(task)
    rank1 = evaluation.rank_one_rate(matrix, np.arange(size))
    eer = evaluation.equal_error_rate(gen, imp)
    fnmr4 = evaluation.fnmr_at_fmr(gen, imp, 1e-4)
    console.print(f"[bold]Setting {setting}[/]: {genuine} genuine, {impostor} impostor comparisons")
    console.print("  target FMR  raw threshold  measured FMR  measured FNMR")
    for target in REPORTED_FMRS:
        raw = calibration.threshold_for(target)
        fmr, fnmr = evaluation.error_rates(gen, imp, [raw])
        console.print(f"  {target:9.0e}  {raw:13.5f}  {fmr[0]:12.2e}  {fnmr[0]:13.4f}")
    fnmr_text = "n/a" if fnmr4 is None else f"{fnmr4:.4f}"
    console.print(
        f"  EER {eer:.4f}; FNMR at FMR 1e-4 (empirical) {fnmr_text}; "
        f"rank-1 {rank1:.4f} (gallery {size})"
    )
    if det is not None:
        fmr_c, fnmr_c = evaluation.det_curve(gen, imp)
        write_det_png(
            det,
            {setting: (fmr_c, fnmr_c)},
            f"MCC matcher, synthetic {setting}",
            (0.5 / impostor, 0.5 / genuine),
        )
        console.print(f"  DET curve written to {det}")
    rate = (genuine + impostor) / cpu if cpu > 0 else float("inf")
    typer.echo(
        f"evaluate setting={setting} genuine={genuine} impostor={impostor} eer={eer:.4f} "
        f"fnmr_at_1e4={fnmr_text} rank1={rank1:.4f} comparisons_per_s={rate:.0f}"
    )


def calibrate(
    impostor: int = typer.Option(200_000, "--impostor", min=1000, help="Impostor comparisons"),
    seed: int = typer.Option(9001, "--seed", help="Same seed, same table"),
    face_identities: int = typer.Option(2000, "--face-identities", min=100),
    out: Path = typer.Option(DATA_DIR / "mcc_calibration.json", "--out", dir_okay=False),
    face_out: Path = typer.Option(DATA_DIR / "face_calibration.json", "--face-out", dir_okay=False),
) -> None:
    """Rewrite the score calibrations from synthetic impostors (fingers and the synthetic face)."""
    from shailoo.biometrics import calibration as cal
    from shailoo.synth import biometric_evaluation as samples

    with progress() as bar:
        task = bar.add_task("Impostor comparisons", total=impostor)
        scores = samples.synthetic_impostor_scores(
            impostor, seed, tick=lambda n: bar.advance(task, n)
        )
        bar.update(task, completed=impostor)
    finger = cal.fit(scores)
    cal.write_calibration(finger, out)
    model, face_scores = samples.synthetic_face_impostor_scores(face_identities, seed)
    face = cal.fit(face_scores, matcher=f"cosine:{model}")
    cal.write_face_calibrations({model: face}, face_out)
    console.print(
        f"Finger calibration ({finger.impostors} impostors, tail from raw "
        f"{finger.tail_score:.5f}) written to {out}; face ({model}, {face.impostors}) to "
        f"{face_out}"
    )
    for target in REPORTED_FMRS:
        typer.echo(
            f"FMR {target:.0e}: finger raw >= {finger.threshold_for(target):.5f}, "
            f"face cosine >= {face.threshold_for(target):.4f}"
        )


def probe(
    person: int = typer.Option(..., "--person", help="Person id (as the enrolment used it)"),
    out: Path = typer.Option(..., "--out", file_okay=False, help="Folder for the probe files"),
    seed: int = typer.Option(2026, "--seed"),
    session: int = typer.Option(1, "--session", min=1, help="Capture session (0 is enrolment)"),
    setting: str = typer.Option("standard", "--setting"),
) -> None:
    """Write a synthetic probe (two ISO finger records and a face) for ``identify`` (demo)."""
    from shailoo.biometrics import iso19794
    from shailoo.biometrics.minutiae import FingerTemplate
    from shailoo.synth.enrolment import person_templates

    out.mkdir(parents=True, exist_ok=True)
    for item in person_templates(person, seed, session, setting):
        if isinstance(item, FingerTemplate):
            path = out / f"finger-{item.finger}.iso"
            path.write_bytes(iso19794.to_bytes([item]))
        else:
            path = out / "face.semb"
            path.write_bytes(item.to_bytes())
        typer.echo(str(path))
