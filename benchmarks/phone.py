"""Phone-like captures of a document picture, and genuine-looking documents to capture.

Both are seeded, so two runs measure the same pictures. The documents drawn here are not
the tests' (tests/analysis/documents.py): another layout, a guilloche background, the
system's DejaVu fonts when present, fictional people with real faces from the evaluation
set's photos.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from openkyc.analysis.mrz import mrz_check_digit

Variant = Callable[[Image.Image, random.Random], Image.Image]
FONTS = Path("/usr/share/fonts/truetype/dejavu")


def _turned(image: Image.Image, rng: random.Random) -> Image.Image:
    return image.rotate(
        rng.choice([90, 180, 270]) + rng.uniform(-6, 6), expand=True, fillcolor=(60, 55, 50)
    )


def _smaller(image: Image.Image, rng: random.Random) -> Image.Image:
    scale = rng.uniform(0.45, 0.6)
    return image.resize(
        (int(image.width * scale), int(image.height * scale)), Image.Resampling.LANCZOS
    )


def _jpeg(image: Image.Image, rng: random.Random) -> Image.Image:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=rng.randint(25, 40))
    return Image.open(io.BytesIO(out.getvalue())).convert("RGB")


def _perspective(image: Image.Image, rng: random.Random) -> Image.Image:
    width, height = image.size
    pad = int(0.15 * max(width, height))
    canvas = (width + 2 * pad, height + 2 * pad)
    jitter = [
        (rng.uniform(-0.08, 0.08) * width, rng.uniform(-0.08, 0.08) * height) for _ in range(4)
    ]
    target = [(pad, pad), (pad + width, pad), (pad + width, pad + height), (pad, pad + height)]
    dst = [(x + dx, y + dy) for (x, y), (dx, dy) in zip(target, jitter, strict=True)]
    src = [(0, 0), (width, 0), (width, height), (0, height)]
    rows = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    coefficients = np.linalg.solve(np.array(rows, float), np.array(src, float).reshape(8))
    return image.transform(
        canvas,
        Image.Transform.PERSPECTIVE,
        [float(c) for c in coefficients],
        Image.Resampling.BICUBIC,
        fillcolor=(70, 62, 55),
    )


def _moire(image: Image.Image, rng: random.Random) -> Image.Image:
    pixels = np.asarray(image.convert("RGB"), np.float32)
    height, width = pixels.shape[:2]
    y, x = np.mgrid[0:height, 0:width]
    angle, period = rng.uniform(0, np.pi), rng.uniform(3.0, 5.0)
    wave = np.sin((x * np.cos(angle) + y * np.sin(angle)) * 2 * np.pi / period)
    shaded = pixels * (1 + 0.12 * wave[..., None])
    return Image.fromarray(np.clip(shaded, 0, 255).astype(np.uint8)).filter(
        ImageFilter.GaussianBlur(0.6)
    )


def _glare(image: Image.Image, rng: random.Random) -> Image.Image:
    pixels = np.asarray(image.convert("RGB"), np.float32)
    height, width = pixels.shape[:2]
    cx, cy = rng.uniform(0.3, 0.7) * width, rng.uniform(0.2, 0.5) * height
    radius = rng.uniform(0.08, 0.14) * max(width, height)
    y, x = np.mgrid[0:height, 0:width]
    light = np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * radius**2))
    shone = pixels + light[..., None] * 255 * 1.3
    return Image.fromarray(np.clip(shone, 0, 255).astype(np.uint8))


VARIANTS: dict[str, Variant] = {
    "turned": _turned,
    "smaller": _smaller,
    "jpeg": _jpeg,
    "perspective": _perspective,
    "moire": _moire,
    "glare": _glare,
}


def captures(image: Image.Image, seed: int, count: int) -> list[tuple[str, Image.Image]]:
    """The picture as given and ``count`` phone-like variants, their kinds taken in turn
    (from ``seed``) so that a run covers every kind evenly."""
    rng = random.Random(seed)
    kinds = list(VARIANTS)
    out = [("original", image)]
    for i in range(count):
        kind = kinds[(seed + i) % len(kinds)]
        out.append((kind, VARIANTS[kind](image, rng)))
    return out


def encode(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


# -- genuine-looking documents -------------------------------------------------------------


def _font(size: int, mono: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = FONTS / ("DejaVuSansMono.ttf" if mono else "DejaVuSans.ttf")
    return (
        ImageFont.truetype(str(name), size) if name.exists() else ImageFont.load_default(size=size)
    )


@dataclass(frozen=True)
class Identity:
    surname: str
    given: str
    number: str
    birth: date
    expiry: date
    sex: str
    state: str


SURNAMES = [
    "HALVORSEN",
    "MARQUARDT",
    "OYELARAN",
    "VANTERPOOL",
    "CASTELLANOS",
    "LINDQVIST",
    "BRENNAN",
]
GIVEN = ["TOMASZ", "AMARA", "LEOPOLD", "INGRID", "RAFAEL", "MIRELA", "DECLAN"]
STATES = ["NLD", "BEL", "AUT", "PRT", "IRL", "FIN", "CAN"]


def identity(seed: int, *, expired: bool = False) -> Identity:
    rng = random.Random(seed)
    number = (
        rng.choice("CKNPRT")
        + rng.choice("LMXY")
        + "".join(rng.choice("0123456789") for _ in range(7))
    )
    birth = date(rng.randint(1960, 2001), rng.randint(1, 12), rng.randint(1, 28))
    expiry = (
        date(2025, 3, 14)
        if expired
        else date(rng.randint(2027, 2034), rng.randint(1, 12), rng.randint(1, 28))
    )
    return Identity(
        rng.choice(SURNAMES),
        rng.choice(GIVEN),
        number,
        birth,
        expiry,
        rng.choice("MF"),
        rng.choice(STATES),
    )


def _yymmdd(value: date) -> str:
    return value.strftime("%y%m%d")


def _pad(text: str, length: int) -> str:
    return text.replace(" ", "<").ljust(length, "<")[:length]


def td3_lines(who: Identity) -> list[str]:
    number = _pad(who.number, 9)
    birth, expiry = _yymmdd(who.birth), _yymmdd(who.expiry)
    line2 = (
        number
        + mrz_check_digit(number)
        + who.state
        + birth
        + mrz_check_digit(birth)
        + who.sex
        + expiry
        + mrz_check_digit(expiry)
        + "<" * 14
        + "<"
    )
    composite = line2[0:10] + line2[13:20] + line2[21:43]
    return [
        _pad(f"P<{who.state}{who.surname}<<{who.given}", 44),
        line2 + mrz_check_digit(composite),
    ]


def td1_lines(who: Identity) -> list[str]:
    number = _pad(who.number, 9)
    birth, expiry = _yymmdd(who.birth), _yymmdd(who.expiry)
    line1 = _pad(f"ID{who.state}{number}{mrz_check_digit(number)}", 30)
    line2 = (
        birth
        + mrz_check_digit(birth)
        + who.sex
        + expiry
        + mrz_check_digit(expiry)
        + who.state
        + "<" * 11
    )
    composite = line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]
    return [line1, line2 + mrz_check_digit(composite), _pad(f"{who.surname}<<{who.given}", 30)]


def _guilloche(size: tuple[int, int], tint: tuple[int, int, int], seed: int) -> Image.Image:
    page = Image.new("RGB", size, tint)
    draw = ImageDraw.Draw(page)
    rng = random.Random(seed)
    width, height = size
    for k in range(24):
        phase, amp = rng.uniform(0, 6.28), rng.uniform(10, 40)
        points = [
            (x, height * (k + 0.5) / 24 + amp * np.sin(x / 37 + phase)) for x in range(0, width, 6)
        ]
        colour = tuple(max(0, c - 22) for c in tint)
        draw.line(points, fill=colour, width=1)
    return page


def _printed(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def passport_photo(photo: Image.Image, grey: bool = False) -> Image.Image:
    """The photo cut as an issuer cuts a passport photo (35 x 45, the face about half its
    height) around its largest face: a scene with a small figure in it is no portrait.
    The photo as it is when no face is found. ``grey``: printed in grey, as many
    issuers print the portrait."""
    if grey:
        return passport_photo(photo).convert("L").convert("RGB")
    from openkyc.analysis.engines import default_engines

    found = default_engines().faces.faces(np.asarray(photo.convert("RGB")), small=True, embed=False)
    if not found:
        return photo
    left, top, right, bottom = found[0].box
    height = min(photo.height, int(2.0 * (bottom - top)))
    width = min(photo.width, int(height * 35 / 45))
    x = min(max(0, (left + right) // 2 - width // 2), photo.width - width)
    y = min(max(0, (top + bottom) // 2 - height // 2), photo.height - height)
    return photo.crop((x, y, x + width, y + height))


def passport_page(who: Identity, portrait: Image.Image, seed: int) -> Image.Image:
    page = _guilloche((1300, 920), (226, 236, 228), seed)
    draw = ImageDraw.Draw(page)
    draw.text((70, 36), f"PASSPORT / PASSEPORT   {who.state}", fill=(30, 70, 60), font=_font(36))
    face = portrait.copy()
    face.thumbnail((360, 460))
    page.paste(face, (70, 130))
    rows = [
        ("Surname / Nom", who.surname),
        ("Given names / Prénoms", who.given),
        ("Date of birth / Date de naissance", _printed(who.birth)),
        ("Sex / Sexe", who.sex),
        ("Date of expiry / Date d'expiration", _printed(who.expiry)),
        ("Passport No. / No du passeport", who.number),
    ]
    for i, (label, value) in enumerate(rows):
        y = 130 + i * 78
        draw.text((480, y), label, fill=(70, 90, 90), font=_font(19))
        draw.text((480, y + 25), value, fill=(10, 20, 20), font=_font(32))
    mono = _font(33, mono=True)
    for i, line in enumerate(td3_lines(who)):
        draw.text((48, 740 + i * 62), line, fill=(15, 15, 15), font=mono)
    return page


def card_sides(who: Identity, portrait: Image.Image, seed: int) -> tuple[Image.Image, Image.Image]:
    front = _guilloche((1012, 638), (232, 226, 240), seed)
    draw = ImageDraw.Draw(front)
    draw.text((40, 26), f"IDENTITY CARD  {who.state}", fill=(70, 40, 100), font=_font(34))
    face = portrait.copy()
    face.thumbnail((290, 380))
    front.paste(face, (40, 100))
    rows = [
        ("Surname", who.surname),
        ("Given names", who.given),
        ("Date of birth", _printed(who.birth)),
        ("Document number", who.number),
        ("Expiry", _printed(who.expiry)),
    ]
    for i, (label, value) in enumerate(rows):
        y = 100 + i * 86
        draw.text((380, y), label, fill=(90, 80, 110), font=_font(19))
        draw.text((380, y + 26), value, fill=(15, 10, 25), font=_font(32))
    back = _guilloche((1012, 638), (232, 226, 240), seed + 1)
    mono = _font(40, mono=True)
    for i, line in enumerate(td1_lines(who)):
        ImageDraw.Draw(back).text((40, 400 + i * 66), line, fill=(15, 15, 15), font=mono)
    return front, back
