"""Loading watchlists: a full export, a nested export, a delta, and the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from openkyc.aml.lists.entities import EntityFileError
from openkyc.cli import main
from openkyc.db.models import AmlListEntry, AmlListKey
from openkyc.db.session import Database
from tests.fixtures import watchlists
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
        main, ["screening", "load", str(path), "--source", "os-test", "--data-dir", str(data_dir)]
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
