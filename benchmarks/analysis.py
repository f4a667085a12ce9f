"""Measure openkyc.analysis on a folder of real documents, side by side with PassportEye.

    python benchmarks/analysis.py --manifest path/to/MANIFEST.json [--no-peer]

The folder is the manifest's own: each entry names a ``file`` below it, its ``kind``
(``mrz-image``, ``mrz-text``, ``face``, ``id-document``, ``address-document``) and its
``truth``; ``FACE_PAIRS.json`` beside it lists face pairs with ``same: true|false``.
PassportEye (``pip install passporteye`` and Debian's ``tesseract-ocr``) runs on the same
MRZ images in the same command; without it its column says why.

Recorded on the shared evaluation set (2 cores shared with other work; CPU time is what
a call costs on its own core, wall time what this run saw):

    metric                              openkyc            PassportEye 2.2.2
    MRZ found                           97.4% (38/39)      89.7% (35/39)
    MRZ found and valid (valid truth)   97.0% (32/33)      42.4% (14/33)
    exact MRZ (all lines)               92.3% (36/39)      10.3% (4/39)
    fields number/birth/expiry          97.4% each         76.9/87.2/87.2%
    fields surname/given names          92.3% / 92.3%      61.5% / 28.2%
    MRZ text: check verdict = truth     100% (28/28)       n/a
    face TMR at FMR 1%, EER (192 pairs) 100%, 0.0%         n/a
    address first/last/line1/postcode   100% each (5, 4)   n/a
    address city                        80% (4/5)          n/a
    passport + selfie, load avg 1.4     wall p50 0.92 s, p95 1.24 s; CPU 0.92 / 1.24 s
    passport + selfie, load avg 4.3     wall p50 1.10 s, p95 1.84 s; CPU 0.89 / 1.74 s
    passport + selfie, load avg 7.2     wall p50 2.42 s, p95 3.07 s; CPU 1.06 / 1.36 s
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from openkyc.analysis import InputFile, Person, analyze_address, analyze_identity, warm_up
from openkyc.analysis.engines import default_engines
from openkyc.analysis.identity import FACE_DISTANCE
from openkyc.analysis.imaging import GLARE_ABOVE, load_page
from openkyc.analysis.mrz import parse_mrz

sys.path.insert(0, str(Path(__file__).parent))
import documents_bench

TODAY = date(2026, 6, 1)
IMAGE = re.compile(r"\.(jpe?g|png|webp|heic|pdf)$", re.IGNORECASE)
FIELDS = (
    "document_number",
    "birth_date",
    "expiry_date",
    "surname",
    "given_names",
    "nationality",
    "issuer",
    "sex",
)


@dataclass
class Timing:
    """Wall-clock and CPU seconds of one call. ONNX Runtime runs on one thread here and
    dlib is single-threaded, so CPU time is what the call costs on an idle core, whatever
    else the machine is doing; wall time is what this run saw."""

    wall: float
    cpu: float


def _cpu() -> float:
    """CPU seconds of this process and its finished children (PassportEye's tesseract)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


class Timer:
    def __enter__(self) -> Timer:
        self._wall, self._cpu = time.perf_counter(), _cpu()
        return self

    def __exit__(self, *_: object) -> None:
        self.timing = Timing(time.perf_counter() - self._wall, _cpu() - self._cpu)


@dataclass
class MrzScore:
    """MRZ reading results of one tool over the MRZ images."""

    name: str
    images: int = 0
    found: int = 0
    valid_expected: int = 0
    found_valid: int = 0
    exact: int = 0
    field_hits: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    field_total: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    seconds: list[Timing] = field(default_factory=list)
    error: str | None = None


def _norm(value: Any) -> str:
    return re.sub(r"[^A-Z0-9]", "", str(value or "").upper())


def _score_fields(score: MrzScore, truth: dict[str, str], read: dict[str, str]) -> None:
    for name in FIELDS:
        expected = truth.get(name)
        if expected is None:
            continue
        score.field_total[name] += 1
        score.field_hits[name] += _norm(expected) == _norm(read.get(name))


def _record(
    score: MrzScore,
    truth: dict[str, Any],
    lines: list[str] | None,
    valid: bool,
    fields: dict[str, str],
    seconds: Timing,
) -> None:
    score.images += 1
    score.seconds.append(seconds)
    expected_valid = bool(truth.get("all_check_digits_valid"))
    score.valid_expected += expected_valid
    if lines:
        score.found += 1
        score.found_valid += expected_valid and valid
        score.exact += [line.strip() for line in lines] == truth["mrz_lines"]
    _score_fields(score, truth.get("fields", {}), fields if lines else {})


def _ours(path: Path) -> tuple[list[str] | None, bool, dict[str, str], Timing]:
    person = Person("-", "-")
    with Timer() as timer:
        result = analyze_identity([InputFile(path.read_bytes(), "id-front")], person, today=TODAY)
    seconds = timer.timing
    mrz = result.parsed_data["mrz"]
    if mrz is None:
        return None, False, {}, seconds
    fields = dict(
        mrz["fields"],
        surname=result.parsed_data["surname"],
        given_names=result.parsed_data["givenNames"],
    )
    return mrz["lines"], mrz["valid"], fields, seconds


def _passporteye() -> Callable[[Path], tuple[list[str] | None, bool, dict[str, str], Timing]]:
    warnings.filterwarnings("ignore")
    from passporteye import read_mrz  # type: ignore[import-untyped]

    def run(path: Path) -> tuple[list[str] | None, bool, dict[str, str], Timing]:
        with Timer() as timer:
            found = read_mrz(str(path))
        seconds = timer.timing
        if found is None:
            return None, False, {}, seconds
        data = found.to_dict()
        fields = {
            "document_number": data["number"],
            "birth_date": data["date_of_birth"],
            "expiry_date": data["expiration_date"],
            "surname": data["surname"],
            "given_names": data["names"],
            "nationality": data["nationality"],
            "issuer": data["country"],
            "sex": data["sex"],
        }
        return data["raw_text"].split("\n"), data["valid_score"] == 100, fields, seconds

    return run


def _mrz_images(entries: list[dict[str, Any]], root: Path) -> list[tuple[Path, dict[str, Any]]]:
    return [
        (root / e["file"], e["truth"])
        for e in entries
        if e["kind"] == "mrz-image"
        and IMAGE.search(e["file"])
        and e["truth"].get("mrz_lines")
        and e["truth"].get("mrz_format") in ("TD1", "TD2", "TD3", "MRVA", "MRVB")
    ]


def bench_mrz(entries: list[dict[str, Any]], root: Path, peer: bool) -> list[MrzScore]:
    images = _mrz_images(entries, root)
    tools: list[tuple[MrzScore, Callable[..., Any] | None]] = [(MrzScore("openkyc"), _ours)]
    if peer:
        try:
            tools.append((MrzScore("PassportEye"), _passporteye()))
        except Exception as exc:  # not installed, no tesseract: say so in the table
            tools.append((MrzScore("PassportEye", error=str(exc)), None))
    for score, run in tools:
        if run is None:
            continue
        for path, truth in images:
            try:
                _record(score, truth, *run(path))
            except Exception as exc:  # a tool crashing on one image counts as not found
                print(f"  {score.name} failed on {path.name}: {exc}", file=sys.stderr)
                _record(score, truth, None, False, {}, Timing(0.0, 0.0))
    return [score for score, _ in tools]


def bench_mrz_text(entries: list[dict[str, Any]]) -> tuple[int, int]:
    """Parsing typed MRZ text: how often the check-digit verdict matches the truth."""
    agree = total = 0
    for entry in entries:
        truth = entry["truth"]
        if entry["kind"] != "mrz-text" or not truth.get("mrz_lines"):
            continue
        total += 1
        parsed = parse_mrz(truth["mrz_lines"], today=TODAY)
        valid = parsed is not None and parsed.valid and parsed.format == truth.get("mrz_format")
        agree += valid == bool(truth.get("all_check_digits_valid"))
    return agree, total


# -- faces ------------------------------------------------------------------------------


def _embedding(path: Path, cache: dict[Path, np.ndarray | None]) -> np.ndarray | None:
    if path not in cache:
        page = load_page(InputFile(path.read_bytes()), 0)
        faces = default_engines().faces.faces(page.image, small=True)
        cache[path] = np.array(faces[0].embedding) if faces else None
    return cache[path]


def _rates(same: np.ndarray, different: np.ndarray) -> tuple[float, float, float]:
    """True-match rate at 1% false-match, equal error rate, and the EER threshold.
    A pair where a face was not found has distance inf: never a match."""
    thresholds = np.unique(np.concatenate([same, different]))
    thresholds = thresholds[np.isfinite(thresholds)]
    fmr = np.array([np.mean(different <= t) for t in thresholds])
    fnmr = np.array([np.mean(same > t) for t in thresholds])
    allowed = fmr <= 0.01
    tmr_at_1 = float(np.max(1 - fnmr[allowed])) if allowed.any() else 0.0
    at = int(np.argmin(np.abs(fmr - fnmr) + 1e-9 * np.maximum(fmr, fnmr)))
    return tmr_at_1, float((fmr[at] + fnmr[at]) / 2), float(thresholds[at])


def bench_faces(pairs_file: Path, root: Path) -> dict[str, Any]:
    pairs = json.loads(pairs_file.read_text())["pairs"]
    cache: dict[Path, np.ndarray | None] = {}
    same: list[float] = []
    different: list[float] = []
    missing = 0
    for pair in pairs:
        a, b = _embedding(root / pair["a"], cache), _embedding(root / pair["b"], cache)
        distance = float(np.linalg.norm(a - b)) if a is not None and b is not None else np.inf
        missing += distance == np.inf
        (same if pair["same"] else different).append(distance)
    tmr, eer, threshold = _rates(np.array(same), np.array(different))
    shipped = {
        level: (
            float(np.mean(np.array(same) <= limit)),
            float(np.mean(np.array(different) <= limit)),
        )
        for level, limit in FACE_DISTANCE.items()
    }
    return {
        "pairs": len(pairs),
        "same": len(same),
        "different": len(different),
        "no_face": missing,
        "tmr_at_fmr_1": tmr,
        "eer": eer,
        "eer_threshold": threshold,
        "shipped": shipped,
    }


# -- address ----------------------------------------------------------------------------


_POSTAL = re.compile(r"\b(\d{4,6}(?:-\d{4})?)\b")


def person_from_truth(truth: dict[str, Any]) -> Person:
    """The recipient as a merchant would have typed them, from the manifest's truth."""
    name = truth.get("recipient_name", "").split("(")[0].strip()
    words = re.sub(r"^(mme|mr|mrs|ms|m\.)\s+", "", name, flags=re.IGNORECASE).split()
    parts = [part.strip() for part in truth.get("recipient_address", "").split(",")]
    postal, city = None, None
    for part in parts[1:]:
        match = _POSTAL.search(part)
        if match:
            postal = match.group(1)
            city = (
                " ".join(
                    w for w in part.replace(postal, "").split() if not re.fullmatch(r"[A-Z]{2}", w)
                )
                or None
            )
            break
    if city is None and len(parts) > 1:
        city = parts[1]
    return Person(
        first_name=words[0] if words else "",
        last_name=" ".join(words[1:]),
        line1=parts[0] if parts else None,
        city=city,
        postal_code=postal,
        country=truth.get("country"),
    )


ADDRESS_FIELDS = ("firstName", "lastName", "line1", "city", "postalCode")


def bench_address(entries: list[dict[str, Any]], root: Path) -> dict[str, Any]:
    hits = dict.fromkeys(ADDRESS_FIELDS, 0)
    totals = dict.fromkeys(ADDRESS_FIELDS, 0)
    seconds: list[Timing] = []
    for entry in entries:
        truth = entry["truth"]
        if entry["kind"] != "address-document" or "recipient_address" not in truth:
            continue
        person = person_from_truth(truth)
        with Timer() as timer:
            result = analyze_address(
                [InputFile((root / entry["file"]).read_bytes())],
                person,
                today=TODAY,
                max_address_age_days=100_000,
            )
        seconds.append(timer.timing)
        outcome = {check.name: not check.failed for check in result.checks}
        for name in ADDRESS_FIELDS:
            if name == "postalCode" and person.postal_code is None:
                continue
            totals[name] += 1
            hits[name] += outcome.get(name, False)
    return {"documents": len(seconds), "hits": hits, "totals": totals, "seconds": seconds}


# -- latency of a passport plus selfie ----------------------------------------------------


def bench_passport_selfie(entries: list[dict[str, Any]], root: Path) -> list[Timing]:
    passports = [
        root / e["file"]
        for e in entries
        if e["kind"] == "mrz-image"
        and IMAGE.search(e["file"])
        and e["truth"].get("mrz_format") == "TD3"
    ]
    faces = [root / e["file"] for e in entries if e["kind"] == "face" and IMAGE.search(e["file"])]
    seconds = []
    for index, passport in enumerate(passports):
        selfie = faces[index % len(faces)]
        files = [
            InputFile(passport.read_bytes(), "id-front"),
            InputFile(selfie.read_bytes(), "face-proof"),
        ]
        with Timer() as timer:
            analyze_identity(files, Person("-", "-"), today=TODAY)
        seconds.append(timer.timing)
    return seconds


# -- report -------------------------------------------------------------------------------


def _pct(part: int | float, whole: int | float) -> str:
    return f"{100 * part / whole:5.1f}% ({int(part)}/{int(whole)})" if whole else "  n/a"


def _p50_p95(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered):.2f} / {p95:.2f} s"


def _quantiles(seconds: list[Timing], cpu: bool = False) -> str:
    if not seconds:
        return "n/a"
    return _p50_p95([t.cpu if cpu else t.wall for t in seconds])


def _row(label: str, values: list[str]) -> str:
    return f"| {label:<34} | " + " | ".join(f"{v:<26}" for v in values) + " |"


def _field_rate(name: str) -> Callable[[MrzScore], str]:
    return lambda score: _pct(score.field_hits[name], score.field_total[name])


def report(
    mrz: list[MrzScore],
    text: tuple[int, int],
    faces: dict[str, Any],
    address: dict[str, Any],
    pairs: list[Timing],
) -> str:
    names = [score.name for score in mrz]
    out = [_row("metric", names), _row("-" * 34, ["-" * 26] * len(names))]

    def line(label: str, get: Callable[[MrzScore], str]) -> None:
        out.append(_row(label, [score.error[:26] if score.error else get(score) for score in mrz]))

    line("MRZ images", lambda s: str(s.images))
    line("MRZ found", lambda s: _pct(s.found, s.images))
    line("MRZ found and valid (valid truth)", lambda s: _pct(s.found_valid, s.valid_expected))
    line("exact MRZ (all lines)", lambda s: _pct(s.exact, s.images))
    for name in FIELDS:
        line(f"field {name}", _field_rate(name))
    line("wall p50/p95 per MRZ image", lambda s: _quantiles(s.seconds))
    line("CPU p50/p95 per MRZ image", lambda s: _quantiles(s.seconds, cpu=True))
    na = ["n/a"] * (len(names) - 1)
    out.append(_row("MRZ text: check verdict = truth", [_pct(*text), *na]))
    out.append(
        _row(
            f"face TMR at FMR 1% ({faces['pairs']} pairs)",
            [f"{100 * faces['tmr_at_fmr_1']:.1f}%", *na],
        )
    )
    out.append(
        _row("face EER", [f"{100 * faces['eer']:.1f}% (at {faces['eer_threshold']:.3f})", *na])
    )
    out.append(_row("face pairs without a face found", [str(faces["no_face"]), *na]))
    for level, (tmr, fmr) in sorted(faces["shipped"].items()):
        out.append(
            _row(
                f"face TMR / FMR at level {level} ({FACE_DISTANCE[level]})",
                [f"{100 * tmr:.1f}% / {100 * fmr:.1f}%", *na],
            )
        )
    for name in ADDRESS_FIELDS:
        out.append(
            _row(f"address {name}", [_pct(address["hits"][name], address["totals"][name]), *na])
        )
    out.append(_row("wall p50/p95 per address document", [_quantiles(address["seconds"]), *na]))
    out.append(_row("wall p50/p95 passport + selfie", [_quantiles(pairs), *na]))
    out.append(_row("CPU p50/p95 passport + selfie", [_quantiles(pairs, cpu=True), *na]))
    return "\n".join(out)


def _peer_or_none() -> (
    Callable[[Path], tuple[list[str] | None, bool, dict[str, str], Timing]] | None
):
    try:
        return _passporteye()
    except Exception as exc:  # not installed, no tesseract
        print(f"PassportEye not run: {exc}", file=sys.stderr)
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--no-peer", action="store_true", help="Skip PassportEye.")
    parser.add_argument(
        "--variants", type=int, default=2, help="Phone-like captures per evaluation document."
    )
    parser.add_argument(
        "--no-genuine", action="store_true", help="Skip the genuine-looking renders."
    )
    parser.add_argument(
        "--genuine-documents",
        type=int,
        default=40,
        help="Genuine-looking documents to render (passports and ID cards in turn).",
    )
    parser.add_argument(
        "--genuine-variants",
        type=int,
        default=6,
        help="Phone-like captures of each genuine-looking document, besides the render.",
    )
    parser.add_argument(
        "--genuine-seed", type=int, default=0, help="Seed of the genuine-looking renders."
    )
    parser.add_argument(
        "--jobs", type=int, default=1, help="Processes sharing the genuine-looking renders."
    )
    parser.add_argument(
        "--documents-only", action="store_true", help="Only the whole-document figures."
    )
    parser.add_argument(
        "--genuine-only",
        action="store_true",
        help="Only the genuine-looking renders (and their portrait-selfie calibration).",
    )
    args = parser.parse_args()
    root = args.manifest.parent
    entries = json.loads(args.manifest.read_text())
    started = time.perf_counter()
    warm_up()
    print(f"models loaded in {time.perf_counter() - started:.2f} s", file=sys.stderr)
    peer = None if args.no_peer else _peer_or_none()
    variants = 0 if args.genuine_only else args.variants
    docs = documents_bench.bench_documents(
        [] if args.genuine_only else entries, root, variants, peer
    )
    genuine = (
        None
        if args.no_genuine
        else documents_bench.bench_genuine(
            entries,
            root,
            args.genuine_documents,
            args.genuine_variants,
            args.genuine_seed,
            args.jobs,
        )
    )
    scans = documents_bench.glare_on_clean_scans(entries, root, GLARE_ABOVE)
    print(documents_bench.report(docs, genuine, scans))
    if args.documents_only or args.genuine_only:
        return
    mrz = bench_mrz(entries, root, peer=not args.no_peer)
    pairs = bench_passport_selfie(entries, root)
    faces = bench_faces(root / "FACE_PAIRS.json", root)
    print(report(mrz, bench_mrz_text(entries), faces, bench_address(entries, root), pairs))
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
