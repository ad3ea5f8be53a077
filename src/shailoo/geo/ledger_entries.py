"""What the geography writes to the ledger, in the caller's transaction.

A polling station that changes district, TEC or region changes who administers it and, for
every voter registered there, which commission answers for their list: such a move is never
silent. The geography import applies one only when asked to (``--allow-moves``) and records
each with this entry. The kind and its payload are part of every ledger already written:
change neither, add a new kind instead.
"""

from __future__ import annotations

from shailoo.geo.models import PollingStation
from shailoo.integrity import ledger
from shailoo.integrity.models import LedgerEntry

STATION_MOVED = "geo.station_moved"


def station_moved(
    station: PollingStation,
    *,
    actor: str,
    before: dict[str, str],
    after: dict[str, str],
    file_sha256: str,
    line: int,
) -> LedgerEntry:
    """A station moved to another region, district or TEC (codes before and after).

    ``before`` and ``after`` map ``region``, ``district`` (empty for none) and ``tec`` to
    codes; ``file_sha256`` and ``line`` name the import row that moved it.
    """
    return ledger.record(
        STATION_MOVED,
        actor=actor,
        subject=ledger.ref(station),
        data={
            "number": station.number,
            "from": dict(before),
            "to": dict(after),
            "file_sha256": file_sha256,
            "line": line,
        },
    )
