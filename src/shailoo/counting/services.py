"""Counting use cases: import the election definition, store cast vote records, adjudicate.

Each change checks its actor, changes the rows and writes its ledger entry in one
transaction. The protocol engine reads through :func:`current_definition` and
:func:`automatic_count` only; keep their signatures.

Actors are users (staff pages), named system actors (``"cli"``) or a polling-station
device's registered key (scans it signed). What counts on a sheet: a sheet the scanner read
with certainty counts as read; a sheet that needs a human counts once a person has decided
every contest that needed it, or is counted as invalid when a person declares it so.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from shailoo.accounts.permissions import require
from shailoo.accounts.roles import Permission
from shailoo.common.actors import Actor, actor_name
from shailoo.common.problems import Problem
from shailoo.common.refusals import Conflict, InvalidInput, PermissionRefused, Refusal
from shailoo.counting import state as sheet_states
from shailoo.counting.definition import ElectionDefinition, dump_definition, parse_definition
from shailoo.counting.models import (
    Adjudication,
    BallotStyle,
    Contest,
    ContestInterpretation,
    ContestOption,
    Definition,
    ScannedSheet,
)
from shailoo.counting.reads import ContestOutcome, Reason, SheetRead, SheetStatus
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation
from shailoo.integrity import keys, ledger
from shailoo.integrity.models import LedgerEntry, RegisteredKey

DEFINITION_IMPORT = "counting.definition_import"
SCAN_BATCH = "counting.scan_batch"
ADJUDICATION = "counting.adjudication"

#: Keys of :func:`automatic_count` besides option ids (which never start with ``_``).
OVERVOTE = "_overvote"  # sheets whose contest had more marks than allowed
BLANK = "_blank"  # sheets whose contest had no mark
INVALID = "_invalid"  # sheets a person declared invalid
PENDING = "_pending"  # sheets still waiting for a person: not counted anywhere yet
#: Pseudo-contest of :func:`automatic_count` with sheet totals of the station.
SHEETS = "_sheets"

#: Reasons that concern one contest; any other reason puts the whole sheet in doubt.
_CONTEST_REASONS = frozenset({Reason.MARGINAL_MARK, Reason.OVERVOTE})
_BALLOTS_DIR = "ballots"


def _sha256(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


# -- the election definition ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DefinitionImport:
    """What an import did: ``created``, ``replaced`` or ``unchanged`` (same SHA-256)."""

    action: str
    sha256: str
    contests: int
    options: int
    styles: int
    stations: int
    ledger_sequence: int | None


def import_definition(
    election: Election, definition: ElectionDefinition, user: Actor
) -> DefinitionImport:
    """Store ``definition`` for ``election``: idempotent, and frozen once sheets are recorded.

    The SHA-256 is taken over the canonical text (:func:`dump_definition`), so the same
    definition imported twice, however its file was formatted, changes nothing.
    """
    require(user, Permission.ELECTION_DEFINE)
    problems: list[Problem] = []
    if definition.election_id != election.code:
        problems.append(
            Problem(
                "election_id",
                f"the file defines election {definition.election_id!r}, not {election.code!r}",
            )
        )
    if definition.law_edition != election.law_edition:
        problems.append(
            Problem(
                "law_edition",
                f"the file follows {definition.law_edition!r}, the election "
                f"{election.law_edition!r}",
            )
        )
    station_ids, station_problems = _resolve_stations(definition)
    problems += station_problems
    if problems:
        raise InvalidInput("definition_invalid", "the definition does not fit", problems=problems)
    sha = _sha256(dump_definition(definition))
    counts = (
        len(definition.contests),
        sum(len(c.options) for c in definition.contests),
        len(definition.ballot_styles),
        len(station_ids),
    )
    with transaction.atomic():
        existing = Definition.objects.select_for_update().filter(election=election).first()
        if existing is not None and existing.sha256 == sha:
            return DefinitionImport("unchanged", sha, *counts, None)
        if existing is not None and ScannedSheet.objects.filter(election=election).exists():
            raise Refusal(
                "definition_frozen",
                f"ballots are already recorded for {election.code}: the definition "
                f"{existing.sha256[:12]} cannot be replaced",
            )
        if existing is not None:
            Contest.objects.filter(election=election).delete()
            BallotStyle.objects.filter(election=election).delete()
        _store_rows(election, definition, station_ids)
        row, _ = Definition.objects.update_or_create(
            election=election,
            defaults={
                "document": definition.model_dump(mode="json"),
                "sha256": sha,
                "imported_at": timezone.now(),
                "imported_by": actor_name(user),
            },
        )
        entry = ledger.record(
            DEFINITION_IMPORT,
            actor=actor_name(user),
            subject=ledger.ref(row),
            data={
                "election": election.code,
                "sha256": sha,
                "replaces": existing.sha256 if existing is not None else "",
                "contests": counts[0],
                "options": counts[1],
                "ballot_styles": counts[2],
                "stations": counts[3],
            },
        )
    _definition_cache.clear()
    action = "replaced" if existing is not None else "created"
    return DefinitionImport(action, sha, *counts, entry.sequence)


def _station_number(text: str) -> bool:
    """Whether ``text`` can be a polling-station number: 1 to 9 ASCII digits."""
    return text.isascii() and text.isdigit() and len(text) <= 9


def _resolve_stations(definition: ElectionDefinition) -> tuple[dict[str, int], list[Problem]]:
    """Station numbers of the styles -> PollingStation ids, with a problem per unknown one."""
    wanted = set(definition.stations())
    numbers = {int(s) for s in wanted if _station_number(s)}
    known = dict(
        PollingStation.objects.filter(number__in=numbers).values_list("number", "pk").iterator()
    )
    ids: dict[str, int] = {}
    problems: list[Problem] = []
    for i, style in enumerate(definition.ballot_styles):
        for j, station in enumerate(style.stations):
            where = f"ballot_styles.{i}.stations.{j}"
            if not _station_number(station):
                shown = station if len(station) <= 20 else station[:20] + "…"
                problems.append(Problem(where, f"station {shown!r} is not a station number"))
            elif int(station) not in known:
                problems.append(Problem(where, f"polling station {station} does not exist"))
            else:
                ids[station] = known[int(station)]
    return ids, problems


def _store_rows(
    election: Election, definition: ElectionDefinition, station_ids: Mapping[str, int]
) -> None:
    contests = Contest.objects.bulk_create(
        Contest(
            election=election,
            code=c.id,
            kind=c.kind,
            title_ky=c.title.ky,
            title_ru=c.title.ru,
            votes_allowed=c.votes_allowed,
            seats=c.seats,
            district=c.district or "",
            position=n,
        )
        for n, c in enumerate(definition.contests)
    )
    by_code = {c.code: c for c in contests}
    ContestOption.objects.bulk_create(
        ContestOption(
            contest=by_code[c.id],
            code=o.id,
            kind=o.kind,
            name_ky=o.name.ky,
            name_ru=o.name.ru,
            party_ky=o.party.ky if o.party else "",
            party_ru=o.party.ru if o.party else "",
            sex=o.sex or "",
            position=n,
        )
        for c in definition.contests
        for n, o in enumerate(c.options)
    )
    styles = BallotStyle.objects.bulk_create(
        BallotStyle(election=election, code=s.id, contest_codes=list(s.contests))
        for s in definition.ballot_styles
    )
    contest_link = BallotStyle.contests.through
    station_link = BallotStyle.stations.through
    contest_link.objects.bulk_create(
        contest_link(ballotstyle_id=row.pk, contest_id=by_code[code].pk)
        for row, style in zip(styles, definition.ballot_styles, strict=True)
        for code in style.contests
    )
    station_link.objects.bulk_create(
        (
            station_link(ballotstyle_id=row.pk, pollingstation_id=station_ids[number])
            for row, style in zip(styles, definition.ballot_styles, strict=True)
            for number in style.stations
        ),
        batch_size=2000,
    )


_definition_cache: dict[tuple[int, str], ElectionDefinition] = {}


def current_definition(election: Election) -> ElectionDefinition:
    """The definition imported for ``election`` (a :class:`Conflict` ``no_definition`` if none)."""
    row = Definition.objects.filter(election=election).only("sha256").first()
    if row is None:
        raise Conflict("no_definition", f"no election definition is imported for {election.code}")
    key = (election.pk, row.sha256)
    if key not in _definition_cache:
        document = Definition.objects.values_list("document", flat=True).get(pk=row.pk)
        _definition_cache.clear()
        _definition_cache[key] = parse_definition(document, f"definition of {election.code}")
    return _definition_cache[key]


# -- cast vote records ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScanBatch:
    """What a batch did: sheets new, already there, and new ones waiting for a person."""

    created: int
    unchanged: int
    needs_adjudication: int
    ledger_sequence: int | None


@dataclass(slots=True)
class _Planned:
    read: SheetRead
    serial: str
    style: BallotStyle | None
    read_json: dict[str, Any]
    read_sha: str
    image: Path | None


def record_scan(
    election: Election,
    station: PollingStation,
    reads: Iterable[SheetRead],
    images: Path | None,
    user_or_device: Actor | RegisteredKey,
) -> ScanBatch:
    """Store a batch of scanner reads for ``station``: all of it, or nothing with the reasons.

    Idempotent per (election, station, serial): a sheet already stored with the same read is
    skipped; the same serial with a different read is refused (a rescan that disagrees, or a
    copied ballot). A readable sheet must name this election, this station and a style the
    station issues; sheets the reader itself flagged as another station's or style's are
    stored for a person to declare invalid. ``images`` is the folder holding the files the
    reads name (``source``); they are copied under the var directory.
    """
    device_key = _check_scanner(user_or_device, station)
    definition = current_definition(election)
    styles = {
        s.code: s
        for s in BallotStyle.objects.filter(election=election, stations=station).prefetch_related(
            "contests__options"
        )
    }
    existing = dict(
        ScannedSheet.objects.filter(election=election, station=station).values_list(
            "serial", "read_sha256"
        )
    )
    planned: list[_Planned] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for n, read in enumerate(reads):
        where = f"sheet {n} ({read.source})"
        plan = _plan(read, where, definition, station, styles, images, problems)
        if plan is None:
            continue
        if plan.serial in seen and seen[plan.serial] != plan.read_sha:
            problems.append(
                Problem(where, f"serial {plan.serial} appears twice with different reads")
            )
            continue
        if plan.serial in seen:
            continue
        seen[plan.serial] = plan.read_sha
        if plan.serial in existing:
            if existing[plan.serial] != plan.read_sha:
                problems.append(
                    Problem(
                        where, f"serial {plan.serial} is already recorded with a different read"
                    )
                )
            continue
        planned.append(plan)
    if problems:
        raise InvalidInput("scan_refused", "the batch was not recorded", problems=problems)
    unchanged = len(seen) - len(planned)
    if not planned:
        return ScanBatch(0, unchanged, 0, None)
    stored = [_store_image(election, station, p) for p in planned]
    actor = actor_name(user_or_device)
    digest = _sha256("\n".join(sorted(f"{p.serial}:{p.read_sha}" for p in planned)))
    waiting = sum(p.read.needs_adjudication for p in planned)
    try:
        entry = _store_batch(election, station, planned, stored, actor, device_key, digest)
    except IntegrityError as exc:
        raced = ScannedSheet.objects.filter(
            election=election, station=station, serial__in=[p.serial for p in planned]
        ).exists()
        if raced:  # the unique (election, station, serial) row appeared meanwhile
            raise Conflict(
                "scan_conflict",
                "another batch stored some of these sheets at the same moment: run this one again",
            ) from None
        # Not a race: running again would fail the same way. Nothing was stored.
        raise Refusal("scan_not_stored", f"the database refused the batch: {exc}") from None
    return ScanBatch(len(planned), unchanged, waiting, entry.sequence)


def _store_batch(
    election: Election,
    station: PollingStation,
    planned: list[_Planned],
    stored: list[tuple[str, str]],
    actor: str,
    device_key: str,
    digest: str,
) -> LedgerEntry:
    """The batch's ledger entry, sheets and contest rows, in one transaction."""
    waiting = sum(p.read.needs_adjudication for p in planned)
    with transaction.atomic():
        entry = ledger.record(
            SCAN_BATCH,
            actor=actor,
            subject=ledger.ref(station),
            data={
                "election": election.code,
                "station": station.number,
                "sheets": len(planned),
                "needs_adjudication": waiting,
                "reads_sha256": digest,
                "device_key_id": device_key,
            },
        )
        now = timezone.now()
        sheets = ScannedSheet.objects.bulk_create(
            ScannedSheet(
                election=election,
                station=station,
                style=p.style,
                serial=p.serial,
                source=p.read.source[:300],
                image_path=path,
                image_sha256=image_sha,
                read=p.read_json,
                read_sha256=p.read_sha,
                status=p.read.status.value,
                reasons=[r.value for r in p.read.reasons],
                needs_adjudication=p.read.needs_adjudication,
                state=(
                    ScannedSheet.State.PENDING
                    if p.read.needs_adjudication
                    else ScannedSheet.State.COUNTED
                ),
                marginal_threshold=p.read.thresholds.marginal,
                definite_threshold=p.read.thresholds.definite,
                device_key_id=device_key,
                recorded_by=actor,
                recorded_at=now,
                batch_sequence=entry.sequence,
            )
            for p, (path, image_sha) in zip(planned, stored, strict=True)
        )
        ContestInterpretation.objects.bulk_create(
            row
            for sheet, plan in zip(sheets, planned, strict=True)
            for row in _interpretations(sheet, plan)
        )
        # Each sheet bound one by one (the batch entry's digest cannot name a sheet).
        sheet_states.record_batch(
            entry,
            [sheet.pk for sheet in sheets],
            actor=actor,
            subject=ledger.ref(station),
            election=election.code,
            station=station.number,
        )
    return entry


def _check_scanner(actor: Actor | RegisteredKey, station: PollingStation) -> str:
    """Refuse an actor that may not submit this station's scans; the device key id, if any."""
    if isinstance(actor, RegisteredKey):
        if (
            not keys.in_force(actor, keys.now_ms())
            or actor.usage != RegisteredKey.Usage.SUBMISSION
            or actor.station_number != station.number
        ):
            raise PermissionRefused(
                "forbidden", f"key {actor.key_id} may not submit scans of {station.number}"
            )
        return actor.key_id
    require(actor, Permission.PROTOCOL_ENTER, station)
    return ""


def _plan(
    read: SheetRead,
    where: str,
    definition: ElectionDefinition,
    station: PollingStation,
    styles: Mapping[str, BallotStyle],
    images: Path | None,
    problems: list[Problem],
) -> _Planned | None:
    """Check one read against the definition and the station; None (and problems) if refused."""
    before = len(problems)
    number = str(station.number)
    if read.election_id is not None and read.election_id != definition.election_id:
        problems.append(
            Problem(f"{where}: election_id", f"{read.election_id!r} is another election")
        )
    style: BallotStyle | None = None
    if read.status is not SheetStatus.WRONG_STATION and read.station not in (None, number):
        problems.append(Problem(f"{where}: station", f"{read.station!r} is not station {number}"))
    if read.status is SheetStatus.READABLE:
        if read.station is None:
            problems.append(Problem(f"{where}: station", "a readable sheet names its station"))
        style = styles.get(read.style_id or "")
        if style is None:
            problems.append(
                Problem(
                    f"{where}: style_id", f"station {number} does not issue style {read.style_id!r}"
                )
            )
        if not read.serial:
            problems.append(Problem(f"{where}: serial", "a readable sheet needs its serial"))
    elif read.status is SheetStatus.WRONG_STATION:
        if read.station == number:
            problems.append(
                Problem(f"{where}: station", "flagged as another station's but names this")
            )
    elif read.status is SheetStatus.WRONG_STYLE:
        if read.style_id in styles:
            problems.append(
                Problem(f"{where}: style_id", "flagged as a wrong style but is issued here")
            )
    else:  # unreadable: the style is known only if the station issues just one
        style = styles.get(read.style_id or "")
        if style is None and len(styles) == 1:
            style = next(iter(styles.values()))
    if style is not None and read.contests:
        _check_contests(read, where, definition, style, problems)
    problems.extend(Problem(f"{where}: {field}", why) for field, why in read.value_problems())
    image: Path | None = None
    if images is not None:
        image = _image_file(images, read.source, where, problems)
    if len(problems) > before:
        return None
    serial = read.serial or f"~{Path(read.source).name}"
    read_json = read.to_json()
    read_sha = _sha256(json.dumps(read_json, sort_keys=True, separators=(",", ":")))
    return _Planned(read, serial[:200], style, read_json, read_sha, image)


def _check_contests(
    read: SheetRead,
    where: str,
    definition: ElectionDefinition,
    style: BallotStyle,
    problems: list[Problem],
) -> None:
    expected = list(style.contest_codes)
    got = [c.contest_id for c in read.contests]
    if sorted(got) != sorted(expected):
        problems.append(
            Problem(f"{where}: contests", f"style {style.code} has contests {expected}, read {got}")
        )
        return
    for i, contest_read in enumerate(read.contests):
        options = {o.id for o in definition.contest(contest_read.contest_id).options}
        named = [s.option_id for s in contest_read.selections] + list(contest_read.votes)
        unknown = sorted({o for o in named if o not in options})
        if unknown:
            problems.append(Problem(f"{where}: contests.{i}", f"unknown options {unknown}"))


def _image_file(images: Path, source: str, where: str, problems: list[Problem]) -> Path | None:
    base = images.resolve()
    candidate = (base / source).resolve()
    if not candidate.is_relative_to(base):
        problems.append(Problem(f"{where}: source", f"{source!r} lies outside {images}"))
        return None
    if not candidate.is_file():
        problems.append(Problem(f"{where}: source", f"image {candidate} not found"))
        return None
    return candidate


def ballots_root() -> Path:
    """Where stored ballot images live: ``<var dir>/ballots``."""
    return Path(settings.VAR_DIR) / _BALLOTS_DIR


def _store_image(election: Election, station: PollingStation, plan: _Planned) -> tuple[str, str]:
    """Copy the sheet's image under the var directory; (relative path, SHA-256) or blanks."""
    if plan.image is None:
        return "", ""
    data = plan.image.read_bytes()
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in plan.serial)
    relative = Path(_BALLOTS_DIR, election.code, str(station.number), safe + plan.image.suffix)
    target = Path(settings.VAR_DIR) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(plan.image, target)
    return relative.as_posix(), _sha256(data)


def _interpretations(sheet: ScannedSheet, plan: _Planned) -> list[ContestInterpretation]:
    """One row per contest of the sheet's style: as read, and whether a person must decide."""
    if plan.style is None:
        return []
    read = plan.read
    whole_sheet = read.status is not SheetStatus.READABLE or any(
        r not in _CONTEST_REASONS for r in read.reasons
    )
    by_code = {c.code: c for c in plan.style.contests.all()}
    reads = {c.contest_id: c for c in read.contests}
    rows = []
    for code in plan.style.contest_codes:
        contest_read = reads.get(code)
        if contest_read is None:  # not read at all: a person reads it
            outcome, votes, fills, needs = ContestOutcome.MARGINAL, [], [], True
        else:
            outcome = contest_read.outcome
            votes = list(contest_read.votes)
            fills = [[s.option_id, s.fill, s.marked] for s in contest_read.selections]
            needs = (
                whole_sheet
                or outcome is ContestOutcome.MARGINAL
                or (outcome is ContestOutcome.OVERVOTE and Reason.OVERVOTE in read.reasons)
            )
        rows.append(
            ContestInterpretation(
                sheet=sheet,
                contest=by_code[code],
                read_outcome=outcome.value,
                outcome=outcome.value,
                votes=votes,
                fills=fills,
                needs_decision=needs and read.needs_adjudication,
            )
        )
    if read.needs_adjudication and not any(r.needs_decision for r in rows):
        # The reader doubts the sheet but names no contest: a person checks all of them.
        for row in rows:
            row.needs_decision = True
    return rows


def automatic_count(election: Election, station: PollingStation) -> dict[str, dict[str, int]]:
    """Votes per contest and option at ``station`` from sheets that count.

    Each contest of the station's styles maps every option id to its votes, plus
    :data:`OVERVOTE`, :data:`BLANK`, :data:`INVALID` and :data:`PENDING` sheet counts;
    :data:`SHEETS` holds ``total``, ``counted``, ``invalid`` and ``pending`` sheets.
    """
    counts: dict[str, dict[str, int]] = {}
    options = ContestOption.objects.filter(
        contest__election=election, contest__ballot_styles__stations=station
    ).values_list("contest__code", "code")
    for contest_code, option_code in options.distinct():
        counts.setdefault(contest_code, {BLANK: 0, OVERVOTE: 0, INVALID: 0, PENDING: 0})
        counts[contest_code][option_code] = 0
    State = ScannedSheet.State
    rows = ContestInterpretation.objects.filter(
        sheet__election=election, sheet__station=station
    ).values_list("sheet__state", "contest__code", "outcome", "votes")
    for state, code, outcome, votes in rows.iterator(chunk_size=5000):
        tally = counts.setdefault(code, {BLANK: 0, OVERVOTE: 0, INVALID: 0, PENDING: 0})
        if state == State.INVALID:
            tally[INVALID] += 1
        elif state == State.PENDING or outcome == ContestOutcome.MARGINAL:
            tally[PENDING] += 1
        elif outcome == ContestOutcome.OVERVOTE:
            tally[OVERVOTE] += 1
        elif outcome == ContestOutcome.UNDERVOTE:
            tally[BLANK] += 1
        else:
            for option in votes:
                tally[option] = tally.get(option, 0) + 1
    # Counted in Python, not with GROUP BY state: grouping makes SQLite pick the
    # (election, state) index and read every sheet of the election for each station.
    states = Counter(
        ScannedSheet.objects.filter(election=election, station=station).values_list(
            "state", flat=True
        )
    )
    counts[SHEETS] = {
        "total": sum(states.values()),
        "counted": states.get(State.COUNTED, 0) + states.get(State.DECIDED, 0),
        "invalid": states.get(State.INVALID, 0),
        "pending": states.get(State.PENDING, 0),
    }
    return counts


# -- adjudication -----------------------------------------------------------------------------


def adjudicable_styles(sheet: ScannedSheet) -> list[BallotStyle]:
    """Styles a person may assign to a sheet whose style the scanner could not tell."""
    if sheet.style_id is not None or sheet.status != ScannedSheet.Status.UNREADABLE:
        return []
    return list(BallotStyle.objects.filter(election=sheet.election_id, stations=sheet.station_id))


def decide(
    sheet: ScannedSheet,
    *,
    decision: str,
    reason: str,
    user: Actor,
    contest_code: str | None = None,
    option_codes: Sequence[str] = (),
    style_code: str | None = None,
) -> Adjudication:
    """Record a person's decision on a pending sheet, with the ledger entry, atomically.

    ``decision`` is one of :class:`Adjudication.Decision`: a contest gets ``vote`` (with the
    options that count), ``overvote`` or ``blank``; ``sheet-invalid`` takes the whole sheet
    out of the count. A sheet whose style the scanner could not read first needs
    ``style_code`` (with any contest decision). The sheet counts once every contest that
    needed a person is decided.
    """
    require(user, Permission.BALLOT_ADJUDICATE, sheet)
    reason = reason.strip()
    if not reason:
        raise InvalidInput("reason_missing", "a decision needs its reason")
    if decision not in Adjudication.Decision.values:
        raise InvalidInput("decision_unknown", f"unknown decision {decision!r}")
    with transaction.atomic():
        sheet = (
            ScannedSheet.objects.select_for_update(of=("self",))
            .select_related("station", "election")
            .get(pk=sheet.pk)
        )
        if sheet.state != ScannedSheet.State.PENDING:
            raise Conflict("already_decided", f"sheet {sheet.serial} is no longer pending")
        contest: Contest | None = None
        votes: list[str] = []
        read_outcome = ""
        if decision == Adjudication.Decision.SHEET_INVALID:
            sheet.state = ScannedSheet.State.INVALID
            sheet.save(update_fields=["state"])
        else:
            if style_code:
                _assign_style(sheet, style_code)
            elif sheet.style_id is None:
                raise InvalidInput(
                    "style_unknown",
                    "the scanner could not tell this sheet's style: choose it, "
                    "or declare the sheet invalid",
                )
            interpretation = _interpretation(sheet, contest_code)
            contest = interpretation.contest
            votes = _decided_votes(contest, decision, option_codes)
            read_outcome = interpretation.read_outcome
            interpretation.outcome = {
                Adjudication.Decision.VOTE: ContestOutcome.VALID,
                Adjudication.Decision.OVERVOTE: ContestOutcome.OVERVOTE,
                Adjudication.Decision.BLANK: ContestOutcome.UNDERVOTE,
            }[Adjudication.Decision(decision)].value
            interpretation.votes = votes
            interpretation.decided = True
            interpretation.save(update_fields=["outcome", "votes", "decided"])
            if not sheet.contests.filter(needs_decision=True, decided=False).exists():
                sheet.state = ScannedSheet.State.DECIDED
                sheet.save(update_fields=["state"])
        try:
            entry = ledger.record(
                ADJUDICATION,
                actor=actor_name(user),
                subject=ledger.ref(sheet),
                data={
                    "election": sheet.election.code,
                    "station": sheet.station.number,
                    "serial": sheet.serial,
                    "read_sha256": sheet.read_sha256,
                    "contest": contest.code if contest else "",
                    "read_outcome": read_outcome,
                    "decision": decision,
                    "votes": votes,
                    "style": style_code or "",
                    "reason": reason,
                    "sheet_state": sheet.state,
                },
            )
        except ledger.LedgerError as exc:
            raise InvalidInput("reason_refused", f"the reason cannot be recorded: {exc}") from None
        return Adjudication.objects.create(
            sheet=sheet,
            contest=contest,
            decision=decision,
            votes=votes,
            style_code=style_code or "",
            reason=reason,
            decided_by=None if isinstance(user, str) else user,
            actor=actor_name(user),
            decided_at=entry.created_at,
            ledger_sequence=entry.sequence,
        )


def _assign_style(sheet: ScannedSheet, style_code: str) -> None:
    style = next((s for s in adjudicable_styles(sheet) if s.code == style_code), None)
    if style is None:
        raise InvalidInput("style_refused", f"style {style_code!r} cannot be assigned here")
    sheet.style = style
    sheet.save(update_fields=["style"])
    contests = {c.code: c for c in style.contests.all()}
    ContestInterpretation.objects.bulk_create(
        ContestInterpretation(
            sheet=sheet,
            contest=contests[code],
            read_outcome=ContestOutcome.MARGINAL.value,
            outcome=ContestOutcome.MARGINAL.value,
            needs_decision=True,
        )
        for code in style.contest_codes
    )


def _interpretation(sheet: ScannedSheet, contest_code: str | None) -> ContestInterpretation:
    found = (
        sheet.contests.select_related("contest").filter(contest__code=contest_code or "").first()
    )
    if found is None:
        raise InvalidInput("contest_unknown", f"contest {contest_code!r} is not on this sheet")
    if not found.needs_decision:
        raise InvalidInput("no_decision_needed", f"contest {contest_code} was read with certainty")
    if found.decided:
        raise Conflict("already_decided", f"contest {contest_code} is already decided")
    return found


def _decided_votes(contest: Contest, decision: str, option_codes: Sequence[str]) -> list[str]:
    if decision != Adjudication.Decision.VOTE:
        if option_codes:
            raise InvalidInput("options_unexpected", f"a {decision} decision names no option")
        return []
    kinds = dict(contest.options.values_list("code", "kind"))
    chosen = list(dict.fromkeys(option_codes))
    unknown = [o for o in chosen if o not in kinds]
    if unknown:
        raise InvalidInput("option_unknown", f"{unknown} are not options of {contest.code}")
    if not chosen:
        raise InvalidInput("option_missing", "a valid vote names the option it goes to")
    if len(chosen) > contest.votes_allowed or (
        len(chosen) > 1 and any(kinds[o] == "against_all" for o in chosen)
    ):
        raise Refusal(
            "too_many_options",
            f"{contest.code} allows {contest.votes_allowed} mark(s): that is an overvote",
        )
    return chosen
