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
   ``openkyc.aml.lists.service.load`` (index keys included), ``--customers`` customers
   (a tenth of them people of the list, written slightly differently), each screened once
   (``openkyc.aml.checks.service.screen``): p50 and p95 per customer, beside the same-run
   baseline of scanning every entry's name with ``rapidfuzz.process.extractOne`` (what
   screening without an index in the database would cost at the least). Then a delta that
   changes 1% of the entries is loaded and the customers it could match are screened again.

    python benchmarks/aml.py
    python benchmarks/aml.py --entities 100000 --customers 2000
    python benchmarks/aml.py --database-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import string
import tempfile
import time
from pathlib import Path
from typing import Any

from api import database_url
from rapidfuzz import fuzz, process

from openkyc.aml import flows, matching
from openkyc.aml.checks import service as checks
from openkyc.aml.lists import service as lists
from openkyc.customers import service as customers
from openkyc.customers.schemas import CustomerIn
from openkyc.db.migrate import upgrade
from openkyc.db.session import Database, make_engine
from openkyc.organizations.service import create_organization
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


def entity(index: int, rng: random.Random) -> dict[str, Any]:
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


def speed(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp, database_url(args.database_url, Path(tmp)) as url:
        engine = make_engine(url)
        upgrade(engine)
        database = Database.from_engine(engine)
        path = Path(tmp) / "list.ftm.json"
        entities = [entity(i, rng) for i in range(args.entities)]
        path.write_text("".join(json.dumps(e) + "\n" for e in entities))
        links = Links("http://bench.test")
        with database.write_sessionmaker() as session:
            started = time.perf_counter()
            result = lists.load(session, path, "bench")
            session.commit()
            load_seconds = time.perf_counter() - started
            organization = create_organization(session, "Bench")
            people = []
            for index in range(args.customers):
                if index % 10 == 0:
                    source = rng.choice(entities)["properties"]["name"][0].split()
                    first, last = source[0], typo(source[1].lower(), rng).title()
                else:
                    first, last = rng.choice(FIRST).title(), surname(rng).title()
                body = {"primaryAddress": {"firstName": first, "lastName": last, "country": "GB"}}
                people.append(
                    customers.create(
                        session, organization.id, CustomerIn.model_validate(body), links
                    )
                )
            session.commit()
            ids = [(p.organization_id, p.id) for p in people]
        floor = []
        for organization_id, customer_id in ids[:50]:
            with database.write_sessionmaker() as session:
                started = time.perf_counter()
                customers.get(session, organization_id, customer_id)
                session.commit()
                floor.append((time.perf_counter() - started) * 1000)
        timings, hits = [], 0
        for organization_id, customer_id in ids:
            # One session a screening, as one request or one job has.
            with database.write_sessionmaker() as session:
                started = time.perf_counter()
                customer = customers.get(session, organization_id, customer_id)
                check = checks.screen(session, customer, links, force=True)
                session.commit()
                timings.append((time.perf_counter() - started) * 1000)
                hits += bool(check and check.hits)
        with database.write_sessionmaker() as session:
            names = [n for e in entities for n in e["properties"]["name"]]
            scans = []
            for customer in people[: min(len(people), 50)]:
                started = time.perf_counter()
                process.extractOne(
                    f"{customer.first_name} {customer.last_name}", names, scorer=fuzz.ratio
                )
                scans.append((time.perf_counter() - started) * 1000)
            delta = Path(tmp) / "delta.ftm.json"
            changed = rng.sample(entities, max(1, args.entities // 100))
            for e in changed:
                e["properties"]["birthDate"] = [f"{rng.randint(1940, 2000)}"]
            delta.write_text(
                "".join(json.dumps({"op": "MOD", "entity": e}) + "\n" for e in changed)
            )
            started = time.perf_counter()
            changes = lists.load(session, delta, "bench", delta=True)
            made = flows.rescreen(session, changes.changed_names, links)
            session.commit()
            delta_seconds = time.perf_counter() - started
        database.dispose()
    backend = "PostgreSQL" if args.database_url else "SQLite"
    p50, p95, scan = statistics.median(timings), percentile(timings, 0.95), statistics.median(scans)
    sizes = f"{args.entities} entities, {args.customers} customers (seed {args.seed})"
    print(f"Speed on {backend}: {sizes}")
    print(f"  load      {load_seconds:.1f} s ({result.added / load_seconds:.0f} entities/s)")
    print(f"  screening p50 {p50:.1f} ms, p95 {p95:.1f} ms per customer; {hits} with hits")
    read = statistics.median(floor)
    print(f"  reading the customer alone   p50 {read:.1f} ms (screening/read {p50 / read:.1f})")
    print(f"  rapidfuzz over every name    p50 {scan:.1f} ms (screening/scan {p50 / scan:.1f})")
    print(f"  1% delta  {changes.modified} changed, {made} new checks, {delta_seconds:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", type=int, default=2000, help="true pairs (and as many false)")
    parser.add_argument("--baseline-threshold", type=float, default=85)
    parser.add_argument("--entities", type=int, default=20000)
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", help="PostgreSQL; embedded SQLite by default")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()
    evaluate(args.pairs, args.seed, args.baseline_threshold)
    if not args.skip_speed:
        speed(args)


if __name__ == "__main__":
    main()
