"""Whole-document figures: the evaluation documents and phone-like captures of them, and
genuine-looking documents rendered here (see benchmarks/phone.py). Used by analysis.py."""

from __future__ import annotations

import functools
import multiprocessing
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import phone
from PIL import Image

from openkyc.analysis import IdentityAnalysis, InputFile, Person, analyze_identity
from openkyc.analysis.engines import default_engines
from openkyc.analysis.identity import FACE_DIFFERENT, FACE_DISTANCE
from openkyc.analysis.imaging import glare, load_page
from openkyc.analysis.mrz import mrz_date
from openkyc.analysis.reading import read_selfie

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
    documents: int = 0
    runs: int = 0
    accepted: int = 0
    rejected: int = 0
    rejections: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # neither accepted nor rejected, and why
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind: [runs, accepted]
    negatives: int = 0
    negatives_accepted: int = 0
    negatives_let_through: list[str] = field(default_factory=list)
    same: list[float] = field(default_factory=list)  # portrait on the document vs selfie
    same_grey: list[float] = field(default_factory=list)  # ... when the portrait is grey
    shift: list[float] = field(default_factory=list)  # same minus the two photos' distance
    different: list[float] = field(default_factory=list)  # portrait vs someone else's photo
    seconds: list[float] = field(default_factory=list)
    passport_seconds: list[float] = field(default_factory=list)  # ... of passports alone


def everyone(entries: list[dict[str, Any]], root: Path) -> dict[str, list[Path]]:
    """The single-face photographs of each named person of the evaluation set."""
    people: dict[str, list[Path]] = {}
    for entry in entries:
        who = entry["truth"].get("identity")
        if entry["kind"] == "face" and who and entry["truth"].get("face_count", 1) == 1:
            people.setdefault(who, []).append(root / entry["file"])
    return {who: sorted(paths) for who, paths in people.items()}


def _people(entries: list[dict[str, Any]], root: Path) -> dict[str, list[Path]]:
    """The people with at least two photographs: one printed, the other the selfie."""
    return {who: paths for who, paths in everyone(entries, root).items() if len(paths) >= 2}


@dataclass(frozen=True)
class GenuineDocument:
    """One document to render: whose, which photo is printed on it and which is the
    selfie, passport or ID card, colour or grey portrait, and the seed of its identity
    and captures."""

    who: str
    photo: Path
    selfie: Path
    card: bool
    grey: bool
    seed: int


SAME_PHOTOGRAPH = 0.2  # two files of one person this close are one photograph resized


def genuine_documents(
    people: dict[str, list[Path]], count: int, seed: int
) -> list[GenuineDocument]:
    """``count`` documents, the people in turn. Each person's ordered pairs of two
    different photographs (printed, selfie) come in turn, every photo printed once before
    any is printed again, and each pair once as a passport and once as an ID card before a
    pair comes back; every third portrait is printed grey. Two files of one photograph
    (one a resized copy of the other) are not a pair: a selfie is taken anew."""
    faces: dict[tuple[Path, bool], np.ndarray | None] = {}
    pairs = {}
    for who, photos in sorted(people.items()):
        n = len(photos)
        ordered = [(photos[i], photos[(i + step) % n]) for step in range(1, n) for i in range(n)]
        pairs[who] = [
            (a, b)
            for a, b in ordered
            if (_distance(_selfie_embedding(a, faces), _selfie_embedding(b, faces)) or 1.0)
            > SAME_PHOTOGRAPH
        ]
    pairs = {who: own for who, own in pairs.items() if own}
    out: list[GenuineDocument] = []
    round_ = 0
    while len(out) < count and pairs:
        for who, own in pairs.items():
            if len(out) == count:
                break
            photo, selfie = own[round_ % len(own)]
            card = (round_ + round_ // len(own)) % 2 == 1
            k = len(out)
            out.append(GenuineDocument(who, photo, selfie, card, k % 3 == 2, seed + k))
        round_ += 1
    return out


def _analyse(
    files: list[InputFile], person: Person, score: GenuineScore, card: bool
) -> IdentityAnalysis:
    """The analysis of a document's pages and selfie, its CPU seconds counted in ``score``
    (the selfie's reading included, as a customer's check has one)."""
    started = time.process_time()
    result = analyze_identity(files, person, today=TODAY)
    score.seconds.append(time.process_time() - started)
    if not card:
        score.passport_seconds.append(score.seconds[-1])
    return result


def _why(result: IdentityAnalysis) -> str:
    failed = [f"{c.name}:{c.reason}" for c in result.checks if c.failed]
    reason = f" {result.rejection.type}" if result.rejection else ""
    return f"{result.decision}{reason} score {result.score} [{', '.join(failed)}]"


def _selfie_embedding(
    path: Path, cache: dict[tuple[Path, bool], np.ndarray | None], grey: bool = False
) -> np.ndarray | None:
    """A photo's face as the analyser reads a selfie (``grey``: beside a grey portrait)."""
    if (path, grey) not in cache:
        page = load_page(InputFile(path.read_bytes(), "face-proof"), 0)
        faces = read_selfie(page, default_engines(), grey=grey)
        cache[path, grey] = np.array(faces[0].embedding) if faces else None
    return cache[path, grey]


def _distance(a: Any, b: np.ndarray | None) -> float | None:
    return None if a is None or b is None else float(np.linalg.norm(np.array(a) - b))


def _sides(doc: GenuineDocument, who: phone.Identity) -> list[tuple[str, Image.Image]]:
    portrait = phone.passport_photo(Image.open(doc.photo).convert("RGB"), grey=doc.grey)
    if doc.card:
        return list(
            zip(("id-front", "id-back"), phone.card_sides(who, portrait, doc.seed), strict=True)
        )
    return [("id-front", phone.passport_page(who, portrait, doc.seed))]


def bench_genuine(
    entries: list[dict[str, Any]],
    root: Path,
    count: int,
    variants: int,
    seed: int = 0,
    jobs: int = 1,
) -> GenuineScore:
    """``count`` genuine-looking documents, each analysed as rendered and as ``variants``
    phone-like captures with the true customer and another photo of the holder as selfie,
    and three negatives each (someone else's selfie, another last name, an expired
    document), each negative on one of the document's captures in turn. ``jobs``
    processes share the documents; each document's figures are its own, whatever the
    number of processes."""
    people = _people(entries, root)
    documents = genuine_documents(people, count, seed)
    task = functools.partial(
        _bench_document, people=people, strangers=everyone(entries, root), variants=variants
    )
    if jobs > 1:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            parts = pool.map(task, documents, chunksize=1)
    else:
        parts = [task(doc) for doc in documents]
    score = GenuineScore()
    for part in parts:
        for name, value in vars(part).items():
            if isinstance(value, dict):
                for kind, (runs, accepted) in value.items():
                    tally = score.by_kind.setdefault(kind, [0, 0])
                    tally[0] += runs
                    tally[1] += accepted
            else:
                setattr(score, name, getattr(score, name) + value)
    return score


_FACES: dict[tuple[Path, bool], np.ndarray | None] = {}


def _bench_document(
    doc: GenuineDocument,
    people: dict[str, list[Path]],
    strangers: dict[str, list[Path]],
    variants: int,
) -> GenuineScore:
    score = GenuineScore(documents=1)
    faces = _FACES
    holder = phone.identity(doc.seed)
    customer = Person(holder.given.title(), holder.surname.title(), dob=holder.birth)
    sides = _sides(doc, holder)
    captured = [phone.captures(image, doc.seed, variants) for _, image in sides]
    kinds = [kind for kind, _ in captured[0]]
    selfie = InputFile(doc.selfie.read_bytes(), "face-proof")
    photos = _distance(_selfie_embedding(doc.photo, faces), _selfie_embedding(doc.selfie, faces))
    others = [p for who, paths in people.items() if who != doc.who for p in paths]
    label = f"{doc.who} {doc.photo.name}->{doc.selfie.name}"
    label += f" {'card' if doc.card else 'passport'} #{doc.seed}{' grey' if doc.grey else ''}"
    for i, kind in enumerate(kinds):
        files = [
            InputFile(phone.encode(c[i][1]), tag)
            for c, (tag, _) in zip(captured, sides, strict=True)
        ]
        result = _analyse([*files, selfie], customer, score, doc.card)
        score.runs += 1
        score.accepted += result.decision == "accepted"
        tally = score.by_kind.setdefault(kind, [0, 0])
        tally[0] += 1
        tally[1] += result.decision == "accepted"
        if result.decision == "rejected":
            score.rejected += 1
            score.rejections.append(f"{label} {kind}: {_why(result)}")
        elif result.decision != "accepted":
            score.held.append(f"{label} {kind}: {_why(result)}")
        distance = result.parsed_data.get("faceDistance")
        if distance is not None:
            (score.same_grey if doc.grey else score.same).append(distance)
            if photos is not None:
                score.shift.append(distance - photos)
        # Every other named person's photographs, those with a single one too, read as
        # the analyser reads a selfie beside this portrait (in grey beside a grey one).
        portrait = result.fingerprints.portrait_embedding
        for other in (p for who, paths in strangers.items() if who != doc.who for p in paths):
            d = _distance(portrait, _selfie_embedding(other, faces, grey=doc.grey))
            if d is not None:
                score.different.append(d)
    stranger = others[doc.seed % len(others)]
    expired = phone.identity(doc.seed, expired=True)
    negatives = [
        (
            "someone else's selfie",
            captured,
            InputFile(stranger.read_bytes(), "face-proof"),
            customer,
        ),
        (
            "another last name",
            captured,
            selfie,
            Person(customer.first_name, "Oyelowo-Smith", dob=customer.dob),
        ),
        (
            "expired",
            [phone.captures(image, doc.seed, variants) for _, image in _sides(doc, expired)],
            selfie,
            customer,
        ),
    ]
    for k, (what, pages, face, person) in enumerate(negatives):
        i = (doc.seed + k) % len(kinds)
        files = [
            InputFile(phone.encode(c[i][1]), tag) for c, (tag, _) in zip(pages, sides, strict=True)
        ]
        result = _analyse([*files, face], person, score, doc.card)
        score.negatives += 1
        if result.decision == "accepted":
            score.negatives_accepted += 1
            score.negatives_let_through.append(f"{label} {kinds[i]} {what}: {_why(result)}")
    print(
        f"  genuine {label}: {score.accepted}/{score.runs} accepted, "
        f"{score.negatives_accepted}/{score.negatives} negatives accepted",
        file=sys.stderr,
    )
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
        rows += _genuine_rows(genuine)
    width = max(len(label) for label, _ in rows)
    lines = [f"| {label:<{width}} | {value} |" for label, value in rows]
    if genuine is not None:
        for title, items in (
            ("genuine runs rejected:", genuine.rejections),
            ("genuine runs neither accepted nor rejected:", genuine.held),
            ("negatives accepted:", genuine.negatives_let_through),
        ):
            if items:
                lines += ["", title, *items]
    return "\n".join(lines)


def _genuine_rows(genuine: GenuineScore) -> list[tuple[str, str]]:
    same = genuine.same + genuine.same_grey
    return [
        ("genuine renders: documents", str(genuine.documents)),
        ("genuine renders: runs (originals + captures)", str(genuine.runs)),
        ("genuine renders: accepted (goal >= 95%)", _pct(genuine.accepted, genuine.runs)),
        *(
            (f"  ... {kind}", _pct(accepted, runs))
            for kind, (runs, accepted) in sorted(genuine.by_kind.items())
        ),
        ("genuine renders: rejected (goal 0)", _pct(genuine.rejected, genuine.runs)),
        ("negatives accepted (goal 0)", _pct(genuine.negatives_accepted, genuine.negatives)),
        ("portrait-selfie distance, same person", _spread(same)),
        ("  ... colour portraits", _spread(genuine.same)),
        ("  ... grey portraits", _spread(genuine.same_grey)),
        ("  ... minus the two photos' own distance", _spread(genuine.shift)),
        ("portrait-selfie distance, someone else", _spread(genuine.different)),
        *_calibration(same, genuine.different),
        ("CPU p50 / p95 per genuine run", quantiles(genuine.seconds)),
        ("  ... passport and selfie", quantiles(genuine.passport_seconds)),
    ]


def _calibration(same: list[float], different: list[float]) -> list[tuple[str, str]]:
    """Where the shipped face limits fall on document-portrait-versus-selfie distances
    measured through the production path (the portrait as found on the analysed page, the
    selfie as uploaded): the same person within each level's limit, someone else beyond
    the limit from which a face is someone else's, and never within a level's limit."""
    rows = []
    for level, limit in sorted(FACE_DISTANCE.items(), key=lambda item: item[1]):
        rows.append(
            (
                f"  same person within {limit} (level {level})",
                _pct(sum(d <= limit for d in same), len(same)),
            )
        )
        rows.append(
            (
                f"  someone else within {limit} (level {level}, goal 0)",
                _pct(sum(d <= limit for d in different), len(different)),
            )
        )
    rows += [
        (
            f"  same person beyond {FACE_DIFFERENT} (rejected, goal 0)",
            _pct(sum(d > FACE_DIFFERENT for d in same), len(same)),
        ),
        (
            f"  someone else beyond {FACE_DIFFERENT} (rejected)",
            _pct(sum(d > FACE_DIFFERENT for d in different), len(different)),
        ),
    ]
    for rate in FALSE_MATCH_RATES:
        below = _false_match_limit(different, rate)
        found = "n/a" if below is None else _pct(sum(d < below for d in same), len(same))
        rows.append(
            (
                f"  someone else within at most {100 * rate:g}%: below",
                "n/a" if below is None else f"{below:.3f} (same person below it: {found})",
            )
        )
    return rows


FALSE_MATCH_RATES = (0.01, 0.001)


def _false_match_limit(different: list[float], rate: float) -> float | None:
    """The limit chosen on someone else's distances alone, at a stated false-match rate:
    the distance below which at most ``rate`` of them fall. None with fewer than
    1 / ``rate`` distances, too few to tell that rate."""
    if len(different) < 1 / rate:
        return None
    return sorted(different)[int(rate * len(different))]


def _spread(values: list[float]) -> str:
    if not values:
        return "n/a"
    middle = statistics.median(values)
    return f"{min(values):.2f} - {max(values):.2f} (median {middle:.2f}, n={len(values)})"
