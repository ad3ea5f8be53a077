"""``shailoo biometrics`` commands: extract minutiae, decode a template file, identify.

Synthetic enrolment and probes (``enrol-synth``, ``probe-synth``) and the matcher's
measurement and calibration (``evaluate``, ``calibrate``) make synthetic data: they live
outside the product, and the top-level ``shailoo.cli`` adds them to this group.

Template files are recognised by content (``SEMB`` embeddings; ``FMR`` records told apart by
their length field) unless ``--format`` says otherwise. A malformed file is reported with its
name, the byte offset and the reason, and the command exits with status 2. Nothing here prints
a template or a full PIN.
"""

from __future__ import annotations

import struct
from pathlib import Path

import typer

from shailoo.common.cli import console, django_setup

app = typer.Typer(no_args_is_help=True)


def sniff(data: bytes) -> str:
    """``iso``, ``ansi`` or ``embedding`` from the bytes themselves (``iso`` when unsure)."""
    if data[:4] == b"SEMB":
        return "embedding"
    if data[:4] == b"FMR\x00" and len(data) >= 14:
        (long_len,) = struct.unpack_from(">I", data, 8)
        (short_len,) = struct.unpack_from(">H", data, 8)
        if long_len != len(data) and (
            short_len == len(data)
            or (short_len == 0 and struct.unpack_from(">I", data, 10)[0] == len(data))
        ):
            return "ansi"
    return "iso"


def read_template(path: Path, fmt: str = "auto") -> tuple[str, object]:
    """(format, decoded record or embedding) of a file; exits 2 with a located error."""
    from shailoo.biometrics import ansi378, iso19794
    from shailoo.biometrics.embedding import EmbeddingTemplate
    from shailoo.biometrics.iso19794 import TemplateError

    try:
        data = path.read_bytes()
    except OSError as exc:
        console.print(f"[red]{path}: cannot read: {exc.strerror}[/]")
        raise typer.Exit(2) from None
    kind = sniff(data) if fmt == "auto" else fmt
    try:
        if kind == "embedding":
            return kind, EmbeddingTemplate.from_bytes(data)
        return kind, (ansi378 if kind == "ansi" else iso19794).decode(data)
    except TemplateError as exc:
        console.print(f"[red]{path}: {kind}: {exc}[/]")
        raise typer.Exit(2) from None


@app.command("extract")
def extract(
    image: Path = typer.Argument(..., dir_okay=False, help="Fingerprint image (PNG, JPEG, TIFF)"),
    out: Path = typer.Option(..., "--out", dir_okay=False, help="ISO/IEC 19794-2 record to write"),
    finger: int = typer.Option(0, "--finger", help="ISO finger position 1-10 (0 unknown)"),
    ppi: float = typer.Option(500.0, "--ppi", help="Scan resolution, pixels per inch"),
) -> None:
    """Find minutiae in a fingerprint image with NIST mindtct (optional extra) and write them
    as an ISO record; prints how many were found, never the minutiae."""
    from shailoo.biometrics import iso19794
    from shailoo.biometrics.image_minutiae import (
        ExtractionSettings,
        ExtractorUnavailable,
        ImageExtractionError,
        extract_template,
    )

    try:
        data = image.read_bytes()
        template = extract_template(data, finger=finger, settings=ExtractionSettings(ppi=ppi))
    except OSError as exc:
        console.print(f"[red]{image}: cannot read: {exc.strerror}[/]")
        raise typer.Exit(2) from None
    except (ImageExtractionError, ExtractorUnavailable) as exc:
        console.print(f"[red]{image}: {exc}[/]")
        raise typer.Exit(2) from None
    out.write_bytes(iso19794.to_bytes([template]))
    typer.echo(
        f"{image}: {len(template.minutiae)} minutiae ({template.width} x {template.height} px, "
        f"quality {template.quality}) -> {out}"
    )


@app.command("decode")
def decode(
    file: Path = typer.Argument(..., dir_okay=False, help="Template file"),
    fmt: str = typer.Option(
        "auto", "--format", help="iso, ansi, embedding, or auto (recognise by content)"
    ),
) -> None:
    """Check a template file and print its header and minutiae counts (never the minutiae)."""
    from shailoo.biometrics.embedding import EmbeddingTemplate
    from shailoo.biometrics.iso19794 import FingerRecord

    if fmt not in {"auto", "iso", "ansi", "embedding"}:
        console.print(f"[red]--format {fmt}: expected iso, ansi, embedding or auto[/]")
        raise typer.Exit(2)
    kind, value = read_template(file, fmt)
    if isinstance(value, EmbeddingTemplate):
        typer.echo(
            f"{file}: embedding model={value.model_id} dim={value.dim} "
            f"dtype={value.vector.dtype.name}"
        )
        return
    assert isinstance(value, FingerRecord)
    product = f" product={value.product[0]:#06x}/{value.product[1]:#06x}" if kind == "ansi" else ""
    typer.echo(
        f"{file}: {kind} image={value.width}x{value.height} "
        f"resolution={value.x_resolution}x{value.y_resolution}px/cm "
        f"device={value.device_type:#05x} certification={value.certification}{product} "
        f"views={len(value.views)}"
    )
    for view in value.views:
        typer.echo(
            f"  finger={view.finger} view={view.view} impression={view.impression} "
            f"quality={view.quality} minutiae={len(view.minutiae)} "
            f"extended_blocks={len(view.extended)}"
        )


@app.command("identify")
def identify(
    station: int = typer.Option(..., "--station", help="Polling station number"),
    probe: list[Path] = typer.Option(..., "--probe", help="Probe template file (repeatable)"),
    device: str = typer.Option("", "--device", help="Capture device key id, for the log"),
    actor: str = typer.Option("cli", "--actor"),
) -> None:
    """Identify a voter among a station's enrolled voters; the decision is logged."""
    from shailoo.biometrics.embedding import EmbeddingTemplate
    from shailoo.biometrics.iso19794 import FingerRecord
    from shailoo.biometrics.minutiae import FingerTemplate

    fingers: dict[int, FingerTemplate] = {}
    face: EmbeddingTemplate | None = None
    for path in probe:
        _, value = read_template(path)
        if isinstance(value, EmbeddingTemplate):
            face = value
        elif isinstance(value, FingerRecord):
            for template in value.templates():
                fingers.setdefault(template.finger, template)
    django_setup()
    from shailoo.biometrics import services
    from shailoo.common.refusals import Refusal
    from shailoo.geo.models import PollingStation
    from shailoo.register.pin import mask_pin

    place = PollingStation.objects.filter(number=station).first()
    if place is None:
        console.print(f"[red]--station {station}: no such polling station[/]")
        raise typer.Exit(2)
    try:
        result = services.identify_at_station(
            place, services.Probe(fingers, face), actor, device_key=device
        )
    except Refusal as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    from shailoo.register.models import Person

    pins = dict(
        Person.objects.filter(pk__in=[p for p, _ in result.candidates]).values_list("pk", "pin")
    )
    typer.echo(
        f"station {station}: {result.decision} (gallery {result.log.gallery_size}, "
        f"{result.log.elapsed_ms:.0f} ms, log #{result.log.pk})"
    )
    for rank, (person_id, score) in enumerate(result.candidates, 1):
        typer.echo(f"  {rank}. person #{person_id} {mask_pin(pins.get(person_id, ''))} {score:.3f}")
