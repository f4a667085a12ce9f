"""Measure the quality gate and its blur, glare and darkness detectors on the evaluation
pictures and on degraded copies of them made here.

    python benchmarks/hints.py --manifest path/to/MANIFEST.json [--limit N] [--faces N]

Every document picture of the manifest (kinds ``mrz-image``, ``id-document``,
``address-document``; images and PDFs) is checked as it is and in four copies, seeded so
that two runs measure the same pictures:

- ``blur``: a Gaussian blur of 0.4 % of the picture's longer side (6 px on a 1500 px photo),
- ``glare``: a lamp's reflection added to the picture, slightly warm, clipped in every
  channel at its middle and fading out over a soft edge; round to twice as long as wide,
  at any angle, 12 % to 22 % of the picture's longer side across, centred on print in the
  middle of the picture (a reflection on the desk hides nothing),
- ``dark``: every pixel at a fifth of its brightness,
- ``cut``: 30 % of the picture's right side outside the frame.

A PDF is rendered first (its copies are photos of the printout). Faces of the evaluation set
go in as the front of a passport (a selfie where a document is asked), and four made files
that show nothing: a blank page, noise, a 1x1 picture, a PDF without pages.

Printed:

- for each detector (``openkyc.analysis.imaging.quality_findings``, what the analyser and the
  gate both use): precision and recall of its hint over the clean pictures and every copy
  (a hint is right on the copy of its own kind), and how often it shows on a clean picture;
- for the gate (``openkyc.analysis.check_capture``): the share of clean documents that pass
  on the first try, the share of bad captures it refuses (and with the expected hint), per
  kind, and its time per picture (wall and CPU, p50 and p95) beside the load average.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

from openkyc.analysis import InputFile, check_capture, warm_up
from openkyc.analysis.imaging import load_page, quality_findings

DOCUMENT_KINDS = ("mrz-image", "id-document", "address-document")
DETECTORS = ("blur", "glare", "dark")
# The hint a copy should get from the gate (cut: cut-off, or the passport's lines not read).
EXPECTED = {
    "blur": {"blur"},
    "glare": {"glare"},
    "dark": {"dark"},
    "cut": {"cut-off", "mrz-not-read", "unreadable"},
    "selfie": {"selfie-as-document"},
    "nothing": {"not-a-document", "too-small"},
}


def _blur(image: Image.Image, rng: random.Random) -> Image.Image:
    return image.filter(ImageFilter.GaussianBlur(0.004 * max(image.size)))


def _glare(image: Image.Image, rng: random.Random) -> Image.Image:
    pixels = np.asarray(image.convert("RGB"), np.float32)
    height, width = pixels.shape[:2]
    # Over the document's print (a reflection on the desk or a scanner's lid hides
    # nothing), away from the picture's sides.
    gray = pixels.mean(axis=2)
    ys, xs = np.nonzero(
        gray[int(0.2 * height) : int(0.8 * height), int(0.2 * width) : int(0.8 * width)] < 160
    )
    if len(ys):
        pick = rng.randrange(len(ys))
        cx, cy = xs[pick] + int(0.2 * width), ys[pick] + int(0.2 * height)
    else:
        cx, cy = rng.uniform(0.35, 0.65) * width, rng.uniform(0.3, 0.6) * height
    # A lamp or a window on a laminate: round to elongated, at any angle, of any size
    # from a coin's to a palm's on a card.
    radius = rng.uniform(0.06, 0.11) * max(width, height)
    stretch, angle = rng.uniform(1.0, 2.0), rng.uniform(0, np.pi)
    y, x = np.mgrid[0:height, 0:width]
    along = (x - cx) * np.cos(angle) + (y - cy) * np.sin(angle)
    across = -(x - cx) * np.sin(angle) + (y - cy) * np.cos(angle)
    spread = (along / stretch) ** 2 + across**2
    # Light added to what the document reflects, slightly warm, far brighter than white
    # paper at its middle: the sensor clips there in every channel.
    light = 2.4 * 255 * np.exp(-spread / (2 * (radius / 1.6) ** 2))
    shone = pixels + light[..., None] * np.array([1.0, 0.96, 0.88], np.float32)
    return Image.fromarray(np.clip(shone, 0, 255).astype(np.uint8))


def _dark(image: Image.Image, rng: random.Random) -> Image.Image:
    return Image.fromarray((np.asarray(image.convert("RGB"), np.float32) * 0.2).astype(np.uint8))


def _cut(image: Image.Image, rng: random.Random) -> Image.Image:
    return image.crop((0, 0, int(image.width * 0.7), image.height))


COPIES: dict[str, Callable[[Image.Image, random.Random], Image.Image]] = {
    "blur": _blur,
    "glare": _glare,
    "dark": _dark,
    "cut": _cut,
}


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@dataclass
class Capture:
    name: str
    kind: str  # "clean" or the copy's kind
    data: bytes
    document_type: str
    subtype: str | None


def _document_captures(entries: list[dict[str, Any]], root: Path, limit: int) -> list[Capture]:
    captures: list[Capture] = []
    rng = random.Random(15)
    chosen = [
        e
        for e in entries
        if e["kind"] in DOCUMENT_KINDS
        and e["file"].lower().endswith((".jpg", ".jpeg", ".png", ".pdf"))
    ][: limit or None]
    for entry in chosen:
        data = (root / entry["file"]).read_bytes()
        address = entry["kind"] == "address-document"
        document_type = "address-proof" if address else "identity-proof"
        label = str(entry["truth"].get("document_type", "")).lower()
        subtype = "passport" if "passport" in label else None
        captures.append(Capture(entry["file"], "clean", data, document_type, subtype))
        picture = Image.fromarray(load_page(InputFile(data), 0).image)
        for kind, make in COPIES.items():
            copy = _jpeg(make(picture, rng))
            captures.append(Capture(entry["file"], kind, copy, document_type, subtype))
    return captures


def _other_captures(entries: list[dict[str, Any]], root: Path, faces: int) -> list[Capture]:
    captures = [
        Capture(e["file"], "selfie", (root / e["file"]).read_bytes(), "identity-proof", "passport")
        for e in entries
        if e["kind"] == "face" and e["truth"].get("face_count", 1) == 1
    ][:faces]
    noise = np.random.default_rng(7).integers(0, 256, (700, 1000, 3), dtype=np.uint8)
    made = {
        "blank page": _png(Image.new("RGB", (1200, 850), "white")),
        "noise": _png(Image.fromarray(noise)),
        "1x1 picture": _png(Image.new("RGB", (1, 1), "white")),
        "PDF without pages": b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    }
    for name, data in made.items():
        captures.append(Capture(name, "nothing", data, "identity-proof", "passport"))
    return captures


@dataclass
class Figures:
    detector: dict[str, Counter[str]] = field(default_factory=dict)
    gate: dict[str, Counter[str]] = field(default_factory=dict)
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)


def _detect(capture: Capture) -> set[str]:
    try:
        page = load_page(InputFile(capture.data), 0)
    except Exception:
        return set()
    return {f.kind for f in quality_findings(page, photo=not page.text_layer)}


def _score_detectors(figures: Figures, capture: Capture, found: set[str]) -> None:
    for detector in DETECTORS:
        counts = figures.detector.setdefault(detector, Counter())
        fired, wanted = detector in found, capture.kind == detector
        counts["tp" if fired and wanted else "fp" if fired else "fn" if wanted else "tn"] += 1
        if capture.kind == "clean":
            counts["clean"] += 1
            counts["clean hinted"] += fired


def _score_gate(figures: Figures, capture: Capture) -> None:
    tag = None if capture.document_type == "address-proof" else "id-front"
    wall, cpu = time.perf_counter(), time.process_time()
    result = check_capture([InputFile(capture.data, tag)], capture.document_type, capture.subtype)
    figures.wall.append(time.perf_counter() - wall)
    figures.cpu.append(time.process_time() - cpu)
    codes = {p.code for p in result.problems}
    counts = figures.gate.setdefault(capture.kind, Counter())
    counts["total"] += 1
    counts["refused"] += not result.passed
    if capture.kind == "clean":
        if codes:
            figures.wrong.append(f"clean {capture.name}: {sorted(codes)}")
        return
    counts["right hint"] += bool(codes & EXPECTED[capture.kind])
    if not codes & EXPECTED[capture.kind]:
        figures.wrong.append(f"{capture.kind} {capture.name}: {sorted(codes) or 'passed'}")


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}% ({part}/{whole})" if whole else "n/a"


def _quantiles(values: list[float]) -> str:
    if len(values) < 2:
        return "n/a"
    cuts = statistics.quantiles(values, n=20)
    return f"p50 {statistics.median(values):.2f} s, p95 {cuts[18]:.2f} s"


def report(figures: Figures) -> str:
    lines = ["detector  precision           recall              hint on a clean picture"]
    for detector in DETECTORS:
        c = figures.detector[detector]
        lines.append(
            f"{detector:9} {_pct(c['tp'], c['tp'] + c['fp']):19} "
            f"{_pct(c['tp'], c['tp'] + c['fn']):19} {_pct(c['clean hinted'], c['clean'])}"
        )
    clean = figures.gate.get("clean", Counter())
    lines += [
        "",
        "gate: clean documents that pass on the first try  "
        + _pct(clean["total"] - clean["refused"], clean["total"]),
    ]
    bad = [kind for kind in figures.gate if kind != "clean"]
    caught = sum(figures.gate[k]["refused"] for k in bad)
    right = sum(figures.gate[k]["right hint"] for k in bad)
    total = sum(figures.gate[k]["total"] for k in bad)
    lines.append(f"gate: bad captures refused                         {_pct(caught, total)}")
    lines.append(f"gate: ... with the expected hint                   {_pct(right, total)}")
    for kind in bad:
        c = figures.gate[kind]
        lines.append(
            f"  {kind:8} refused {_pct(c['refused'], c['total']):18} "
            f"expected hint {_pct(c['right hint'], c['total'])}"
        )
    lines.append(
        f"gate time per picture: wall {_quantiles(figures.wall)}; CPU {_quantiles(figures.cpu)}"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=0, help="Documents to use (0: all).")
    parser.add_argument("--faces", type=int, default=12, help="Faces sent as a passport.")
    parser.add_argument("--verbose", action="store_true", help="List every wrong answer.")
    args = parser.parse_args()
    root = args.manifest.parent
    entries = json.loads(args.manifest.read_text())
    warm_up()
    captures = _document_captures(entries, root, args.limit)
    captures += _other_captures(entries, root, args.faces)
    figures = Figures()
    load_before = os.getloadavg()[0]
    for capture in captures:
        if capture.kind in ("clean", *COPIES):
            _score_detectors(figures, capture, _detect(capture))
        _score_gate(figures, capture)
    print(f"{len(captures)} pictures checked")
    print(report(figures))
    print(
        f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after, "
        f"on {os.cpu_count()} cores"
    )
    if args.verbose:
        print("\n".join(figures.wrong), file=sys.stderr)


if __name__ == "__main__":
    main()
