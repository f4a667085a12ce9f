"""The declared dependencies agree with what is installed and tested: requirements.lock (what
`make install` and CI install) satisfies every declared range, and requirements-floors.txt
(what `make floors` installs and tests) holds every direct dependency at exactly its declared
lower bound. `make lock` writes both; a change to pyproject.toml without it fails here."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    return [Requirement(r) for r in [*project["dependencies"], *extras["test"]]]


def _pins(name: str) -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for line in (ROOT / name).read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)", line)
        if match:
            pins[canonicalize_name(match[1])] = Version(match[3])
    return pins


def _release(version: Version) -> tuple[int, ...]:
    parts = list(version.release)
    return tuple(parts + [0] * (4 - len(parts)))


def test_every_direct_dependency_declares_a_floor_and_the_floors_file_holds_it() -> None:
    pins = _pins("requirements-floors.txt")
    wrong = {}
    for requirement in _declared():
        floors = [Version(s.version) for s in requirement.specifier if s.operator == ">="]
        name = canonicalize_name(requirement.name)
        if len(floors) != 1:
            wrong[name] = f"declares no single lower bound ({requirement.specifier})"
        elif name not in pins or _release(pins[name]) != _release(floors[0]):
            wrong[name] = f"floor {floors[0]}, requirements-floors.txt has {pins.get(name)}"
    assert wrong == {}


def test_the_lock_file_pins_every_direct_dependency_within_its_range() -> None:
    pins = _pins("requirements.lock")
    outside = {}
    for requirement in _declared():
        pin = pins.get(canonicalize_name(requirement.name))
        if pin is None or pin not in requirement.specifier:
            outside[requirement.name] = str(pin)
    assert outside == {}
    assert "--hash=sha256:" in (ROOT / "requirements.lock").read_text()
