"""``openkyc analyze``: run the analyser on files from the command line."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path

import click

from openkyc.analysis.address import analyze_address
from openkyc.analysis.engines import warm_up
from openkyc.analysis.errors import AnalysisError
from openkyc.analysis.identity import analyze_identity
from openkyc.analysis.models import InputFile, Person, _Analysis

__all__ = ["analyze"]


def _summary(path: str, result: _Analysis) -> str:
    failed = ", ".join(f"{c.name}({c.reason})" for c in result.checks if c.failed) or "-"
    line = f"{path}: {result.decision} score={result.score} failed: {failed}"
    if result.rejection:
        line += f"\n  rejected: {result.rejection.type}: {result.rejection.message}"
    return line + "".join(f"\n  hint: {hint.message}" for hint in result.hints)


_FILE = click.Path(exists=True, dir_okay=False)


@click.command("analyze")
@click.argument("files", nargs=-1, type=_FILE)
@click.option("--front", type=_FILE, help="The document's front (or its only page).")
@click.option("--back", type=_FILE, help="The back of a card (MRZ or barcode side).")
@click.option("--selfie", type=_FILE, help="A selfie to compare with the portrait.")
@click.option(
    "--type",
    "kind",
    type=click.Choice(["identity", "address"]),
    default="identity",
    show_default=True,
    help="Kind of proof the files are.",
)
@click.option(
    "--together", is_flag=True, help="Analyse all files as one document (front, back, selfie)."
)
@click.option("--first-name", default="", help="Customer's first name.")
@click.option("--last-name", default="", help="Customer's last name.")
@click.option("--middle-name", default=None)
@click.option(
    "--dob",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Customer's birth date (YYYY-MM-DD).",
)
@click.option("--address", "line1", default=None, help="Street address (line 1).")
@click.option("--city", default=None)
@click.option("--region", default=None)
@click.option("--postal-code", default=None)
@click.option("--country", default=None, help="ISO 3166 alpha-2.")
@click.option("--match-level", type=click.IntRange(1, 3), default=2, show_default=True)
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Date to judge expiry and age against (default: today).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per document.")
def analyze(
    files: tuple[str, ...],
    front: str | None,
    back: str | None,
    selfie: str | None,
    kind: str,
    together: bool,
    first_name: str,
    last_name: str,
    middle_name: str | None,
    dob: datetime | None,
    line1: str | None,
    city: str | None,
    region: str | None,
    postal_code: str | None,
    country: str | None,
    match_level: int,
    today: datetime | None,
    as_json: bool,
) -> None:
    """Analyse identity or address documents and print each decision.

    FILES are analysed one by one (or as one document with --together), without a role;
    --front, --back and --selfie make one document whose files have those roles. Exits
    with status 1 when any file could not be analysed."""
    person = Person(
        first_name,
        last_name,
        middle_name,
        dob.date() if dob else None,
        line1=line1,
        city=city,
        region=region,
        postal_code=postal_code,
        country=country,
    )
    day = today.date() if today else date.today()
    groups = _groups(files, together, {"id-front": front, "id-back": back, "face-proof": selfie})
    if not groups:
        raise click.UsageError("give FILES or --front / --back / --selfie")
    warm_up()
    with click.progressbar(groups, label="Analysing", file=sys.stderr, show_pos=True) as bar:
        outputs = [_run(group, kind, person, match_level, day) for group in bar]
    for text, data in outputs:
        click.echo(json.dumps(data, indent=2) if as_json else text)
    if any("error" in data for _, data in outputs):
        sys.exit(1)


Group = list[tuple[str, str | None]]


def _groups(files: tuple[str, ...], together: bool, roles: dict[str, str | None]) -> list[Group]:
    """The documents to analyse: each a list of (path, role)."""
    groups: list[Group] = [[(path, None) for path in files]] if together and files else []
    if not together:
        groups = [[(path, None)] for path in files]
    tagged: Group = [(path, role) for role, path in roles.items() if path]
    return groups + ([tagged] if tagged else [])


def _run(
    files: Group, kind: str, person: Person, level: int, day: date
) -> tuple[str, dict[str, object]]:
    inputs = [InputFile(Path(p).read_bytes(), role, Path(p).name) for p, role in files]
    paths = [path for path, _ in files]
    name = " + ".join(paths)
    try:
        if kind == "address":
            result: _Analysis = analyze_address(inputs, person, match_level=level, today=day)
        else:
            result = analyze_identity(inputs, person, match_level=level, today=day)
    except AnalysisError as exc:
        return f"{name}: error: {exc}", {"files": paths, "error": str(exc)}
    return _summary(name, result), {"files": paths, **result.to_dict()}
