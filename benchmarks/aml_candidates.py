"""A customer's candidates: the query of one limit all pair keys shared (the former one)
beside the current one (each pair key its own share, weighed by how rare it is), on the same
generated list, in turn for each name.

``--entities`` entities of ``aml.py``'s list are loaded; 300 names are made from entries
(their last name with one typo) and 100 are made up. For each, both queries run (in a
seeded random order) in a session of their own: p50 and p95 of each, and how many of the
300 found their entry among the candidates. The former query reads the keys the former
index had (without the pairs of three letters).

    python benchmarks/aml_candidates.py --entities 100000 \\
        --database-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Collection
from pathlib import Path
from typing import Any

from api import database_url
from sqlalchemy import text
from sqlalchemy.orm import Session

import aml
from openkyc.aml import matching
from openkyc.aml.lists import service as lists
from openkyc.aml.lists.repository import ListRepository, _quoted
from openkyc.db.migrate import upgrade
from openkyc.db.session import Database, make_engine


def former(session: Session, keys: Collection[str], pairs: Collection[str]) -> list[Any]:
    """The candidates as the query of one shared limit found them."""
    table, parts = "aml_list_keys", []
    if pairs:
        listed = ", ".join(_quoted(k) for k in sorted(pairs))
        parts.append(
            f"SELECT entry_id, 100 AS weight FROM (SELECT entry_id FROM {table}"
            f" WHERE key IN ({listed}) LIMIT 2000) AS pairs"
        )
    for number, key in enumerate(sorted(keys)):
        parts.append(
            f"SELECT entry_id, 1 AS weight FROM (SELECT entry_id FROM {table}"
            f" WHERE key = {_quoted(key)} LIMIT 200) AS key{number}"
        )
    statement = text(
        "SELECT e.id, e.source, e.entity_id, e.names, e.birth_dates, e.places, e.digest"
        " FROM (SELECT entry_id, sum(weight) AS shared"
        f" FROM ({' UNION ALL '.join(parts)}) AS postings"
        " GROUP BY entry_id ORDER BY shared DESC, entry_id LIMIT 50) AS best"
        " JOIN aml_list_entries AS e ON e.id = best.entry_id ORDER BY best.shared DESC, e.id"
    )
    return list(session.execute(statement))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entities", type=int, default=100000)
    parser.add_argument("--database-url", help="PostgreSQL; embedded SQLite by default")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, database_url(args.database_url, Path(tmp)) as url:
        engine = make_engine(url)
        upgrade(engine)
        database = Database.from_engine(engine)
        path = Path(tmp) / "list.ftm.json"
        aml.write_list(path, args.entities, 7)
        started = time.perf_counter()
        with database.write_sessionmaker() as session:
            lists.load(session, path, "bench")
            session.commit()
        print(f"load {time.perf_counter() - started:.0f} s", flush=True)
        aml.settle(engine)
        rng = random.Random(11)
        names: list[tuple[str, str, str | None]] = []
        for _ in range(300):
            index = rng.randrange(args.entities)
            first, last = aml.entity(index, 7)["properties"]["name"][0].split()
            names.append((first, aml.typo(last.lower(), rng), f"e{index}"))
        names += [(rng.choice(aml.FIRST), aml.surname(rng), None) for _ in range(100)]
        timings: dict[str, list[float]] = {"former": [], "current": []}
        found = dict.fromkeys(timings, 0)
        for first, last, source in names:
            tokens = matching.name_tokens(first, last)
            keys, pairs = matching.index_keys(tokens), matching.pair_keys(tokens)
            short = {p for p in pairs if "<<" not in p and ">>" not in p}
            order = ["former", "current"] if rng.random() < 0.5 else ["current", "former"]
            for label in order:
                with database.sessionmaker() as session:
                    started = time.perf_counter()
                    if label == "former":
                        rows = former(session, keys, short)
                    else:
                        rows = ListRepository(session).candidates(keys, pairs)
                    timings[label].append((time.perf_counter() - started) * 1000)
                if source and source in {r.entity_id for r in rows}:
                    found[label] += 1
        database.dispose()
    for label, values in timings.items():
        print(
            f"{label} p50 {statistics.median(values):.1f} ms p95 "
            f"{aml.percentile(values, 0.95):.1f} ms found {found[label]} of 300"
            f"{aml.load_average()}"
        )


if __name__ == "__main__":
    main()
