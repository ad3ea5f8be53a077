"""Benchmark: the campaign-finance screen over an election's funds, with the planted truth.

Setup (not timed): a fresh SQLite database with a synthetic country of ``--persons`` persons
(imported by the register's importer), ``--candidates`` candidates and ``--parties``
parties with their funds at designated banks, the finance world of ``shailoo.synth.finance``
— ``--entities`` legal entities with ownership chains up to 6 levels, statuses, debts,
reported transfers, planted cases of every flag kind with their near misses — and its
``--transactions`` bank transactions stored as the statement import stores them (through the
import's own row mapping; the camt.053 parsing itself is measured by the statement tests).

Then, each in its own process (so peak memory is its own), on the same database, with the
default workers (one per core):

* **ours** — ``finance.screen_services.screen``, what ``shailoo finance screen`` runs:
  resolving every donor (the register's persons and the registries' organisations indexed,
  names across scripts), the registries' facts, the ownership graph, every flag of the law,
  and storing the flags;
* **checkbox** — the baseline: what a form with a "foreign donor?" checkbox finds: for each
  donation with a PIN or INN, the registry's citizenship or category of that id, nothing
  else (no names, no ownership chains, no accounts, no patterns).

Precision and recall are measured against the world's planted cases
(``synth.finance.truth``): recall over every planted positive, precision over every flag.
Prints ``RESULT finance screen_s=<s> precision=<p> recall=<r> recall_all=<r> peak_mib=<MiB>
ratio=<ours/checkbox time>``: ``recall`` over the planted prohibited-source cases (prohibited
donors, foreign participation, conduits), ``recall_all`` over every planted kind;
``peak_mib`` the largest memory the screen held with every process it forked (register
reader, resolvers, writer, checks): the sum of their proportional set sizes, sampled each
second, so a page the forked processes share is counted once. Targets:
under 2 minutes, recall 100 % on the planted prohibited-source cases, precision at least
99 %, under 8 GiB.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLLING_DAY = date(2027, 3, 14)
PROHIBITED_KINDS = frozenset({"prohibited_source", "foreign_participation", "conduit"})


def _env(tmp: Path) -> None:
    os.environ["SHAILOO_DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["SHAILOO_VAR_DIR"] = str(tmp)
    os.environ["DJANGO_SETTINGS_MODULE"] = "shailoo.settings"
    # As deployed: without DEBUG, whose cursor logs every query (a million updates here).
    os.environ.setdefault("SHAILOO_DEBUG", "0")
    sys.path.insert(0, str(ROOT / "src"))


def _setup(tmp: Path, args: argparse.Namespace) -> None:
    """The country, its candidates and funds, the finance world and its transactions."""
    _env(tmp)
    from shailoo.common.cli import django_setup

    django_setup()
    from shailoo.elections.models import Election
    from shailoo.geo.importer import import_geography
    from shailoo.register.importer import RegisterImporter
    from shailoo.synth.geography import generate_geography, write_geography_csv
    from shailoo.synth.population import POPULATION_COLUMNS, generate_population

    started = time.perf_counter()
    geography = generate_geography(args.seed, 2500)
    write_geography_csv(geography, tmp / "geo.csv")
    import_geography(tmp / "geo.csv")
    election = Election.objects.create(
        code="bench", name="bench", polling_day=POLLING_DAY, law_edition="kg-2025",
        is_current=True,
    )  # fmt: skip
    # Donors are a sample of the population; the world's namesakes join the extract. The
    # extract is written in the same pass as the sample is taken (what
    # ``write_population_csv`` writes: the header, then each row's values), so the country
    # is generated once.
    step = max(1, args.persons // args.sample)
    population = tmp / "population.csv"
    sample = []
    with population.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(POPULATION_COLUMNS)
        for n, row in enumerate(generate_population(args.seed, args.persons, geography)):
            writer.writerow(row.values())
            if n % step == 0:
                sample.append(row)
    specs, holders = _candidates(election, sample, args)
    from shailoo.synth.finance import plan_finance

    world = plan_finance(
        args.seed, sample, specs, entities=args.entities, transactions=args.transactions,
        start=POLLING_DAY - timedelta(days=60), polling_day=POLLING_DAY,
    )  # fmt: skip
    if world.new_persons:
        with population.open("a", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            for person in world.new_persons:
                writer.writerow(person.values())
    del sample, holders
    RegisterImporter(population, actor="bench", election=election).run(tmp / "rejects.csv")
    population.unlink()
    print(f"setup: country of {args.persons:,} persons in {time.perf_counter() - started:.0f} s")
    from shailoo.demo.finance import load_registries, open_funds

    load_registries(world)
    funds = open_funds(election, world)
    _store_transactions(world, funds)
    truth = [
        {"kind": p.kind, "refs": list(p.entry_refs), "positive": p.positive} for p in world.planted
    ]
    (tmp / "truth.json").write_text(json.dumps(truth), encoding="utf-8")
    print(
        f"setup: {len(world.entities):,} entities, {len(world.holdings):,} holdings, "
        f"{len(funds):,} funds, {world.transaction_count:,} transactions, "
        f"{len(world.planted)} planted cases; {time.perf_counter() - started:.0f} s"
    )


def _candidates(election, sample, args):  # type: ignore[no-untyped-def]
    from shailoo.candidates.models import Candidate, Party
    from shailoo.synth.finance import FundSpec

    parties = [
        Party(code=f"p{k}", name_ky=f"Партия {k}", name_ru=f"Партия {k}",
              registered_on=date(2010, 1, 1))
        for k in range(args.parties)
    ]  # fmt: skip
    Party.objects.bulk_create(parties)
    adults = [r for r in sample if r.citizenship == "KG" and r.birth_date < date(1990, 1, 1)]
    holders = adults[:: max(1, len(adults) // args.candidates)][: args.candidates]
    Candidate.objects.bulk_create(
        Candidate(
            election=election, ref=f"C{i}", pin=h.pin, surname=h.surname,
            given_name=h.given_name, patronymic=h.patronymic, sex=h.sex,
            birth_date=h.birth_date, office="jk_deputy", district=str(1 + i % 30),
            party_id=None, nominated_on=POLLING_DAY - timedelta(days=70),
        )
        for i, h in enumerate(holders)
    )  # fmt: skip
    specs = [FundSpec("party", p.code, name=p.name_ru) for p in parties]
    specs += [FundSpec("candidate", f"C{i}", holder=h) for i, h in enumerate(holders)]
    return specs, holders


def _store_transactions(world, funds) -> None:  # type: ignore[no-untyped-def]
    """The world's transactions stored as the statement import stores them."""
    from django.db import transaction
    from django.utils import timezone

    from shailoo.finance.import_services import _row
    from shailoo.finance.models import StatementImport, Transaction
    from shailoo.finance.statements.model import Party as StatementParty
    from shailoo.finance.statements.model import Transaction as StatementTransaction
    from shailoo.synth.finance import iter_transactions

    by_account = {f.account: f for f in funds}
    stored: dict[str, StatementImport] = {}
    batch = []
    now = timezone.now()
    with transaction.atomic():
        for row in iter_transactions(world):
            fund = by_account.get(row.fund)
            if fund is None:
                continue
            if row.fund not in stored:
                stored[row.fund] = StatementImport.objects.create(
                    fund=fund, statement_id=f"bench-{row.fund}", source_name="bench",
                    file_sha256="0" * 64, opening_balance=0, closing_balance=0,
                    imported_at=now, imported_by="bench",
                )  # fmt: skip
            party = StatementParty(
                name=row.name, person_id=row.person_id, org_id=row.org_id,
                id_scheme=row.id_scheme, country=row.counterparty_country,
                address=row.address, birth_date=row.birth_date,
            )  # fmt: skip
            ultimate = StatementParty(name=row.ultimate_name, person_id=row.ultimate_id)
            incoming = row.credit != row.reversal
            tx = StatementTransaction(
                entry_ref=row.entry_ref, account=row.fund, amount=row.amount,
                currency=row.currency, credit=row.credit, status=row.status,
                instructed_amount=row.instructed_amount,
                instructed_currency=row.instructed_currency, reversal=row.reversal,
                booking_date=row.booking_date, value_date=row.value_date,
                debtor=party if incoming else StatementParty(),
                ultimate_debtor=ultimate if incoming else StatementParty(),
                debtor_account=row.account if incoming else "",
                debtor_account_country=row.account_country if incoming else "",
                debtor_agent_bic=row.agent_bic if incoming else "",
                creditor=StatementParty() if incoming else party,
                creditor_account="" if incoming else row.account,
                creditor_account_country="" if incoming else row.account_country,
                creditor_agent_bic="" if incoming else row.agent_bic,
                remittance=row.remittance, bank_tx_code=row.bank_tx_code,
            )  # fmt: skip
            batch.append(_row(fund, stored[row.fund], tx))
            if len(batch) >= 20_000:
                Transaction.objects.bulk_create(batch)
                batch = []
        Transaction.objects.bulk_create(batch)


def _ours() -> dict[str, object]:
    from shailoo.elections.models import Election
    from shailoo.finance.models import Flag, Transaction
    from shailoo.finance.screen_services import screen

    election = Election.objects.get(code="bench")
    began = time.perf_counter()
    report = screen("bench", election)
    seconds = time.perf_counter() - began
    flags = [
        (f.kind, sorted(f.transactions.values_list("entry_ref", flat=True)))
        for f in Flag.objects.all()
    ]
    review = list(
        Transaction.objects.exclude(resolution__in=Transaction.RESOLVED).values_list(
            "entry_ref", flat=True
        )
    )
    return {"seconds": seconds, "flags": flags, "review": review, "resolved": report.resolved}


def _checkbox() -> dict[str, object]:
    """Flag a donation when the registry says its PIN's person is not a citizen or its INN's
    entity is of a prohibited kind — and nothing else."""
    from shailoo.finance.facts import ENTITY_CATEGORIES
    from shailoo.finance.models import LegalEntity, Transaction
    from shailoo.register.models import Person

    began = time.perf_counter()
    rows = list(
        Transaction.objects.filter(credit=True, reversal=False).values_list(
            "entry_ref", "person_id", "org_id"
        )
    )
    pins = {p for _, p, _ in rows if p}
    inns = {o for _, _, o in rows if o}
    foreign: set[str] = set()
    pin_list = sorted(pins)
    for start in range(0, len(pin_list), 900):
        part = pin_list[start : start + 900]
        foreign.update(
            Person.objects.filter(pin__in=part)
            .exclude(citizenship="KG")
            .values_list("pin", flat=True)
        )
    barred = set(
        LegalEntity.objects.filter(inn__in=inns, kind__in=list(ENTITY_CATEGORIES)).values_list(
            "inn", flat=True
        )
    )
    flags = [
        ("prohibited_source", [ref])
        for ref, pin, inn in rows
        if (pin and pin in foreign) or (inn and inn in barred)
    ]
    return {"seconds": time.perf_counter() - began, "flags": flags, "review": []}


def _child(which: str, tmp: Path) -> None:
    _env(tmp)
    from shailoo.common.cli import django_setup

    django_setup(migrate=False)
    out = _ours() if which == "ours" else _checkbox()
    out["rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    (tmp / f"{which}.json").write_text(json.dumps(out), encoding="utf-8")


def _process_tree(pid: int) -> list[int]:
    found = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as fh:
                for child in fh.read().split():
                    found += _process_tree(int(child))
    except OSError:  # it ended meanwhile: no children to add
        return found
    return found


def _tree_pss_kib(pid: int) -> int:
    """The memory a process and its descendants hold: the sum of their proportional set
    sizes (a page shared by forked processes counted once in all, not once in each)."""
    total = 0
    for member in _process_tree(pid):
        try:
            with open(f"/proc/{member}/smaps_rollup", encoding="ascii") as fh:
                total += sum(int(line.split()[1]) for line in fh if line.startswith("Pss:"))
        except OSError:  # it ended meanwhile: it holds nothing now
            continue
    return total


def _run_child(which: str, name: str) -> float:
    """Run a side in its own process; its peak memory in MiB, with every process it forks
    (the screen's register reader, resolvers, writer and checks), sampled as it runs."""
    child = subprocess.Popen([sys.executable, __file__, "--child", which, "--dir", name])
    peak = 0
    while child.poll() is None:
        peak = max(peak, _tree_pss_kib(child.pid))
        time.sleep(1.0)  # reading a large process's page map costs the machine too
    if child.returncode:
        raise SystemExit(f"the {which} side failed with exit code {child.returncode}")
    return peak / 1024


def _score(tmp: Path, which: str) -> tuple[dict[str, object], object, object]:
    from shailoo.synth.finance.rows import Planted
    from shailoo.synth.finance.truth import score

    out = json.loads((tmp / f"{which}.json").read_text(encoding="utf-8"))
    truth = json.loads((tmp / "truth.json").read_text(encoding="utf-8"))
    planted = [Planted(t["kind"], tuple(t["refs"]), "", t["positive"], "") for t in truth]
    flags = [(kind, frozenset(refs)) for kind, refs in out["flags"]]
    overall = score(planted, flags, out["review"])
    prohibited = score(planted, flags, out["review"], kinds=PROHIBITED_KINDS)
    return out, overall, prohibited


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=4_000_000)
    parser.add_argument("--entities", type=int, default=200_000)
    parser.add_argument("--transactions", type=int, default=1_000_000)
    parser.add_argument("--candidates", type=int, default=1_300)
    parser.add_argument("--parties", type=int, default=30)
    parser.add_argument("--sample", type=int, default=400_000, help="persons donors come from")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", choices=("ours", "checkbox"), help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, Path(args.dir))
        return
    with tempfile.TemporaryDirectory(prefix="shailoo-bench-finance-") as name:
        tmp = Path(name)
        _setup(tmp, args)
        peaks = {which: _run_child(which, name) for which in ("ours", "checkbox")}
        ours, overall, prohibited = _score(tmp, "ours")
        if not Path("/proc/self/smaps_rollup").exists():  # not Linux: this process's own peak
            peaks["ours"] = ours["rss_mib"]  # type: ignore[assignment]
        base, base_overall, base_prohibited = _score(tmp, "checkbox")
    for label, score_ in (("all planted", overall), ("prohibited sources", prohibited)):
        print(
            f"ours, {label}: {score_.found}/{score_.positives} found, "  # type: ignore[attr-defined]
            f"{score_.right}/{score_.flags} flags right, "  # type: ignore[attr-defined]
            f"{len(score_.near_misses_flagged)} near misses flagged"  # type: ignore[attr-defined]
        )
    for p in overall.missed:  # type: ignore[attr-defined]
        print(f"  missed {p.kind}: {p.entry_refs}")
    print(
        f"checkbox: {base['seconds']:.1f} s, recall {base_overall.recall:.3f} "  # type: ignore[attr-defined]
        f"(prohibited sources {base_prohibited.recall:.3f}), "  # type: ignore[attr-defined]
        f"precision {base_overall.precision:.3f}"  # type: ignore[attr-defined]
    )
    print(
        f"ours: {ours['seconds']:.1f} s, {ours['resolved']:,} transactions resolved, "
        f"peak {peaks['ours']:.0f} MiB with the processes it forked (this process alone "
        f"{ours['rss_mib']:.0f} MiB)"
    )
    print(
        f"RESULT finance screen_s={ours['seconds']:.1f} "
        f"precision={overall.precision:.3f} recall={prohibited.recall:.3f} "  # type: ignore[attr-defined]
        f"recall_all={overall.recall:.3f} "  # type: ignore[attr-defined]
        f"peak_mib={peaks['ours']:.0f} "
        f"ratio={ours['seconds'] / max(base['seconds'], 1e-9):.1f}"  # type: ignore[operator]
    )


if __name__ == "__main__":
    main()
