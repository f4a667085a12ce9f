"""Whole-document figures: the evaluation documents and phone-like captures of them, and
genuine-looking documents rendered here (see benchmarks/phone.py). Used by analysis.py."""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import phone
from PIL import Image

from openkyc.analysis import IdentityAnalysis, InputFile, Person, analyze_identity
from openkyc.analysis.engines import default_engines
from openkyc.analysis.identity import FACE_DIFFERENT, FACE_DISTANCE
from openkyc.analysis.imaging import glare, load_page
from openkyc.analysis.mrz import mrz_date

TODAY = date(2026, 6, 1)


@dataclass
class DocumentScore:
    runs: int = 0
    right: int = 0  # number and birth date both right
    accepted: int = 0  # every evaluation document is a specimen: each acceptance is false
    wrong: int = 0  # number or birth date read wrong
    wrong_held: int = 0  # ... and the result was not accepted and flagged the field uncertain
    wrong_accepted: int = 0
    portraits: int = 0
    portraits_expected: int = 0
    seconds: list[float] = field(default_factory=list)
    baseline: list[float] = field(default_factory=list)
    peer_right: int = 0
    peer_runs: int = 0
    peer_seconds: list[float] = field(default_factory=list)
    by_kind: dict[str, list[int]] = field(default_factory=dict)


def _person(truth: dict[str, Any]) -> Person:
    fields = truth.get("fields", {})
    birth = mrz_date(fields.get("birth_date", ""), today=TODAY, future=False)
    given = (fields.get("given_names") or "").split()
    return Person(given[0] if given else "-", fields.get("surname") or "-", dob=birth)


def _norm(value: Any) -> str:
    return "".join(ch for ch in str(value or "").upper() if ch.isalnum())


def _ocr_once(data: bytes) -> float:
    """The baseline: one fast OCR reading of the same picture, in the same run."""
    page = load_page(InputFile(data), 0)
    started = time.process_time()
    default_engines().text.read(page.image)
    return time.process_time() - started


def bench_documents(
    entries: list[dict[str, Any]], root: Path, variants: int, peer: Any
) -> DocumentScore:
    score = DocumentScore()
    documents = [
        e
        for e in entries
        if e["kind"] == "mrz-image"
        and e["truth"].get("fields", {}).get("document_number")
        and e["file"].lower().endswith((".jpg", ".jpeg", ".png"))
    ]
    for seed, entry in enumerate(documents):
        truth = entry["truth"]
        picture = Image.open(root / entry["file"]).convert("RGB")
        number = _norm(truth["fields"]["document_number"])
        birth = mrz_date(truth["fields"].get("birth_date", ""), today=TODAY, future=False)
        for kind, image in phone.captures(picture, seed, variants):
            data = phone.encode(image)
            started = time.process_time()
            result = analyze_identity([InputFile(data, "id-front")], _person(truth), today=TODAY)
            score.seconds.append(time.process_time() - started)
            score.baseline.append(_ocr_once(data))
            _record(score, kind, result, number, birth, bool(truth.get("has_face")))
            if peer is not None:
                _peer(score, peer, image, number, truth["fields"].get("birth_date"))
        print(f"  {entry['file']}: done", file=sys.stderr)
    return score


def _record(
    score: DocumentScore,
    kind: str,
    result: IdentityAnalysis,
    number: str,
    birth: date | None,
    face: bool,
) -> None:
    read_number = _norm(result.matches["documentNumber"])
    read_birth = result.parsed_data["dateOfBirth"]
    right = read_number == number and read_birth == birth
    score.runs += 1
    score.right += right
    score.accepted += result.decision == "accepted"
    tally = score.by_kind.setdefault(kind, [0, 0])
    tally[0] += 1
    tally[1] += right
    wrong = (read_number and read_number != number) or (read_birth and read_birth != birth)
    if wrong:
        score.wrong += 1
        held = result.decision != "accepted" and any(
            c.failed and not c.conclusive
            for c in result.checks
            if c.name in ("mrzChecksum", "dateOfBirth")
        )
        score.wrong_held += held
        score.wrong_accepted += result.decision == "accepted"
    if face:
        score.portraits_expected += 1
        score.portraits += bool(result.matches["containsImage"])


def _peer(
    score: DocumentScore, peer: Any, image: Image.Image, number: str, birth: str | None
) -> None:
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".jpg") as handle:
        handle.write(phone.encode(image))
        handle.flush()
        started = time.process_time()
        lines, _, fields, _ = peer(Path(handle.name))
        score.peer_seconds.append(time.process_time() - started)
    score.peer_runs += 1
    score.peer_right += (
        bool(lines)
        and _norm(fields.get("document_number")) == number
        and (_norm(fields.get("birth_date")) == _norm(birth))
    )


def glare_on_clean_scans(
    entries: list[dict[str, Any]], root: Path, above: float
) -> tuple[int, int]:
    """Evaluation pictures (clean scans and photos without glare) on which the glare hint
    would fire."""
    hits = total = 0
    for entry in entries:
        if entry["kind"] != "mrz-image" or not entry["file"].lower().endswith((".jpg", ".png")):
            continue
        page = load_page(InputFile((root / entry["file"]).read_bytes()), 0)
        total += 1
        hits += glare(page.image) > above
    return hits, total


# -- genuine-looking documents ------------------------------------------------------------


@dataclass
class GenuineScore:
    runs: int = 0
    accepted: int = 0
    rejected: int = 0
    rejections: list[str] = field(default_factory=list)
    negatives: int = 0
    negatives_accepted: int = 0
    same: list[float] = field(default_factory=list)
    different: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)


def _people(entries: list[dict[str, Any]], root: Path) -> dict[str, list[Path]]:
    people: dict[str, list[Path]] = {}
    for entry in entries:
        who = entry["truth"].get("identity")
        if entry["kind"] == "face" and who and entry["truth"].get("face_count", 1) == 1:
            people.setdefault(who, []).append(root / entry["file"])
    return {who: paths for who, paths in people.items() if len(paths) >= 2}


def _analyse(files: list[InputFile], person: Person, score: GenuineScore) -> IdentityAnalysis:
    started = time.process_time()
    result = analyze_identity(files, person, today=TODAY)
    score.seconds.append(time.process_time() - started)
    return result


def bench_genuine(entries: list[dict[str, Any]], root: Path, variants: int) -> GenuineScore:
    score = GenuineScore()
    people = _people(entries, root)
    others = list(people)
    for seed, (who, photos) in enumerate(sorted(people.items())):
        person_id = phone.identity(seed)
        portrait = phone.passport_photo(Image.open(photos[0]).convert("RGB"))
        selfie = InputFile(photos[1].read_bytes(), "face-proof")
        stranger = people[others[(others.index(who) + 1) % len(others)]][0]
        customer = Person(person_id.given.title(), person_id.surname.title(), dob=person_id.birth)
        page = phone.passport_page(person_id, portrait, seed)
        front, back = phone.card_sides(person_id, portrait, seed)
        documents = [
            [("id-front", page)],
            [("id-front", front), ("id-back", back)],
        ]
        for d, sides in enumerate(documents):
            for i, (kind, _) in enumerate(phone.captures(sides[0][1], seed * 7 + d, variants)):
                files = [
                    InputFile(phone.encode(phone.captures(img, seed * 7 + d, variants)[i][1]), tag)
                    for tag, img in sides
                ]
                result = _analyse([*files, selfie], customer, score)
                score.runs += 1
                score.accepted += result.decision == "accepted"
                if result.decision == "rejected":
                    score.rejected += 1
                    reason = result.rejection.type if result.rejection else "?"
                    score.rejections.append(f"{who} doc{d} {kind}: {reason}")
                if result.parsed_data.get("faceDistance") is not None:
                    score.same.append(result.parsed_data["faceDistance"])
            plain = [InputFile(phone.encode(img), tag) for tag, img in sides]
            negatives = [
                ([*plain, InputFile(stranger.read_bytes(), "face-proof")], customer),
                ([*plain, selfie], Person(customer.first_name, "Oyelowo-Smith", dob=customer.dob)),
            ]
            expired = phone.identity(seed, expired=True)
            old = (
                [("id-front", phone.passport_page(expired, portrait, seed))]
                if d == 0
                else list(
                    zip(
                        ("id-front", "id-back"),
                        phone.card_sides(expired, portrait, seed),
                        strict=True,
                    )
                )
            )
            negatives.append(([*(InputFile(phone.encode(i), t) for t, i in old), selfie], customer))
            for k, (files, person) in enumerate(negatives):
                result = _analyse(files, person, score)
                score.negatives += 1
                score.negatives_accepted += result.decision == "accepted"
                if k == 0 and result.parsed_data.get("faceDistance") is not None:
                    score.different.append(result.parsed_data["faceDistance"])
        print(f"  genuine {who}: done", file=sys.stderr)
    return score


def quantiles(values: list[float]) -> str:
    if not values:
        return "n/a"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered):.2f} / {p95:.2f} s"


def ratio(values: list[float], baseline: list[float]) -> str:
    if not values or not baseline:
        return "n/a"
    return f"{statistics.median(values) / max(statistics.median(baseline), 1e-6):.1f}x"


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}% ({part}/{whole})" if whole else "n/a"


def report(docs: DocumentScore, genuine: GenuineScore | None, scans: tuple[int, int]) -> str:
    rows = [
        ("documents analysed (originals + phone captures)", str(docs.runs)),
        ("number + birth date right", _pct(docs.right, docs.runs)),
        *(
            (f"  ... {kind}", _pct(right, runs))
            for kind, (runs, right) in sorted(docs.by_kind.items())
        ),
        ("PassportEye number + birth date right", _pct(docs.peer_right, docs.peer_runs)),
        ("specimens accepted (goal 0)", _pct(docs.accepted, docs.runs)),
        ("wrong number/birth date: held as uncertain", _pct(docs.wrong_held, docs.wrong)),
        ("wrong number/birth date: accepted (goal 0)", _pct(docs.wrong_accepted, docs.wrong)),
        ("portrait found", _pct(docs.portraits, docs.portraits_expected)),
        ("CPU p50 / p95 per document", quantiles(docs.seconds)),
        ("  ... relative to one OCR pass (same run)", ratio(docs.seconds, docs.baseline)),
        ("PassportEye CPU p50 / p95", quantiles(docs.peer_seconds)),
        ("glare hint on clean evaluation pictures", _pct(*scans)),
    ]
    if genuine is not None:
        rows += [
            ("genuine renders: runs", str(genuine.runs)),
            ("genuine renders: accepted (goal >= 95%)", _pct(genuine.accepted, genuine.runs)),
            ("genuine renders: rejected (goal 0)", _pct(genuine.rejected, genuine.runs)),
            ("negatives accepted (goal 0)", _pct(genuine.negatives_accepted, genuine.negatives)),
            ("portrait-selfie distance, same person", _spread(genuine.same)),
            ("portrait-selfie distance, someone else", _spread(genuine.different)),
            *_calibration(genuine),
            ("CPU p50 / p95 per genuine run", quantiles(genuine.seconds)),
        ]
    width = max(len(label) for label, _ in rows)
    lines = [f"| {label:<{width}} | {value} |" for label, value in rows]
    if genuine is not None and genuine.rejections:
        lines += ["", "genuine runs rejected:", *genuine.rejections]
    return "\n".join(lines)


def _calibration(genuine: GenuineScore) -> list[tuple[str, str]]:
    """Where the shipped face limits fall on document-portrait-versus-selfie distances
    measured through the production path (the portrait as found on the analysed page, the
    selfie as uploaded): the same person within each level's limit, someone else beyond
    the limit from which a face is someone else's."""
    same, different = genuine.same, genuine.different
    rows = [
        (
            f"  same person within {limit} (level {level})",
            _pct(sum(d <= limit for d in same), len(same)),
        )
        for level, limit in sorted(FACE_DISTANCE.items(), key=lambda item: item[1])
    ]
    rows.append(
        (
            f"  someone else beyond {FACE_DIFFERENT} (rejected)",
            _pct(sum(d > FACE_DIFFERENT for d in different), len(different)),
        )
    )
    return rows


def _spread(values: list[float]) -> str:
    if not values:
        return "n/a"
    middle = statistics.median(values)
    return f"{min(values):.2f} - {max(values):.2f} (median {middle:.2f}, n={len(values)})"
