"""Loading watchlists: a full export, a nested export, a delta, and the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from openkyc.aml import matching
from openkyc.aml.lists import repository, service
from openkyc.aml.lists.entities import EntityFileError
from openkyc.cli import main
from openkyc.db.models import AmlListEntry, AmlListKey
from openkyc.db.session import Database
from tests.fixtures import watchlists
from tests.fixtures.payloads import customer_body
from tests.fixtures.watchlists import ACME, IVAN, IVAN_RELATED, LI, MARIA, person, write


def entries(database: Database, source: str = "test-list") -> dict[str, AmlListEntry]:
    with database.sessionmaker() as session:
        found = session.scalars(select(AmlListEntry).where(AmlListEntry.source == source))
        return {e.entity_id: e for e in found}


def keys(database: Database, entry_id: int) -> set[str]:
    with database.sessionmaker() as session:
        return set(session.scalars(select(AmlListKey.key).where(AmlListKey.entry_id == entry_id)))


def test_a_full_export_keeps_what_a_reviewer_needs(database: Database, tmp_path: Path) -> None:
    result = watchlists.load(database, watchlists.full_export(tmp_path))
    assert (result.added, result.modified, result.removed) == (4, 0, 0)
    loaded = entries(database)
    assert sorted(loaded) == ["acme", "ivan", "li", "maria"]
    ivan = loaded["ivan"].hit
    assert ivan["firstName"] == "Ivan" and ivan["lastName"] == "Petrov"
    assert ivan["sourceType"] == ["sanctions"]
    assert ivan["type"] == "individual"
    assert ivan["gender"] == "male"
    assert ivan["title"] == ["Deputy Minister"]
    assert ivan["legalBasis"] == ["EU 269/2014"]
    assert ivan["regime"] == "Council of the European Union"
    assert ivan["nationality"] == "RU"
    assert ivan["dob"] == ["1970-03-15"]
    assert ivan["passport"] == [{"number": "753159852", "registrationDate": "2015-06-01"}]
    assert ivan["address"][0]["city"] == "Moscow"
    assert {(a["firstName"], a["lastName"], a["authenticity"]) for a in ivan["aliases"]} == {
        ("Иван", "Петров", "strong"),
        ("Vanya", "Petroff", "strong"),
    }
    assert loaded["ivan"].places["cities"] == ["moscow"]
    assert loaded["maria"].hit["sourceType"] == ["pep"]
    assert loaded["acme"].hit["sourceType"] == ["enforcements"]
    assert loaded["acme"].hit["type"] == "entity"
    assert loaded["acme"].hit["lastName"] is None
    assert loaded["li"].hit["sourceType"] == ["adverse-media"]
    # The index holds the sound and consonant keys of every name, aliases too.
    assert {"m:PTRF", "s:ptrf"} <= keys(database, loaded["ivan"].id)


def test_a_nested_export_is_read_the_same(database: Database, tmp_path: Path) -> None:
    nested: dict[str, Any] = {
        **IVAN,
        "properties": {
            **IVAN["properties"],
            "addressEntity": [{"id": "a", "schema": "Address", "properties": {"city": ["Moscow"]}}],
            "sanctions": [
                {"id": "s", "schema": "Sanction", "properties": {"program": ["EU 269/2014"]}}
            ],
        },
    }
    watchlists.load(database, write(tmp_path / "nested.json", [nested]))
    ivan = entries(database)["ivan"]
    assert ivan.hit["legalBasis"] == ["EU 269/2014"]
    assert ivan.places["cities"] == ["moscow"]


def test_loading_the_same_export_again_changes_nothing(database: Database, tmp_path: Path) -> None:
    path = watchlists.full_export(tmp_path)
    watchlists.load(database, path)
    again = watchlists.load(database, path)
    assert (again.added, again.modified, again.unchanged, again.removed) == (0, 0, 4, 0)
    assert again.changed_keys == set()


def test_an_export_that_only_saw_the_entries_again_changes_nothing(
    database: Database, tmp_path: Path
) -> None:
    watchlists.load(database, watchlists.full_export(tmp_path))
    rest = [*IVAN_RELATED, MARIA, ACME, LI]
    seen_again = IVAN | {"last_seen": "2026-12-01T06:00:00"}
    again = watchlists.load(database, write(tmp_path / "again.json", [seen_again, *rest]))
    assert (again.modified, again.unchanged) == (0, 4)
    changed = IVAN | {"last_change": "2026-12-01T06:00:00"}
    assert watchlists.load(database, write(tmp_path / "mod.json", [changed, *rest])).modified == 1


def test_a_full_export_removes_what_it_no_longer_lists(database: Database, tmp_path: Path) -> None:
    watchlists.load(database, watchlists.full_export(tmp_path))
    smaller = write(tmp_path / "smaller.json", [IVAN, MARIA])
    result = watchlists.load(database, smaller)
    assert (result.removed, result.unchanged) == (2, 1)
    assert sorted(entries(database)) == ["ivan", "maria"]
    # Ivan lost his sanction entity and address: a change.
    assert result.modified == 1


def test_a_delta_adds_changes_and_removes(database: Database, tmp_path: Path) -> None:
    watchlists.load(database, watchlists.full_export(tmp_path))
    changed_maria = person("maria", "Maria Gonzalez Lopez", birthDate="1966", topics="role.pep")
    delta = write(
        tmp_path / "delta.json",
        [
            {"op": "ADD", "entity": person("new", "Olga Smirnova", topics="sanction")},
            {"op": "MOD", "entity": changed_maria},
            {"op": "DEL", "entity": {"id": "acme"}},
        ],
    )
    result = watchlists.load(database, delta, delta=True)
    assert (result.added, result.modified, result.removed) == (1, 1, 1)
    loaded = entries(database)
    assert sorted(loaded) == ["ivan", "li", "maria", "new"]
    assert loaded["maria"].birth_dates == ["1966"]
    assert {"m:OLK", "m:SMRNF", "m:AKM", "m:KNSLS"} <= result.changed_keys


def index(database: Database) -> dict[int, set[str]]:
    """The whole index: the keys each entry is found by."""
    with database.sessionmaker() as session:
        found: dict[int, set[str]] = {}
        for key, entry_id in session.execute(select(AmlListKey.key, AmlListKey.entry_id)):
            found.setdefault(entry_id, set()).add(key)
        return found


def assert_index_follows_the_names(database: Database) -> None:
    """Every entry is found by the keys of its names as they are now, and by nothing else;
    no key is left of an entry removed."""
    with database.sessionmaker() as session:
        stored = {e.id: e.names for e in session.scalars(select(AmlListEntry))}
    expected = {
        entry_id: set().union(*(matching.name_keys(n["tokens"]) for n in names))
        for entry_id, names in stored.items()
    }
    assert index(database) == expected


PEOPLE = {
    f"p{n}": f"{first} {last}"
    for n, (first, last) in enumerate(
        [
            ("Olga", "Smirnova"),
            ("James", "Smith"),
            ("Ivan", "Petrov"),
            ("Maria", "Lopez"),
            ("Wei", "Zhang"),
            ("Omar", "Hassan"),
            ("Anna", "Rossi"),
            ("Kenji", "Tanaka"),
            ("Pierre", "Dubois"),
            ("Hans", "Muller"),
            ("Sofia", "Garcia"),
        ]
    )
}


@pytest.mark.parametrize("workers", [1, 2])
def test_a_delta_in_many_batches_replaces_the_keys_of_what_it_changes(
    database: Database, tmp_path: Path, workers: int
) -> None:
    export = [person(i, name, birthDate="1970") for i, name in PEOPLE.items()]
    all_path = write(tmp_path / "all.json", export)
    loaded = watchlists.load(database, all_path, batch_size=3, workers=workers)
    assert loaded.added == len(PEOPLE)
    assert_index_follows_the_names(database)
    before = entries(database)
    delta = [
        {"op": "MOD", "entity": person("p2", "Ivan Sidorov", birthDate="1970")},
        {"op": "DEL", "entity": {"id": "p0"}},
        {"op": "MOD", "entity": person("p3", "Maria Lopez", birthDate="1971")},
        {"op": "ADD", "entity": person("new", "Yusuf Khan", alias="Youssef Khan")},
        # Named again in a later batch: the last change of an entity holds.
        {"op": "ADD", "entity": person("later", "Karen Young")},
        {"op": "MOD", "entity": person("p5", "Omar Hassan", alias="Umar Hasan")},
        {"op": "DEL", "entity": {"id": "later"}},
        {"op": "MOD", "entity": person("p6", "Anna Russo", birthDate="1970")},
        {"op": "DEL", "entity": {"id": "p6"}},
        {"op": "DEL", "entity": {"id": "never-loaded"}},
    ]
    delta_path = write(tmp_path / "delta.json", delta)
    result = watchlists.load(database, delta_path, delta=True, batch_size=2, workers=workers)
    assert (result.added, result.modified, result.removed) == (2, 4, 3)
    after = entries(database)
    assert set(after) == set(PEOPLE) - {"p0", "p6"} | {"new"}
    # The entries a delta leaves alone keep their row; the changed ones keep their id.
    assert {i: after[i].id for i in ("p1", "p2", "p5")} == {
        i: before[i].id for i in ("p1", "p2", "p5")
    }
    assert after["p3"].birth_dates == ["1971"]
    assert_index_follows_the_names(database)
    keys_now = set().union(*index(database).values())
    # Petrov's keys went with the only entry that had them, Sidorov's came.
    assert "m:PTRF" not in keys_now and "m:STRF" in keys_now
    # Both what an entry was found by and what it is now found by are reported.
    assert {"m:PTRF", "m:STRF", "m:SMRNF", "m:KRN", "m:YNK", "m:HSN", "m:RS"} <= (
        result.changed_keys
    )


def test_a_full_export_in_many_batches_leaves_the_index_as_the_names(
    database: Database, tmp_path: Path
) -> None:
    export = [person(i, name) for i, name in PEOPLE.items()]
    watchlists.load(database, write(tmp_path / "all.json", export), batch_size=4)
    smaller = [person(i, name) for i, name in PEOPLE.items() if i not in {"p1", "p7"}]
    smaller[0] = person("p0", "Olga Ivanova")
    result = watchlists.load(database, write(tmp_path / "smaller.json", smaller), batch_size=4)
    assert (result.added, result.modified, result.unchanged, result.removed) == (
        0,
        1,
        len(PEOPLE) - 3,
        2,
    )
    assert set(entries(database)) == set(PEOPLE) - {"p1", "p7"}
    assert_index_follows_the_names(database)
    assert {"m:SMRNF", "m:SM0", "m:TNK", "m:IFNF"} <= result.changed_keys
    again = watchlists.load(database, write(tmp_path / "again.json", smaller), batch_size=3)
    assert (again.changed, again.unchanged) == (0, len(PEOPLE) - 2)


def test_the_customers_changed_entries_could_match_are_found_in_few_statements(
    api: TestClient, database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A handful of keys a statement, so that the names are counted in several.
    monkeypatch.setattr(repository, "IN_BATCH", 12)
    export = [person(i, name) for i, name in PEOPLE.items()]
    watchlists.load(database, write(tmp_path / "all.json", export))

    def create(first: str, last: str) -> str:
        response = api.post("/customers", json=customer_body(first=first, last=last))
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    smith = create("James", "Smith")
    zhang = create("Wei", "Zhang")
    hassan = create("Omar", "Hasan")
    madonna = create("Madonna", "Ciccone")
    create("James", "Brown")  # a first name alone is not enough
    create("Ivan", "Petrov")  # his entry is left alone
    delta = [
        {"op": "MOD", "entity": person(i, PEOPLE[i], birthDate="1960")}
        for i in ("p1", "p4", "p5", "p8", "p9")
    ]
    delta.append({"op": "ADD", "entity": person("madonna", "Madonna")})
    result = watchlists.load(database, write(tmp_path / "delta.json", delta), delta=True)
    with database.sessionmaker() as session:
        found = service.customers_matching(session, result.changed_names)
    assert {customer for _, customer in found} == {smith, zhang, hassan, madonna}


def test_sources_are_kept_apart(database: Database, tmp_path: Path) -> None:
    watchlists.load(database, write(tmp_path / "a.json", [IVAN]), source="list-a")
    watchlists.load(database, write(tmp_path / "b.json", [MARIA]), source="list-b")
    assert sorted(entries(database, "list-a")) == ["ivan"]
    assert sorted(entries(database, "list-b")) == ["maria"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "line 1: not JSON"),
        ("[1, 2]", "line 1: not a JSON object"),
        ('{"op": "ADD", "entity": {"schema": "Person"}}', "neither an entity"),
        ('{"id": "x"}', "the entity has no schema"),
    ],
)
def test_a_broken_file_loads_nothing(
    database: Database, tmp_path: Path, line: str, message: str
) -> None:
    path = tmp_path / "broken.json"
    path.write_text(f"{line}\n")
    with pytest.raises(EntityFileError, match=message):
        watchlists.load(database, path)
    assert entries(database) == {}


def test_the_command_loads_with_a_progress_bar_and_lists_sources(tmp_path: Path) -> None:
    path = write(tmp_path / "list.json", [IVAN, MARIA, ACME, LI])
    data_dir = tmp_path / "data"
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "screening",
            "load",
            str(path),
            "--source",
            "os-test",
            "--workers",
            "2",
            "--data-dir",
            str(data_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Loading os-test" in result.output
    assert "os-test: 4 added, 0 changed, 0 unchanged, 0 removed" in result.output
    listed = runner.invoke(main, ["screening", "sources", "--data-dir", str(data_dir)])
    assert listed.output == "os-test\t4\n"
    broken = tmp_path / "broken.json"
    broken.write_text("nope\n")
    refused = runner.invoke(
        main, ["screening", "load", str(broken), "--source", "os-test", "--data-dir", str(data_dir)]
    )
    assert refused.exit_code == 1
    assert "line 1: not JSON" in refused.output
    assert runner.invoke(main, ["screening", "sources", "--data-dir", str(data_dir)]).output == (
        "os-test\t4\n"
    )


def test_the_candidates_statement_takes_index_keys_only(database: Database, tmp_path: Path) -> None:
    watchlists.load(database, watchlists.full_export(tmp_path))
    with database.sessionmaker() as session:
        found = service.candidates(session, ("ivan", "petrov"))
        assert found[0].entity_id == "ivan"
        assert found[0].names[0]["tokens"] == ["ivan", "sergeyevich", "petrov"]
        # The keys are written into the statement: anything else is refused, not run.
        with pytest.raises(ValueError, match="not an index key"):
            repository.ListRepository(session).candidates({"m:X' OR '1'='1"}, set())


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_first_load_refreshes_the_planners_statistics_as_the_list_grows(
    database: Database, tmp_path: Path
) -> None:
    """A first load is one transaction. Planned without statistics, PostgreSQL's lookup of
    the entries a batch already holds read the whole source, so each batch cost more than
    the one before (at 80,000 entities, a batch took eight times the first)."""
    export = [person(f"p{i}", f"Person{i} Example") for i in range(120)]
    with database.write_sessionmaker() as session:
        service.load(session, write(tmp_path / "all.json", export), "test-list", batch_size=10)
        counted = session.execute(
            text("SELECT reltuples FROM pg_class WHERE oid = 'aml_list_entries'::regclass")
        ).scalar_one()
    # Refreshed at 20, 40 and 80 entries written.
    assert counted >= 80
