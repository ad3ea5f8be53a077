"""Standalone ledger verifier: ``python -m shailoo.integrity.verifier EXPORT_DIR``.

Observers, parties and journalists must be able to check the ledger without trusting our
server, our database or Django, so this module needs only the standard library, the
``cryptography`` package, the pure :mod:`.merkle` and :mod:`.canonical` engines and the
pure :mod:`shailoo.common.problems`, :mod:`shailoo.common.refusals` and
:mod:`shailoo.common.safe_json` (every file is read as hostile: bounded, never a crash). It
recomputes every leaf hash from the entries' bytes, rebuilds the RFC 9162 tree, and checks
every signed tree head (Ed25519 signature, key validity, root at its size, consistency with
the previous head). ``shailoo ledger verify`` feeds the database's rows into the same
:class:`LedgerChecker`, so both give the same diagnostics: the first bad entry and the first
bad head, located, and a non-zero exit.

Export layout (written by ``shailoo ledger export DIR``): ``manifest.json`` (counts, the
latest head's size, each file's bytes and SHA-256: checked against what is read),
``entries.jsonl`` (one entry a line, ``data`` in base64), ``heads.jsonl`` and ``keys.json``.
Entries after the last good signed head are counted and named (``UNSIGNED``): nothing
protects them, so :func:`main` exits 3 unless ``--allow-unsigned-tail``.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from shailoo.common import safe_json
from shailoo.common.problems import Problem
from shailoo.common.refusals import InvalidInput, Unavailable
from shailoo.integrity.canonical import CanonicalError, canonical_json, canonical_loads
from shailoo.integrity.merkle import MerkleLog, ProofError, leaf_hash, verify_consistency

HEAD_FORMAT = "shailoo-tree-head/1"
EXPORT_FORMAT = "shailoo-ledger-export/1"
ENVELOPE_KEYS = frozenset({"kind", "payload", "seq", "time"})
MAX_PROBLEMS = 50
#: Bounds on what an export file may hold: one entry line, heads.jsonl or keys.json, the manifest.
MAX_LINE_BYTES = 16 * 1024 * 1024
MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_MANIFEST_BYTES = 1024 * 1024


def key_id(public_key: bytes) -> str:
    """A key's id: the first 32 hex digits (128 bits) of SHA-256 of the raw public key."""
    return hashlib.sha256(public_key).hexdigest()[:32]


def head_message(size: int, root_hash: bytes, timestamp_ms: int, signer: str) -> bytes:
    """The exact bytes a tree head's Ed25519 signature covers (RFC 8785 canonical JSON)."""
    return canonical_json(
        {
            "format": HEAD_FORMAT,
            "key_id": signer,
            "root_hash": root_hash.hex(),
            "size": size,
            "timestamp_ms": timestamp_ms,
        }
    )


def format_time(moment: datetime) -> str:
    """The entry envelope's time text: UTC, microseconds, ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def ms_text(ms: int) -> str:
    try:
        return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, ValueError, OSError):  # a time no clock gives: say it as it is
        return f"{ms} ms"


class DamagedValue(Unavailable):
    """A stored column holds what Shailoo never writes there (a value edited in by hand).

    An :class:`~shailoo.common.refusals.Unavailable` (503, code ``ledger_damaged``), not a
    ``ValueError``: a damaged database is no bad input. ``what`` says what the column holds.
    """

    default_code = "ledger_damaged"

    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(
            "ledger_damaged",
            f"a stored ledger value {what}: the database was edited; run `shailoo ledger verify`",
        )


def stored_bytes(value: object) -> bytes:
    """A BLOB column's value as bytes; :class:`DamagedValue` saying what it holds instead.

    SQLite stores whatever is written into a column: ``UPDATE ... SET data='x'`` leaves text
    where bytes belong, and ``bytes(5)`` would silently be five zero bytes (``bytes(10**11)``
    a hundred gigabytes), so nothing is converted.
    """
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise DamagedValue(f"holds {describe_value(value)}, not bytes")


def describe_value(value: object) -> str:
    """What a damaged column holds, briefly: ``text 'x'``, ``int 5``, ``NULL``."""
    if value is None:
        return "NULL"
    shown = repr(value)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    return f"text {shown}" if isinstance(value, str) else f"{type(value).__name__} {shown}"


@dataclass(frozen=True, slots=True)
class EntryRecord:
    seq: int
    kind: str
    time: str
    data: bytes
    leaf_hash: bytes


@dataclass(frozen=True, slots=True)
class HeadRecord:
    size: int
    root_hash: bytes
    timestamp_ms: int
    key_id: str
    signature: bytes


@dataclass(frozen=True, slots=True)
class KeyRecord:
    key_id: str
    public_key: bytes
    usage: str
    valid_from_ms: int
    valid_to_ms: int | None = None
    revoked_at_ms: int | None = None


def finding(kind: str, index: int, reason: str) -> Problem:
    """A verifier finding: ``where`` is the kind (entry, node, head, key) and its position."""
    return Problem(f"{kind} {index}", reason)


def position(problem: Problem) -> tuple[str, int]:
    """A finding's kind and position: ``("entry", 5)`` for ``entry 5``, ``(name, 0)`` for a
    finding about a whole file (``manifest.json``)."""
    kind, _, index = problem.where.partition(" ")
    return kind, int(index) if index.isdigit() else 0


@dataclass
class Report:
    entries: int
    heads: int
    root_hash: bytes
    problems: list[Problem] = field(default_factory=list)
    total_problems: int = 0
    #: Entries covered by the last good signed head; those after it no signature protects.
    signed: int = 0

    @property
    def ok(self) -> bool:
        return self.total_problems == 0

    @property
    def unsigned(self) -> int:
        """Entries after the last good signed head: nothing proves they were not changed."""
        return max(self.entries - self.signed, 0)

    def first(self, kind: str) -> Problem | None:
        """The finding of ``kind`` (entry, head, ...) at the lowest position, if any."""
        found = [p for p in self.problems if position(p)[0] == kind]
        return min(found, key=lambda p: position(p)[1]) if found else None

    def lines(self) -> list[str]:
        out = [f"ledger: {self.entries} entries, root {self.root_hash.hex()}, {self.heads} heads"]
        if self.unsigned:
            out.append(
                f"UNSIGNED: {self.unsigned} entries ({self.signed}..{self.entries - 1}) come "
                f"after the last good signed head (size {self.signed}): no signature covers "
                "them, so nothing proves they were not changed"
            )
        if self.ok:
            return [*out, "OK: every entry, node and signed head verifies"]
        out.append(f"TAMPERED: {self.total_problems} problem(s)")
        for where in ("entry", "head"):
            first = self.first(where)
            if first is not None:
                out.append(f"first bad {where}: {first}")
        out.extend(f"  {p}" for p in self.problems)
        if self.total_problems > len(self.problems):
            out.append(f"  ... and {self.total_problems - len(self.problems)} more")
        return out


class LevelStore:
    """A compact NodeStore: one list of hashes per level (the verifier holds about 2n)."""

    def __init__(self) -> None:
        self.levels: list[list[bytes]] = []

    def get(self, level: int, index: int) -> bytes:
        if level >= len(self.levels) or not 0 <= index < len(self.levels[level]):
            raise KeyError((level, index))
        return self.levels[level][index]

    def put(self, level: int, index: int, node: bytes) -> None:
        while len(self.levels) <= level:
            self.levels.append([])
        row = self.levels[level]
        if index == len(row):
            row.append(node)
        elif 0 <= index < len(row):
            row[index] = node
        else:
            raise ValueError(f"node ({level}, {index}) put out of order")


class LedgerChecker:
    """Feed it entries in stored order, then (optionally) stored nodes, then heads.

    Each finding is a :class:`~shailoo.common.problems.Problem` made by :func:`finding`.
    """

    def __init__(self) -> None:
        self.store = LevelStore()
        self.log = MerkleLog(self.store)
        self.problems: list[Problem] = []
        self.total = 0
        self.heads = 0
        self.signed = 0
        self._next_seq = 0
        self._offset = 0

    def problem(self, kind: str, index: int, reason: str) -> None:
        self.total += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(finding(kind, index, reason))

    def file_problem(self, name: str, reason: str) -> None:
        """A finding about a whole export file (``manifest.json``, ``heads.jsonl``)."""
        self.total += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(name, reason))

    def add_entry(self, entry: EntryRecord) -> None:
        """Recompute one entry's leaf and append it at the next position, as stored.

        A gap in the stored sequence numbers, or a run of entries stored at another place
        than the one they were hashed for, is reported once, at its first entry.
        """
        position = self.log.size
        digest = leaf_hash(entry.data)
        self.log.append(digest)
        expected, self._next_seq = self._next_seq, max(self._next_seq, entry.seq + 1)
        if entry.seq > expected:
            gone = f"{expected}..{entry.seq - 1}" if entry.seq - expected > 1 else str(expected)
            self.problem("entry", expected, f"missing: entry {gone} deleted")
        elif entry.seq < expected:
            self.problem("entry", position, f"sequence {entry.seq} repeats or is out of order")
        if digest != entry.leaf_hash:
            self.problem(
                "entry", entry.seq, "data does not hash to its leaf: altered since written"
            )
            return
        try:
            value = canonical_loads(entry.data)
        except CanonicalError as exc:
            self.problem("entry", entry.seq, f"data is not canonical JSON ({exc})")
            return
        if not isinstance(value, dict) or set(value) != ENVELOPE_KEYS:
            self.problem("entry", entry.seq, "data is not an envelope {kind, payload, seq, time}")
            return
        claimed = value["seq"]
        if type(claimed) is not int:
            self.problem("entry", entry.seq, f"data has a non-integer sequence {claimed!r}")
            return
        offset, previous = entry.seq - claimed, self._offset
        self._offset = offset
        if offset and offset != previous:
            self.problem(
                "entry",
                min(entry.seq, max(claimed, 0)),
                f"stored as {entry.seq} but hashed as {claimed}: inserted, deleted or reordered",
            )
        if value["kind"] != entry.kind or value["time"] != entry.time:
            self.problem("entry", entry.seq, "its kind or time column differs from what was hashed")

    def add_entries(self, entries: Iterable[EntryRecord]) -> None:
        for entry in entries:
            self.add_entry(entry)

    def expect_size(self, size: int, source: str) -> None:
        """Compare with a size recorded elsewhere (ledger state, export manifest)."""
        n = self.log.size
        if size > n:
            self.problem("entry", n, f"missing: {source} records {size} entries, {n} are stored")
        elif size < n:
            self.problem("entry", size, f"{source} records only {size} entries: {n - size} extra")

    def check_nodes(self, nodes: Iterable[tuple[int, int, bytes]]) -> None:
        """Compare stored tree nodes, ordered by (level, index), with the recomputed ones."""
        levels = self.store.levels
        nxt: dict[int, int] = {}
        for level, index, node in nodes:
            want = levels[level] if level < len(levels) else []
            expected = nxt.get(level, 0)
            if index > expected and expected < len(want):
                self._node_problem(level, expected, "is missing")
            nxt[level] = index + 1
            if index >= len(want):
                self._node_problem(level, index, f"lies outside a tree of {self.log.size}")
            elif want[index] != node:
                self._node_problem(level, index, "differs from the hash of the stored entries")
        for level, want in enumerate(levels):
            if nxt.get(level, 0) < len(want):
                self._node_problem(level, nxt.get(level, 0), "is missing")

    def _node_problem(self, level: int, index: int, what: str) -> None:
        first, last = index << level, ((index + 1) << level) - 1
        if level == 0:
            self.problem("entry", index, f"stored leaf node {what}")
        else:
            where = f"node (level {level}, index {index}) over entries {first}..{last}"
            self.problem("node", first, f"{where} {what}")

    def check_heads(
        self,
        heads: Sequence[HeadRecord],
        keys: Mapping[str, KeyRecord],
        trusted: frozenset[bytes] | None = None,
    ) -> None:
        """Signature, key validity, root at its size, consistency with the last good head."""
        for i, key in enumerate(keys.values()):
            if key_id(key.public_key) != key.key_id:
                self.problem("key", i, f"key id {key.key_id} does not match its public key")
        self.heads = len(heads)
        n = self.log.size
        good: HeadRecord | None = None
        previous_ms = 0
        truncated = False
        for j, head in enumerate(heads):
            where = f"(size {head.size}, signed {ms_text(head.timestamp_ms)})"
            reason = _signature_problem(head, keys, trusted)
            if reason is None and head.size < 0:
                reason = "has a negative size"
            if reason is None and head.timestamp_ms < previous_ms:
                reason = "is dated before the previous head"
            previous_ms = max(previous_ms, head.timestamp_ms)
            if reason is None and head.size > n:
                reason = f"covers {head.size} entries, only {n} are stored (truncated ledger)"
                if not truncated:
                    self.problem("entry", n, f"missing: head {j} was signed over it")
                truncated = True
            if reason is None and self.log.root(head.size) != head.root_hash:
                lo = good.size if good is not None and good.size <= head.size else 0
                reason = (
                    f"root differs from the stored entries: an entry in {lo}..{head.size - 1} "
                    "was changed, inserted, deleted or reordered after this head was signed"
                )
            if reason is None and good is not None:
                reason = self._consistency_problem(good, head)
            if reason is not None:
                self.problem("head", j, f"{where} {reason}")
            else:
                good = head
        self.signed = good.size if good is not None else 0

    def _consistency_problem(self, old: HeadRecord, new: HeadRecord) -> str | None:
        if old.size > new.size:
            return f"is smaller than an earlier head (size {old.size}): the ledger was rolled back"
        if old.size == 0 and new.size > 0:
            return None  # every tree extends the empty one; its root was checked already
        proof = self.log.consistency_proof(old.size, new.size) if old.size < new.size else []
        try:
            verify_consistency(old.size, new.size, old.root_hash, new.root_hash, proof)
        except ProofError as exc:
            return f"is not consistent with the head of size {old.size}: {exc.reason}"
        return None

    def report(self) -> Report:
        return Report(
            self.log.size, self.heads, self.log.root(), self.problems, self.total, self.signed
        )


def _signature_problem(
    head: HeadRecord, keys: Mapping[str, KeyRecord], trusted: frozenset[bytes] | None
) -> str | None:
    key = keys.get(head.key_id)
    if key is None:
        return f"is signed by unknown key {head.key_id}"
    if key.usage != "tree_head":
        return f"is signed by key {head.key_id}, which may not sign tree heads"
    if trusted is not None and key.public_key not in trusted:
        return f"is signed by key {head.key_id}, which is not among the trusted keys"
    if len(head.signature) != 64 or len(head.root_hash) != 32:
        return "has a truncated signature or root hash"
    try:
        message = head_message(head.size, head.root_hash, head.timestamp_ms, head.key_id)
    except CanonicalError as exc:  # a size or time no signed head can hold (past 2**53)
        return f"cannot have been signed: {exc}"
    try:
        Ed25519PublicKey.from_public_bytes(key.public_key).verify(head.signature, message)
    except (InvalidSignature, ValueError):
        return "signature does not verify: the head was forged or altered"
    ts = head.timestamp_ms
    if ts < key.valid_from_ms or (key.valid_to_ms is not None and ts >= key.valid_to_ms):
        return f"is dated outside the validity of key {head.key_id}"
    if key.revoked_at_ms is not None and ts >= key.revoked_at_ms:
        return f"is dated after key {head.key_id} was revoked"
    return None


# --- reading an export ----------------------------------------------------------------------


class ExportError(InvalidInput):
    """The export directory cannot be read at all (missing file, wrong format).

    Code ``ledger_export_invalid``; a line that cannot be read is its one located problem.
    """

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        super().__init__("ledger_export_invalid", message, problems=problems)


def _b64(text: object) -> bytes:
    if not isinstance(text, str):
        raise ValueError("expected a base64 string")
    return base64.b64decode(text, validate=True)


class _Tally:
    """The bytes and SHA-256 of a file as it is read, to compare with the manifest."""

    def __init__(self) -> None:
        self.size = 0
        self._hash = hashlib.sha256()

    def add(self, data: bytes) -> None:
        self.size += len(data)
        self._hash.update(data)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def _lines(path: Path, tally: _Tally) -> Iterator[tuple[int, bytes | None]]:
    """``(line number, line)`` of a JSON-lines file; ``None`` for a line over the bound."""
    with path.open("rb") as fh:
        line_no = 0
        while line := fh.readline(MAX_LINE_BYTES + 1):
            tally.add(line)
            line_no += 1
            if len(line) <= MAX_LINE_BYTES or line.endswith(b"\n"):
                yield line_no, line
                continue
            while line and not line.endswith(b"\n"):  # skip the rest, still counted
                line = fh.readline(1 << 20)
                tally.add(line)
            yield line_no, None


def _json_line(line: bytes | None, name: str, line_no: int) -> Any:
    if line is None:
        raise ValueError(f"longer than {MAX_LINE_BYTES} bytes")
    return safe_json.loads(line, source=f"{name} line {line_no}", max_bytes=MAX_LINE_BYTES)


def _read_entries(path: Path, checker: LedgerChecker, tally: _Tally) -> Iterator[EntryRecord]:
    """Each line's entry; a line that cannot be read is a located problem and takes its place.

    Lines are read through :mod:`shailoo.common.safe_json`: a 200,000-deep line, ``NaN``, a
    repeated key or a number of thousands of digits is a finding, never a crash.
    """
    for line_no, line in _lines(path, tally):
        try:
            row = _json_line(line, path.name, line_no)
            yield EntryRecord(
                int(row["seq"]),
                str(row["kind"]),
                str(row["time"]),
                _b64(row["data"]),
                bytes.fromhex(row["leaf_hash"]),
            )
        except (ValueError, KeyError, TypeError, binascii.Error) as exc:
            reason = exc.reason if isinstance(exc, safe_json.JsonInputError) else str(exc)
            where = f"{path.name} line {line_no}"
            if isinstance(exc, safe_json.JsonInputError) and exc.column is not None:
                where += f" column {exc.column}"
            checker.problem("entry", checker.log.size, f"{where}: {reason}")
            checker.log.append(leaf_hash(line or b""))


def _read_bounded(path: Path, limit: int, tally: _Tally) -> bytes:
    with path.open("rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ExportError(f"{path.name} is larger than {limit} bytes: not an export")
    tally.add(data)
    return data


def _read_heads(path: Path, tally: _Tally) -> list[HeadRecord]:
    heads = []
    for line_no, line in enumerate(_read_bounded(path, MAX_FILE_BYTES, tally).splitlines(), 1):
        try:
            row = safe_json.loads(line, max_bytes=MAX_LINE_BYTES)
            heads.append(
                HeadRecord(
                    int(row["size"]),
                    bytes.fromhex(row["root_hash"]),
                    int(row["timestamp_ms"]),
                    str(row["key_id"]),
                    _b64(row["signature"]),
                )
            )
        except (ValueError, KeyError, TypeError, binascii.Error) as exc:
            reason = str(exc)
            if isinstance(exc, safe_json.JsonInputError):  # its line is the line's own: 1
                reason = (
                    exc.reason if exc.column is None else f"{exc.reason} at column {exc.column}"
                )
            raise ExportError(
                f"{path.name} cannot be read", [Problem("", reason, line_no, path.name)]
            ) from None
    return heads


def _read_keys(path: Path, tally: _Tally) -> dict[str, KeyRecord]:
    try:
        rows = safe_json.loads(_read_bounded(path, MAX_FILE_BYTES, tally), source=path.name)
        keys = [
            KeyRecord(
                str(r["key_id"]),
                bytes.fromhex(r["public_key"]),
                str(r["usage"]),
                int(r["valid_from_ms"]),
                None if r["valid_to_ms"] is None else int(r["valid_to_ms"]),
                None if r["revoked_at_ms"] is None else int(r["revoked_at_ms"]),
            )
            for r in rows
        ]
    except safe_json.JsonInputError as exc:
        raise ExportError(f"{path.name} cannot be read", exc.problems) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ExportError(f"{path.name}: {exc}") from None
    return {k.key_id: k for k in keys}


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = safe_json.loads(
            _read_bounded(path, MAX_MANIFEST_BYTES, _Tally()), source=path.name
        )
    except safe_json.JsonInputError as exc:
        raise ExportError(f"{path.name} cannot be read", exc.problems) from None
    if not isinstance(manifest, dict):
        raise ExportError(f"{path.name} is not a JSON object")
    if manifest.get("format") != EXPORT_FORMAT:
        raise ExportError(f"manifest format is {manifest.get('format')!r}, not {EXPORT_FORMAT}")
    return manifest


def _stated(manifest: Mapping[str, Any], key: str, checker: LedgerChecker) -> int | None:
    """An integer the manifest states (None when it states none, or states it wrongly)."""
    value = manifest.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        checker.file_problem("manifest.json", f"{key} is {value!r}, not a whole number")
        return None
    return value


def check_manifest(
    manifest: Mapping[str, Any],
    checker: LedgerChecker,
    heads: Sequence[HeadRecord],
    keys: Mapping[str, KeyRecord],
    files: Mapping[str, _Tally],
) -> None:
    """Compare what ``manifest.json`` states with what was read: the counts of heads and
    keys, the latest head's size, each file's bytes and SHA-256 (the entries' count is
    compared by :meth:`LedgerChecker.expect_size`). A signed head removed from
    ``heads.jsonl`` is a missing head, as a deleted entry is a missing entry."""
    stated = _stated(manifest, "heads", checker)
    if stated is not None and stated > len(heads):
        checker.problem(
            "head",
            len(heads),
            f"missing: manifest.json counts {stated} heads, heads.jsonl holds {len(heads)}: "
            "a signed head was removed",
        )
    elif stated is not None and stated < len(heads):
        checker.problem(
            "head", stated, f"manifest.json counts only {stated} heads: {len(heads) - stated} extra"
        )
    latest = _stated(manifest, "latest_head_size", checker)
    read = heads[-1].size if heads else None
    if latest is not None and latest != read:
        newer = read is None or latest > read  # a later head than the last one read: missing
        checker.problem(
            "head",
            len(heads) if newer else len(heads) - 1,
            f"manifest.json says the latest head covers {latest} entries, "
            f"the last head in heads.jsonl covers {read}",
        )
    counted = _stated(manifest, "keys", checker)
    if counted is not None and counted != len(keys):
        checker.file_problem(
            "keys.json", f"manifest.json counts {counted} keys, keys.json holds {len(keys)}"
        )
    stated_files = manifest.get("files", {})
    if not isinstance(stated_files, Mapping):
        checker.file_problem("manifest.json", "files is not an object")
        return
    for name, tally in files.items():
        facts = stated_files.get(name)
        if facts is None:
            continue  # an export written before the manifest stated its files
        if not isinstance(facts, Mapping):
            checker.file_problem("manifest.json", f"files.{name} is not an object")
        elif facts.get("bytes") != tally.size or facts.get("sha256") != tally.hexdigest():
            checker.file_problem(
                name,
                f"{tally.size} bytes with SHA-256 {tally.hexdigest()[:16]}..., but "
                f"manifest.json states {facts.get('bytes')} bytes with SHA-256 "
                f"{str(facts.get('sha256'))[:16]}...: the file was changed after the export",
            )


def verify_export(directory: Path, trusted: frozenset[bytes] | None = None) -> Report:
    """Verify an export directory; raises ExportError when it cannot be read at all.

    Besides every entry and head, what ``manifest.json`` states is checked against what was
    read (:func:`check_manifest`); the report's ``unsigned`` counts the entries that no good
    signed head covers.
    """
    names = ("manifest.json", "entries.jsonl", "heads.jsonl", "keys.json")
    for name in names:
        if not (directory / name).is_file():
            raise ExportError(f"{directory / name} is missing")
    manifest = _read_manifest(directory / "manifest.json")
    try:
        size = int(manifest["entries"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ExportError(f"manifest.json: entries: {exc}") from None
    files = {name: _Tally() for name in names[1:]}
    checker = LedgerChecker()
    checker.add_entries(_read_entries(directory / "entries.jsonl", checker, files["entries.jsonl"]))
    checker.expect_size(size, "the export manifest")
    heads = _read_heads(directory / "heads.jsonl", files["heads.jsonl"])
    keys = _read_keys(directory / "keys.json", files["keys.json"])
    check_manifest(manifest, checker, heads, keys, files)
    checker.check_heads(heads, keys, trusted)
    return checker.report()


def main(argv: Sequence[str] | None = None) -> int:
    """Exit 0 when everything verifies; 1 on any tampering; 2 when the export is unreadable;
    3 when it verifies but entries no signed head covers are present (unless
    ``--allow-unsigned-tail``)."""
    parser = argparse.ArgumentParser(
        prog="python -m shailoo.integrity.verifier",
        description="Verify a Shailoo ledger export without Django or a database.",
    )
    parser.add_argument("directory", type=Path, help="directory written by `shailoo ledger export`")
    parser.add_argument(
        "--trusted-key",
        action="append",
        default=[],
        metavar="HEX",
        help="commission public key (64 hex digits) obtained out of band; repeatable",
    )
    parser.add_argument(
        "--allow-unsigned-tail",
        action="store_true",
        help="exit 0 even when entries after the last signed head (which no signature "
        "protects) are present; they are still counted and named",
    )
    args = parser.parse_args(argv)
    try:
        trusted = frozenset(bytes.fromhex(k) for k in args.trusted_key) or None
        report = verify_export(args.directory, trusted)
    except (ExportError, ValueError) as exc:
        print(f"cannot verify: {exc}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    if not report.ok:
        return 1
    if report.unsigned and not args.allow_unsigned_tail:
        print(
            f"NOT VERIFIED: {report.unsigned} entries are covered by no signed head; get an "
            "export with a newer head, or accept them unverified with --allow-unsigned-tail",
            file=sys.stderr,
        )
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
