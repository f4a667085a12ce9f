"""AML screening: how well names match, and how fast customers are screened.

Two parts, both on data generated here from a seed (nothing is downloaded):

1. **Name matching.** Pairs of a customer's name and a list entry's names, labelled: true
   pairs (the same person written another way: another transliteration, one or two typos,
   first and last name swapped, a middle name left out, a name the list has as an alias)
   and false pairs (similar names of different people: the same first name and a last name
   that starts alike, the same last name and another first name). A pair is a match when
   openkyc's comparison finds an exact or inexact name, which the default settings turn
   into a hit even without a birth date or place. Beside it, in the same run, a plain
   fuzzy-ratio baseline: rapidfuzz's ``fuzz.ratio`` of the lower-cased full names (the best
   over the entry's names) at or above ``--baseline-threshold``.

2. **Speed.** ``--entities`` people written as a FollowTheMoney file and loaded with
   ``openkyc.aml.lists.service.load`` (index keys included); ``--customers`` customers
   created through openkyc's service (a tenth of them people of the list, their last name
   with one typo). A seeded sample of ``--screen`` of them is screened
   (``openkyc.aml.checks.service.screen``, one session each): p50 and p95 per customer,
   the CPU of this process, and how many of the sampled customers made from a list entry
   found it; beside it, in the same run, reading one customer alone. The other customers
   get the index keys screening would have stored for them, so that a list change finds
   them. Then a delta that changes 1% of the entries is loaded, the customers it could
   match are queued as rescreening jobs, and ``--workers`` workers (threads) run the jobs
   until none is left.

    python benchmarks/aml.py
    python benchmarks/aml.py --entities 1000000 --customers 100000 --screen 1000
    python benchmarks/aml.py --database-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import string
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from api import database_url
from rapidfuzz import fuzz
from sqlalchemy import Engine, func, insert, select, text

from openkyc.aml import flows, matching
from openkyc.aml.checks import screening
from openkyc.aml.checks import service as checks
from openkyc.aml.lists import service as lists
from openkyc.aml.tasks import rescreen_handler
from openkyc.customers import service as customers
from openkyc.customers.schemas import CustomerIn
from openkyc.db.migrate import upgrade
from openkyc.db.models import AmlCheck, AmlCustomerKey
from openkyc.db.session import Database, make_engine
from openkyc.jobs.worker import Worker
from openkyc.organizations.service import create_organization
from openkyc.timeline.authors import SYSTEM
from openkyc.wire import Links

FIRST = [
    "james",
    "john",
    "robert",
    "michael",
    "william",
    "david",
    "richard",
    "joseph",
    "thomas",
    "charles",
    "mary",
    "patricia",
    "jennifer",
    "linda",
    "elizabeth",
    "barbara",
    "susan",
    "jessica",
    "sarah",
    "karen",
    "ivan",
    "sergei",
    "dmitri",
    "alexei",
    "nikolai",
    "olga",
    "tatiana",
    "natalia",
    "elena",
    "irina",
    "ahmed",
    "ali",
    "omar",
    "hassan",
    "hussein",
    "fatima",
    "aisha",
    "mariam",
    "yusuf",
    "ibrahim",
    "wei",
    "fang",
    "min",
    "jun",
    "lei",
    "hui",
    "jie",
    "ying",
    "jose",
    "juan",
    "carlos",
    "luis",
    "miguel",
    "maria",
    "carmen",
    "ana",
    "lucia",
    "sofia",
    "pierre",
    "jean",
    "louis",
    "marie",
    "claire",
    "hans",
    "klaus",
    "peter",
    "anna",
    "giovanni",
    "marco",
    "luca",
    "giulia",
    "kenji",
    "hiroshi",
    "yuki",
    "akira",
]
LAST = [
    "smith",
    "johnson",
    "williams",
    "brown",
    "jones",
    "garcia",
    "miller",
    "davis",
    "rodriguez",
    "martinez",
    "hernandez",
    "lopez",
    "gonzalez",
    "wilson",
    "anderson",
    "thomas",
    "taylor",
    "moore",
    "jackson",
    "martin",
    "lee",
    "thompson",
    "white",
    "harris",
    "clark",
    "lewis",
    "robinson",
    "walker",
    "young",
    "allen",
    "ivanov",
    "petrov",
    "sidorov",
    "smirnov",
    "kuznetsov",
    "popov",
    "volkov",
    "sokolov",
    "lebedev",
    "kozlov",
    "novikov",
    "morozov",
    "khan",
    "ahmed",
    "hussain",
    "rahman",
    "malik",
    "qureshi",
    "chaudhry",
    "wang",
    "li",
    "zhang",
    "liu",
    "chen",
    "yang",
    "huang",
    "zhao",
    "wu",
    "zhou",
    "dubois",
    "lefebvre",
    "moreau",
    "laurent",
    "girard",
    "muller",
    "schmidt",
    "schneider",
    "fischer",
    "weber",
    "meyer",
    "wagner",
    "becker",
    "rossi",
    "russo",
    "ferrari",
    "esposito",
    "bianchi",
    "romano",
    "tanaka",
    "suzuki",
    "takahashi",
    "watanabe",
    "ito",
    "yamamoto",
    "nakamura",
]
# The same name in other transliterations, as lists and customers write them.
VARIANTS = [
    ("mohammed", "muhammad"),
    ("mohammed", "mohamed"),
    ("aleksandr", "alexander"),
    ("yevgeny", "evgeny"),
    ("sergei", "sergey"),
    ("dmitri", "dmitry"),
    ("yuri", "yury"),
    ("tatiana", "tatyana"),
    ("natalia", "natalya"),
    ("hussein", "husayn"),
    ("osama", "usama"),
    ("gaddafi", "qadhafi"),
    ("chaudhry", "choudhary"),
    ("tchaikovsky", "chaykovskiy"),
    ("khrushchev", "khrushchov"),
    ("abdullah", "abdallah"),
    ("yusuf", "youssef"),
    ("zhou", "chou"),
]


def typo(word: str, rng: random.Random) -> str:
    """One edit: a letter replaced, dropped, doubled, or two neighbours swapped (words of
    four letters or fewer are left alone)."""
    if len(word) <= 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["replace", "drop", "double", "swap"])
    if kind == "replace":
        return word[:i] + rng.choice(string.ascii_lowercase) + word[i + 1 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


def true_pair(rng: random.Random) -> tuple[tuple[str, str], list[str], str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    kind = rng.choice(["transliteration", "typo", "two typos", "swapped", "middle", "alias"])
    listed = [f"{first} {last}"]
    if kind == "transliteration":
        a, b = rng.choice(VARIANTS)
        return (b, last), [f"{a} {last}"], kind
    if kind == "typo":
        return (first, typo(last, rng)), listed, kind
    if kind == "two typos":
        return (typo(first, rng), typo(last, rng)), listed, kind
    if kind == "swapped":
        return (last, first), listed, kind
    if kind == "middle":
        middle = rng.choice(FIRST)
        return (first, last), [f"{first} {middle} {last}"], kind
    other = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    return (first, last), [other, f"{first} {last}"], kind


def false_pair(rng: random.Random) -> tuple[tuple[str, str], list[str], str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    if rng.random() < 0.5:
        similar = [n for n in LAST if n[:2] == last[:2] and n != last] or [rng.choice(LAST)]
        return (first, last), [f"{first} {rng.choice(similar)}"], "same first name"
    other = rng.choice([f for f in FIRST if f[0] != first[0]])
    return (first, last), [f"{other} {last}"], "same last name"


def openkyc_match(customer: tuple[str, str], names: list[str]) -> bool:
    listed = [matching.ListName(matching.name_tokens(n), alias=i > 0) for i, n in enumerate(names)]
    found = matching.best_name(
        matching.name_tokens(customer[0]), matching.name_tokens(customer[1]), listed
    )
    return found is not None and found.quality in ("exactMatch", "inexactMatch")


def baseline_match(customer: tuple[str, str], names: list[str], threshold: float) -> bool:
    full = f"{customer[0]} {customer[1]}".lower()
    return max(fuzz.ratio(full, n.lower()) for n in names) >= threshold


def evaluate(pairs: int, seed: int, threshold: float) -> None:
    rng = random.Random(seed)
    labelled = [(*true_pair(rng), True) for _ in range(pairs)]
    labelled += [(*false_pair(rng), False) for _ in range(pairs)]
    print(f"Name matching: {pairs} true and {pairs} false pairs (seed {seed})")
    for label, decide in (
        ("openkyc", openkyc_match),
        (f"fuzz.ratio >= {threshold:g}", lambda c, n: baseline_match(c, n, threshold)),
    ):
        outcome = [(decide(c, n), truth, kind) for c, n, kind, truth in labelled]
        tp = sum(1 for said, truth, _ in outcome if said and truth)
        fp = sum(1 for said, truth, _ in outcome if said and not truth)
        recall, precision = tp / pairs, tp / max(tp + fp, 1)
        by_kind = ", ".join(f"{k} {share:.0%}" for k, share in _right_by_kind(outcome))
        print(f"  {label:<22} recall {recall:.3f}  precision {precision:.3f}  ({by_kind})")


def _right_by_kind(outcome: list[tuple[bool, bool, str]]) -> list[tuple[str, float]]:
    """Per kind of pair, the share openkyc (or the baseline) decided right."""
    kinds = sorted({kind for _, _, kind in outcome})
    shares = []
    for kind in kinds:
        of_kind = [(said, truth) for said, truth, k in outcome if k == kind]
        shares.append((kind, sum(1 for said, truth in of_kind if said == truth) / len(of_kind)))
    return shares


SYLLABLES = (
    "ka",
    "ri",
    "to",
    "man",
    "sel",
    "vo",
    "da",
    "ne",
    "lu",
    "gor",
    "bar",
    "fi",
    "ta",
    "mo",
    "ren",
    "sha",
    "lin",
    "dro",
    "pe",
    "ko",
    "va",
    "ni",
    "zu",
    "ham",
    "ber",
    "ste",
    "ol",
    "mi",
    "cha",
    "ro",
    "tu",
    "an",
    "el",
    "ia",
    "ov",
    "ski",
    "na",
)


def surname(rng: random.Random) -> str:
    """A last name of a large made-up population (the pools above are few and common)."""
    if rng.random() < 0.2:
        return rng.choice(LAST)
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def entity(index: int, seed: int) -> dict[str, Any]:
    """The list's entity ``index``, the same for a seed however many are made."""
    rng = random.Random(seed * 10_000_019 + index)
    first, last = rng.choice(FIRST), surname(rng)
    props: dict[str, list[str]] = {
        "name": [f"{first.title()} {last.title()}"],
        "birthDate": [
            f"{rng.randint(1940, 2000)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        ],
        "nationality": [rng.choice(["ru", "gb", "us", "cn", "ir", "fr", "de", "it", "jp", "pk"])],
        "topics": [rng.choice(["sanction", "role.pep", "crime.fin", "reg.action", "gov.soe"])],
    }
    if rng.random() < 0.3:
        props["alias"] = [f"{rng.choice(FIRST).title()} {last.title()}"]
    return {"id": f"e{index}", "schema": "Person", "properties": props}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def write_list(path: Path, count: int, seed: int) -> None:
    with path.open("w") as handle:
        for index in range(count):
            handle.write(json.dumps(entity(index, seed)) + "\n")


def make_customers(
    database: Database, organization_id: str, args: argparse.Namespace, rng: random.Random
) -> tuple[list[str], dict[str, str]]:
    """The customers, created through openkyc's service in transactions of 1,000: a tenth
    are people of the list with a typo in the last name. Their ids, and the entity each of
    those tenth was made from."""
    links = Links("http://bench.test")
    ids: list[str] = []
    made_from: dict[str, str] = {}
    for start in range(0, args.customers, 1000):
        with database.write_sessionmaker() as session:
            for index in range(start, min(start + 1000, args.customers)):
                source = None
                if index % 10 == 0:
                    source = entity(rng.randrange(args.entities), args.seed)
                    name = source["properties"]["name"][0].split()
                    first, last = name[0], typo(name[1].lower(), rng).title()
                else:
                    first, last = rng.choice(FIRST).title(), surname(rng).title()
                body = {"primaryAddress": {"firstName": first, "lastName": last, "country": "GB"}}
                customer = customers.create(
                    session, organization_id, CustomerIn.model_validate(body), links
                )
                ids.append(customer.id)
                if source is not None:
                    made_from[customer.id] = source["id"]
            session.commit()
    return ids, made_from


def store_keys(database: Database, organization_id: str, customer_ids: list[str]) -> None:
    """The index keys screening stores for a customer, for the customers not screened in
    the run: what lets a list change find them (as if each had been screened at sign-up)."""
    for start in range(0, len(customer_ids), 1000):
        part = customer_ids[start : start + 1000]
        with database.write_sessionmaker() as session:
            rows = [
                {"organization_id": organization_id, "customer_id": c.id, "key": key}
                for c in customers.find_many(session, organization_id, part)
                for key in screening.person_keys(screening.screened_person(c))
            ]
            if rows:
                session.execute(insert(AmlCustomerKey), rows)
            session.commit()


def drain(database: Database, workers: int, seconds: float) -> int:
    """Run the queued rescreening jobs with ``workers`` workers, each in its own thread,
    until none is left or ``seconds`` have passed (0: no limit); how many jobs ran."""
    links = Links("http://bench.test")
    handlers = {
        flows.RESCREEN_CUSTOMERS: rescreen_handler(database.write_sessionmaker, lambda: links)
    }
    deadline = time.perf_counter() + seconds if seconds else None
    ran = [0] * workers

    def work(number: int) -> None:
        worker = Worker(database.write_sessionmaker, handlers, name=f"bench-{number}")
        while (deadline is None or time.perf_counter() < deadline) and worker.run_one():
            ran[number] += 1

    threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(ran)


def say(line: str) -> None:
    print(line, flush=True)


def load_average() -> str:
    """The machine's load average (1, 5, 15 minutes): the figures' context on a shared host."""
    return "; load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def settle(engine: Engine) -> None:
    """What autovacuum does to tables a load filled: statistics, and the visibility map
    that lets the index of keys be read alone."""
    postgres = engine.dialect.name == "postgresql"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if postgres else "ANALYZE"))


def speed(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    links = Links("http://bench.test")
    with tempfile.TemporaryDirectory() as tmp, database_url(args.database_url, Path(tmp)) as url:
        engine = make_engine(url)
        upgrade(engine)
        database = Database.from_engine(engine)
        path = Path(tmp) / "list.ftm.json"
        write_list(path, args.entities, args.seed)
        backend = "PostgreSQL" if args.database_url else "SQLite"
        print(
            f"Speed on {backend}: {args.entities} entities, {args.customers} customers, "
            f"{min(args.screen, args.customers)} of them screened (seed {args.seed})"
        )
        with database.write_sessionmaker() as session:
            started, started_cpu = time.perf_counter(), time.process_time()
            result = lists.load(session, path, "bench", workers=args.load_workers)
            session.commit()
            load_seconds = time.perf_counter() - started
            load_cpu = time.process_time() - started_cpu
            organization_id = create_organization(session, "Bench").id
            session.commit()
        say(
            f"  load      {load_seconds:.0f} s ({result.added / load_seconds:.0f} entities/s; "
            f"CPU of this process {load_cpu:.0f} s, {result.added / load_cpu:.0f} entities/s; "
            f"{args.load_workers} reading){load_average()}"
        )
        started = time.perf_counter()
        settle(engine)
        say(f"  statistics and visibility map after the load {time.perf_counter() - started:.0f} s")
        path.unlink()
        started = time.perf_counter()
        ids, made_from = make_customers(database, organization_id, args, rng)
        say(f"  customers {time.perf_counter() - started:.0f} s to create{load_average()}")
        sample = sorted(rng.sample(range(len(ids)), min(args.screen, len(ids))))
        screened = [ids[i] for i in sample]
        store_keys(database, organization_id, sorted(set(ids) - set(screened)))
        floor = []
        for customer_id in screened[:50]:
            with database.write_sessionmaker() as session:
                started = time.perf_counter()
                customers.get(session, organization_id, customer_id)
                session.commit()
                floor.append((time.perf_counter() - started) * 1000)
        timings, cpu, hits, found = [], [], 0, 0
        for customer_id in screened:
            # One session a screening, as one request or one job has.
            with database.write_sessionmaker() as session:
                started, started_cpu = time.perf_counter(), time.process_time()
                customer = customers.get(session, organization_id, customer_id)
                check = checks.screen(session, customer, links, author=SYSTEM, force=True)
                session.commit()
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            assert check is not None
            hits += bool(check.hits)
            if customer_id in made_from:
                found += made_from[customer_id] in {h["entityId"] for h in check.hits}
        from_list = sum(1 for c in screened if c in made_from)
        p50, p95 = statistics.median(timings), percentile(timings, 0.95)
        read = statistics.median(floor)
        say(
            f"  screening p50 {p50:.1f} ms, p95 {p95:.1f} ms per customer; {hits} with hits"
            f"{load_average()}"
        )
        say(
            f"  screening CPU of this process p50 {statistics.median(cpu):.1f} ms, "
            f"p95 {percentile(cpu, 0.95):.1f} ms"
        )
        say(f"  reading the customer alone   p50 {read:.1f} ms (screening/read {p50 / read:.1f})")
        say(f"  made from a list entry: {found} of {from_list} found it")
        delta = Path(tmp) / "delta.ftm.json"
        changed = rng.sample(range(args.entities), max(1, args.entities // 100))
        with delta.open("w") as handle:
            for index in changed:
                e = entity(index, args.seed)
                e["properties"]["birthDate"] = [f"{rng.randint(1940, 2000)}"]
                handle.write(json.dumps({"op": "MOD", "entity": e}) + "\n")
        with database.write_sessionmaker() as session:
            started = time.perf_counter()
            changes = lists.load(session, delta, "bench", delta=True)
            queued = flows.queue_rescreen(session, changes.changed_names)
            session.commit()
            delta_seconds = time.perf_counter() - started
        say(
            f"  1% delta  {changes.modified} entries changed, loaded and {queued.customers} "
            f"customers queued ({queued.jobs} jobs) in {delta_seconds:.0f} s{load_average()}"
        )
        started = time.perf_counter()
        jobs = drain(database, args.workers, args.rescreen_seconds)
        rescreen_seconds = time.perf_counter() - started
        with database.sessionmaker() as session:
            recurring = session.scalar(
                select(func.count()).select_from(AmlCheck).where(AmlCheck.source == "recurring")
            )
        database.dispose()
    # Jobs hold RESCREEN_BATCH customers each, but the last of an organization fewer.
    rescreened = queued.customers if jobs == queued.jobs else jobs * flows.RESCREEN_BATCH
    per_customer = rescreen_seconds / max(rescreened, 1)
    say(
        f"  rescreen  {args.workers} workers ran {jobs} of {queued.jobs} jobs "
        f"({rescreened} customers) in {rescreen_seconds:.0f} s ({per_customer * 1000:.1f} ms a "
        f"customer), {recurring} new checks; all {queued.customers} at that pace "
        f"{per_customer * queued.customers:.0f} s{load_average()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", type=int, default=2000, help="true pairs (and as many false)")
    parser.add_argument("--baseline-threshold", type=float, default=85)
    parser.add_argument("--entities", type=int, default=20000)
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument(
        "--screen", type=int, default=1000, help="customers screened and timed (a seeded sample)"
    )
    parser.add_argument("--workers", type=int, default=2, help="workers of the rescreening")
    parser.add_argument(
        "--load-workers", type=int, default=1, help="processes that read the list's entities"
    )
    parser.add_argument(
        "--rescreen-seconds",
        type=float,
        default=0,
        help="stop the rescreening workers after this long and give their pace (0: run all)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", help="PostgreSQL; embedded SQLite by default")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()
    evaluate(args.pairs, args.seed, args.baseline_threshold)
    if not args.skip_speed:
        speed(args)


if __name__ == "__main__":
    main()
