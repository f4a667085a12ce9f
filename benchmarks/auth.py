"""What finding the caller's API key costs a request, beside a bare database round trip.

Stores ``--keys`` API keys (one organization each) in a fresh database (embedded SQLite in a
temporary folder, or a schema of its own in the PostgreSQL of ``--database-url``), then times,
in one run and one session, per call:

- ``SELECT 1``: the cheapest statement the request's session could send (the baseline);
- the key's SHA-256 digest alone;
- the same lookup loading the key as a mapped ORM object (what authentication did before it
  read a row of columns through a statement built once);
- ``principal_from_api_key``: digest, the lookup by the unique index on the digest, the
  constant-time comparison and the principal openkyc builds from the row;
- one argon2id verification with the library's defaults, for scale: what a password-style hash
  would add to every request.

    python benchmarks/auth.py
    python benchmarks/auth.py --database-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from api import database_url
from argon2 import PasswordHasher
from sqlalchemy import text

from openkyc.api_keys.repository import find_by_secret_hash
from openkyc.api_keys.secrets import hash_secret
from openkyc.api_keys.service import create_initial_key
from openkyc.auth.service import principal_from_api_key
from openkyc.db.migrate import upgrade
from openkyc.db.session import Database, make_engine
from openkyc.organizations.service import create_organization


def per_call_ms(function: Callable[[], object], calls: int) -> float:
    """CPU time of the process per call, in milliseconds (steadier than wall time on a shared
    machine; the database's own CPU on PostgreSQL is in another process and not counted)."""
    started = time.process_time()
    for _ in range(calls):
        function()
    return (time.process_time() - started) * 1000 / calls


def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp, database_url(args.database_url, Path(tmp)) as url:
        engine = make_engine(url)
        upgrade(engine)
        database = Database.from_engine(engine)
        secrets = []
        with database.write_sessionmaker() as session:
            for index in range(args.keys):
                organization = create_organization(session, f"Bench {index}")
                secrets.append(create_initial_key(session, organization.id))
            session.commit()
        randomizer = random.Random(5)
        hasher = PasswordHasher()
        stored = hasher.hash("correct horse battery staple")
        with database.sessionmaker() as session:
            rows = [
                ("SELECT 1 (baseline)", lambda: session.execute(text("SELECT 1")).scalar()),
                ("SHA-256 of the key", lambda: hash_secret(randomizer.choice(secrets))),
                (
                    "the key as a mapped object",
                    lambda: find_by_secret_hash(session, hash_secret(randomizer.choice(secrets))),
                ),
                (
                    "principal_from_api_key",
                    lambda: principal_from_api_key(session, randomizer.choice(secrets)),
                ),
            ]
            figures = [(name, per_call_ms(call, args.calls)) for name, call in rows]
        argon2 = per_call_ms(lambda: hasher.verify(stored, "correct horse battery staple"), 3)
        figures.append(("argon2id verify (defaults)", argon2))
        engine.dispose()
    backend = "PostgreSQL" if args.database_url else "SQLite (embedded)"
    print(f"API key lookup on {backend}: {args.keys} keys stored, {args.calls} calls each")
    print(f"{'':32} {'CPU ms/call':>11} {'ratio':>8}")
    for name, milliseconds in figures:
        print(f"{name:32} {milliseconds:>11.4f} {milliseconds / figures[0][1]:>8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL; embedded SQLite when absent")
    parser.add_argument("--keys", type=int, default=2000, help="API keys stored")
    parser.add_argument("--calls", type=int, default=2000, help="timed calls per row")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
